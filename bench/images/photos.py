#!/usr/bin/env python3
"""Deterministic phone-sized test photos for the image benchmarks.

Each photo is a 4032x3024 JPEG at quality 90 with 4:2:0 chroma, like the
12-megapixel photos a phone takes, and carries a phone's basic EXIF (make,
model, date, orientation 1). It is drawn, not downloaded: a smooth two-colour
gradient lit by a soft radial light, 8 to 17 flat shapes (ellipses,
rectangles, polygons) blurred a little as if out of focus, three octaves of
smooth luminance texture, and per-pixel sensor noise of a per-photo strength.
That compresses like a photo: 1.7 to 3 MB each, not the few kilobytes of a
flat test image, so decoding and encoding cost what they cost on real uploads.

Photo i depends only on (seed, i): `ensure_photos(n)` returns photo-0.jpg …
photo-(n-1).jpg from a cache folder named after the seed and the generator
version, and only draws the ones not there yet (several processes at once).
A run with more photos reuses the ones a smaller run drew. The bytes are the
same on every run on one machine; another machine's libjpeg or numpy may give
slightly different bytes, never different sizes or shapes.

    python3 bench/images/photos.py --count 12 [--out DIR]   # prints the paths

Needs Pillow and numpy; `ensure_packages()` installs them with pip if missing.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 4032, 3024
QUALITY = 90
SEED = 42
# Part of the cache folder's name: bump it whenever the drawing changes.
GENERATOR_VERSION = 1


def ensure_packages() -> None:
    """Installs Pillow and numpy with pip when either is missing."""
    try:
        import numpy  # noqa: F401
        import PIL  # noqa: F401
        return
    except ImportError:
        pass
    print("Pillow or numpy missing; installing them with pip …", file=sys.stderr, flush=True)
    if subprocess.run([sys.executable, "-m", "pip", "install", "Pillow", "numpy"]).returncode != 0:
        print("error: `python3 -m pip install Pillow numpy` failed", file=sys.stderr)
        sys.exit(1)


def cache_dir(work: Path, seed: int) -> Path:
    return work / "photos" / f"seed{seed}-v{GENERATOR_VERSION}-{WIDTH}x{HEIGHT}-q{QUALITY}"


def draw(seed: int, index: int) -> bytes:
    """The JPEG bytes of photo `index` for `seed`."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter

    rng = np.random.default_rng([seed, index])

    def smooth(values, size):
        """A small float field scaled up to `size` with bicubic filtering."""
        return np.asarray(Image.fromarray(values, mode="F").resize(size, Image.BICUBIC))

    # The backdrop: a gradient between two colours, lit from a random point.
    sw, sh = WIDTH // 16, HEIGHT // 16
    y, x = np.mgrid[0:sh, 0:sw].astype(np.float32)
    x /= sw
    y /= sh
    c0, c1 = rng.uniform(30, 230, 3), rng.uniform(30, 230, 3)
    angle = rng.uniform(0, 2 * np.pi)
    g = np.cos(angle) * x + np.sin(angle) * y
    g = (g - g.min()) / (g.max() - g.min())
    backdrop = c0 * (1 - g[..., None]) + c1 * g[..., None]
    cx, cy = rng.uniform(0.2, 0.8, 2)
    backdrop *= (1.2 - 0.6 * np.sqrt((x - cx) ** 2 + (y - cy) ** 2))[..., None]

    # The subjects: flat shapes drawn at half size, then blurred a little.
    w, h = WIDTH // 2, HEIGHT // 2
    scene = Image.fromarray(np.clip(backdrop, 0, 255).astype(np.uint8)).resize((w, h), Image.BICUBIC)
    pen = ImageDraw.Draw(scene)
    for _ in range(int(rng.integers(8, 18))):
        colour = tuple(int(v) for v in rng.uniform(0, 255, 3))
        x0, y0 = rng.uniform(-0.1, 1, 2) * [w, h]
        ew, eh = rng.uniform(0.03, 0.45, 2) * [w, h]
        kind = int(rng.integers(3))
        if kind == 0:
            pen.ellipse([x0, y0, x0 + ew, y0 + eh], fill=colour)
        elif kind == 1:
            pen.rectangle([x0, y0, x0 + ew, y0 + eh], fill=colour)
        else:
            corners = int(rng.integers(3, 7))
            pen.polygon([(x0 + rng.uniform(0, ew), y0 + rng.uniform(0, eh)) for _ in range(corners)], fill=colour)
    scene = scene.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.6, 2.0))))
    pixels = np.asarray(scene.resize((WIDTH, HEIGHT), Image.BILINEAR), dtype=np.float32)

    # Texture (three octaves of smooth noise) and sensor noise, on luminance
    # only: phones denoise colour far more than brightness.
    luminance = np.zeros((HEIGHT, WIDTH), np.float32)
    for divisor, amplitude in ((64, 8.0), (16, 6.0), (4, 4.0)):
        field = rng.standard_normal((HEIGHT // divisor, WIDTH // divisor), dtype=np.float32) * amplitude
        luminance += smooth(field, (WIDTH, HEIGHT))
    luminance += rng.standard_normal((HEIGHT, WIDTH), dtype=np.float32) * float(rng.uniform(2.0, 5.0))
    pixels += luminance[..., None]
    photo = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))

    exif = Image.Exif()
    exif[0x010F] = "BenchPhone"  # Make
    exif[0x0110] = "BenchPhone 12"  # Model
    exif[0x0112] = 1  # Orientation: upright
    exif[0x0132] = f"2025:{1 + index % 12:02d}:{1 + index % 28:02d} {index % 24:02d}:{index % 60:02d}:00"  # DateTime
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=QUALITY, subsampling="4:2:0", exif=exif.tobytes())
    return out.getvalue()


def _write_one(job: tuple[int, int, str]) -> str:
    seed, index, path = job
    temp = f"{path}.{os.getpid()}.tmp"
    with open(temp, "wb") as f:
        f.write(draw(seed, index))
    os.replace(temp, path)  # never a half-written photo in the cache
    return path


def photo_name(index: int) -> str:
    return f"photo-{index}.jpg"


def ensure_photos(count: int, work: Path, seed: int = SEED, log=None) -> list[Path]:
    """photo-0.jpg … photo-(count-1).jpg in the cache, drawing the missing ones."""
    ensure_packages()
    folder = cache_dir(work, seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / photo_name(i) for i in range(count)]
    missing = [(seed, i, str(p)) for i, p in enumerate(paths) if not p.is_file()]
    if missing:
        if log:
            log(f"Drawing {len(missing)} photos ({WIDTH}x{HEIGHT}, JPEG q{QUALITY}) into {folder} …")
        workers = min(len(missing), os.cpu_count() or 1)
        if workers > 1:
            import multiprocessing
            with multiprocessing.Pool(workers) as pool:
                for done, _ in enumerate(pool.imap_unordered(_write_one, missing), 1):
                    if log and done % 25 == 0:
                        log(f"  {done}/{len(missing)}")
        else:
            for job in missing:
                _write_one(job)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=12, help="how many photos (default 12)")
    ap.add_argument("--seed", type=int, default=SEED, help=f"seed (default {SEED})")
    ap.add_argument("--work-dir", default=str(BENCH_DIR / "work"), help="cache root (default bench/work)")
    ap.add_argument("--out", help="also hard-link (or copy) the photos into this folder")
    args = ap.parse_args()
    paths = ensure_photos(args.count, Path(args.work_dir).resolve(), args.seed,
                          log=lambda m: print(m, file=sys.stderr, flush=True))
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for path in paths:
            link_or_copy(path, out / path.name)
        paths = [out / p.name for p in paths]
    for path in paths:
        print(path)


def link_or_copy(source: Path, target: Path) -> None:
    """A hard link when the file system allows it (no second copy on disk or in the page cache)."""
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        import shutil
        shutil.copyfile(source, target)


if __name__ == "__main__":
    main()
