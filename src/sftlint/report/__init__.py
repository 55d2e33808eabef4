"""One reporter per output format. Each takes a LintResult and returns the text to print."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sftlint.findings import Finding

if TYPE_CHECKING:
    from sftlint.lint import LintResult

FORMATS = ("text", "json", "github", "sarif")


def render(fmt: str, result: LintResult, *, statistics: bool, color: bool, show_waived: bool = False) -> Iterator[str]:
    """The report in `fmt`, as pieces of text to write one after another (a report of millions of
    findings is never held whole); with `statistics`, only the count of findings per rule (as ruff's
    --statistics: a table, or a JSON array with the json format)."""
    if statistics:
        from sftlint.report.statistics import render as stats

        return iter([stats(result, json=fmt == "json", color=color)])
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
    c = result.counts
    return {
        "files": len(result.files),
        "examples": sum(r.examples for r in result.files),
        "records": sum(r.records for r in result.files),
        "findings": c.findings,
        "errors": c.by_severity["error"],
        "warnings": c.by_severity["warning"],
        "info": c.by_severity["info"],
        "waived": c.waived,
        "flagged_examples": c.flagged,
        "by_code": dict(sorted(c.by_code.items())),
        "files_not_read": len(result.errors),
    }


def visible_findings(result: LintResult, show_waived: bool) -> Iterator[Finding]:
    return (f for f in result.findings if show_waived or not f.waived)
