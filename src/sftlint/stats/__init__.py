"""`sftlint stats`: token counts, the length distribution, the training-token bill (tokens.py) and
the diversity of prompts and answers (diversity.py), from one pass of the engine over the files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sftlint.config import Settings
from sftlint.lint import Engine, FileResult, RecordResult
from sftlint.stats.diversity import Diversity
from sftlint.stats.diversity import render as render_diversity
from sftlint.stats.tokens import Stats, compute, render_text


@dataclass
class Report:
    tokens: Stats
    diversity: dict[str, Any]
    tokenizer: str | None
    notices: list[str]
    invalid: int
    """Records that are not examples (not counted)."""

    def to_dict(self) -> dict[str, Any]:
        return {"tokenizer": self.tokenizer, **self.tokens.to_dict(), "diversity": self.diversity}

    def text(self) -> str:
        return render_text(self.tokens, self.tokenizer) + render_diversity(self.diversity)


def collect(paths: list[Path], settings: Settings, epochs: int | None = None, jobs: int | None = None) -> Report:
    """Every example's token counts and text, from one engine pass over each file (an unreadable
    path raises InputError)."""
    engine = Engine(settings, jobs=jobs, stats=True, keep_records=True)
    lengths: list[int] = []
    trainable: list[int] = []
    reasoning = 0
    invalid = 0
    diversity = Diversity()
    try:
        for path in paths:
            result = FileResult(str(path))
            for item in engine.iter_file(path, result):
                if isinstance(item, RecordResult) and item.summary is not None:
                    if item.summary.tokens is not None:
                        lengths.append(item.summary.tokens)
                        trainable.append(item.summary.trainable)
                        reasoning += item.summary.reasoning or 0
                    if item.record is not None:
                        diversity.add(item.record)
            invalid += result.records - result.examples
    finally:
        engine.close()
    tokenizer = engine.counter.describe() if engine.counter else None
    stats = compute(lengths, trainable, settings.options["T001"]["max_tokens"], epochs)
    stats.reasoning_tokens = reasoning
    return Report(stats, diversity.summary(), tokenizer, engine.notices, invalid)
