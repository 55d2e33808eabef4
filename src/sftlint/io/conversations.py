"""One way to read a file's examples as conversations: read -> parse -> adapt.

The engine, training, evaluation and the duplicate checks' re-reads all go through
`iter_conversations`; each decides what a record that is not a conversation means for it.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

from sftlint.catalogue import Profile
from sftlint.io.formats import MAPPED, adapt, detect_format, record_format
from sftlint.io.reader import InputError, Problem, Record, parse_line, read
from sftlint.schema import Conversation

SNIFF_RECORDS = 50
DEFAULT_MAX_LINE_BYTES = 16 << 20


@dataclass(slots=True)
class Read:
    """One record of a file: its position, its parsed value, and the conversation it is (None,
    with why, when it is not one)."""

    record: Record
    value: Any
    conversation: Conversation | None
    problem: str | None = None


def value_of(record: Record) -> tuple[Any, Problem | None]:
    """A record's JSON value (JSON Lines records arrive as bytes and are parsed here)."""
    if record.raw is None:
        return record.value, None
    return parse_line(record.raw, record.line, record.last_without_newline)


def sniff_format(records: Iterable[Record | Problem], limit: int = SNIFF_RECORDS) -> str | None:
    """The format of a file from its first records (the majority of those in a known format)."""
    head = []
    for item in records:
        if not isinstance(item, Record):
            continue
        value, problem = value_of(item)
        if problem is None and record_format(value):
            head.append(value)
        if len(head) >= limit:
            break
    return detect_format(head)


DETECT = "detect"
"""`fmt` to detect the format from the file's first records."""


class Opened:
    """A file read once: its format found from the first records, which are kept (`head`) and read
    again from memory, not from the file (`items` is every record and problem, in order)."""

    def __init__(self, path: Path, max_line_bytes: int, fmt: str | None = DETECT) -> None:
        self._reader = read(path, max_line_bytes)
        self.head: list[Record | Problem] = []
        self.items: Iterator[Record | Problem] = self._reader
        if fmt == DETECT:
            self.fill_head()
            fmt = sniff_format(self.head)
        self.format = fmt

    def fill_head(self) -> None:
        """Read the first records into `head` (detection does; a fixed format reads them when asked)."""
        if self.head:
            return
        records = 0
        for item in self._reader:
            self.head.append(item)
            if isinstance(item, Record):
                records += 1
                if records >= SNIFF_RECORDS:
                    break
        self.items = chain(self.head, self._reader)

    def close(self) -> None:
        self._reader.close()


def check_mapping(opened: Opened, mapping, shown: str) -> None:
    """A mapping whose key none of the file's first records has is a mistake in the config, not
    in the data: stop with the key named (exit 2) rather than report every record."""
    opened.fill_head()
    values = [v for item in opened.head if isinstance(item, Record) for v in [value_of(item)[0]] if isinstance(v, dict)]
    if values and not any(mapping.anchor in v for v in values):
        keys = sorted({str(k) for v in values for k in v})[:10]
        which = "turns" if mapping.turns else "prompt"
        opened.close()
        raise InputError(f"{shown}: mapping.{which} = {mapping.anchor!r}: none of the first {len(values)} records has "
                         f"that key (they have: {', '.join(keys)})")


def iter_conversations(path: Path, profile: Profile, fmt: str | None = DETECT,
                       max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
                       offsets: Container[int] | None = None) -> Iterator[Read]:
    """Every record of `path` (or only those at the byte `offsets` given) in file order, adapted to
    a conversation in format `fmt` (default: detected from the file's first records); one read."""
    if fmt == DETECT and profile.mapping is not None:
        fmt = MAPPED
    opened = Opened(path, max_line_bytes, fmt)
    try:
        for item in opened.items:
            if not isinstance(item, Record) or (offsets is not None and item.offset not in offsets):
                continue
            value, problem = value_of(item)
            if problem is not None:
                yield Read(item, None, None, problem.message)
                continue
            conv, issues = adapt(value, opened.format, profile)
            yield Read(item, value, conv, None if conv is not None else (issues[0].message if issues else "not an example"))
    finally:
        opened.close()
