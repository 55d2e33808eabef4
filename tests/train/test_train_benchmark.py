"""The training benchmark's CPU smoke run: both arms train a tiny random Llama and the table prints."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = [pytest.mark.slow]


def run_benchmark(realdata, *args: str, timeout: float):
    """train_speed.py reads LIMA's lengths from the corpus the tests found."""
    return subprocess.run([sys.executable, str(ROOT / "benchmarks" / "train_speed.py"), *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "SFTLINT_REALDATA": str(realdata)})


def test_train_speed_benchmark_runs_its_arms_on_cpu(tmp_path, realdata):
    out = run_benchmark(realdata, "--shape", "tiny", "--no-4bit", "--steps", "1", "--warmup", "1",
                        "--arms", "baseline,sftlint,sftlint-low", "--model-dir", str(tmp_path / "m"), timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "isolation check (per-example SDPA, bf16): packed vs alone max |diff| 0.0000" in out.stdout
    rows = {line.split()[0]: line for line in out.stdout.splitlines()  # the table's rows, not "arm: ..." lines
            if line.startswith(("baseline ", "sftlint")) and not line.split()[0].endswith(":")}
    assert set(rows) == {"baseline", "sftlint", "sftlint-low"} and "packing=group" in rows["sftlint"]
    assert "2/2 layers recompute, 8,192 tokens a pass" in rows["sftlint-low"]
    assert "every layer recomputes, micro-batches of 4" in rows["baseline"]
    assert "sftlint: memory plan 0/2 layers recompute" in out.stdout  # a tiny model fits: nothing recomputes


def test_two_process_run_keeps_step_with_uneven_passes(tmp_path, realdata):
    """`--gpus 2` on CPU: two data-parallel processes, 8 examples each per step, cut into passes of
    at most 8,192 padded tokens, so the two processes run different numbers of passes; each must
    all-reduce once per step (before the fix the run deadlocked here). Same global batch: same loss."""
    out = run_benchmark(realdata, "--shape", "tiny", "--no-4bit", "--steps", "2", "--warmup", "1", "--gpus", "2",
                        "--model-dir", str(tmp_path / "m"), timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "sftlint x2 strong" in out.stdout and "sftlint x2 weak" in out.stdout
    assert "2 GPUs, strong scaling (the same 16 examples a step, 8 on each GPU)" in out.stdout
    assert "(0.00% apart)" in out.stdout and "2 GPUs, weak scaling (16 examples on each GPU, 32 a step)" in out.stdout
