"""What linting produces: a result per record, per file and per run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from typing import Any

from sftlint.findings import Finding, flags_record
from sftlint.lint.spill import FindingLog


@dataclass(slots=True)
class ExampleSummary:
    example_id: str
    tokens: int | None
    trainable: int | None
    preview: str
    """First line of the first user message, for lists."""
    trainable_within_limit: int | None = None
    """Trainable tokens before the token limit (T001's max-tokens): zero means nothing to train on."""
    reasoning: int | None = None
    """Of the trainable tokens, those of reasoning (the rest are answers)."""


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
    """With corpus rules selected: the example's corpus row (checks/corpus.py; from a worker with
    its bands, in one process its texts' words until the corpus stacks it)."""
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
    findings: FindingLog = field(default_factory=FindingLog)
    """In report order (sorted by place), spilled to disk past a bound."""
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
    def findings(self) -> Iterator[Finding]:
        """Every file's findings in report order (streamed: read them once per use)."""
        return chain.from_iterable(r.findings for r in self.files)

    @cached_property
    def counts(self) -> Counts:
        """The figures of the summary and the exit code, in one pass over the findings."""
        c = Counts()
        last = None
        for f in self.findings:
            if f.waived:
                c.waived += 1
                continue
            c.by_severity[f.severity] += 1
            c.by_code[f.code] += 1
            c.worst = max(c.worst, f.rank)
            # findings come sorted by place, so a record's findings are adjacent
            if f.line is not None and flags_record(f) and (f.path, f.line) != last:
                c.flagged += 1
                last = (f.path, f.line)
        return c


@dataclass
class Counts:
    by_severity: Counter = field(default_factory=Counter)
    by_code: Counter = field(default_factory=Counter)
    waived: int = 0
    flagged: int = 0
    """Records flagged (by a warning or an error not waived)."""
    worst: int = -1
    """Rank of the most severe finding not waived (-1 without any)."""

    @property
    def findings(self) -> int:
        return sum(self.by_severity.values())
