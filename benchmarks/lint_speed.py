"""Lint throughput and peak memory on seeded synthetic data.

Runs the real `sftlint lint` command in a subprocess on files of growing size and prints
examples/s and the peak RSS of the run: the sum over the process and its workers, sampled every
20 ms (the workers are looked up every 0.5 s: a look-up scans every process of the machine, 8% of
a core at 50 a second, taken from the run it measures). Memory that does not grow with the number
of examples shows as a flat RSS column.

    python benchmarks/lint_speed.py                 # 25k, 100k and 200k examples, S+T rules
    python benchmarks/lint_speed.py --sizes 100000 --select default    # every default rule (S, T, D, Q001)
    python benchmarks/lint_speed.py --sizes 1000000 --select default --jobs 2
    python benchmarks/lint_speed.py --sizes 40000 --select default --near-identical   # one huge cluster
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _synth import write, write_near_identical  # noqa: E402

DATA = Path(__file__).parent / ".data"


def run(path: Path, select: str, jobs: int | None) -> tuple[float, float, int, int]:
    import psutil

    cmd = [sys.executable, "-m", "sftlint", "lint", str(path), "--exit-zero", "--output-format", "json",
           "--encoding", "cl100k_base"]
    if select != "default":
        cmd += ["--select", select]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    out = DATA / ".out.json"
    start = time.perf_counter()
    with open(out, "wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.DEVNULL)
        watched = psutil.Process(proc.pid)
        peak = 0
        tree, found_at = [watched], float("-inf")
        while proc.poll() is None:
            if time.perf_counter() - found_at > 0.5:
                found_at = time.perf_counter()
                try:
                    tree = [watched, *watched.children(recursive=True)]
                except psutil.Error:  # the run ended after poll(): the loop ends with the next one
                    continue
            rss = 0
            for p in tree:
                try:
                    rss += p.memory_info().rss
                except psutil.Error:  # a worker that has ended
                    continue
            peak = max(peak, rss)
            time.sleep(0.02)
        proc.wait()
    elapsed = time.perf_counter() - start
    try:
        findings = json.loads(out.read_bytes())["summary"]["findings"]
    except (ValueError, KeyError):
        findings = -1
    return elapsed, peak / 2**20, proc.returncode, findings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="25000,100000,200000")
    ap.add_argument("--select", default="S,T", help="codes or prefixes, or 'default' for every default rule")
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--near-identical", action="store_true",
                    help="every example a copy of one with two words changed (the duplicate rules' worst case)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    data = "near-identical examples" if args.near_identical else "synthetic examples"
    print(f"sftlint lint --select {args.select} on {data}  (cores: {os.cpu_count()}, jobs: {args.jobs or 'default'})")
    print(f"{'examples':>10} {'MB':>8} {'seconds':>8} {'examples/s':>11} {'peak RSS MiB':>13} {'findings':>9}")
    for n in sizes:
        path = (write_near_identical if args.near_identical else write)(DATA / f"synth_{n}.jsonl", n)
        elapsed, rss, rc, findings = run(path, args.select, args.jobs)
        if rc not in (0, 1):
            sys.exit(f"sftlint exited {rc} on {path}")
        mb = path.stat().st_size / 1e6
        print(f"{n:>10,} {mb:>8.1f} {elapsed:>8.2f} {n / elapsed:>11,.0f} {rss:>13.0f} {findings:>9,}")


if __name__ == "__main__":
    main()
