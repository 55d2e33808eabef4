"""Dataset statistics: token counts, length distribution, and the training-token bill.

The default epoch count follows OpenAI's documented heuristic (as in the cookbook's data-prep
notebook): 3 epochs, raised so that small datasets see at least 100 examples' worth of steps
and lowered so large ones stay under 25,000, within 1-25 epochs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sftlint.numbers import percentile

TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25
PERCENTILES = (50, 90, 95, 99)


def default_epochs(n_examples: int) -> int:
    epochs = TARGET_EPOCHS
    if n_examples * epochs < MIN_TARGET_EXAMPLES:
        epochs = min(MAX_DEFAULT_EPOCHS, math.ceil(MIN_TARGET_EXAMPLES / n_examples))
    elif n_examples * epochs > MAX_TARGET_EXAMPLES:
        epochs = max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // n_examples)
    return epochs


@dataclass
class Stats:
    examples: int
    total_tokens: int
    trainable_tokens: int
    min: int
    mean: float
    max: int
    percentiles: dict[int, float]
    limit: int | None
    over_limit: int
    epochs: int
    epochs_defaulted: bool
    billed_tokens: int
    histogram: list[tuple[int, int, int]]
    reasoning_tokens: int = 0
    """Of the trainable tokens, those of the answers' reasoning."""

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d["percentiles"] = {f"p{k}": v for k, v in self.percentiles.items()}
        d["histogram"] = [{"from": a, "to": b, "count": c} for a, b, c in self.histogram]
        return d


def compute(lengths: list[int], trainable: list[int], limit: int | None, epochs: int | None, bins: int = 12) -> Stats:
    values = sorted(lengths)
    n = len(values)
    chosen = epochs if epochs is not None else (default_epochs(n) if n else TARGET_EPOCHS)
    capped = sum(min(v, limit) if limit else v for v in values)
    return Stats(
        examples=n,
        total_tokens=sum(values),
        trainable_tokens=sum(trainable),
        min=values[0] if values else 0,
        mean=sum(values) / n if n else math.nan,
        max=values[-1] if values else 0,
        percentiles={q: percentile(values, q) for q in PERCENTILES},
        limit=limit,
        over_limit=sum(1 for v in values if limit and v > limit),
        epochs=chosen,
        epochs_defaulted=epochs is None,
        billed_tokens=capped * chosen,
        histogram=histogram(values, bins),
    )


def histogram(sorted_values: list[int], bins: int) -> list[tuple[int, int, int]]:
    """Equal-width bins from the minimum to the 99th percentile, plus one row for the tail beyond.

    Binning to the maximum would let one pasted document squash every other bar into the first.
    """
    if not sorted_values:
        return []
    lo, top = sorted_values[0], sorted_values[-1]
    hi = min(top, max(lo, math.ceil(percentile(sorted_values, 99))))
    width = max(1, math.ceil((hi - lo + 1) / bins))
    n = math.ceil((hi - lo + 1) / width)
    end = lo + n * width - 1
    counts = [0] * n
    tail = 0
    for v in sorted_values:
        if v > end:
            tail += 1
        else:
            counts[(v - lo) // width] += 1
    rows = [(lo + i * width, lo + (i + 1) * width - 1, c) for i, c in enumerate(counts)]
    if tail:
        rows.append((end + 1, top, tail))
    return rows


def render_text(s: Stats, tokenizer: str | None, bar_width: int = 40) -> str:
    out = [f"examples            {s.examples:,}"]
    if tokenizer:
        out.append(f"counted with        {tokenizer}")
    out += [
        f"total tokens        {s.total_tokens:,}",
        f"trainable tokens    {s.trainable_tokens:,}  (assistant turns with weight 1)",
        *([f"  reasoning {s.reasoning_tokens:,}, answers {s.trainable_tokens - s.reasoning_tokens:,}; "
           f"prompts {s.total_tokens - s.trainable_tokens:,} (not trained)"] if s.reasoning_tokens else []),
        "",
        "tokens per example",
        f"  min {s.min:,}   mean {s.mean:,.1f}   max {s.max:,}",
        "  " + "   ".join(f"p{q} {v:,.1f}" for q, v in s.percentiles.items()),
    ]
    if s.limit:
        out.append(f"  over the {s.limit:,}-token limit: {s.over_limit:,}")
    if s.histogram:
        out += ["", "length histogram (tokens)"]
        peak = max(c for _, _, c in s.histogram) or 1
        label_w = len(f"{s.histogram[-1][1]:,}")
        for a, b, c in s.histogram:
            bar = "█" * max(1 if c else 0, round(c / peak * bar_width))
            out.append(f"  {a:>{label_w},} - {b:>{label_w},} │{bar:<{bar_width}} {c:,}")
    how = "default for this dataset size" if s.epochs_defaulted else "--epochs"
    out += [
        "",
        f"estimated training bill: {s.billed_tokens:,} tokens ({s.epochs} epoch(s), {how};"
        + (f" each example capped at {s.limit:,})" if s.limit else ")"),
    ]
    return "\n".join(out)
