"""`--statistics`: how many findings each rule has, most first, instead of the findings (as ruff)."""

from __future__ import annotations

import click
import orjson

from sftlint.catalogue import catalogue
from sftlint.lint import LintResult

SEVERITY_COLOR = {"error": "red", "warning": "yellow", "info": "cyan"}


def counts(result: LintResult) -> list[dict]:
    """[{code, name, severity, count}] of the findings not waived, most frequent first."""
    rules = catalogue()
    tally = result.counts.by_code
    return [{"code": code, "name": rules[code].name, "severity": rules[code].severity, "count": n}
            for code, n in sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))]


def render(result: LintResult, *, json: bool, color: bool) -> str:
    rows = counts(result)
    if json:
        return orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode()
    width = max((len(f"{r['count']:,}") for r in rows), default=1)
    lines = []
    for r in rows:
        code = click.style(r["code"], fg=SEVERITY_COLOR[r["severity"]], bold=True) if color else r["code"]
        lines.append(f"{r['count']:>{width},}  {code}  {r['name']:<30} [{r['severity']}]")
    return "\n".join(lines)
