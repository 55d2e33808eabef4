"""Padded batches of token ids: the one builder for training's eval, evaluation, scoring and
generation.

Right padding for a forward pass with a loss (labels padded with IGNORE, so padding is never
trained or scored); left padding for generation, so every row continues at its own end.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sftlint.chat_template import IGNORE


def padded(rows: Sequence[Sequence[int]], pad_id: int, labels: Sequence[Sequence[int]] | None = None,
           left: bool = False) -> dict[str, Any]:
    """`input_ids` and `attention_mask` (and `labels`, when given) as tensors, one row each."""
    import torch

    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    out_labels = torch.full((len(rows), width), IGNORE, dtype=torch.long) if labels is not None else None
    for k, row in enumerate(rows):
        n = len(row)
        at = slice(width - n, width) if left else slice(0, n)
        ids[k, at] = torch.tensor(row, dtype=torch.long)
        mask[k, at] = 1
        if out_labels is not None:
            out_labels[k, at] = torch.tensor(labels[k], dtype=torch.long)
    batch = {"input_ids": ids, "attention_mask": mask}
    if out_labels is not None:
        batch["labels"] = out_labels
    return batch


def by_length(lengths: Sequence[int], size: int) -> Iterator[list[int]]:
    """Indices in batches of at most `size`, shortest first, so a batch pads little."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    for start in range(0, len(order), size):
        yield order[start:start + size]


def by_tokens(lengths: Sequence[int], budget: int) -> Iterator[list[int]]:
    """Indices in batches of similar length whose padded size stays within `budget` tokens."""
    batch: list[int] = []
    for i in sorted(range(len(lengths)), key=lambda i: lengths[i]):
        if batch and (len(batch) + 1) * lengths[i] > budget:
            yield batch
            batch = []
        batch.append(i)
    if batch:
        yield batch
