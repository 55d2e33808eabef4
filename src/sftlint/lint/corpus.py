"""The corpus stage: the checks over the whole file, run when its last record has been read.

The rows the examples left (checks/corpus.py) are judged by the duplicate rules, the dataset
outliers and the fixed-length cut; near-duplicate candidates are verified against their texts,
re-read from the file by byte offset for just those examples (the file's second and last read).
`--against` files are read once, for their rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from sftlint.checks.corpus import FILE_LEVEL, SALIENT, Corpus, CorpusHit, key_shingles, salient
from sftlint.checks.duplicates import duplicate_hits
from sftlint.checks.outliers import outlier_hits
from sftlint.checks.truncation import fixed_length_hits
from sftlint.config import Settings
from sftlint.findings import Finding
from sftlint.io.conversations import Opened, iter_conversations
from sftlint.io.reader import Record
from sftlint.lint.records import Processor


def _shingles(conv, key: str):
    return salient(conv) if key == SALIENT else key_shingles(conv, key)


def shingles_at(path: Path, fmt: str | None, settings: Settings, lines: dict[int, int], key: str | tuple[str, ...]
                ) -> dict[int, Any]:
    """Shingle sets of the key text of the records at byte offsets `lines` (offset -> index), a
    tuple of them for a tuple of keys (one read for all),
    re-read from the file: only the examples in candidate pairs are held in memory at once."""
    out: dict[int, Any] = {}
    if not lines:
        return out
    remaining = len(lines)
    for r in iter_conversations(path, settings.profile, fmt, settings.options["S006"]["max_line_bytes"], lines):
        if r.conversation is not None:
            out[lines[r.record.offset]] = (tuple(_shingles(r.conversation, k) for k in key) if isinstance(key, tuple)
                                           else _shingles(r.conversation, key))
        remaining -= 1
        if not remaining:
            break
    return out


class Against:
    """The rows of the --against files (D005 reads only their band hashes), computed once."""

    def __init__(self, paths: list[Path], settings: Settings) -> None:
        self.paths = paths
        self.settings = settings
        self._rows: np.ndarray | None = None
        self.where: list[tuple[Path, str | None]] = []

    @property
    def rows(self) -> np.ndarray:
        if self._rows is None:
            only = frozenset({"D005"})
            rows = Corpus(self.settings.options, only)
            proc = Processor(self.settings, None, corpus_codes=only)
            max_line = self.settings.options["S006"]["max_line_bytes"]
            for other in self.paths:
                opened = Opened(other, max_line)
                fmt = opened.format
                for item in opened.items:
                    if isinstance(item, Record):
                        res = proc.process(item, fmt, only, str(other))
                        if res.dup is not None:
                            rows.add(res.dup)
                            self.where.append((other, fmt))
            self._rows = rows.table
        return self._rows

    def fetch(self, indices: Iterable[int], key: str) -> dict[int, Any]:
        out: dict[int, Any] = {}
        by_file: dict[tuple[Path, str | None], dict[int, int]] = {}
        for j in indices:
            by_file.setdefault(self.where[j], {})[int(self.rows["offset"][j])] = j
        for (other, other_fmt), lines in by_file.items():
            out.update(shingles_at(other, other_fmt, self.settings, lines, key))
        return out


def corpus_hits(table: np.ndarray, path: Path, fmt: str | None, settings: Settings, active: frozenset[str],
                against: Against | None) -> list[CorpusHit]:
    """Every corpus rule's hits on the file's table, in file order."""
    offsets = table["offset"]

    def fetch(indices, key):
        return shingles_at(path, fmt, settings, {int(offsets[i]): i for i in indices}, key)

    options = settings.options
    hits = duplicate_hits(table, options, active, fetch, against.rows if against is not None else None,
                          against.fetch if against is not None else None)
    hits += outlier_hits(table, options, active)
    if "Q002" in active:
        hits += fixed_length_hits(table)
    hits.sort(key=lambda h: (-1, -1, h.code) if h.index == FILE_LEVEL
              else (int(table["line"][h.index]), int(offsets[h.index]), h.code))
    return hits


def hit_finding(processor: Processor, hit: CorpusHit, table: np.ndarray, against: Against | None,
                shown: str) -> Finding:
    if hit.index == FILE_LEVEL:
        return processor.finding(hit.code, shown, None, hit.message)
    others = against.rows if hit.against else table
    message = hit.message
    if hit.against:
        message = message.replace("the --against set", str(against.where[hit.related[0]][0]))
    f = processor.finding(hit.code, shown, int(table["line"][hit.index]), message, col=1,
                          example_id=format(int(table["eid"][hit.index]), "016x"))
    f.related = [format(int(others["eid"][j]), "016x") for j in hit.related]
    f.related_lines = [int(others["line"][j]) for j in hit.related]
    f.similarity = hit.similarity
    return f
