"""The engine: every selected rule over a file, in stages that only move forward.

1. Records: each record is read, parsed, adapted and checked (records.py), in file order, in
   worker processes for a large JSON Lines file (parallel.py). With `--model` the answers are
   scored as they pass (model_scoring.py).
2. The corpus: when the last record is read, the rules over the whole file judge the rows the
   examples left (corpus.py), re-reading the texts of near-duplicate candidates only.
3. Review decisions: findings of accepted examples are waived, rejected examples still in the
   file are reported (waivers.py). Checks never see decisions.
4. The file: its own findings (empty, too few examples).

`iter_file` yields a `RecordResult` per record and a `Finding` per problem that belongs to no
record, in file order, then one `LateFindings` with what stages 1-3 found about records already
yielded. A file is read once, plus the candidates' re-read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from functools import partial
from itertools import chain
from pathlib import Path

import numpy as np

from sftlint.catalogue import codes
from sftlint.checks.corpus import Corpus
from sftlint.config import Settings
from sftlint.findings import Finding
from sftlint.io.conversations import DETECT, Opened, check_mapping
from sftlint.io.formats import MAPPED
from sftlint.io.reader import InputError, Problem, Record, layout
from sftlint.journal import default_path
from sftlint.lint.conventions import Conventions
from sftlint.lint.corpus import Against, corpus_hits, hit_finding
from sftlint.lint.parallel import PARALLEL_MIN_BYTES, Pool
from sftlint.lint.records import Processor, make_counter, new_processor
from sftlint.lint.results import FileResult, LateFindings, LintResult, RecordResult
from sftlint.lint.waivers import Waivers

TOKEN_CODES = codes(family="tokens")
MODEL_CODES = codes(scope="model")
CORPUS_CODES = codes(scope="corpus") | {"Q001"}
"""Rules that read the corpus rows; Q001 finds rejected examples by the rows' ids."""


class Engine:
    def __init__(self, settings: Settings, jobs: int | None = None, stats: bool = False, detail: bool = False,
                 journal: Path | None = None, use_journals: bool = True, keep_records: bool = False,
                 against: list[Path] | None = None, scorer=None, group_conventions: bool = True) -> None:
        """`stats` collects token counts per example; `detail` makes `iter_file` yield a
        RecordResult for every record even from worker processes (the review UI needs them);
        `keep_records` adds each record's normalised form to it (export needs them).
        Review decisions come from `journal`, else from each file's sidecar journal if it exists
        (unless `use_journals` is off). `against` files are the held-out sets D005 checks for leaks.
        `scorer` (a `lint.model_scoring.Scorer`) runs the model-based rules (B004, B005).
        `group_conventions` reports a finding every example shares once for the file (see
        `conventions`); export turns it off, since it decides example by example."""
        self.settings = settings
        self.scorer = scorer
        self.group_conventions = group_conventions
        self.keep_records = keep_records
        self.against = Against(list(against), settings) if against else None
        self.journal = journal
        self.use_journals = use_journals
        self.journal_warnings: list[str] = []
        self.jobs = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
        self.stats = stats
        self.detail = detail or stats or keep_records
        self.tokens = stats or bool(settings.selected & TOKEN_CODES)
        self.counter = make_counter(settings) if self.tokens else None
        self.processor = Processor(settings, self.counter, keep_records, summary_tokens=self.detail,
                                   corpus_codes=CORPUS_CODES)
        self.processor.keep_conversations = scorer is not None  # scored in this process as they pass
        self.pool = Pool(self.jobs, partial(new_processor, settings, self.tokens, keep_records, self.detail,
                                            CORPUS_CODES))

    def close(self) -> None:
        self.pool.close()

    @property
    def notices(self) -> list[str]:
        """Notes for the user: an offline substitute encoding (only if something was counted with
        it, here or in a worker) and journal warnings."""
        counted = set(self.pool.notices)
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
            elif isinstance(item, LateFindings):
                result.findings.extend(item.findings)
            else:
                result.findings.extend(item.findings)
                summary = item.summary
                if summary is not None and self.stats and summary.tokens is not None:
                    result.lengths.append(summary.tokens)
                    result.trainable.append(summary.trainable)
        return result

    def iter_file(self, path: Path, result: FileResult | None = None
                  ) -> Iterator[RecordResult | Finding | LateFindings]:
        """Every record's result and every other finding of one file, in file order, then the
        findings about its records that the whole file was needed for.

        `result` (optional) receives the counts (records, examples) and the detected format.
        """
        result = result if result is not None else FileResult(str(path))
        shown = result.path
        waivers = Waivers(self.journal_for(path))
        self.journal_warnings += waivers.warnings
        active = self.settings.selected - self.settings.ignored_for(shown)
        if self.against is None:  # D005 compares with --against files; without any it has nothing to do
            active -= {"D005"}
        if not waivers.rejected:  # Q001 is a rejected example still in the file
            active -= {"Q001"}
        max_line = self.settings.options["S006"]["max_line_bytes"]

        mapping = self.settings.profile.mapping
        fixed = MAPPED if mapping is not None else self.settings.raw.input_format
        opened = Opened(path, max_line, DETECT if fixed == "auto" else fixed)
        fmt = result.format = opened.format
        if mapping is not None:
            check_mapping(opened, mapping, shown)
        # not read at all (not JSON, or too large to read whole): no "holds no examples" about it
        unreadable = any(isinstance(i, Problem) and (i.code == "S009" or i.code == "S006" and not i.skipped_record)
                         for i in opened.head)
        chunked = (self.scorer is None and self.jobs > 1 and path.stat().st_size >= PARALLEL_MIN_BYTES
                   and layout(path) == "jsonl" and not unreadable)
        if chunked:  # the workers read the file; the head read here only told its format
            opened.close()
            file_problems = [self.processor.problem(p, shown) for p in opened.head
                             if isinstance(p, Problem) and p.code in ("S003", "S009") and p.code in active]
            source = chain(file_problems, self.pool.run(path, fmt, active, shown, self.detail, self.processor.problem))
        else:
            source = self._sequential(opened.items, fmt, active, shown)
        conventions = Conventions(enabled=self.group_conventions)
        model = self._model_pass(active, shown) if self.scorer is not None and active & MODEL_CODES else None
        corpus = Corpus(self.settings.options, active) if active & CORPUS_CODES else None
        late: list[Finding] = []
        decided = waivers.decided
        seen_decided = looked = False  # whether an example of the journal's passed; whether any example id did
        for item in source:
            if isinstance(item, np.ndarray):  # a chunk's rows, from a worker without detail
                corpus.extend(item)
                continue
            if isinstance(item, tuple):  # (records, examples) counted in a worker without detail
                result.records += item[0]
                result.examples += item[1]
                continue
            if isinstance(item, RecordResult):
                result.records += 1
                if item.summary is not None:
                    result.examples += 1
                if decided and item.summary is not None:
                    looked = True
                    seen_decided = seen_decided or item.summary.example_id in decided
                if item.dup is not None:
                    corpus.add(item.dup)
                item.findings = conventions.take(item.findings)
                waivers.waive(item.findings)
                if model is not None and item.conversation is not None:
                    late += model.add(item.line, item.summary.example_id, item.conversation)
            else:
                if not conventions.take([item]):
                    continue
                waivers.waive([item])
            yield item
        if model is not None:
            late += model.flush()
        if corpus is not None and corpus.count:
            table = corpus.table
            late += [hit_finding(self.processor, hit, table, self.against, shown)
                     for hit in corpus_hits(table, path, fmt, self.settings, active, self.against)]
            if "Q001" in active:
                late += waivers.rejected_still_here(table, lambda line, eid, message: self.processor.finding(
                    "Q001", shown, line, message, col=1, example_id=eid))
        if decided and not seen_decided and corpus is not None and corpus.count:
            looked = True
            wanted = np.array([int(e, 16) for e in decided], dtype=np.uint64)
            seen_decided = bool(np.isin(corpus.table["eid"], wanted).any())
        if looked:
            self.journal_warnings += waivers.unmatched(self.journal_for(path), shown, seen_decided)
        file_level, given_back = conventions.settle(result.examples or result.records)
        late += given_back
        waivers.waive(late)
        if late:
            yield LateFindings(late)
        yield from file_level
        yield from self._file_checks(result, active, fatal=unreadable)

    def _model_pass(self, active: frozenset[str], shown: str):
        from sftlint.lint.model_scoring import ModelPass

        def finding(code, line, eid, message_index, message):
            return self.processor.finding(code, shown, line, message, col=1, message_index=message_index,
                                          example_id=eid)

        return ModelPass(self.scorer, self.settings.options, active, finding)

    def _sequential(self, items: Iterable[Record | Problem], fmt: str | None, active: frozenset[str],
                    shown: str) -> Iterator[RecordResult | Finding | tuple[int, int]]:
        """Each record's result and each reader problem's finding; `(1, 0)` (a record, no example)
        for a record the reader skipped."""
        proc = self.processor
        for item in items:
            if isinstance(item, Problem):
                if item.code in active:
                    yield proc.problem(item, shown)
                if item.skipped_record:  # still a record of the file ("1 of 0 flagged" otherwise)
                    yield 1, 0
            else:
                yield proc.process(item, fmt, active, shown)

    def _file_checks(self, result: FileResult, active: frozenset[str], fatal: bool) -> Iterator[Finding]:
        proc = self.processor
        if result.records == 0 and "S008" in active and not fatal:
            yield proc.finding("S008", result.path, None, "file holds no examples")
        minimum = self.settings.options["S028"]["min_examples"]
        if 0 < result.examples < minimum and "S028" in active:
            yield proc.finding("S028", result.path, None,
                               f"{result.examples} valid example(s); profile {self.settings.profile.name} needs at least {minimum}")
