#!/usr/bin/env python3
"""Time `shopfront check` on generated hostile inputs at two sizes.

Each case writes one post into a fresh site and runs `shopfront check` on
it at size N and 10 N. Linear code takes about ten times as long for the
larger input; quadratic code a hundred times. This times things, so it is
a benchmark, not a test: the tests count operations instead.

    bench/hostile.py [--bin target/debug/shopfront] [--n 1000] [case ...]

Measured with the debug binary, n = 10,000 (seconds), before and after the
linear-diagnostics round (be934e2 → rel-diag):

    headings 11.9 → 0.10     unsafe-links 13.5 → 0.05   internal-links 0.25 → 0.07
    reference-links 9.1 → 0.08   unclosed-bracket 35.6 → 0.22   quotes-line 6.5 → 0.01
    missing-field 4.5 → 0.02     products 28.8 → 0.42       bad-tags 11.5 → 0.06
    shortcodes 37.4 → 0.54       peak RSS of any run: 4.8 GB → 33 MB
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

PROFILE = 'name = "Bench"\n[site]\nbase_url = "https://example.com"\n'
HEAD = "---\ntitle: Hostile\ndate: 2025-01-01\nsummary: s\ncover: https://example.com/c.png\n"


def headings(n):
    return HEAD + "---\n" + "## Same\n\n" * n


def unsafe_links(n):
    return HEAD + "---\n" + "[x](javascript:alert(1)) " * n + "\n"


def internal_links(n):
    return HEAD + "---\n" + "".join(f"[l{i}](/posts/nowhere-{i}/) " for i in range(n)) + "\n"


def reference_links(n):
    body = "".join(f"[l{i}][r{i}] " for i in range(n)) + "\n\n"
    body += "".join(f"[r{i}]: javascript:alert({i})\n" for i in range(n))
    return HEAD + "---\n" + body


def unclosed_bracket(n):
    # Flow lists over two lines each, then a mistake at the end: the hint
    # looks for an unclosed bracket on every line before it.
    return "---\ntitle: T\n" + "".join(f"k{i}: [a,\n  b]\n" for i in range(n)) + "title: again\n---\nBody\n"


def quotes_line(n):
    return "---\ntitle: T\nnote: it's" + " it's" * n + "\ntitle: again\n---\nBody\n"


def missing_field(n):
    # A product without a name whose note is n lines long.
    lines = "".join(f"      line {i}\n" for i in range(n))
    return "---\ntitle: T\nproducts:\n  - asin: B000000001\n    note: |\n" + lines + "    rating: 4\n---\nBody\n"


def products(n):
    # n Amazon products that each copy a price: one finding per product.
    items = "".join(f"  - name: Product {i}\n    asin: B{i:09d}\n    price: $1\n" for i in range(n))
    return HEAD + "products:\n" + items + "---\nBody\n"


def bad_tags(n):
    return "---\ntitle: T\ntags:\n" + "".join(f"  - '!!{'!' * (i % 7)}'\n" for i in range(n)) + "---\nBody\n"


def shortcodes(n):
    return HEAD + "---\n" + "{{ x() }}\n\n[a](javascript:1)\n\n" * n


def attribute_lists(n):
    # kramdown attribute lists and Liquid variables, n of each on one line.
    return HEAD + "---\n" + "*a*{: .x} {{ site.title }} " * n + "\n"


CASES = {
    "headings": headings,
    "unsafe-links": unsafe_links,
    "internal-links": internal_links,
    "reference-links": reference_links,
    "unclosed-bracket": unclosed_bracket,
    "quotes-line": quotes_line,
    "missing-field": missing_field,
    "products": products,
    "bad-tags": bad_tags,
    "shortcodes": shortcodes,
    "attribute-lists": attribute_lists,
}


def run(binary, text):
    root = tempfile.mkdtemp(prefix="shopfront-hostile-")
    try:
        os.makedirs(os.path.join(root, "content/posts"))
        with open(os.path.join(root, "profile.toml"), "w") as f:
            f.write(PROFILE)
        with open(os.path.join(root, "content/posts/hostile.md"), "w") as f:
            f.write(text)
        start = time.perf_counter()
        proc = subprocess.Popen([binary, "check", "--root", root], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, err = proc.communicate()
        seconds = time.perf_counter() - start
        return seconds, proc.returncode, len(err)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default="target/debug/shopfront")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("cases", nargs="*", default=list(CASES))
    args = parser.parse_args()
    print(f"{'case':18} {'n':>7} {'s':>8} {'10n':>7} {'s':>8} {'ratio':>6}  exit  stderr bytes")
    for name in args.cases:
        make = CASES[name]
        small = run(args.bin, make(args.n))
        large = run(args.bin, make(args.n * 10))
        ratio = large[0] / max(small[0], 1e-3)
        print(f"{name:18} {args.n:7} {small[0]:8.2f} {args.n * 10:7} {large[0]:8.2f} {ratio:6.1f}  {large[1]:4}  {large[2]}")
        sys.stdout.flush()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"peak RSS of any run: {peak // 1024} MiB")


if __name__ == "__main__":
    main()
