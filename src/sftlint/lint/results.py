"""What linting produces: a result per record, per file and per run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sftlint.findings import Finding


@dataclass(slots=True)
class ExampleSummary:
    example_id: str
    tokens: int | None
    trainable: int | None
    preview: str
    """First line of the first user message, for lists."""
    trainable_within_limit: int | None = None
    """Trainable tokens before the token limit (T001's max-tokens): zero means nothing to train on."""


@dataclass(slots=True)
class RecordResult:
    """One record of a file: its position, findings, and a summary if it is a usable example."""

    line: int
    offset: int
    findings: list[Finding]
    summary: ExampleSummary | None
    record: dict[str, Any] | None = None
    """With `keep_records`: the example in OpenAI format (normalised)."""
    raw: str | None = None
    """With `keep_records`: the record's text, when it is not a usable example."""
    dup: Any = None
    """With corpus rules selected: the example's corpus row (checks/corpus.py)."""
    conversation: Any = None
    """When the engine scores answers with a model: the conversation (never sent between processes)."""


@dataclass(slots=True)
class LateFindings:
    """Findings about records already yielded, found once the whole file was read (the corpus
    rules, the review journal's rejections, model scores), by record: what review and export
    attach to the records they hold."""

    findings: list[Finding]

    def by_record(self) -> dict[tuple[int | None, str | None], list[Finding]]:
        out: dict[tuple[int | None, str | None], list[Finding]] = {}
        for f in self.findings:
            out.setdefault((f.line, f.example_id), []).append(f)
        return out


@dataclass
class FileResult:
    path: str
    format: str | None = None
    records: int = 0
    examples: int = 0
    findings: list[Finding] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    trainable: list[int] = field(default_factory=list)


@dataclass
class LintResult:
    files: list[FileResult]
    notices: list[str]
    tokenizer: str | None
    errors: list[str] = field(default_factory=list)
    """Files that could not be read at all (exit code 2); the other files are still linted."""

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.files for f in r.findings]
