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

import contextlib
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from sftlint.catalogue import catalogue
from sftlint.checks import Context, load_all
from sftlint.checks.duplicates import CORPUS_CODES, Corpus, Hit, Row, key_text, make_row, shingles, stack
from sftlint.checks.model_copy import MODEL_CODES
from sftlint.checks.patterns import pack_checks
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
from sftlint.journal import Entry, Journal, default_path, load_decisions
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
    dup: Row | None = None
    """With D rules selected: what the corpus checks need of this example."""


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


def packs_for(settings: Settings) -> list:
    """The built-in rule packs and the user's (`extend-packs`), whose new codes join the catalogue."""
    from sftlint.catalogue import register
    from sftlint.packs import builtin_packs, load_pack

    packs = list(builtin_packs())
    for path in settings.raw.extend_packs:  # validated when the settings were read
        pack = load_pack(Path(path), catalogue())
        register(pack.new_codes)
        packs.append(pack)
    return packs


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

    def __init__(self, settings: Settings, counter: Any, keep_records: bool = False,
                 summary_tokens: bool = True) -> None:
        """`summary_tokens`: count every example's tokens for its summary (stats, review, export);
        otherwise only the T rules count, and only the examples that may break the limit."""
        self.settings = settings
        self.keep_records = keep_records
        self.summary_tokens = summary_tokens
        self.rules = catalogue()
        # packs first: where a pack and a code check report the same span, the pack names it better
        self.checks = list(pack_checks(packs_for(settings)).items()) + list(load_all().items())
        self.ctx = Context(settings.profile, settings.options, counter)
        self._chosen: dict[frozenset[str], list] = {}  # the checks of each active set, in order

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
        spans: set[tuple] = set()
        chosen = self._chosen.get(active)
        if chosen is None:
            chosen = self._chosen[active] = [(code, fn) for code, fn in self.checks if code in active]
        for code, fn in chosen:
            for hit in fn(conv, ctx):
                if hit.span is not None:  # two checks of one rule (a pack and code) on one span: report once
                    if any(c == code and i == hit.message_index and a < hit.span[1] and hit.span[0] < b
                           for c, i, a, b in spans):
                        continue
                    spans.add((code, hit.message_index, *hit.span))
                out.append(self.finding(code, path, line, hit.message, col=1,
                                        message_index=hit.message_index, span=hit.span, example_id=eid))
        return out

    def process(self, record: Record, fmt: str | None, active: frozenset[str], path: str,
                decisions: dict[str, Entry] | None = None) -> RecordResult:
        value = record.value
        if record.raw is not None:
            value, problem = parse_line(record.raw, record.line, record.last_without_newline)
            if problem is not None:
                return RecordResult(record.line, record.offset,
                                    [self.problem(problem, path)] if problem.code in active else [], None,
                                    raw=self._raw(record))
        conv, issues = adapt(value, fmt, self.settings.profile)
        eid = conv.example_id() if conv is not None else None
        out = [self.finding(i.code, path, record.line, i.message, col=1, message_index=i.message_index, example_id=eid)
               for i in issues if i.code in active]
        if conv is None:
            return RecordResult(record.line, record.offset, out, None, raw=self._raw(record, value))
        out += self.check(conv, active, path, record.line, eid)
        if decisions:
            self.apply_decision(decisions.get(eid), out, active, path, record.line, eid)
        counts = self.ctx.tokens(conv) if self.summary_tokens else None
        summary = ExampleSummary(eid, counts.total if counts else None, counts.trainable if counts else None,
                                 preview(conv), counts.trainable_within(self.settings.options["T001"]["max_tokens"])
                                 if counts and not counts.error else None)
        dup = (make_row(conv, record.line, record.offset, eid, len(out), self.settings.options, active)
               if active & CORPUS_CODES else None)
        return RecordResult(record.line, record.offset, out, summary,
                            record=conv.to_openai() if self.keep_records else None, dup=dup)

    def _raw(self, record: Record, value: Any = None) -> str | None:
        if not self.keep_records:
            return None
        if record.raw is not None:
            return record.raw.decode("utf-8", "replace").rstrip("\r\n")
        return orjson.dumps(value, default=repr).decode()


    def apply_decision(self, entry: Entry | None, findings: list[Finding], active: frozenset[str], path: str,
                       line: int | None, eid: str) -> None:
        """Accepted examples' findings are waived (as an audited baseline); rejected ones are reported."""
        if entry is None:
            return
        if entry.decision == "accept":
            waive(findings)
        elif entry.decision == "reject" and "Q001" in active:
            note = f": {entry.note}" if entry.note else ""
            findings.append(self.finding("Q001", path, line, f"rejected in review by {entry.reviewer} at {entry.time}{note}",
                                         col=1, example_id=eid))


def waive(findings: list[Finding]) -> None:
    """Findings on an example a reviewer accepted: kept, marked waived (shown with --show-waived)."""
    for f in findings:
        f.waived = True


_WORKER: Processor | None = None
_WORKER_DECISIONS: dict[tuple, dict[str, Entry]] = {}


def _decisions(journal: Path | None) -> dict[str, Entry]:
    """The journal's decisions, loaded once per worker process and journal version."""
    if journal is None:
        return {}
    try:
        st = journal.stat()
    except OSError:
        return {}
    key = (str(journal), st.st_mtime_ns, st.st_size)
    if key not in _WORKER_DECISIONS:
        _WORKER_DECISIONS.clear()
        _WORKER_DECISIONS[key] = load_decisions(journal)
    return _WORKER_DECISIONS[key]


def _init_worker(settings: Settings, tokens: bool, keep_records: bool, summary_tokens: bool) -> None:
    global _WORKER
    _detach_stdout()
    exit_with_parent()
    _WORKER = Processor(settings, make_counter(settings) if tokens else None, keep_records, summary_tokens)


def _detach_stdout() -> None:
    """Workers send results through the pool, never print: their stdout goes to /dev/null, so a
    pipe the parent writes to (the review feed's) closes as soon as the parent's group is gone."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)


def exit_with_parent(every: float = 0.5) -> None:
    """End this process when its parent dies (killed, even with SIGKILL), instead of working on
    as an orphan: a thread watches for the parent to change."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _run_chunk(chunk: Chunk, fmt: str | None, active: frozenset[str], path: str, detail: bool,
               journal: Path | None) -> tuple[list[RecordResult | Finding], LineEndings, int, int, str | None]:
    """Results of one chunk. Without `detail`, only findings come back (and the counts): sending a
    summary per record back to the parent costs ~10% of lint throughput for nothing."""
    assert _WORKER is not None
    endings = LineEndings()
    max_line = _WORKER.settings.options["S006"]["max_line_bytes"]
    out: list[RecordResult | Finding | np.ndarray] = []
    rows: list[Row] = []
    records = examples = 0
    decisions = _decisions(journal)
    for item in read_chunk(chunk, max_line, endings):
        if isinstance(item, Problem):
            if item.code in active:
                out.append(_WORKER.problem(item, path))
            continue
        result = _WORKER.process(item, fmt, active, path, decisions)
        records += 1
        examples += result.summary is not None
        if detail:
            out.append(result)
        else:
            out.extend(result.findings)
            if result.dup is not None:
                rows.append(result.dup)
    if rows:  # one structured array per chunk: cheap to send back, compact to keep
        out.append(stack(rows, "D005" in active))
    counter = _WORKER.ctx.counter
    return out, endings, records, examples, counter.notice if counter is not None else None


class Engine:
    def __init__(self, settings: Settings, jobs: int | None = None, stats: bool = False, detail: bool = False,
                 journal: Path | None = None, use_journals: bool = True, keep_records: bool = False,
                 against: list[Path] | None = None, scorer: Any = None) -> None:
        """`stats` collects token counts per example; `detail` makes `iter_file` yield a
        RecordResult for every record even from worker processes (the review UI needs them);
        `keep_records` adds each record's normalised form to it (export needs them).
        Review decisions come from `journal`, else from each file's sidecar journal if it exists
        (unless `use_journals` is off). `against` files are the held-out sets D005 checks for leaks.
        `scorer` (a `checks.model_copy.Scorer`) runs the model-based rules (B004, B005)."""
        self.scorer = scorer
        self.keep_records = keep_records
        self.against = list(against or [])
        self._against_rows: np.ndarray | None = None
        self._against_where: list[tuple[Path, str | None]] = []
        self.settings = settings
        self.journal = journal
        self.use_journals = use_journals
        self.journal_warnings: list[str] = []
        self.jobs = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
        self.stats = stats
        self.detail = detail or stats or keep_records
        self.tokens = stats or bool(settings.selected & TOKEN_CODES)
        self.counter = make_counter(settings) if self.tokens else None
        self.processor = Processor(settings, self.counter, keep_records, summary_tokens=self.detail)
        self._pool: ProcessPoolExecutor | None = None
        self._worker_notices: set[str] = set()

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=ctx, initializer=_init_worker,
                                             initargs=(self.settings, self.tokens, self.keep_records, self.detail))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    @property
    def notices(self) -> list[str]:
        """Notes for the user: an offline substitute encoding (only if something was counted with
        it, here or in a worker) and journal warnings."""
        counted = set(self._worker_notices)
        if self.counter is not None and self.counter.notice:
            counted.add(self.counter.notice)
        return sorted(counted) + self.journal_warnings

    def journal_for(self, path: Path) -> Path | None:
        if self.journal is not None:
            return self.journal
        if not self.use_journals:
            return None
        sidecar = default_path(path)
        return sidecar if sidecar.is_file() else None

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
        if not self.against:  # D005 compares with --against files; without any it has nothing to do
            active = active - {"D005"}
        max_line = self.settings.options["S006"]["max_line_bytes"]

        fmt, file_problems = self._sniff(path)
        result.format = fmt
        journal = self.journal_for(path)
        decisions: dict[str, Entry] = {}
        if journal is not None:
            loaded = Journal(journal)
            self.journal_warnings += loaded.warnings
            decisions = {eid: e for eid in loaded.history if (e := loaded.state(eid)) is not None}

        chunked = (self.jobs > 1 and path.stat().st_size >= PARALLEL_MIN_BYTES and layout(path) == "jsonl"
                   and not any(p.code == "S009" for p in file_problems))
        source = (self._chunked(path, fmt, active, shown, file_problems, journal if decisions else None) if chunked
                  else self._sequential(path, fmt, active, shown, max_line, decisions))
        corpus = Corpus(self.settings.options, active) if active & CORPUS_CODES else None
        for item in source:
            if isinstance(item, np.ndarray):  # a chunk's rows, from a worker without detail
                corpus.extend(item)
                continue
            if isinstance(item, RecordResult):
                result.records += 1
                if item.summary is not None:
                    result.examples += 1
                if item.dup is not None:
                    corpus.add(item.dup)
            elif isinstance(item, tuple):  # (records, examples) counted in a worker without detail
                result.records += item[0]
                result.examples += item[1]
                continue
            yield item
        if corpus is not None and corpus.count:
            yield from self._corpus_findings(path, fmt, shown, corpus)
        if self.scorer is not None and active & MODEL_CODES:
            yield from self._model_findings(path, fmt, shown, active, decisions)
        yield from self._file_checks(result, active, fatal=any(p.code == "S009" for p in file_problems))

    def _sniff(self, path: Path) -> tuple[str | None, list[Problem]]:
        """The file's format (the configured one, else detected from its first records) and the
        file-level problems met while reading them (BOM, unparseable layout)."""
        fixed = self.settings.raw.input_format
        head: list[Record] = []
        problems: list[Problem] = []
        sniff = read(path, self.settings.options["S006"]["max_line_bytes"])
        for item in sniff:
            if isinstance(item, Record):
                head.append(item)
                if len(head) >= SNIFF_RECORDS:
                    break
            elif item.code in ("S003", "S009"):
                problems.append(item)
        sniff.close()
        return (None if fixed == "auto" else fixed) or detect_format(_sniff_values(head)), problems

    def _conversations(self, path: Path, fmt: str | None, offsets: Any = None) -> Iterator[tuple[Record, Any]]:
        """The file read again: (record, conversation or None) for each parseable record, or only
        for those at `offsets` (byte offsets) when given."""
        for item in read(path, self.settings.options["S006"]["max_line_bytes"]):
            if not isinstance(item, Record) or (offsets is not None and item.offset not in offsets):
                continue
            value = item.value
            if item.raw is not None:
                value, problem = parse_line(item.raw, item.line, item.last_without_newline)
                if problem is not None:
                    continue
            yield item, adapt(value, fmt, self.settings.profile)[0]

    def _shingles_of(self, path: Path, fmt: str | None, lines: dict[int, int], key: str) -> dict[int, Any]:
        """Shingle sets of the key text of the records at `lines` (byte offset -> index), re-read
        from the file: only the examples in candidate pairs are held in memory at once."""
        out: dict[int, Any] = {}
        if not lines:
            return out
        remaining = len(lines)
        for item, conv in self._conversations(path, fmt, lines):
            if conv is not None:
                out[lines[item.offset]] = shingles(key_text(conv, key))
            remaining -= 1
            if not remaining:
                break
        return out

    def _against(self) -> np.ndarray:
        """Rows of the --against files, computed once (D005 reads only their band hashes)."""
        if self._against_rows is None:
            rows: list[Row] = []
            only = frozenset({"D005"})
            settings = self.settings
            proc = Processor(settings, None)
            max_line = settings.options["S006"]["max_line_bytes"]
            for other in self.against:
                fmt = self._sniff(other)[0]
                for item in read(other, max_line):
                    if isinstance(item, Record):
                        res = proc.process(item, fmt, only, str(other))
                        if res.dup is not None:
                            rows.append(res.dup)
                            self._against_where.append((other, fmt))
            self._against_rows = stack(rows, leak=True)
        return self._against_rows

    def _corpus_findings(self, path: Path, fmt: str | None, shown: str, corpus: Corpus) -> Iterator[Finding]:
        table = corpus.table
        offsets = table["offset"]

        def fetch(indices, key):
            return self._shingles_of(path, fmt, {int(offsets[i]): i for i in indices}, key)

        against = self._against() if self.against and "D005" in corpus.active else None

        def fetch_against(indices, key):
            out: dict[int, Any] = {}
            by_file: dict[tuple[Path, str | None], dict[int, int]] = {}
            for j in indices:
                by_file.setdefault(self._against_where[j], {})[int(against["offset"][j])] = j
            for (other, other_fmt), lines in by_file.items():
                out.update(self._shingles_of(other, other_fmt, lines, key))
            return out

        for hit in corpus.findings(fetch, against, fetch_against):
            yield self._hit_finding(hit, table, against, shown)

    def _model_findings(self, path: Path, fmt: str | None, shown: str, active: frozenset[str],
                        decisions: dict[str, Entry], window: int = 512) -> Iterator[Finding]:
        """B004/B005 findings: the file read again, examples scored (or taken from the cache) a
        window at a time, so memory holds one window of texts."""
        options = self.settings.options
        min_disc, min_sim = options["B004"]["min_discrepancy"], options["B005"]["min_similarity"]
        label = self.scorer.label
        pending: list[tuple[int, str, Conversation]] = []

        def flush() -> Iterator[Finding]:
            scores = self.scorer.scores([(eid, conv) for _, eid, conv in pending])
            for line, eid, _ in pending:
                entry = decisions.get(eid)
                for t in scores.get(eid, ()):
                    found = []
                    if "B004" in active and t.discrepancy >= min_disc:
                        f = self.processor.finding(
                            "B004", shown, line,
                            f"scores as {label}'s own output: sampling discrepancy {t.discrepancy:.2f} "
                            f"(threshold {min_disc:g}), mean log-likelihood {t.loglik:.2f}, mean log-rank "
                            f"{t.logrank:.2f} over {t.tokens} tokens", col=1, message_index=t.message_index, example_id=eid)
                        f.score = round(t.discrepancy, 4)
                        found.append(f)
                    if "B005" in active and t.regen_similarity is not None and t.regen_similarity >= min_sim:
                        f = self.processor.finding(
                            "B005", shown, line, f"{t.regen_similarity:.0%} like {label}'s own greedy answer (ROUGE-L)",
                            col=1, message_index=t.message_index, example_id=eid)
                        f.similarity = round(t.regen_similarity, 4)
                        found.append(f)
                    if entry is not None and entry.decision == "accept":  # a rejection's Q001 came with the record
                        waive(found)
                    yield from found
            pending.clear()

        for item, conv in self._conversations(path, fmt):
            if conv is None or not any(m.role == "assistant" and m.content for m in conv.messages):
                continue
            pending.append((item.line, conv.example_id(), conv))
            if len(pending) >= window:
                yield from flush()
        if pending:
            yield from flush()

    def _hit_finding(self, hit: Hit, table: np.ndarray, against: np.ndarray | None, shown: str) -> Finding:
        others = against if hit.against else table
        message = hit.message
        if hit.against:
            message = message.replace("the --against set", str(self._against_where[hit.related[0]][0]))
        f = self.processor.finding(hit.code, shown, int(table["line"][hit.index]), message, col=1,
                                   example_id=format(int(table["eid"][hit.index]), "016x"))
        f.related = [format(int(others["eid"][j]), "016x") for j in hit.related]
        f.related_lines = [int(others["line"][j]) for j in hit.related]
        f.similarity = hit.similarity
        return f


    def _sequential(self, path: Path, fmt: str | None, active: frozenset[str], shown: str, max_line: int,
                    decisions: dict[str, Entry]) -> Iterator[RecordResult | Finding]:
        proc = self.processor
        for item in read(path, max_line):
            if isinstance(item, Problem):
                if item.code in active:
                    yield proc.problem(item, shown)
            else:
                yield proc.process(item, fmt, active, shown, decisions)

    def _chunked(self, path: Path, fmt: str | None, active: frozenset[str], shown: str,
                 file_problems: list[Problem], journal: Path | None) -> Iterator[RecordResult | Finding]:
        """Workers read line-aligned byte ranges themselves; this process only finds the cuts."""
        proc = self.processor
        for problem in file_problems:
            if problem.code in active:
                yield proc.problem(problem, shown)
        pool = self._executor()
        endings = LineEndings()
        inflight: deque[Future] = deque()

        def collect(future: Future) -> Iterator[RecordResult | Finding | tuple[int, int]]:
            items, part, records, examples, notice = future.result()
            if notice:  # a worker counted with a substitute encoding
                self._worker_notices.add(notice)
            if part.crlf_first is not None and endings.crlf_first is None:
                endings.crlf_first = part.crlf_first
            endings.crlf_count += part.crlf_count
            yield from items
            if not self.detail:
                yield records, examples

        for chunk in chunks(path):
            inflight.append(pool.submit(_run_chunk, chunk, fmt, active, shown, self.detail, journal))
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
