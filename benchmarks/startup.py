"""`sftlint lint` on a small file, as a pre-commit hook runs it: wall time from start to exit.

Runs the installed `sftlint` on a 10-line file 5 times (after one warm-up run, so the OS file cache
is warm as it is on a developer's machine) and prints each time and the median; also how long
`python -c pass` takes on this machine, the floor any Python command pays.

    python benchmarks/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _synth import write  # noqa: E402

SFTLINT = str(Path(sys.executable).parent / "sftlint")


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write(folder / "small.jsonl", 10)
        for label, cmd in (("python -c pass", [sys.executable, "-c", "pass"]),
                           ("sftlint lint small.jsonl (10 examples)", [SFTLINT, "lint", "small.jsonl"])):
            timed(cmd, folder)  # warm-up
            times = [timed(cmd, folder) for _ in range(args.runs)]
            print(f"{label:<40} median {statistics.median(times):.3f} s   runs "
                  + " ".join(f"{t:.3f}" for t in times))


if __name__ == "__main__":
    main()
