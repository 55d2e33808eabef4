"""One reporter per output format. Each takes a LintResult and returns the text to print."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from sftlint.findings import Finding, flags_record

if TYPE_CHECKING:
    from sftlint.lint import LintResult

FORMATS = ("text", "json", "github", "sarif")


def render(fmt: str, result: LintResult, *, statistics: bool, color: bool, show_waived: bool = False) -> str:
    """The report in `fmt`; with `statistics`, only the count of findings per rule (as ruff's
    --statistics: a table, or a JSON array with the json format)."""
    if statistics:
        from sftlint.report.statistics import render as stats

        return stats(result, json=fmt == "json", color=color)
    if fmt == "json":
        from sftlint.report.json import render as r
    elif fmt == "github":
        from sftlint.report.github import render as r
    elif fmt == "sarif":
        from sftlint.report.sarif import render as r
    else:
        from sftlint.report.text import render as r
    return r(result, color=color, show_waived=show_waived)


def summary(result: LintResult) -> dict:
    active = [f for f in result.findings if not f.waived]
    by_severity = Counter(f.severity for f in active)
    return {
        "files": len(result.files),
        "examples": sum(r.examples for r in result.files),
        "records": sum(r.records for r in result.files),
        "findings": len(active),
        "errors": by_severity["error"],
        "warnings": by_severity["warning"],
        "info": by_severity["info"],
        "waived": sum(1 for f in result.findings if f.waived),
        "flagged_examples": len({(f.path, f.line) for f in active if f.line is not None and flags_record(f)}),
        "by_code": dict(sorted(Counter(f.code for f in active).items())),
        "files_not_read": len(result.errors),
    }


def visible_findings(result: LintResult, show_waived: bool) -> list[Finding]:
    return [f for f in result.findings if show_waived or not f.waived]
