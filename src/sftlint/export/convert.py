"""`sftlint convert`: another format's examples rewritten as OpenAI `messages`, one file out,
with answers' reasoning moved where the target wants it (`--reasoning inline|field`).

Records that are not examples are left out and reported with their findings; the input is only
read. Moving reasoning is exact both ways: a field becomes Qwen3's canonical inline form
`<think>\n{reasoning}\n</think>\n\n{answer}`, which reads back as the same field and answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sftlint.config import Settings
from sftlint.export.plan import ExportError, collect
from sftlint.export.writers import Staging, write_parquet
from sftlint.findings import Finding
from sftlint.io.reasoning import HARMONY, INLINE_FORMS, inline_think, split_content
from sftlint.schema import REASONING_KEYS

KEEP, INLINE, FIELD = "keep", "inline", "field"


@dataclass
class Converted:
    out: Path
    converted: int
    records: int
    format: str | None
    left_out: list[Finding]
    """The findings of the records that could not be converted."""
    unconvertible: int


def move_reasoning(record: dict, to: str) -> dict:
    """The record with each assistant answer's reasoning written `to` inline or a field."""
    if to == KEEP:
        return record
    messages = []
    for m in record["messages"]:
        if isinstance(m, dict) and m.get("role") == "assistant":
            m = _inline(m) if to == INLINE else _field(m)
        messages.append(m)
    return {**record, "messages": messages}


def _inline(m: dict) -> dict:
    key = next((k for k in REASONING_KEYS if isinstance(m.get(k), str)), None)
    content = m.get("content")
    if key is None and isinstance(content, str) and "<|channel|>analysis" in content:
        split = split_content(content, "assistant")  # Harmony's channels as a think block
        if split.form == HARMONY and not split.tag_problems and not split.calls:
            return {**m, "content": inline_think(split.reasoning, split.answer)}
    if key is None or not (content is None or isinstance(content, str)):
        return m
    moved = {k: v for k, v in m.items() if k != key}
    moved["content"] = inline_think(m[key], content or "")
    return {"role": moved.pop("role"), "content": moved.pop("content"), **moved}


def _field(m: dict) -> dict:
    content = m.get("content")
    if not isinstance(content, str) or any(k in m for k in REASONING_KEYS):
        return m
    split = split_content(content, "assistant")
    if split.form not in INLINE_FORMS or split.tag_problems or split.calls:
        return m  # Hermes calls stay in the content they were written in; broken tags stay as they are
    moved = dict(m)
    moved["content"] = split.answer
    moved["reasoning_content"] = split.reasoning
    return moved


def convert(path: Path, out: Path, settings: Settings, jobs: int | None = None, reasoning: str = KEEP) -> Converted:
    if out.resolve() == path.resolve():
        raise ExportError("--output must not be the input file (inputs are never modified)")
    candidates, inputs = collect([path], settings, jobs=jobs)
    good = [move_reasoning(c.record, reasoning) for c in candidates if c.record is not None]
    bad = [c for c in candidates if c.record is None]
    staging = Staging(out.parent if str(out.parent) else Path("."))
    if out.name.endswith(".parquet"):
        write_parquet(staging, out.name, good)
    else:
        staging.write_lines(out.name, good)
    staging.commit()
    return Converted(out, len(good), len(candidates), inputs[0]["format"], [f for c in bad for f in c.findings], len(bad))
