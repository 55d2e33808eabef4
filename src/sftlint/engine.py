"""Run the selected rules over files: per-example checks in one streaming pass.

The main process reads lines and hands batches of raw records to worker processes (files large
enough to be worth it), which parse, normalise, check and count tokens. Results come back in
file order, with a bounded number of batches in flight, so memory does not grow with the file.
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
from sftlint.tokens import ChatTemplateCounter, TiktokenCounter, encoding_for_model

PARALLEL_MIN_BYTES = 4 << 20
SNIFF_RECORDS = 50
TOKEN_CODES = frozenset({"T001", "T002", "T003", "T004"})


@dataclass(slots=True)
class ExampleSummary:
    line: int
    example_id: str
    tokens: int | None
    trainable: int | None


@dataclass
class FileResult:
    path: str
    format: str | None = None
    records: int = 0
    examples: int = 0
    findings: list[Finding] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    trainable: list[int] = field(default_factory=list)

    def add(self, findings: list[Finding], summary: ExampleSummary | None, stats: bool) -> None:
        self.findings.extend(findings)
        if summary is not None:
            self.examples += 1
            if stats and summary.tokens is not None:
                self.lengths.append(summary.tokens)
                self.trainable.append(summary.trainable)


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

    def process(self, record: Record, fmt: str | None, active: frozenset[str], path: str
                ) -> tuple[list[Finding], ExampleSummary | None]:
        value = record.value
        if record.raw is not None:
            value, problem = parse_line(record.raw, record.line, record.last_without_newline)
            if problem is not None:
                keep = problem.code in active
                return ([self.finding(problem.code, path, problem.line, problem.message, col=problem.col)] if keep else []), None
        conv, issues = adapt(value, fmt, self.settings.profile)
        eid = conv.example_id() if conv is not None else None
        out = [self.finding(i.code, path, record.line, i.message, col=1, message_index=i.message_index, example_id=eid)
               for i in issues if i.code in active]
        if conv is None:
            return out, None
        ctx = self.ctx
        for code, fn in self.checks:
            if code in active:
                for hit in fn(conv, ctx):
                    out.append(self.finding(code, path, record.line, hit.message, col=1,
                                            message_index=hit.message_index, span=hit.span, example_id=eid))
        counts = ctx.tokens(conv)
        summary = ExampleSummary(record.line, eid, counts.total if counts else None, counts.trainable if counts else None)
        return out, summary


_WORKER: Processor | None = None


def _init_worker(settings: Settings) -> None:
    global _WORKER
    _WORKER = Processor(settings, make_counter(settings) if _needs_tokens(settings) else None)


def _run_chunk(chunk: Chunk, fmt: str | None, active: frozenset[str], path: str, stats: bool
               ) -> tuple[FileResult, LineEndings]:
    assert _WORKER is not None
    part = FileResult(path)
    endings = LineEndings()
    max_line = _WORKER.settings.options["S006"]["max_line_bytes"]
    for item in read_chunk(chunk, max_line, endings):
        if isinstance(item, Problem):
            if item.code in active:
                part.findings.append(_WORKER.finding(item.code, path, item.line, item.message, col=item.col))
            continue
        part.records += 1
        part.add(*_WORKER.process(item, fmt, active, path), stats=stats)
    return part, endings


def _needs_tokens(settings: Settings, stats: bool = False) -> bool:
    return stats or bool(settings.selected & TOKEN_CODES)


class Engine:
    def __init__(self, settings: Settings, jobs: int | None = None, stats: bool = False) -> None:
        self.settings = settings
        self.jobs = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
        self.stats = stats
        self.counter = make_counter(settings) if _needs_tokens(settings, stats) else None
        self.processor = Processor(settings, self.counter)
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=ctx, initializer=_init_worker, initargs=(self.settings,))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

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
        notices = [self.counter.notice] if self.counter is not None and self.counter.notice else []
        return LintResult(files, notices, self.counter.describe() if self.counter else None, errors)

    def lint_file(self, path: Path) -> FileResult:
        shown = str(path)
        result = FileResult(shown)
        active = self.settings.selected - self.settings.ignored_for(shown)
        proc = self.processor
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
        if chunked:
            self._lint_chunks(path, fmt, active, result, file_problems)
        else:
            for item in read(path, max_line):
                if isinstance(item, Problem):
                    self._add_problem(result, item, active)
                    continue
                result.records += 1
                result.add(*proc.process(item, fmt, active, shown), stats=self.stats)
        self._file_checks(result, active)
        result.findings.sort(key=Finding.sort_key)
        return result

    def _add_problem(self, result: FileResult, problem: Problem, active: frozenset[str]) -> None:
        if problem.code in active:
            result.findings.append(self.processor.finding(problem.code, result.path, problem.line, problem.message,
                                                          col=problem.col))

    def _lint_chunks(self, path: Path, fmt: str | None, active: frozenset[str], result: FileResult,
                     file_problems: list[Problem]) -> None:
        """Workers read line-aligned byte ranges themselves; this process only finds the cuts."""
        for problem in file_problems:
            self._add_problem(result, problem, active)
        pool = self._executor()
        endings = LineEndings()
        inflight: deque[Future] = deque()

        def merge(part: FileResult, part_endings: LineEndings) -> None:
            result.records += part.records
            result.examples += part.examples
            result.findings.extend(part.findings)
            result.lengths.extend(part.lengths)
            result.trainable.extend(part.trainable)
            if part_endings.crlf_first is not None and endings.crlf_first is None:
                endings.crlf_first = part_endings.crlf_first
            endings.crlf_count += part_endings.crlf_count

        for chunk in chunks(path):
            inflight.append(pool.submit(_run_chunk, chunk, fmt, active, result.path, self.stats))
            if len(inflight) >= 2 * self.jobs:
                merge(*inflight.popleft().result())
        while inflight:
            merge(*inflight.popleft().result())
        crlf = crlf_problem(endings)
        if crlf is not None:
            self._add_problem(result, crlf, active)

    def _file_checks(self, result: FileResult, active: frozenset[str]) -> None:
        proc = self.processor
        fatal = any(f.code in ("S009",) for f in result.findings)
        if result.records == 0 and not fatal and "S008" in active:
            result.findings.append(proc.finding("S008", result.path, None, "file holds no examples"))
        minimum = self.settings.options["S028"]["min_examples"]
        if 0 < result.examples < minimum and "S028" in active:
            result.findings.append(proc.finding(
                "S028", result.path, None,
                f"{result.examples} valid example(s); profile {self.settings.profile.name} needs at least {minimum}"))


def _sniff_values(head: list[Record]) -> Iterator[Any]:
    for record in head:
        if record.raw is None:
            yield record.value
        else:
            value, problem = parse_line(record.raw, record.line, record.last_without_newline)
            if problem is None and record_format(value):
                yield value
