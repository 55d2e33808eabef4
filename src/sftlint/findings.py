"""A finding: one problem with one example (or file), and where it is."""

from __future__ import annotations

from dataclasses import dataclass, field

from sftlint.catalogue import SEVERITY_RANK, catalogue


@dataclass(slots=True)
class Finding:
    code: str
    severity: str
    message: str
    path: str
    line: int | None = None
    col: int | None = None
    message_index: int | None = None
    span: tuple[int, int] | None = None
    example_id: str | None = None
    related: list[str] = field(default_factory=list)
    """Ids of the other examples involved (duplicates, conflicts, leaks)."""
    related_lines: list[int] = field(default_factory=list)
    similarity: float | None = None
    score: float | None = None
    """The statistic a model-based rule compared with its threshold (B004: the discrepancy)."""
    waived: bool = False

    @property
    def rank(self) -> int:
        return SEVERITY_RANK[self.severity]

    def sort_key(self) -> tuple:
        return (self.path, self.line or 0, self.message_index if self.message_index is not None else -1, self.code)

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "message_index": self.message_index,
            "span": list(self.span) if self.span else None,
            "example_id": self.example_id,
            "related": self.related,
            "related_lines": self.related_lines,
            "similarity": self.similarity,
            "score": self.score,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Finding:
        """The inverse of `to_dict` (the review UI's background lint sends findings this way)."""
        span = d.get("span")
        return cls(d["code"], d["severity"], d["message"], d["path"], d.get("line"), d.get("col"), d.get("message_index"),
                   tuple(span) if span else None, d.get("example_id"), d.get("related") or [],
                   d.get("related_lines") or [], d.get("similarity"), d.get("score"))


def flags_record(f: Finding) -> bool:
    """Whether a finding flags the record it is on: a warning or an error, not waived, about a
    record (a file-level finding, such as a blank line or a BOM, flags none). Lint's summary and
    the review queue count flagged records by this one rule."""
    return not f.waived and f.severity != "info" and catalogue()[f.code].scope != "file"
