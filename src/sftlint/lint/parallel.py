"""Linting a large JSON Lines file in worker processes.

The file is cut at newlines into byte ranges that the workers read themselves; only results
come back (findings, and one structured array of corpus rows per chunk), with a bounded number
of chunks in flight, so memory does not grow with the file. Workers never write to stdout (a
pipe the parent writes to, such as the review UI's, then closes with the parent's group) and
exit when their parent dies.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import numpy as np

from sftlint.checks.corpus import stack, with_bands
from sftlint.findings import Finding
from sftlint.io.reader import Chunk, LineEndings, Problem, chunks, crlf_problem, read_chunk
from sftlint.lint.records import Processor
from sftlint.lint.results import RecordResult

PARALLEL_MIN_BYTES = 4 << 20

_WORKER: Processor | None = None


def exit_with_parent(every: float = 0.5) -> None:
    """End this process when its parent dies (killed, even with SIGKILL), instead of working on
    as an orphan: a thread watches for the parent to change."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _detach_stdout() -> None:
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)


def init_worker(make_processor) -> None:
    global _WORKER
    _detach_stdout()
    exit_with_parent()
    _WORKER = make_processor()


def run_chunk(chunk: Chunk, fmt: str | None, active: frozenset[str], path: str, detail: bool
              ) -> tuple[list[RecordResult | Finding | np.ndarray | tuple[int, int]], LineEndings, int, int, str | None]:
    """Results of one chunk. Without `detail`, only findings come back (and the counts): sending a
    summary per record back to the parent costs ~10% of lint throughput for nothing."""
    assert _WORKER is not None
    endings = LineEndings()
    max_line = _WORKER.settings.options["S006"]["max_line_bytes"]
    out: list[RecordResult | Finding | np.ndarray | tuple[int, int]] = []
    rows, owners = [], []  # the examples' corpus rows, and their results
    records = examples = 0
    for item in read_chunk(chunk, max_line, endings):
        if isinstance(item, Problem):
            if item.code in active:
                out.append(_WORKER.problem(item, path))
            if item.skipped_record:  # still a record of the file
                records += 1
                if detail:  # the parent counts records from results then: tell it
                    out.append((1, 0))
            continue
        result = _WORKER.process(item, fmt, active, path)
        records += 1
        examples += result.summary is not None
        if detail:
            out.append(result)
        else:
            out.extend(result.findings)
        if result.dup is not None:
            rows.append(result.dup)
            owners.append(result)
    if rows and detail:  # the chunk's rows banded at once, here rather than in the parent
        for result, row in zip(owners, with_bands(rows), strict=True):
            result.dup = row
    elif rows:  # one structured array per chunk: cheap to send back, compact to keep
        out.append(stack(rows, "D005" in active))
    counter = _WORKER.ctx.counter
    return out, endings, records, examples, counter.notice if counter is not None else None


class Pool:
    """Worker processes for one engine, started on first use."""

    def __init__(self, jobs: int, make_processor) -> None:
        self.jobs = jobs
        self.make_processor = make_processor
        self._pool: ProcessPoolExecutor | None = None
        self.notices: set[str] = set()
        """Notes from the workers' token counters (an offline substitute encoding they used)."""

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            import multiprocessing

            ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=ctx, initializer=init_worker,
                                             initargs=(self.make_processor,))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def run(self, path: Path, fmt: str | None, active: frozenset[str], shown: str, detail: bool,
            problem_finding) -> Iterator[RecordResult | Finding | np.ndarray | tuple[int, int]]:
        """Every chunk's results in file order; `(records, examples)` counts follow each chunk's
        results when only findings come back; the CRLF finding (if any) last."""
        pool = self._executor()
        endings = LineEndings()
        inflight: deque[Future] = deque()

        def collect(future: Future):
            items, part, records, examples, notice = future.result()
            if notice:
                self.notices.add(notice)
            if part.crlf_first is not None and endings.crlf_first is None:
                endings.crlf_first = part.crlf_first
            endings.crlf_count += part.crlf_count
            yield from items
            if not detail:
                yield records, examples

        for chunk in chunks(path):
            inflight.append(pool.submit(run_chunk, chunk, fmt, active, shown, detail))
            if len(inflight) >= 2 * self.jobs:
                yield from collect(inflight.popleft())
        while inflight:
            yield from collect(inflight.popleft())
        crlf = crlf_problem(endings)
        if crlf is not None and crlf.code in active:
            yield problem_finding(crlf, shown)
