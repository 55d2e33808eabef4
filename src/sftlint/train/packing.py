"""How examples share a batch: padding-free packing, or batches grouped by length.

Padding-free packing concatenates a micro-batch's examples into one row and tells attention where
each example starts (`cu_seq_lens_*`), so no compute goes to padding and no example attends to
another. Position ids alone are not enough: with some transformers versions and attention
implementations, packed examples then attend to each other (notes/lab-gpu-baseline.md measured
logit differences of 1.4-1.8). The attention function registered here reads the boundaries and
runs PyTorch's variable-length flash kernel on CUDA; on a CPU, where that kernel does not exist,
it runs causal attention per example, which is exact and lets the tests check the packed path.

Where the kernel is missing (CUDA without torch's varlen attention), batches are grouped by
length instead: sorted, cut into batches, and the batches shuffled, so little padding remains.
"""

from __future__ import annotations

import inspect
from typing import Any

ATTENTION = "sftlint_varlen"
PACKING_MODES = ("auto", "padding-free", "group", "none")


def varlen_kernel():
    """PyTorch's variable-length attention (torch >= 2.10 with CUDA), or None."""
    try:
        from torch.nn.attention.varlen import varlen_attn
    except ImportError:
        return None
    return varlen_attn


def choose(mode: str, cuda: bool) -> str:
    """The packing a run uses: `auto` is padding-free on CUDA with the varlen kernel, else grouped."""
    if mode != "auto":
        return mode
    return "padding-free" if cuda and varlen_kernel() is not None else "group"


def _per_example(query, key, value, bounds: list[int], scaling: float | None):
    import torch

    pieces = []
    for start, end in zip(bounds[:-1], bounds[1:], strict=True):
        pieces.append(torch.nn.functional.scaled_dot_product_attention(
            query[:, :, start:end], key[:, :, start:end], value[:, :, start:end], is_causal=True, scale=scaling))
    return torch.cat(pieces, dim=2)


def varlen_attention(module, query, key, value, attention_mask, dropout: float = 0.0, scaling: float | None = None,
                     **kwargs: Any):
    """A transformers attention function for one packed row.

    query is (1, heads, tokens, head_dim), key/value (1, kv_heads, tokens, head_dim); returns
    (1, tokens, heads, head_dim) like transformers' own functions. Without `cu_seq_lens_q` the
    batch is treated as unpacked and causal (right padding needs no mask for causal attention).
    """
    import torch

    cu = kwargs.get("cu_seq_lens_q")
    heads, kv_heads = query.shape[1], key.shape[1]
    if kv_heads != heads:
        key = key.repeat_interleave(heads // kv_heads, dim=1)
        value = value.repeat_interleave(heads // kv_heads, dim=1)
    if cu is None:
        out = torch.nn.functional.scaled_dot_product_attention(query, key, value, is_causal=query.shape[2] > 1,
                                                               scale=scaling)
        return out.transpose(1, 2).contiguous(), None
    if query.shape[0] != 1:
        raise ValueError("padding-free batches must be a single packed row")
    kernel = varlen_kernel() if query.is_cuda else None
    if kernel is None:
        out = _per_example(query, key, value, cu.tolist(), scaling)
        return out.transpose(1, 2).contiguous(), None
    dtype = query.dtype
    # kbit preparation upcasts norms to fp32, so activations can arrive in fp32; the kernel wants bf16.
    q, k, v = (t[0].transpose(0, 1).to(torch.bfloat16) for t in (query, key, value))
    cu = cu.to(device=q.device, dtype=torch.int32)
    max_len = int(kwargs.get("max_length_q") or int((cu[1:] - cu[:-1]).max()))
    out = kernel(q, k, v, cu, cu, max_len, max_len, scale=scaling, window_size=(-1, 0))
    return out.unsqueeze(0).to(dtype), None


def register() -> str:
    """Register the attention function with transformers (idempotent); returns its name."""
    from transformers import AttentionInterface

    AttentionInterface.register(ATTENTION, varlen_attention)
    return ATTENTION


def use_varlen(model) -> None:
    """Switch a loaded model to the packed attention function."""
    name = register()
    if hasattr(model, "set_attn_implementation"):
        model.set_attn_implementation(name)
    else:  # transformers 4.x
        model.config._attn_implementation = name


def flattening_collator():
    """One packed row per micro-batch, with each example's first label ignored (it would be
    predicted from the previous example's last token) and the boundaries for attention."""
    from transformers import DataCollatorWithFlattening

    params = inspect.signature(DataCollatorWithFlattening).parameters
    if "return_flash_attn_kwargs" in params:
        return DataCollatorWithFlattening(return_flash_attn_kwargs=True)
    raise RuntimeError("padding-free packing needs transformers >= 4.47 (DataCollatorWithFlattening with "
                       "flash attention kwargs)")


def split_batch(batch: dict[str, Any], budget: int) -> list[dict[str, Any]]:
    """A collated batch cut into passes of at most `budget` tokens, at example boundaries.

    A packed row (with `cu_seq_lens_q`) is cut between examples; a padded batch by rows (each row
    costs its padded width). An example longer than the budget gets a pass of its own.
    """
    import torch

    if "cu_seq_lens_q" in batch:
        bounds = batch["cu_seq_lens_q"].tolist()
        groups, start = [], 0
        for i in range(1, len(bounds)):
            if bounds[i] - bounds[start] > budget and i - 1 > start:
                groups.append((start, i - 1))
                start = i - 1
        groups.append((start, len(bounds) - 1))
        if len(groups) == 1:
            return [batch]
        parts = []
        for a, b in groups:
            lo, hi = bounds[a], bounds[b]
            cu = torch.tensor([x - lo for x in bounds[a:b + 1]], dtype=batch["cu_seq_lens_q"].dtype)
            longest = int((cu[1:] - cu[:-1]).max())
            part = {k: v[:, lo:hi] for k, v in batch.items() if k in ("input_ids", "labels", "position_ids")}
            part.update(cu_seq_lens_q=cu, cu_seq_lens_k=cu, max_length_q=longest, max_length_k=longest)
            parts.append(part)
        return parts
    rows, width = batch["input_ids"].shape
    per_pass = max(1, budget // max(1, width))
    if per_pass >= rows:
        return [batch]
    return [{k: v[i:i + per_pass] for k, v in batch.items()} for i in range(0, rows, per_pass)]


def liger_available() -> bool:
    try:
        import liger_kernel.transformers  # noqa: F401
    except ImportError:
        return False
    return True


def apply_liger(model) -> str | None:
    """Liger's fused kernels (RMSNorm, SwiGLU, RoPE, and a linear cross-entropy that never holds
    the full fp32 logits) on a loaded model, before peft wraps it; returns why not, or None."""
    try:
        from liger_kernel.transformers import _apply_liger_kernel_to_instance
    except ImportError as exc:
        return f"liger-kernel not importable ({exc})"
    model_type = getattr(model.config, "model_type", None)
    from liger_kernel.transformers.monkey_patch import MODEL_TYPE_TO_APPLY_LIGER_FN

    if model_type not in MODEL_TYPE_TO_APPLY_LIGER_FN:
        return f"liger-kernel has no kernels for model type {model_type!r}"
    _apply_liger_kernel_to_instance(model=model)
    return None
