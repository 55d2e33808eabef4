"""`--jobs N` is honoured by every command that reads data: with 1, nothing runs in a worker process."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from conftest import ROOT

SFTLINT = str(Path(sys.executable).parent / "sftlint")
COMMANDS = {
    "lint": ["lint", "{data}"],
    "export": ["export", "{data}", "-o", "{tmp}/out"],
    "convert": ["convert", "{data}", "-o", "{tmp}/c.jsonl"],
    "stats": ["stats", "{data}"],
}


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    """A JSON Lines file over the size at which lint reads in worker processes."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _synth import write

    from sftlint.lint import PARALLEL_MIN_BYTES

    path = write(tmp_path_factory.mktemp("jobs") / "big.jsonl", 3000)
    assert path.stat().st_size > PARALLEL_MIN_BYTES
    return path


def most_children(args: list[str]) -> int:
    """The most processes the command had running under it at once (sampled every 10 ms)."""
    proc = subprocess.Popen([SFTLINT, *args, "--encoding", "cl100k_base"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    watched = psutil.Process(proc.pid)
    most = 0
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            most = max(most, len(watched.children(recursive=True)))
        time.sleep(0.01)
    assert proc.returncode in (0, 1), proc.returncode
    return most


@pytest.mark.slow
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_jobs_1_runs_in_one_process_and_jobs_2_in_workers(command, big, tmp_path):
    args = [a.format(data=big, tmp=tmp_path) for a in COMMANDS[command]]
    assert most_children([*args, "--jobs", "1"]) == 0
    assert most_children([*args, "--jobs", "2"]) == 2  # the test can tell: two workers when asked
