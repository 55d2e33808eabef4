"""The decisions journal: an append-only JSONL sidecar next to the data.

One line per decision: `id` (example id), `decision` (accept | reject | skip | undo), `reviewer`,
`time`, `codes` (rule codes seen), optional `note`, `replacement` (an edited example, in OpenAI
format) and `line` (informational). The last effective line per id wins; `undo` cancels its
reviewer's latest effective decision on that id. Each append takes an exclusive lock, picks up lines other
reviewers appended since, writes one whole line and fsyncs before returning, so a decision is on
disk the moment the key is pressed and two processes never interleave partial lines. A torn line
(a crash mid-write) is skipped with a warning, and the next append starts on a fresh line.

The sidecar is named `<data file>.sftlint-journal`, which a `\\.jsonl$` pre-commit pattern does
not match, and is plain text to commit and diff in git next to the data.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from sftlint.jsonvalues import dumps

DECISIONS = ("accept", "reject", "skip", "undo")
SUFFIX = ".sftlint-journal"


def default_path(data: Path) -> Path:
    return data.with_name(data.name + SUFFIX)


def default_reviewer() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return os.environ.get("USER", "reviewer")


@dataclass(slots=True)
class Entry:
    id: str
    decision: str
    reviewer: str
    time: str
    codes: list[str] = field(default_factory=list)
    note: str | None = None
    replacement: dict[str, Any] | None = None
    line: int | None = None
    undone: bool = False

    def to_json(self) -> bytes:
        d: dict[str, Any] = {"id": self.id, "decision": self.decision, "reviewer": self.reviewer, "time": self.time,
                             "codes": self.codes}
        if self.note:
            d["note"] = self.note
        if self.replacement is not None:
            d["replacement"] = self.replacement
        if self.line is not None:
            d["line"] = self.line
        return dumps(d)

    @classmethod
    def from_json(cls, data: Any) -> Entry | None:
        if not isinstance(data, dict):
            return None
        eid, decision = data.get("id"), data.get("decision")
        if not isinstance(eid, str) or decision not in DECISIONS:
            return None
        codes = data.get("codes") or []
        return cls(eid, decision, str(data.get("reviewer") or ""), str(data.get("time") or ""),
                   [c for c in codes if isinstance(c, str)] if isinstance(codes, list) else [],
                   data.get("note") if isinstance(data.get("note"), str) else None,
                   data.get("replacement") if isinstance(data.get("replacement"), dict) else None,
                   data.get("line") if isinstance(data.get("line"), int) else None)


class Journal:
    def __init__(self, path: Path, reviewer: str | None = None) -> None:
        self.path = Path(path)
        self.reviewer = reviewer or default_reviewer()
        self.history: dict[str, list[Entry]] = {}
        self.order: list[Entry] = []
        self.warnings: list[str] = []
        self._offset = 0
        self._line_no = 0
        try:
            with open(self.path, "rb") as fh:
                self._refresh(fh)
        except FileNotFoundError:
            pass

    # -- reading -----------------------------------------------------------------------------

    def _refresh(self, fh) -> None:
        """Replay lines appended since the last read (by us or by another reviewer)."""
        fh.seek(self._offset)
        data = fh.read()
        if not data:
            return
        complete = data[: data.rfind(b"\n") + 1]
        for raw in complete.splitlines():
            self._line_no += 1
            try:
                entry = Entry.from_json(orjson.loads(raw)) if raw.strip() else None
            except orjson.JSONDecodeError:
                entry = None
            if entry is None:
                if raw.strip():
                    self.warnings.append(f"{self.path}:{self._line_no}: unreadable journal line ignored")
                continue
            self._apply(entry)
        self._offset += len(complete)
        if len(complete) < len(data):
            self.warnings.append(f"{self.path}:{self._line_no + 1}: torn last line (interrupted write) ignored")

    def _apply(self, entry: Entry) -> None:
        stack = self.history.setdefault(entry.id, [])
        if entry.decision == "undo":
            # an undo cancels its own reviewer's latest decision on the example, never another
            # reviewer's that landed in between
            for previous in reversed(stack):
                if not previous.undone and previous.reviewer == entry.reviewer:
                    previous.undone = True
                    break
            return
        stack.append(entry)
        self.order.append(entry)

    def state(self, eid: str) -> Entry | None:
        """The decision in force for an example, or None if it has none."""
        for entry in reversed(self.history.get(eid, ())):
            if not entry.undone:
                return entry
        return None

    def decisions(self) -> dict[str, str]:
        """Example id -> decision in force, for every decided example."""
        out = {}
        for eid in self.history:
            entry = self.state(eid)
            if entry is not None:
                out[eid] = entry.decision
        return out

    def counts(self) -> dict[str, int]:
        counts = {"accept": 0, "reject": 0, "skip": 0}
        for decision in self.decisions().values():
            counts[decision] += 1
        return counts

    # -- writing -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[Any]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        with os.fdopen(fd, "r+b", buffering=0) as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield fh
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _write(self, entry: Entry) -> Entry:
        with self._locked() as fh:
            self._refresh(fh)
            self._append(fh, entry)
        return entry

    def _append(self, fh, entry: Entry) -> None:
        """Write one entry; the caller holds the lock and has read what others appended."""
        data = entry.to_json() + b"\n"
        size = os.fstat(fh.fileno()).st_size
        if size > self._offset:  # a torn line at the end: start ours on a fresh line
            data = b"\n" + data
        fh.write(data)
        os.fsync(fh.fileno())
        self._offset = size + len(data)
        self._line_no += data.count(b"\n")
        self._apply(entry)

    def record(self, eid: str, decision: str, codes: list[str] | None = None, *, note: str | None = None,
               replacement: dict[str, Any] | None = None, line: int | None = None) -> Entry:
        if decision not in DECISIONS or decision == "undo":
            raise ValueError(f"decision must be accept, reject or skip, not {decision!r}")
        return self._write(Entry(eid, decision, self.reviewer, _now(), sorted(set(codes or [])), note, replacement, line))

    def undo(self) -> Entry | None:
        """Cancel this reviewer's latest decision still in force; returns the entry undone. The
        choice and the write happen under one lock, so a decision another reviewer appends in
        between is seen first."""
        with self._locked() as fh:
            self._refresh(fh)
            for entry in reversed(self.order):
                if not entry.undone and entry.reviewer == self.reviewer and self.state(entry.id) is entry:
                    self._append(fh, Entry(entry.id, "undo", self.reviewer, _now(), entry.codes, line=entry.line))
                    return entry
        return None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def unmatched_warning(journal: Path, decisions: int, data: str) -> str:
    """What lint, export and review say when none of a journal's decisions is about an example of
    the file: a journal written for another file, or for the file before every example was edited,
    would otherwise be ignored without a word."""
    return (f"{journal}: none of its {decisions:,} decision(s) is about an example in {data}; "
            f"was it written for another file (or before the examples were edited)?")


def load_decisions(path: Path) -> dict[str, Entry]:
    """Example id -> the entry in force, read once (for lint and export)."""
    journal = Journal(path)
    return {eid: e for eid in journal.history if (e := journal.state(eid)) is not None}
