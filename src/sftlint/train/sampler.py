"""What training iterates: the examples (cut to the length limit, those with nothing to train on left
out) and the order a step takes them in."""

from __future__ import annotations

from pathlib import Path

from sftlint.chat_template import IGNORE, Prepared


def truncate(examples: list[Prepared], max_length: int | None) -> tuple[list[Prepared], list[tuple[int, int]]]:
    """Cut examples to max_length; returns (line, trained tokens lost) for each one cut."""
    if max_length is None:
        return examples, []
    cut = []
    out = []
    for p in examples:
        if len(p.input_ids) > max_length:
            lost = sum(1 for x in p.labels[max_length:] if x != IGNORE)
            cut.append((p.line, lost))
            p = Prepared(p.line, p.input_ids[:max_length], p.labels[:max_length],
                         [(a, min(b, max_length)) for a, b in p.spans if a < max_length],
                         [(a, min(b, max_length)) for a, b in p.reasoning if a < max_length], p.dropped)
        out.append(p)
    return out, cut


def trainable_examples(examples: list[Prepared], max_length: int | None
                       ) -> tuple[list[Prepared], list[tuple[int, int]], list[tuple[int, str]]]:
    """Examples cut to max_length: (kept, (line, trained tokens lost) of each cut one, (line, why) of
    each one with nothing left to train on)."""
    cut_to, cut = truncate(examples, max_length)
    kept = [p for p in cut_to if p.supervised]
    empty = [(p.line, f"nothing left to train on within --max-length {max_length}") for p in cut_to if not p.supervised]
    return kept, cut, empty


def skipped_message(path: Path, skipped: list[tuple[int, str]], total: int, strict: bool) -> str:
    """One line for every example left out: how many, why, and the first lines."""
    reasons: dict[str, list[int]] = {}
    for line, why in skipped:
        reasons.setdefault(why, []).append(line)
    parts = []
    for why, lines in reasons.items():
        shown = ", ".join(str(n) for n in lines[:5]) + (f" and {len(lines) - 5:,} more" if len(lines) > 5 else "")
        parts.append(f"{why} (line{'s' if len(lines) > 1 else ''} {shown})")
    verb = "cannot train" if strict else f"left out {len(skipped):,} of {total:,} examples"
    advice = ("drop or fix them (`sftlint export` leaves such examples out), or run without --strict to skip them"
              if strict else "--strict stops instead")
    return f"{path}: {verb}: {'; '.join(parts)}; {advice}"


class BalancedSampler:
    """A seeded random order in which each optimizer micro-step's examples (batch x processes) are
    dealt to the processes so each gets `batch` examples and nearly the same number of tokens.

    With one process it is a plain random order. With several, every step holds the same examples
    as on one GPU (same seed), and no process waits for a luckier one at the gradient all-reduce.
    accelerate gives process r the r-th `batch` of each group, which is where its share is put."""

    def __init__(self, lengths: list[int], batch: int, processes: int, seed: int) -> None:
        self.lengths, self.batch, self.processes, self.seed, self.epoch = lengths, batch, processes, seed, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.lengths)

    def __iter__(self):
        import torch

        g = torch.Generator()
        g.manual_seed(self.seed + self.epoch)
        order = torch.randperm(len(self.lengths), generator=g).tolist()
        group = self.batch * self.processes
        for start in range(0, len(order), group):
            chunk = order[start:start + group]
            if self.processes == 1 or len(chunk) < group:
                yield from chunk
                continue
            shares: list[list[int]] = [[] for _ in range(self.processes)]
            load = [0] * self.processes
            for i in sorted(chunk, key=lambda i: -self.lengths[i]):  # longest first, to the lightest share
                r = min(range(self.processes), key=lambda r: (len(shares[r]) >= self.batch, load[r]))
                shares[r].append(i)
                load[r] += self.lengths[i]
            for share in shares:
                yield from share


class ExampleDataset:
    def __init__(self, examples: list[Prepared]) -> None:
        self.examples = examples

    def __len__(self) -> int:
        return len(self.examples)

    @property
    def lengths(self) -> list[int]:
        return [len(p.input_ids) for p in self.examples]

    def __getitem__(self, i: int) -> dict[str, list[int]]:
        p = self.examples[i]
        return {"input_ids": p.input_ids, "labels": p.labels, "attention_mask": [1] * len(p.input_ids)}
