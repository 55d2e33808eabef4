"""Messages shared between the review widgets and the app."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from sftlint.findings import Finding
from sftlint.review.index import Item


@dataclass
class ItemsArrived(Message):
    """A batch of lint results from the background worker."""

    items: list[Item]


@dataclass
class LintProgress(Message):
    records: int
    fraction: float
    done: bool = False

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, LintProgress) and not message.done  # only the latest count matters


@dataclass
class LateFindings(Message):
    """Findings of the corpus checks (duplicates, leaks), which arrive after every record."""

    findings: list[Finding]
