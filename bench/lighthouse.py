#!/usr/bin/env python3
"""Lighthouse scores of a photo storefront built by shopfront, in every bundled theme.

What it does (see BENCHMARKS.md, "Lighthouse"):

1. Makes a small site with bench/images/: gen_corpus.py's storefront with
   12 posts (--posts), each with its own 4032x3024 phone photo as `cover:`,
   and the first product of the first 6 posts (--product-photos) showing a
   photo as its `image:`; all photos under static/images/.
2. Builds it with `shopfront build --theme NAME` for each theme that
   `shopfront themes` lists, with the base URL of a local server.
3. Serves each output on 127.0.0.1 the way a static host does (gzip for
   text, index.html for folders, 404.html for misses, cache headers).
4. Runs the npm `lighthouse` package (pinned in bench/package.json,
   installed with `npm ci` when missing) with Debian's Chromium on the home
   page, one post and /shop/ of each theme: its default mobile preset
   (Moto G Power-sized screen, simulated slow 4G and 4x CPU slowdown),
   categories performance, accessibility, best practices and SEO.
5. Prints a table (theme, page, the four scores, LCP) and writes it, with
   CLS, total bytes and the image audits' savings, to
   bench/results/lighthouse.json. With --runs N each page is audited N
   times and the medians are reported.

    python3 bench/lighthouse.py [--themes aisle,journal] [--runs 3] [--shopfront PATH]

Not part of `cargo test`. Needs Python 3.11+, Node 18+ with npm, Chromium
(/usr/bin/chromium, or --chromium PATH), and Pillow and numpy for the photos
(installed with pip if missing).
"""

from __future__ import annotations

import argparse
import gzip
import json
import mimetypes
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR / "images"))

import photos as photo_gen  # noqa: E402
import sites  # noqa: E402

CHROME_FLAGS = ("--headless --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# The post audited: its cover and its first product are photos.
SAMPLE_POST = "/posts/post-000000/"
PAGES = (("home", "/"), ("post", SAMPLE_POST), ("shop", "/shop/"))
TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml",
              "application/atom+xml", "image/svg+xml")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fail(message: str) -> None:
    log(f"error: {message}")
    sys.exit(1)


# --------------------------------------------------------------------------
# Tools


def find_shopfront(override: str | None) -> Path:
    """--shopfront, else target/release/shopfront, built with cargo when missing."""
    if override:
        return Path(override).resolve()
    binary = REPO / "target" / "release" / "shopfront"
    if not binary.is_file():
        log("Building shopfront: cargo build --release …")
        if subprocess.run(["cargo", "build", "--release"], cwd=REPO).returncode != 0:
            fail("cargo build --release failed")
    return binary


def find_lighthouse() -> Path:
    """bench/node_modules/.bin/lighthouse, installed from package-lock.json when missing."""
    binary = BENCH_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        if not shutil.which("npm"):
            fail("npm not found: install Node.js 18 or later (Debian: apt-get install nodejs npm)")
        log("Installing lighthouse into bench/node_modules with npm ci …")
        if subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=BENCH_DIR).returncode != 0:
            fail("npm ci failed in bench/")
    return binary


def themes(shopfront: Path) -> list[str]:
    listing = subprocess.run([str(shopfront), "themes"], capture_output=True, text=True, check=True)
    return [line.split()[0] for line in listing.stdout.splitlines() if line.strip()]


def version_of(command: list[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        return (result.stdout or result.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "unknown"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------
# A static host


class StaticHost(SimpleHTTPRequestHandler):
    """Serves `root` as a static host would: folders as index.html, misses as
    404.html, text gzipped when the client accepts it, cache headers."""

    root: Path = Path(".")

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self.respond(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self.respond(head=False)

    def respond(self, head: bool) -> None:
        root = type(self).root
        path = unquote(urlsplit(self.path).path)
        target = (root / path.lstrip("/")).resolve()
        if root.resolve() not in (target, *target.parents):
            return self.send_error(403)
        if target.is_dir():
            if not path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            target = target / "index.html"
        status = 200
        if not target.is_file():
            status, target = 404, root / "404.html"
            if not target.is_file():
                return self.send_error(404)
        body = target.read_bytes()
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if kind.startswith(TEXT_TYPES) and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, compresslevel=6, mtime=0)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        html = kind.startswith("text/html")
        self.send_header("Cache-Control", "public, max-age=0, must-revalidate" if html else "public, max-age=86400")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)


def serve(port: int) -> ThreadingHTTPServer:
    mimetypes.add_type("image/webp", ".webp")
    mimetypes.add_type("image/avif", ".avif")
    mimetypes.add_type("text/javascript", ".js")
    server = ThreadingHTTPServer(("127.0.0.1", port), StaticHost)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --------------------------------------------------------------------------
# Lighthouse


def audit(lighthouse: Path, chromium: str, url: str, report: Path) -> dict:
    """One Lighthouse run (mobile preset); the numbers this benchmark keeps."""
    command = [
        str(lighthouse), url,
        "--output=json", f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--form-factor=mobile",
        f"--chrome-flags={CHROME_FLAGS}",
        "--quiet",
    ]
    env = dict(os.environ, CHROME_PATH=chromium)
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0 or not report.is_file():
        raise RuntimeError(f"lighthouse {url} exited with {result.returncode}: {result.stderr.strip()[-2000:]}")
    lhr = json.loads(report.read_text())
    if lhr.get("runtimeError"):
        raise RuntimeError(f"lighthouse {url}: {lhr['runtimeError'].get('message')}")
    audits = lhr["audits"]

    def numeric(name: str) -> float | None:
        return audits.get(name, {}).get("numericValue")

    def savings(name: str) -> int | None:
        details = audits.get(name, {}).get("details") or {}
        value = details.get("overallSavingsBytes")
        return int(value) if value is not None else None

    scores = {c: lhr["categories"][c]["score"] for c in CATEGORIES}
    return {
        "scores": {c: None if s is None else round(s * 100) for c, s in scores.items()},
        "lcp_ms": numeric("largest-contentful-paint"),
        "fcp_ms": numeric("first-contentful-paint"),
        "cls": numeric("cumulative-layout-shift"),
        "total_byte_weight": numeric("total-byte-weight"),
        # What Lighthouse says better images would save, in bytes.
        "image_savings_bytes": {
            "modern-image-formats": savings("modern-image-formats"),
            "uses-responsive-images": savings("uses-responsive-images"),
            "uses-optimized-images": savings("uses-optimized-images"),
        },
        "failed_audits": sorted(
            name for name, a in audits.items()
            if a.get("score") is not None and a.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
            and a["score"] < 0.9
        ),
        "lighthouse": lhr.get("lighthouseVersion"),
        "user_agent": lhr.get("environment", {}).get("hostUserAgent"),
    }


def median_of(runs: list[dict]) -> dict:
    """The median of each score and metric over `runs` of one page."""
    def med(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None
    result = dict(runs[-1])
    result["scores"] = {c: med([r["scores"][c] for r in runs]) for c in CATEGORIES}
    for key in ("lcp_ms", "fcp_ms", "cls", "total_byte_weight"):
        result[key] = med([r[key] for r in runs])
    result["runs"] = len(runs)
    return result


def print_table(rows: list[dict]) -> None:
    print()
    print(f"{'theme':<10} {'page':<5} {'perf':>5} {'a11y':>5} {'best':>5} {'SEO':>5} {'LCP':>8} {'bytes':>9}")
    for row in rows:
        s = row["scores"]

        def cell(value):
            return "–" if value is None else f"{value:.0f}"
        lcp = "–" if row["lcp_ms"] is None else f"{row['lcp_ms'] / 1000:.2f} s"
        weight = "–" if row["total_byte_weight"] is None else f"{row['total_byte_weight'] / 2**20:.1f} MiB"
        print(f"{row['theme']:<10} {row['page']:<5} {cell(s['performance']):>5} {cell(s['accessibility']):>5}"
              f" {cell(s['best-practices']):>5} {cell(s['seo']):>5} {lcp:>8} {weight:>9}")


# --------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shopfront", help="shopfront binary (default target/release/shopfront, built if missing)")
    ap.add_argument("--themes", help="comma-separated themes (default: every theme `shopfront themes` lists)")
    ap.add_argument("--posts", type=int, default=12, help="posts, each with a photo cover (default 12)")
    ap.add_argument("--product-photos", type=int, default=6,
                    help="products whose image is a photo: the first product of that many posts (default 6)")
    ap.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page; medians reported (default 1)")
    ap.add_argument("--chromium", default=os.environ.get("CHROME_PATH", "/usr/bin/chromium"),
                    help="Chromium or Chrome (default $CHROME_PATH or /usr/bin/chromium)")
    ap.add_argument("--corpus-script", help="gen_corpus.py (default: bench/ then ../shared/bench/)")
    ap.add_argument("--work-dir", default=str(BENCH_DIR / "work"), help="site, outputs and reports (default bench/work)")
    ap.add_argument("--json", default=str(BENCH_DIR / "results" / "lighthouse.json"), help="where to write results")
    args = ap.parse_args()
    if args.posts < 1 or args.runs < 1 or not 0 <= args.product_photos <= args.posts:
        fail("--posts and --runs must be at least 1, and --product-photos between 0 and --posts")
    if not Path(args.chromium).exists():
        fail(f"{args.chromium} not found: install Chromium (Debian: apt-get install chromium) or pass --chromium")

    work = Path(args.work_dir).resolve() / "lighthouse"
    work.mkdir(parents=True, exist_ok=True)
    corpus_candidates = [Path(args.corpus_script)] if args.corpus_script else [
        BENCH_DIR / "gen_corpus.py", REPO.parent / "shared" / "bench" / "gen_corpus.py"]
    script = next((p.resolve() for p in corpus_candidates if p.is_file()), None)
    if not script:
        fail("gen_corpus.py not found; pass --corpus-script")
    shopfront = find_shopfront(args.shopfront)
    lighthouse = find_lighthouse()
    names = args.themes.split(",") if args.themes else themes(shopfront)

    photo_paths = photo_gen.ensure_photos(args.posts + args.product_photos, work.parent, log=log)
    site = sites.make_site("shopfront", script, photo_paths, work / f"site-{args.posts}", posts=args.posts,
                           product_photos=args.product_photos, log=log)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/"
    server = serve(port)
    results: dict = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "versions": {
            "shopfront": version_of([str(shopfront), "--version"]),
            "lighthouse": version_of([str(lighthouse), "--version"]),
            "chromium": version_of([args.chromium, "--version"]),
            "node": version_of(["node", "--version"]),
        },
        "site": str(site),
        "posts": args.posts,
        "product_photos": args.product_photos,
        "preset": "mobile (Lighthouse's default: simulated throttling, mobile screen)",
        "chrome_flags": CHROME_FLAGS,
        "runs_per_page": args.runs,
        "rows": [],
    }
    log(f"shopfront: {shopfront} ({results['versions']['shopfront']}); lighthouse {results['versions']['lighthouse']}")
    problems = []
    try:
        for theme in names:
            out = work / f"out-{theme}"
            if out.exists():
                shutil.rmtree(out)
            build = subprocess.run(
                [str(shopfront), "build", "--root", str(site), "--output", str(out), "--theme", theme,
                 "--base-url", base_url, "--quiet"],
                capture_output=True, text=True,
            )
            if build.returncode != 0:
                problems.append(f"{theme}: shopfront build failed: {build.stderr.strip()[-1000:]}")
                log(f"  {theme}: build failed")
                continue
            StaticHost.root = out
            for page, path in PAGES:
                runs = []
                for i in range(args.runs):
                    report = work / f"report-{theme}-{page}-{i}.json"
                    log(f"  {theme:<9} {page:<5} run {i + 1}/{args.runs} {base_url.rstrip('/')}{path} …")
                    try:
                        runs.append(audit(lighthouse, args.chromium, base_url.rstrip("/") + path, report))
                    except (RuntimeError, subprocess.TimeoutExpired, ValueError, KeyError) as err:
                        problems.append(f"{theme} {page}: {err}")
                        log(f"    failed: {err}")
                if runs:
                    row = {"theme": theme, "page": page, "path": path, **median_of(runs)}
                    results["rows"].append(row)
                    write_json(args.json, results)
    finally:
        server.shutdown()
    results["problems"] = problems
    write_json(args.json, results)
    print_table(results["rows"])
    for problem in problems:
        print(f"problem: {problem}")
    print()
    print(f"Results: {args.json}; Lighthouse's own reports: {work}/report-*.json")
    if problems:
        sys.exit(1)


def write_json(path: str, results: dict) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
