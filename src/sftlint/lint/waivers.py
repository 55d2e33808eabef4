"""Review decisions applied to findings once checking is done, as a pass of their own.

Findings on an example a reviewer accepted are kept but waived (shown with --show-waived, the way
detect-secrets treats an audited baseline); an example rejected in review that is still in the
file is reported as Q001. Checks never see decisions: the same example gets the same findings
whatever the journal says, and workers do not load it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from sftlint.findings import Finding
from sftlint.journal import Entry, Journal, unmatched_warning


class Waivers:
    def __init__(self, journal: Path | None) -> None:
        self.accepted: set[str] = set()
        self.rejected: dict[str, Entry] = {}
        self.decided: set[str] = set()
        """Every example with a decision in force, skips too (as export and review count them)."""
        self.warnings: list[str] = []
        if journal is None:
            return
        loaded = Journal(journal)
        self.warnings = loaded.warnings
        for eid in loaded.history:
            entry = loaded.state(eid)
            if entry is None:
                continue
            self.decided.add(eid)
            if entry.decision == "accept":
                self.accepted.add(eid)
            elif entry.decision == "reject":
                self.rejected[eid] = entry

    def unmatched(self, journal: Path | None, shown: str, seen: bool) -> list[str]:
        """The journal-mismatch warning when the journal holds decisions and none is about an
        example of this file (`seen`: whether any was)."""
        if journal is None or seen or not self.decided:
            return []
        return [unmatched_warning(journal, len(self.decided), shown)]

    def waive(self, findings: Iterable[Finding]) -> None:
        """Mark the findings of accepted examples as waived."""
        if not self.accepted:
            return
        for f in findings:
            if f.example_id in self.accepted:
                f.waived = True

    def rejected_still_here(self, table: np.ndarray, finding) -> list[Finding]:
        """Q001 for each example of the corpus table that a reviewer rejected; `finding(line, eid,
        message)` makes the finding."""
        if not self.rejected or not len(table):
            return []
        wanted = {int(eid, 16): eid for eid in self.rejected}
        out = []
        for line, eid in zip(table["line"].tolist(), table["eid"].tolist(), strict=True):
            if eid in wanted:
                entry = self.rejected[wanted[eid]]
                note = f": {entry.note}" if entry.note else ""
                out.append(finding(line, wanted[eid], f"rejected in review by {entry.reviewer} at {entry.time}{note}"))
        return out
