"""A file's conventions: the same finding on (nearly) every example is how the file is written.

A file whose 384 tool calls all pass arguments as objects, or whose records all carry an `id`
key, breaks a rule the same way everywhere: that is one fact about the file, fixed once (by a
conversion), not 384 defects; reported per record it buries everything else and makes `export`
drop the whole file. The findings of convention rules (catalogue: `convention = true`) are held
per (code, message) until the file ends; a group that covers at least the rule's
`convention_share` of the examples (95% by default; a house style such as a support bot's closing
line at 20%) and `MIN_EXAMPLES` of them becomes one file-level finding with the count and the first lines,
and the others go back to their records. S029 (no system prompt) is always a fact about the file,
reported only when some examples have a system prompt and others do not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sftlint.catalogue import catalogue
from sftlint.findings import Finding

MIN_EXAMPLES = 10
ALWAYS_FILE_LEVEL = frozenset({"S029"})
HELD_PER_GROUP = 100_000
"""Past this many in one group, only the count is kept (the group is a convention by then)."""


@dataclass
class _Group:
    first: Finding
    count: int = 0
    last: tuple[int | None, str | None] | None = None
    held: list[Finding] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


class Conventions:
    def __init__(self, enabled: bool = True) -> None:
        rules = catalogue()
        self.codes = frozenset(c for c, r in rules.items() if r.convention) if enabled else frozenset()
        self.share = {c: rules[c].convention_share for c in self.codes}
        self.groups: dict[tuple[str, str], _Group] = {}

    def take(self, findings: list[Finding]) -> list[Finding]:
        """Hold the findings of convention rules; return the others."""
        if not findings or not any(f.code in self.codes for f in findings):
            return findings
        kept = []
        for f in findings:
            if f.code not in self.codes:
                kept.append(f)
                continue
            key = (f.code, f.message.casefold())  # "Don't hesitate" and "don't hesitate" are one habit
            group = self.groups.get(key)
            if group is None:
                group = self.groups[key] = _Group(f)
            # a record counts once, however many messages; by line and id, since the records of a
            # JSON array written on one line share their line
            if group.count == 0 or group.last != (f.line, f.example_id):
                group.count += 1
                group.last = (f.line, f.example_id)
                if len(group.lines) < 3:
                    group.lines.append(f.line)
            if len(group.held) < HELD_PER_GROUP:
                group.held.append(f)
        return kept

    def settle(self, examples: int) -> tuple[list[Finding], list[Finding]]:
        """(file-level findings, per-record findings given back) once the file has been read."""
        file_level, per_record = [], []
        for (code, _key), group in self.groups.items():
            message = group.first.message
            if code == "S029" and group.count >= examples:
                continue  # no example has one: how the file is written (Alpaca has no system slot), nothing to fix
            if code in ALWAYS_FILE_LEVEL or (group.count >= MIN_EXAMPLES and group.count >= self.share[code] * examples):
                lines = ", ".join(str(n) for n in group.lines) + (" …" if group.count > len(group.lines) else "")
                f = group.first
                if code == "S029":
                    text = (f"system prompt in {examples - group.count:,} of {examples:,} examples "
                            f"(none on lines {lines})")
                else:
                    text = f"{message}: {group.count:,} of {examples:,} examples (lines {lines})"
                file_level.append(Finding(code, f.severity, text, f.path))
                continue
            per_record += group.held
        self.groups.clear()
        return file_level, per_record
