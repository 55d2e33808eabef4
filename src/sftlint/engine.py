"""Run the selected rules over files: per-example checks in one streaming pass.

`Engine.iter_file` yields, in file order, a `RecordResult` for each record and a `Finding` for
each problem that belongs to no record (blank lines, file-level checks). `lint_file` folds that
stream into a `FileResult`; the review UI consumes the stream directly to fill its queue as
results arrive.

Large plain JSON Lines files are cut at newlines into byte ranges that worker processes read
themselves; only results come back, with a bounded number of chunks in flight, so memory does
not grow with the file.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sftlint.catalogue import catalogue
from sftlint.checks import Context, load_all
from sftlint.config import Settings
from sftlint.findings import Finding
from sftlint.io.formats import adapt, detect_format, record_format
from sftlint.io.reader import (
    Chunk,
    InputError,
    LineEndings,
    Problem,
    Record,
    chunks,
    crlf_problem,
    layout,
    parse_line,
    read,
    read_chunk,
)
from sftlint.schema import Conversation
from sftlint.tokens import ChatTemplateCounter, TiktokenCounter, encoding_for_model

PARALLEL_MIN_BYTES = 4 << 20
SNIFF_RECORDS = 50
PREVIEW_CHARS = 120
TOKEN_CODES = frozenset({"T001", "T002", "T003", "T004"})


@dataclass(slots=True)
class ExampleSummary:
    example_id: str
    tokens: int | None
    trainable: int | None
    preview: str
    """First line of the first user message, for lists."""


@dataclass(slots=True)
class RecordResult:
    """One record of a file: its position, findings, and a summary if it is a usable example."""

    line: int
    offset: int
    findings: list[Finding]
    summary: ExampleSummary | None


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


def make_counter(settings: Settings):
    raw = settings.raw
    if raw.tokenizer:
        return ChatTemplateCounter(raw.tokenizer)
    return TiktokenCounter(raw.encoding or encoding_for_model(settings.profile.model))


def preview(conv: Conversation) -> str:
    for m in conv.messages:
        if m.role == "user" and m.content:
            return m.content.strip().split("\n", 1)[0][:PREVIEW_CHARS]
    return ""


class Processor:
    """Turns one record into findings and a summary. Lives in each worker process."""

    def __init__(self, settings: Settings, counter: Any) -> None:
        self.settings = settings
        self.rules = catalogue()
        self.checks = list(load_all().items())
        self.ctx = Context(settings.profile, settings.options, counter)

    def finding(self, code: str, path: str, line: int | None, message: str | None = None, *,
                col: int | None = None, message_index: int | None = None,
                span: tuple[int, int] | None = None, example_id: str | None = None) -> Finding:
        rule = self.rules[code]
        return Finding(code, rule.severity, message or rule.summary, path, line, col, message_index, span, example_id)

    def problem(self, problem: Problem, path: str) -> Finding:
        return self.finding(problem.code, path, problem.line, problem.message, col=problem.col)

    def check(self, conv: Conversation, active: frozenset[str], path: str, line: int | None,
              eid: str) -> list[Finding]:
        """Findings of the per-example checks on one conversation."""
        out = []
        ctx = self.ctx
        for code, fn in self.checks:
            if code in active:
                for hit in fn(conv, ctx):
                    out.append(self.finding(code, path, line, hit.message, col=1,
                                            message_index=hit.message_index, span=hit.span, example_id=eid))
        return out

    def process(self, record: Record, fmt: str | None, active: frozenset[str], path: str) -> RecordResult:
        value = record.value
        if record.raw is not None:
            value, problem = parse_line(record.raw, record.line, record.last_without_newline)
            if problem is not None:
                return RecordResult(record.line, record.offset,
                                    [self.problem(problem, path)] if problem.code in active else [], None)
        conv, issues = adapt(value, fmt, self.settings.profile)
        eid = conv.example_id() if conv is not None else None
        out = [self.finding(i.code, path, record.line, i.message, col=1, message_index=i.message_index, example_id=eid)
               for i in issues if i.code in active]
        if conv is None:
            return RecordResult(record.line, record.offset, out, None)
        out += self.check(conv, active, path, record.line, eid)
        counts = self.ctx.tokens(conv)
        summary = ExampleSummary(eid, counts.total if counts else None, counts.trainable if counts else None,
                                 preview(conv))
        return RecordResult(record.line, record.offset, out, summary)


_WORKER: Processor | None = None


def _init_worker(settings: Settings, tokens: bool) -> None:
    global _WORKER
    _WORKER = Processor(settings, make_counter(settings) if tokens else None)


def _run_chunk(chunk: Chunk, fmt: str | None, active: frozenset[str], path: str, detail: bool
               ) -> tuple[list[RecordResult | Finding], LineEndings, int, int]:
    """Results of one chunk. Without `detail`, only findings come back (and the counts): sending a
    summary per record back to the parent costs ~10% of lint throughput for nothing."""
    assert _WORKER is not None
    endings = LineEndings()
    max_line = _WORKER.settings.options["S006"]["max_line_bytes"]
    out: list[RecordResult | Finding] = []
    records = examples = 0
    for item in read_chunk(chunk, max_line, endings):
        if isinstance(item, Problem):
            if item.code in active:
                out.append(_WORKER.problem(item, path))
            continue
        result = _WORKER.process(item, fmt, active, path)
        records += 1
        examples += result.summary is not None
        if detail:
            out.append(result)
        else:
            out.extend(result.findings)
    return out, endings, records, examples


class Engine:
    def __init__(self, settings: Settings, jobs: int | None = None, stats: bool = False, detail: bool = False) -> None:
        """`stats` collects token counts per example; `detail` makes `iter_file` yield a
        RecordResult for every record even from worker processes (the review UI needs them)."""
        self.settings = settings
        self.jobs = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
        self.stats = stats
        self.detail = detail or stats
        self.tokens = stats or bool(settings.selected & TOKEN_CODES)
        self.counter = make_counter(settings) if self.tokens else None
        self.processor = Processor(settings, self.counter)
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=ctx, initializer=_init_worker,
                                             initargs=(self.settings, self.tokens))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    @property
    def notices(self) -> list[str]:
        return [self.counter.notice] if self.counter is not None and self.counter.notice else []

    def run(self, paths: Iterable[Path]) -> LintResult:
        files, errors = [], []
        try:
            for path in paths:
                try:
                    files.append(self.lint_file(path))
                except InputError as exc:
                    errors.append(str(exc))
        finally:
            self.close()
        return LintResult(files, self.notices, self.counter.describe() if self.counter else None, errors)

    def lint_file(self, path: Path) -> FileResult:
        result = FileResult(str(path))
        for item in self.iter_file(path, result):
            if isinstance(item, Finding):
                result.findings.append(item)
                continue
            result.findings.extend(item.findings)
            summary = item.summary
            if summary is not None and self.stats and summary.tokens is not None:
                result.lengths.append(summary.tokens)
                result.trainable.append(summary.trainable)
        result.findings.sort(key=Finding.sort_key)
        return result

    def iter_file(self, path: Path, result: FileResult | None = None) -> Iterator[RecordResult | Finding]:
        """Every record's result and every other finding of one file, in file order.

        `result` (optional) receives the counts (records, examples) and the detected format.
        """
        result = result if result is not None else FileResult(str(path))
        shown = result.path
        active = self.settings.selected - self.settings.ignored_for(shown)
        max_line = self.settings.options["S006"]["max_line_bytes"]
        fixed = self.settings.raw.input_format

        head: list[Record] = []
        file_problems: list[Problem] = []
        sniff = read(path, max_line)
        for item in sniff:
            if isinstance(item, Record):
                head.append(item)
                if len(head) >= SNIFF_RECORDS:
                    break
            elif item.code in ("S003", "S009"):
                file_problems.append(item)
        sniff.close()
        fmt = (None if fixed == "auto" else fixed) or detect_format(_sniff_values(head))
        result.format = fmt

        chunked = (self.jobs > 1 and path.stat().st_size >= PARALLEL_MIN_BYTES and layout(path) == "jsonl"
                   and not any(p.code == "S009" for p in file_problems))
        source = self._chunked(path, fmt, active, shown, file_problems) if chunked else self._sequential(
            path, fmt, active, shown, max_line)
        for item in source:
            if isinstance(item, RecordResult):
                result.records += 1
                if item.summary is not None:
                    result.examples += 1
            elif isinstance(item, tuple):  # (records, examples) counted in a worker without detail
                result.records += item[0]
                result.examples += item[1]
                continue
            yield item
        yield from self._file_checks(result, active, fatal=any(p.code == "S009" for p in file_problems))

    def _sequential(self, path: Path, fmt: str | None, active: frozenset[str], shown: str, max_line: int
                    ) -> Iterator[RecordResult | Finding]:
        proc = self.processor
        for item in read(path, max_line):
            if isinstance(item, Problem):
                if item.code in active:
                    yield proc.problem(item, shown)
            else:
                yield proc.process(item, fmt, active, shown)

    def _chunked(self, path: Path, fmt: str | None, active: frozenset[str], shown: str,
                 file_problems: list[Problem]) -> Iterator[RecordResult | Finding]:
        """Workers read line-aligned byte ranges themselves; this process only finds the cuts."""
        proc = self.processor
        for problem in file_problems:
            if problem.code in active:
                yield proc.problem(problem, shown)
        pool = self._executor()
        endings = LineEndings()
        inflight: deque[Future] = deque()

        def collect(future: Future) -> Iterator[RecordResult | Finding | tuple[int, int]]:
            items, part, records, examples = future.result()
            if part.crlf_first is not None and endings.crlf_first is None:
                endings.crlf_first = part.crlf_first
            endings.crlf_count += part.crlf_count
            yield from items
            if not self.detail:
                yield records, examples

        for chunk in chunks(path):
            inflight.append(pool.submit(_run_chunk, chunk, fmt, active, shown, self.detail))
            if len(inflight) >= 2 * self.jobs:
                yield from collect(inflight.popleft())
        while inflight:
            yield from collect(inflight.popleft())
        crlf = crlf_problem(endings)
        if crlf is not None and crlf.code in active:
            yield proc.problem(crlf, shown)

    def _file_checks(self, result: FileResult, active: frozenset[str], fatal: bool) -> Iterator[Finding]:
        proc = self.processor
        if result.records == 0 and "S008" in active and not fatal:
            yield proc.finding("S008", result.path, None, "file holds no examples")
        minimum = self.settings.options["S028"]["min_examples"]
        if 0 < result.examples < minimum and "S028" in active:
            yield proc.finding("S028", result.path, None,
                               f"{result.examples} valid example(s); profile {self.settings.profile.name} needs at least {minimum}")


def _sniff_values(head: list[Record]) -> Iterator[Any]:
    for record in head:
        if record.raw is None:
            yield record.value
        else:
            value, problem = parse_line(record.raw, record.line, record.last_without_newline)
            if problem is None and record_format(value):
                yield value
