"""What NF4 dequantisation costs in a QLoRA pass, and whether holding the weights dequantised
changes any number (sftlint.train.dequantised). Needs CUDA and bitsandbytes.

For each weight of a Llama-3-8B decoder layer (q, k, v, o, gate, up, down), quantised as QLoRA does
(NF4, double quantisation, bf16 compute): the time of one dequantisation, of the bf16 matrix product
of a pass of `--tokens` tokens with it, and the share dequantisation takes of the two (a pass
dequantises each weight twice, three times when the layer recomputes). Then one Linear4bit is
run both ways, plain and with its weights held dequantised, and the outputs and input gradients
are compared exactly.

    python benchmarks/dequant_cost.py --tokens 8192
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

SHAPES = {"q_proj": (4096, 4096), "k_proj": (1024, 4096), "v_proj": (1024, 4096), "o_proj": (4096, 4096),
          "gate_proj": (14336, 4096), "up_proj": (14336, 4096), "down_proj": (4096, 14336)}


def linear4bit(out_features: int, in_features: int):
    import bitsandbytes as bnb
    import torch

    layer = bnb.nn.Linear4bit(in_features, out_features, bias=False, compute_dtype=torch.bfloat16,
                              compress_statistics=True, quant_type="nf4")
    layer.weight = bnb.nn.Params4bit(torch.randn(out_features, in_features) * 0.02, requires_grad=False,
                                     compress_statistics=True, quant_type="nf4")
    return layer.cuda()


def timed(fn, repeat: int = 20) -> float:
    """Median milliseconds of `fn` on the GPU (CUDA events), after three warm-ups."""
    import torch

    for _ in range(3):
        fn()
    times = []
    for _ in range(repeat):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    return sorted(times)[len(times) // 2]


def main() -> None:
    import bitsandbytes.functional as bnbf
    import torch

    from sftlint.train import dequantised

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=8192)
    args = parser.parse_args()
    torch.manual_seed(0)
    print(f"{torch.cuda.get_device_name(0)}; bitsandbytes NF4 + double quantisation, bf16; {args.tokens:,} tokens a pass")
    print(f"{'weight':<10}{'dequant ms':>11}{'matmul ms':>10}{'dequant share':>14}")
    total_dq = total_mm = 0.0
    for name, (n, k) in SHAPES.items():
        layer = linear4bit(n, k)
        w, state = layer.weight.data, layer.weight.quant_state
        x = torch.randn(args.tokens, k, device="cuda", dtype=torch.bfloat16)
        weight = bnbf.dequantize_4bit(w, state).to(torch.bfloat16)
        dq = timed(lambda w=w, state=state: bnbf.dequantize_4bit(w, state))
        mm = timed(lambda x=x, weight=weight: torch.nn.functional.linear(x, weight))
        total_dq, total_mm = total_dq + dq, total_mm + mm
        print(f"{name:<10}{dq:>11.3f}{mm:>10.3f}{dq / (dq + mm):>14.1%}")
    print(f"{'layer':<10}{total_dq:>11.3f}{total_mm:>10.3f}{total_dq / (total_dq + total_mm):>14.1%}")
    print(f"a pass of 32 such layers dequantises {2 * 32 * total_dq:.0f} ms (kept layers; "
          f"{3 * 32 * total_dq:.0f} ms when every layer recomputes) against {3 * 32 * total_mm:.0f} ms of these matmuls")

    layer = linear4bit(*SHAPES["gate_proj"])
    x = torch.randn(args.tokens, SHAPES["gate_proj"][1], device="cuda", dtype=torch.float32, requires_grad=True)
    out = layer(x)
    out.float().pow(2).sum().backward()
    plain, plain_grad = out.detach().clone(), x.grad.clone()
    x.grad = None
    held = dequantised.hold(layer)
    out = layer(x)
    out.float().pow(2).sum().backward()
    same = torch.equal(out.detach(), plain) and torch.equal(x.grad, plain_grad)
    print(f"held dequantised ({held / 2**20:.0f} MiB for gate_proj): output and input gradient "
          f"{'bit for bit the same' if same else 'DIFFERENT'} (max |diff| output "
          f"{(out.detach() - plain).abs().max().item():.3g}, gradient {(x.grad - plain_grad).abs().max().item():.3g})")
    dequantised.release(layer)
    again = layer(x).detach()
    print(f"released: back to bitsandbytes' own forward: {'same' if torch.equal(again, plain) else 'DIFFERENT'}")


if __name__ == "__main__":
    main()
