"""The training benchmark's CPU smoke run: both arms train a tiny random Llama and the table prints."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = [pytest.mark.slow]


def test_train_speed_benchmark_runs_both_arms_on_cpu(tmp_path):
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "train_speed.py"), "--shape", "tiny", "--no-4bit",
                          "--steps", "1", "--warmup", "1", "--model-dir", str(tmp_path / "m")],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "isolation check (per-example SDPA, bf16): packed vs alone max |diff| 0.0000" in out.stdout
    rows = {line.split()[0]: line for line in out.stdout.splitlines() if line.startswith(("baseline ", "sftlint "))}
    assert set(rows) == {"baseline", "sftlint"} and "packing=group" in rows["sftlint"]
