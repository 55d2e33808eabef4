"""Frozen 4-bit weights held dequantised: where memory allows, a QLoRA layer's NF4 base weights are
dequantised once, for the whole run, instead of in every forward, backward and recomputed pass.

The base is frozen, so its dequantised weights never change: holding them gives the same numbers
as dequantising each time (bitsandbytes itself dequantises to the compute dtype and calls
`F.linear` for inputs of more than 1,536 rows, which is every training pass), at 2 bytes a
parameter instead of about 0.55. The memory plan (memory.py) decides how many layers hold theirs.
"""

from __future__ import annotations

import types
from typing import Any


def four_bit_linears(module) -> list:
    """The bitsandbytes Linear4bit modules under `module` (the frozen bases of LoRA layers too)."""
    try:
        from bitsandbytes.nn import Linear4bit
    except ImportError:  # no bitsandbytes: nothing is 4-bit
        return []
    return [m for m in module.modules() if isinstance(m, Linear4bit)]


def _forward(self, x, *args: Any, **kwargs: Any):
    """Linear4bit.forward with the weights dequantised once: the same casts, then `F.linear`."""
    import torch

    inp_dtype = x.dtype
    if self.compute_dtype is not None:
        x = x.to(self.compute_dtype)
    bias = None if self.bias is None else self.bias.to(x.dtype)
    return torch.nn.functional.linear(x, self.sftlint_dequantised, bias).to(inp_dtype)


def dequantise(linear):
    """A Linear4bit's weight, dequantised now into its compute dtype (bf16 where it has none yet)."""
    import bitsandbytes.functional as bnbf
    import torch

    return bnbf.dequantize_4bit(linear.weight.data, linear.weight.quant_state).to(linear.compute_dtype or torch.bfloat16)


def hold(layer) -> int:
    """Dequantise the 4-bit weights of `layer` once and compute with them from now on; returns the
    bytes the dequantised weights take."""
    import torch

    held = 0
    for linear in four_bit_linears(layer):
        if hasattr(linear, "sftlint_dequantised"):
            continue
        if not linear.compute_type_is_set:
            linear.compute_dtype = linear.compute_dtype or torch.bfloat16
            linear.compute_type_is_set = True
        with torch.no_grad():
            weight = dequantise(linear)
        # A plain attribute, not a buffer: never saved with the model, never broadcast by DDP
        linear.sftlint_dequantised = weight
        linear.forward = types.MethodType(_forward, linear)
        held += weight.numel() * weight.element_size()
    return held


def release(layer) -> None:
    """Back to dequantising in every pass (a layer that holds nothing is left as it is)."""
    for linear in four_bit_linears(layer):
        if hasattr(linear, "sftlint_dequantised"):
            del linear.sftlint_dequantised
            del linear.forward  # the class's own again


def layer_bytes(layer) -> int:
    """What holding `layer`'s 4-bit weights dequantised takes, in bytes (in each one's compute dtype)."""
    import math

    import torch

    return sum(math.prod(linear.weight.quant_state.shape) * ((linear.compute_dtype or torch.bfloat16).itemsize)
               for linear in four_bit_linears(layer) if getattr(linear.weight, "quant_state", None) is not None)
