"""On the GPU: fused LoRA layers (sftlint.train.fused_lora) against peft's own, over a 4-bit base.

For each projection shape of a Llama-3-8B layer, a QLoRA layer (NF4 base, bf16 compute, LoRA r=16)
runs forward and backward on `--tokens` bf16 tokens twice, peft's way and fused; the outputs and
the gradients of the input, A and B are compared (relative to their size, bf16 tolerance), and
both are timed (median of CUDA-event timings). Dropout is off for the comparison (the two draw
their masks differently) and on for the timing, as in training.

    python benchmarks/fused_lora_check.py --tokens 8192
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dequant_cost import SHAPES, timed  # noqa: E402

TOLERANCE = 2e-2  # relative: bf16 keeps 8 bits of mantissa; sums of thousands of products differ by order


def qlora_layer(out_features: int, in_features: int, dropout: float):
    import bitsandbytes as bnb
    import torch
    from peft import LoraConfig, get_peft_model

    class One(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.proj = bnb.nn.Linear4bit(in_features, out_features, bias=False, compute_dtype=torch.bfloat16,
                                          compress_statistics=True, quant_type="nf4")
            self.proj.weight = bnb.nn.Params4bit(torch.randn(out_features, in_features) * 0.02, requires_grad=False,
                                                 compress_statistics=True, quant_type="nf4")

        def forward(self, x):
            return self.proj(x)

    model = get_peft_model(One().cuda(), LoraConfig(r=16, lora_alpha=32, lora_dropout=dropout, target_modules=["proj"]))
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.02)
    return model.train()


def run(model, x):
    x.grad = None
    model.zero_grad(set_to_none=True)
    out = model(x)
    out.backward(out.detach() * 0.01)
    a, b = (p for n, p in model.named_parameters() if p.requires_grad)
    return out.detach().float(), x.grad.float(), a.grad.float(), b.grad.float()


def relative(new, old) -> float:
    return ((new - old).norm() / old.norm().clamp_min(1e-12)).item()


def main() -> None:
    import torch

    from sftlint.train import fused_lora

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=8192)
    args = parser.parse_args()
    torch.manual_seed(0)
    print(f"{torch.cuda.get_device_name(0)}; NF4 base, bf16, LoRA r=16; {args.tokens:,} tokens; relative difference "
          f"of fused vs peft (output, d input, d A, d B), tolerance {TOLERANCE:g}")
    print(f"{'weight':<10}{'output':>9}{'d input':>9}{'d A':>9}{'d B':>9}{'peft ms':>9}{'fused ms':>9}{'speed-up':>9}")
    failed = False
    for name, (n, k) in SHAPES.items():
        if name not in ("q_proj", "k_proj", "v_proj", "o_proj"):
            continue
        x = torch.randn(args.tokens, k, device="cuda", dtype=torch.bfloat16, requires_grad=True)
        model = qlora_layer(n, k, dropout=0.0)
        plain = run(model, x)
        fused_lora.fuse(model)
        fused = run(model, x)
        diffs = [relative(f, p) for f, p in zip(fused, plain, strict=True)]
        failed |= any(d > TOLERANCE for d in diffs)
        timing = qlora_layer(n, k, dropout=0.05)
        peft_ms = timed(lambda m=timing, x=x: run(m, x), repeat=10)
        fused_lora.fuse(timing)
        fused_ms = timed(lambda m=timing, x=x: run(m, x), repeat=10)
        print(f"{name:<10}" + "".join(f"{d:>9.1e}" for d in diffs) + f"{peft_ms:>9.2f}{fused_ms:>9.2f}"
              f"{peft_ms / fused_ms:>8.2f}x")
    print("fused LoRA: " + ("DIFFERS from peft beyond bf16 tolerance" if failed else "same as peft within bf16 tolerance"))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
