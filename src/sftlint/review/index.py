"""The review queue's data, without Textual: items, lazy example loading, ordering and filters.

An `Item` is one record of the file as lint saw it (position, findings, preview). The example
itself is read only when shown: plain JSON Lines by byte offset with `os.pread`, other layouts
(JSON arrays, Parquet, gzip) from one pass that keeps the parsed values.
"""

from __future__ import annotations

import bisect
import os
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sftlint.catalogue import SEVERITY_RANK
from sftlint.findings import Finding, flags_record
from sftlint.io.reader import Record, layout, parse_line, read
from sftlint.journal import Journal
from sftlint.jsonvalues import dumps

STATUS = {"accept": "accepted", "reject": "rejected", "skip": "skipped"}
STATUSES = ("unreviewed", "accepted", "rejected", "skipped")


@dataclass(slots=True)
class Item:
    pos: int
    """Record number in the file, from 0."""
    line: int
    offset: int
    example_id: str | None
    findings: list[Finding]
    tokens: int | None = None
    preview: str = ""
    worst: int = -1
    codes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.findings:
            self.worst = max(SEVERITY_RANK[f.severity] for f in self.findings)
            self.codes = tuple(sorted({f.code for f in self.findings}))

    @property
    def flagged(self) -> bool:
        return any(flags_record(f) for f in self.findings)


class ExampleStore:
    """Reads one example's JSON when it is shown; never loads the whole file for JSON Lines."""

    def __init__(self, path: Path, max_line_bytes: int) -> None:
        self.path = path
        self.max_line_bytes = max_line_bytes
        self.plain = layout(path) == "jsonl"
        self._values: list[Any] | None = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[int, Any] = OrderedDict()
        self._fd = os.open(path, os.O_RDONLY) if self.plain else None

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def raw_line(self, item: Item) -> bytes:
        assert self._fd is not None
        out = bytearray()
        pos = item.offset
        while len(out) <= self.max_line_bytes:
            block = os.pread(self._fd, 1 << 16, pos)
            if not block:
                break
            cut = block.find(b"\n")
            if cut >= 0:
                out += block[: cut + 1]
                break
            out += block
            pos += len(block)
        return bytes(out)

    def value(self, item: Item) -> tuple[Any, str | None]:
        """The parsed example, or None and why it cannot be shown as one."""
        with self._lock:
            if item.pos in self._cache:
                self._cache.move_to_end(item.pos)
                return self._cache[item.pos]
            result = self._load(item)
            self._cache[item.pos] = result
            if len(self._cache) > 64:
                self._cache.popitem(last=False)
            return result

    def _load(self, item: Item) -> tuple[Any, str | None]:
        if self.plain:
            raw = self.raw_line(item)
            if raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            value, problem = parse_line(raw, item.line, not raw.endswith(b"\n"))
            if problem is not None:
                return raw.decode("utf-8", "replace"), problem.message
            return value, None
        if self._values is None:
            values = []
            for rec in read(self.path, self.max_line_bytes):
                if isinstance(rec, Record):
                    if rec.raw is not None:
                        value, problem = parse_line(rec.raw, rec.line, rec.last_without_newline)
                        values.append(value if problem is None else rec.raw.decode("utf-8", "replace"))
                    else:
                        values.append(rec.value)
            self._values = values
        if item.pos < len(self._values):
            return self._values[item.pos], None
        return None, "record not found"

    def text(self, item: Item) -> str:
        """The raw JSON text of an example (for search and the raw view)."""
        if self.plain:
            return self.raw_line(item).decode("utf-8", "replace")
        value, _ = self.value(item)
        return dumps(value).decode() if not isinstance(value, str) else value


@dataclass
class Filter:
    """What the queue shows. Empty fields mean no restriction."""

    codes: frozenset[str] = frozenset()
    min_severity: int = -1
    statuses: frozenset[str] = frozenset()
    flagged_only: bool = False
    matches: frozenset[int] | None = None
    """Positions matching a text search, or None when not searching."""
    query: str = ""

    @classmethod
    def parse(cls, text: str, base: Filter | None = None) -> Filter:
        """`S021 T0 error accepted flagged` -> codes/prefixes, severity, statuses, flagged."""
        codes, statuses = set(), set()
        severity, flagged = -1, False
        for word in text.replace(",", " ").split():
            w = word.strip()
            lw = w.lower()
            if lw in SEVERITY_RANK:
                severity = SEVERITY_RANK[lw]
            elif lw in STATUSES or lw in STATUS:
                statuses.add(STATUS.get(lw, lw))
            elif lw == "flagged":
                flagged = True
            elif w[:1].isalpha() and w[:1].isupper():
                codes.add(w.upper())
            else:
                raise ValueError(f"unknown filter word {w!r}: use rule codes, a severity, a status or 'flagged'")
        keep = base or cls()
        return cls(frozenset(codes), severity, frozenset(statuses), flagged, keep.matches, keep.query)

    def describe(self) -> str:
        parts = sorted(self.codes)
        if self.min_severity >= 0:
            parts.append([k for k, v in SEVERITY_RANK.items() if v == self.min_severity][0] + "+")
        parts += sorted(self.statuses)
        if self.flagged_only:
            parts.append("flagged")
        if self.matches is not None:
            parts.append(f"/{self.query}")
        return " ".join(parts)

    def accepts(self, item: Item, status: str) -> bool:
        if self.flagged_only and not item.flagged:
            return False
        if self.codes and not any(c.startswith(p) for c in item.codes for p in self.codes):
            return False
        if self.min_severity >= 0 and item.worst < self.min_severity:
            return False
        if self.statuses and status not in self.statuses:
            return False
        return self.matches is None or item.pos in self.matches


class View:
    """Positions in queue order, held as a few buckets that only grow at their ends.

    The queue's order is (bucket, file position), with only a handful of buckets (flagged by
    severity, unflagged), and lint results arrive in file order; so adding is an append, where
    one sorted list would cost a 100k-element memmove per item while the lint is streaming in.
    """

    def __init__(self) -> None:
        self._buckets: dict[tuple, list[int]] = {}
        self._order: list[tuple] = []
        self._starts: list[int] | None = None
        self._len = 0

    def add(self, bucket: tuple, pos: int) -> None:
        positions = self._buckets.get(bucket)
        if positions is None:
            bisect.insort(self._order, bucket)
            positions = self._buckets[bucket] = []
        if positions and positions[-1] > pos:
            bisect.insort(positions, pos)
        else:
            positions.append(pos)
        self._len += 1
        self._starts = None

    def _offsets(self) -> list[int]:
        if self._starts is None:
            starts, n = [], 0
            for bucket in self._order:
                starts.append(n)
                n += len(self._buckets[bucket])
            self._starts = starts
        return self._starts

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(self)[index]
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError(index)
        starts = self._offsets()
        b = bisect.bisect_right(starts, index) - 1
        return self._buckets[self._order[b]][index - starts[b]]

    def __iter__(self):
        for bucket in self._order:
            yield from self._buckets[bucket]

    def index(self, bucket: tuple, pos: int) -> int | None:
        positions = self._buckets.get(bucket)
        if not positions:
            return None
        j = bisect.bisect_left(positions, pos)
        if j == len(positions) or positions[j] != pos:
            return None
        return self._offsets()[self._order.index(bucket)] + j


@dataclass
class Queue:
    """All items, and the ordered, filtered view the reviewer walks through."""

    journal: Journal
    order: str = "flagged"
    """"flagged": flagged first, worst severity first, then file order. "file": file order."""
    base: Filter = field(default_factory=Filter)
    """Restriction from the command line (--only-flagged, --rule); always applies."""
    filter: Filter = field(default_factory=Filter)
    items: list[Item] = field(default_factory=list)
    view: View = field(default_factory=View)
    _ids: set[str] = field(default_factory=set)
    _flagged: set[int] = field(default_factory=set)
    """Positions of flagged items."""
    _flagged_by_id: Counter = field(default_factory=Counter)
    """Flagged items per example id (exact copies share one id, and one decision)."""

    def bucket(self, item: Item) -> tuple:
        """The queue order is (bucket, file position)."""
        if self.order == "file":
            return ()
        return (0 if item.flagged else 1, -item.worst)

    def status(self, item: Item) -> str:
        entry = self.journal.state(item.example_id) if item.example_id else None
        return STATUS[entry.decision] if entry is not None else "unreviewed"

    def _visible(self, item: Item) -> bool:
        status = self.status(item)
        return self.base.accepts(item, status) and self.filter.accepts(item, status)

    def add(self, items: list[Item]) -> None:
        """New items from the background lint; the view stays sorted."""
        for item in items:
            self.items.append(item)
            if item.example_id:
                self._ids.add(item.example_id)
            self._note_flagged(item)
            if self._visible(item):
                self.view.add(self.bucket(item), item.pos)

    def attach(self, found: list[tuple[int, Finding]]) -> None:
        """Findings for items already in the queue (the duplicate rules report after the last
        record); the view is rebuilt once so the newly flagged items move up."""
        for pos, finding in found:
            item = self.items[pos]
            item.findings.append(finding)
            item.worst = max(item.worst, SEVERITY_RANK[finding.severity])
            item.codes = tuple(sorted({*item.codes, finding.code}))
            self._note_flagged(item)
        if found:
            self.rebuild()

    def rebuild(self) -> None:
        view = View()
        for item in self.items:
            if self._visible(item):
                view.add(self.bucket(item), item.pos)
        self.view = view

    def set_filter(self, flt: Filter) -> None:
        self.filter = flt
        self.rebuild()

    def index_of(self, pos: int) -> int | None:
        """Where an item is in the view, or None if the filter hides it."""
        return self.view.index(self.bucket(self.items[pos]), pos)

    def next_matching(self, start: int, step: int, want) -> int | None:
        i = start + step
        while 0 <= i < len(self.view):
            if want(self.items[self.view[i]]):
                return i
            i += step
        return None

    def _note_flagged(self, item: Item) -> None:
        if item.pos not in self._flagged and item.flagged:
            self._flagged.add(item.pos)
            if item.example_id:
                self._flagged_by_id[item.example_id] += 1

    def has_id(self, eid: str) -> bool:
        return eid in self._ids

    def counts(self) -> dict[str, int]:
        """Records and decisions. `flagged` counts records as lint's summary does; `remaining` the
        flagged ones not yet accepted or rejected that a reviewer can decide; `unreadable` the
        flagged ones that are not examples (no decision applies: fix them in the file)."""
        decided = {k: v for k, v in self.journal.decisions().items() if k in self._ids}
        by_id = self._flagged_by_id
        settled = sum(by_id[k] for k, v in decided.items() if v in ("accept", "reject") and k in by_id)
        return {
            "total": len(self.items),
            "flagged": len(self._flagged),
            "accepted": sum(1 for v in decided.values() if v == "accept"),
            "rejected": sum(1 for v in decided.values() if v == "reject"),
            "skipped": sum(1 for v in decided.values() if v == "skip"),
            "remaining": sum(by_id.values()) - settled,
            "unreadable": len(self._flagged) - sum(by_id.values()),
        }
