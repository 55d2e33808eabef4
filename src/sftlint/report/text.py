"""ruff-style text: `path:line:col: CODE message`, a help line, a summary. Colour only on a TTY."""

from __future__ import annotations

from collections.abc import Iterator

import click

from sftlint.catalogue import catalogue
from sftlint.escape import visible
from sftlint.lint import LintResult
from sftlint.report import summary, visible_findings

SEVERITY_COLOR = {"error": "red", "warning": "yellow", "info": "cyan"}


def render(result: LintResult, *, color: bool, show_waived: bool = False) -> Iterator[str]:
    rules = catalogue()

    def style(text: str, **kw) -> str:
        return click.style(text, **kw) if color else text

    any_shown = False
    for f in visible_findings(result, show_waived):
        any_shown = True
        where = f"{visible(f.path)}:{f.line or 1}:{f.col or 1}:"
        loc = f"messages[{f.message_index}]: " if f.message_index is not None else ""
        waived = " (waived)" if f.waived else ""
        yield (f"{style(where, bold=True)} {style(f.code, fg=SEVERITY_COLOR[f.severity], bold=True)} "
               f"{loc}{visible(f.message)}{waived}")
        yield f"  {style('help:', fg='cyan')} {rules[f.code].fix}"
    s = summary(result)
    if any_shown:
        yield ""
    not_read = f" {s['files_not_read']} path(s) could not be read (see the errors)." if s["files_not_read"] else ""
    if s["findings"] == 0:
        yield (f"No findings in {s['examples']:,} examples in {s['files']} file(s).{not_read}" if not_read else
               style(f"All checks passed: {s['examples']:,} examples in {s['files']} file(s).", fg="green"))
    else:
        parts = [f"{s['errors']:,} error(s)", f"{s['warnings']:,} warning(s)", f"{s['info']:,} note(s)"]
        yield (f"Found {', '.join(parts)}; {s['flagged_examples']:,} of {s['records']:,} record(s) flagged "
               f"in {s['files']} file(s).{not_read}")
    if s["waived"]:
        yield f"{s['waived']:,} finding(s) waived by review decisions" + ("" if show_waived else " (--show-waived)") + "."
