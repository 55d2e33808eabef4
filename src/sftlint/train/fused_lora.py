"""LoRA layers computed in one autograd function: the base product and the adapter's added in place.

peft's LoRA layer over a 4-bit base runs the base layer (casting its input to the compute dtype
and its output back), clones the result, applies dropout, casts again under autocast, multiplies
by the scaling and adds: half a dozen passes over a tokens x hidden tensor per projection, which
on an H100 profile of an 8B QLoRA step were 30% of the GPU's time. Here the same arithmetic is
one function, in the spirit of Unsloth's LoRA kernels:

    forward   out = x W^T;  out += s (drop(x) A^T) B^T          (addmm_, in place)
    backward  dx  = g W + s ((g B) A) * mask/(1-p)               (W dequantised again, not kept)
              dA  = s (g B)^T drop(x),  dB = s g^T (drop(x) A^T)

It keeps what peft's layer keeps for backward (the dropped input, its mask, the small x A^T) and
never the dequantised weight. Where a layer is anything else (a LoRA variant such as DoRA,
several adapters, a base that is neither nn.Linear nor bitsandbytes' Linear4bit) peft's own
forward stays.
"""

from __future__ import annotations

import types
from typing import Any


def _weight(base):
    """The base layer's weight in its compute dtype: held dequantised (dequantised.py), dequantised
    now from 4 bits, or the plain weight."""
    from sftlint.train import dequantised

    held = getattr(base, "sftlint_dequantised", None)
    if held is not None:
        return held
    if getattr(base.weight, "quant_state", None) is not None:
        return dequantised.dequantise(base)
    return base.weight


def _lora_function():
    import torch

    class LoRALinear(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, lora_a, lora_b, base, scale: float, p: float):
            weight = _weight(base)
            dtype = weight.dtype
            rows = x.reshape(-1, x.shape[-1]).to(dtype)
            out = rows @ weight.t()
            if base.bias is not None:
                out += base.bias.to(dtype)
            mask = None
            if p > 0:
                dropped, mask = torch.native_dropout(rows, p, True)
            else:
                dropped = rows
            a, b = lora_a.to(dtype), lora_b.to(dtype)
            down = dropped @ a.t()
            out.addmm_(down, b.t(), alpha=scale)
            ctx.save_for_backward(dropped, down, lora_a, lora_b, mask)
            ctx.base, ctx.scale, ctx.p, ctx.x_dtype, ctx.x_shape = base, scale, p, x.dtype, x.shape
            return out.view(*x.shape[:-1], out.shape[-1]).to(x.dtype)

        @staticmethod
        def backward(ctx, grad):
            dropped, down, lora_a, lora_b, mask = ctx.saved_tensors
            weight = _weight(ctx.base)
            dtype = weight.dtype
            g = grad.reshape(-1, grad.shape[-1]).to(dtype)
            a, b = lora_a.to(dtype), lora_b.to(dtype)
            gb = g @ b  # tokens x r
            grad_a = grad_b = grad_x = None
            if ctx.needs_input_grad[1]:
                grad_a = (gb.t() @ dropped).mul_(ctx.scale).to(lora_a.dtype)
            if ctx.needs_input_grad[2]:
                grad_b = (g.t() @ down).mul_(ctx.scale).to(lora_b.dtype)
            if ctx.needs_input_grad[0]:
                grad_x = g @ weight
                if mask is None:
                    grad_x.addmm_(gb, a, alpha=ctx.scale)
                else:  # the adapter's path went through dropout: its gradient does too
                    grad_x.add_((gb @ a).mul_(mask), alpha=ctx.scale / (1 - ctx.p))
                grad_x = grad_x.view(ctx.x_shape).to(ctx.x_dtype)
            return grad_x, grad_a, grad_b, None, None, None

    return LoRALinear


_FUNCTION: list = []


def _forward(self, x, *args: Any, **kwargs: Any):
    """A fused LoRA layer's forward; peft's own where this call needs what the fused one lacks."""
    if args or kwargs or self.disable_adapters or self.merged or self.active_adapters != [self.sftlint_adapter]:
        return type(self).forward(self, x, *args, **kwargs)
    name = self.sftlint_adapter
    dropout = self.lora_dropout[name]
    p = float(getattr(dropout, "p", 0.0)) if self.training else 0.0
    if not _FUNCTION:
        _FUNCTION.append(_lora_function())
    return _FUNCTION[0].apply(x, self.lora_A[name].weight, self.lora_B[name].weight, self.base_layer,
                              float(self.scaling[name]), p)


def fusable(module) -> str | None:
    """Why `module` (a peft LoRA layer) cannot be fused, or None when it can."""
    import torch

    from sftlint.train.dequantised import four_bit_linears

    adapters = list(getattr(module, "lora_A", {}).keys())
    if len(adapters) != 1:
        return "not one adapter"
    if getattr(module, "lora_variant", {}).get(adapters[0]) is not None:
        return "a LoRA variant (DoRA, ...)"
    base = module.base_layer
    if not (type(base) is torch.nn.Linear or four_bit_linears(base) == [base]):
        return f"a base of type {type(base).__name__}"
    if getattr(module.lora_A[adapters[0]], "bias", None) is not None or getattr(module.lora_B[adapters[0]], "bias", None) is not None:
        return "LoRA with a bias"
    return None


def fuse(model) -> int:
    """Fuse every LoRA layer of a peft model that can be; returns how many were."""
    from peft.tuners.lora import LoraLayer

    count = 0
    for module in model.modules():
        if isinstance(module, LoraLayer) and hasattr(module, "base_layer") and fusable(module) is None:
            module.sftlint_adapter = next(iter(module.lora_A.keys()))
            module.forward = types.MethodType(_forward, module)
            count += 1
    return count
