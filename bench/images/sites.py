"""The photo storefronts of the image benchmarks, for shopfront and for Hugo.

Both start from gen_corpus.py (the same posts, products, categories, tags
and Amazon links as the build benchmark; Hugo's side is its `hugo-full`
flavour, whose layouts mirror shopfront's theme `aisle`) and then:

* every post i gets `cover: "/images/photo-i.jpg"` in its front matter;
* the photos are hard-linked (copied where links are impossible) from the
  photo cache: into static/images/ for shopfront, into assets/images/ for
  Hugo, which processes only assets and page resources;
* optionally (the Lighthouse site) the first product of the first few posts
  shows a photo too: `image: "/images/photo-(posts + k).jpg"`;
* Hugo's site gets the layouts in bench/images/hugo/layouts/ on top of
  hugo-full's: every cover shown as <picture> with WebP q75 and JPEG q80 at
  320, 640, 1024 and 1600 px wide, on the post page and on every list that
  shows the post's card (home pages, categories, tags), and a 1200x630
  JPEG q80 crop as the post's og:image and JSON-LD image.

A site is regenerated only when its inputs change (stamp file beside it), so
the caches each tool keeps inside it (ROOT/.shopfront/cache, Hugo's
resources/_gen) survive between runs of the benchmark unless it clears them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

from photos import link_or_copy

HERE = Path(__file__).resolve().parent
HUGO_LAYOUTS = HERE / "hugo" / "layouts"
SEED = 42
# Widths every cover is resized to, and the link-preview crop (see the module doc).
WIDTHS = (320, 640, 1024, 1600)
PREVIEW = (1200, 630)

# hugo-full's layouts, patched where they show a cover: (file, text, replacement).
HUGO_PATCHES = [
    ("page.html",
     "{{- /* Legal requirement:",
     '{{ with .Params.cover }}{{ partial "cover.html" (dict "src" . "alt" "" "eager" true '
     '"sizes" "(min-width: 46rem) 44rem, 100vw") }}{{ end }}\n{{- /* Legal requirement:'),
    ("_partials/seo.html",
     "{{- with .Params.cover }}{{ $image = absURL . }}{{ end -}}",
     '{{- with partial "og-image.html" . }}{{ $image = . }}{{ end -}}'),
    ("_partials/post-jsonld.html",
     '{{- with $page.Params.cover }}{{ $ld = merge $ld (dict "image" (absURL .)) }}{{ end -}}',
     '{{- with partial "og-image.html" $page }}{{ $ld = merge $ld (dict "image" .) }}{{ end -}}'),
]


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(str(path.relative_to(HERE.parent)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def make_site(flavor: str, corpus_script: Path, photos: list[Path], out: Path, *, posts: int,
              product_photos: int = 0, hugo_filter: str = "box", trash=None, log=None) -> Path:
    """The `flavor` ("shopfront" or "hugo") photo site at `out`, made or reused.

    `photos` must hold at least posts + product_photos photos. `trash(path)`
    takes away an outdated site (the benchmark deletes it at the end, not
    right before a build: see run.py); without it the site is deleted now.
    """
    if len(photos) < posts + product_photos:
        raise ValueError(f"{len(photos)} photos for {posts} covers and {product_photos} product images")
    used = photos[:posts + product_photos]
    stamp_path = out.with_name(out.name + ".stamp.json")
    stamp = {
        "flavor": flavor, "posts": posts, "product_photos": product_photos, "seed": SEED,
        "photos": [p.name for p in used], "photo_folder": str(used[0].parent) if used else "",
        "generator_sha256": hashlib.sha256(corpus_script.read_bytes()).hexdigest(),
        "sites_sha256": _digest([Path(__file__).resolve(), *HUGO_LAYOUTS.rglob("*.html")]),
        "hugo_filter": hugo_filter if flavor == "hugo" else None,
    }
    try:
        if json.loads(stamp_path.read_text()) == stamp and out.is_dir():
            return out
    except (OSError, ValueError):
        pass
    if log:
        log(f"Writing the {flavor} photo site ({posts} posts) at {out} …")
    stamp_path.unlink(missing_ok=True)
    if out.exists():
        trash(out) if trash else shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, str(corpus_script), "--flavor", "shopfront" if flavor == "shopfront" else "hugo-full",
         "--posts", str(posts), "--out", str(out), "--seed", str(SEED)],
        check=True,
    )
    images = out / ("static" if flavor == "shopfront" else "assets") / "images"
    images.mkdir(parents=True, exist_ok=True)
    for photo in used:
        link_or_copy(photo, images / photo.name)
    for i in range(posts):
        post = out / "content" / "posts" / f"post-{i:06d}.md"
        text = post.read_text(encoding="utf-8")
        at = text.index("\nsummary: ")
        at = text.index("\n", at + 1)
        text = text[:at] + f'\ncover: "/images/{photos[i].name}"' + text[at:]
        if i < product_photos:
            # The first product's image: an SVG in the corpus, a photo here.
            start = text.index("\n    image: ")
            end = text.index("\n", start + 1)
            text = text[:start] + f'\n    image: "/images/{photos[posts + i].name}"' + text[end:]
        post.write_text(text, encoding="utf-8")
    if flavor == "hugo":
        layouts = out / "layouts"
        for source in HUGO_LAYOUTS.rglob("*.html"):
            target = layouts / source.relative_to(HUGO_LAYOUTS)
            target.parent.mkdir(parents=True, exist_ok=True)
            text = source.read_text(encoding="utf-8")
            if source.parent.name == "_partials":
                text = text.rstrip("\n")  # as gen_corpus.py writes partials
            target.write_text(text, encoding="utf-8")
        for name, old, new in HUGO_PATCHES:
            path = layouts / name
            text = path.read_text(encoding="utf-8")
            if text.count(old) != 1:
                raise RuntimeError(f"gen_corpus.py's hugo-full {name} changed: `{old}` is not in it once; "
                                   "update HUGO_PATCHES in bench/images/sites.py")
            path.write_text(text.replace(old, new), encoding="utf-8")
        with open(out / "hugo.toml", "a", encoding="utf-8") as config:
            config.write(f'\n[imaging]\n# Hugo\'s default filter; see --hugo-filter in bench/run.py.\n'
                         f'resampleFilter = "{hugo_filter}"\n')
    stamp_path.write_text(json.dumps(stamp))
    return out
