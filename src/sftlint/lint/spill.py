"""A file's findings in report order, held in memory up to a bound and on disk past it.

A million tiny examples can hold millions of findings; kept as objects they took gigabytes. Past
`SPILL_AT` findings the log sorts what it holds and writes it to a temporary file as one sorted
run; reading the log merges the runs, so memory stays near `SPILL_AT` findings however many there
are. Equal keys keep the order they were added in, as a stable sort would.
"""

from __future__ import annotations

import heapq
import pickle
import shutil
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from pathlib import Path

from sftlint.findings import Finding

SPILL_AT = 100_000
BATCH = 4096
"""Findings per pickled batch: a run is read back a batch at a time."""


class FindingLog:
    def __init__(self) -> None:
        self.spill_at = SPILL_AT
        self._held: list[Finding] = []
        self._runs: list[Path] = []
        self._folder: Path | None = None
        self._count = 0

    def append(self, finding: Finding) -> None:
        self._held.append(finding)
        self._count += 1
        if len(self._held) >= self.spill_at:
            self._spill()

    def extend(self, findings: Iterable[Finding]) -> None:
        for f in findings:
            self.append(f)

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __iter__(self) -> Iterator[Finding]:
        self._held.sort(key=Finding.sort_key)
        if not self._runs:
            return iter(list(self._held))
        return heapq.merge(*(_read(run) for run in self._runs), list(self._held), key=Finding.sort_key)

    def _spill(self) -> None:
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="sftlint-findings-"))
            weakref.finalize(self, shutil.rmtree, self._folder, True)
        self._held.sort(key=Finding.sort_key)
        run = self._folder / f"{len(self._runs)}.pickle"
        with open(run, "wb") as fh:
            for start in range(0, len(self._held), BATCH):
                pickle.dump(self._held[start:start + BATCH], fh, protocol=pickle.HIGHEST_PROTOCOL)
        self._runs.append(run)
        self._held = []


def _read(run: Path) -> Iterator[Finding]:
    with open(run, "rb") as fh:
        while True:
            try:
                batch = pickle.load(fh)
            except EOFError:
                return
            yield from batch
