"""`sftlint review` on a 100,000-example file: time to first screen, keypress-to-render latency.

First screen is measured on the real binary in a real terminal (tmux): from starting the process
to the header being painted, and to the first example being shown. Keypress latency is measured
in-process with Textual's Pilot: from sending the key to the last frame the app wrote to the
terminal before going idle again (so everything the key changed is on screen), both while the
background lint is still running (conservative: frames drawn for arriving lint results count
too) and after it has finished. The Pilot's own wait for idleness is not counted.

    python benchmarks/review_latency.py [--examples 100000] [--presses 300]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import orjson
import psutil

sys.path.insert(0, str(Path(__file__).parent))
from _synth import example  # noqa: E402

DATA = Path(__file__).parent / ".data"


def build(n: int) -> Path:
    """Synthetic chat data with ~3% planted structural defects, so the queue has flagged rows."""
    path = DATA / f"review_{n}.jsonl"
    if path.exists():
        return path
    DATA.mkdir(exist_ok=True)
    rng = random.Random(1)
    with open(path, "wb") as fh:
        for _ in range(n):
            ex = example(rng)
            roll = rng.random()
            if roll < 0.01:
                ex["messages"] = [m for m in ex["messages"] if m["role"] != "user"]
            elif roll < 0.02:
                ex["messages"][-1]["content"] = "  "
            elif roll < 0.03:
                ex["messages"].append({"role": "user", "content": "Thanks!"})
            fh.write(orjson.dumps(ex) + b"\n")
    return path


def first_screen(path: Path) -> tuple[float, float]:
    sftlint = str(Path(sys.executable).parent / "sftlint")
    name = f"bench-{uuid.uuid4().hex[:6]}"
    sock = tempfile.mktemp(prefix="tmux-")
    journal = tempfile.mktemp(prefix="journal-")

    def tmux(*args):
        return subprocess.run(["tmux", "-S", sock, *args], capture_output=True, text=True).stdout

    start = time.perf_counter()
    tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "40",
         f"env TERM=xterm-256color {sftlint} review {path} --journal {journal} --encoding cl100k_base")
    header = shown = None
    while time.perf_counter() - start < 60 and shown is None:
        screen = tmux("capture-pane", "-p", "-t", name)
        now = time.perf_counter() - start
        if header is None and "reviewed" in screen:
            header = now
        if header is not None and "message 0" in screen:
            shown = now
        time.sleep(0.02)
    # what the review started (its lint, the lint's workers) must not outlive the benchmark
    pane = tmux("list-panes", "-t", name, "-F", "#{pane_pid}").split()
    started = []
    if pane:
        with contextlib.suppress(psutil.Error):
            app = psutil.Process(int(pane[0]))
            started = [app, *app.children(recursive=True)]
    tmux("kill-server")
    _, alive = psutil.wait_procs(started, timeout=5)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    return header or float("nan"), shown or float("nan")


async def latencies(path: Path, presses: int) -> tuple[list[float], list[float]]:
    from sftlint.config import load_settings
    from sftlint.review.app import ReviewApp

    settings = load_settings(path, None, {"encoding": "cl100k_base"})
    app = ReviewApp(path, settings, journal=Path(tempfile.mktemp(prefix="journal-")), reviewer="bench")
    keys = ["j", "j", "k", "n", "j", "p", "j", "m", "j", "r", "r", "m", "pagedown", "k", "tab", "shift+tab"]
    during, after = [], []
    frames: list[float] = []
    display = app._display

    def timed_display(screen, renderable):
        frames.append(time.perf_counter())
        return display(screen, renderable)

    app._display = timed_display

    async def press(key: str) -> float | None:
        start = time.perf_counter()
        await pilot.press(key)
        await pilot.pause()
        drawn = [t for t in frames if t > start]
        return (drawn[-1] - start) * 1000 if drawn else None

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for i in range(presses):
            ms = await press(keys[i % len(keys)])
            if ms is not None:
                (after if app.lint_done else during).append(ms)
        await app.workers.wait_for_complete()
        for i in range(presses):
            ms = await press(keys[i % len(keys)])
            if ms is not None:
                after.append(ms)
    return during, after


def describe(label: str, ms: list[float]) -> str:
    if not ms:
        return f"{label:<28} (none)"
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return f"{label:<28} n={len(ms):>4}  median {statistics.median(ms):6.1f} ms  p95 {p95:6.1f} ms  max {ms[-1]:6.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=100_000)
    ap.add_argument("--presses", type=int, default=300)
    args = ap.parse_args()
    path = build(args.examples)
    print(f"sftlint review on {args.examples:,} examples ({path.stat().st_size / 1e6:.0f} MB)")
    header, shown = first_screen(path)
    print(f"first screen (real terminal): header painted {header:.2f} s, first example shown {shown:.2f} s")
    during, after = asyncio.run(latencies(path, args.presses))
    print("keypress to rendered screen:")
    print(describe("  while lint runs", during))
    print(describe("  after lint finished", after))
    print(describe("  all", during + after))


if __name__ == "__main__":
    main()
