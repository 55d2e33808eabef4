"""GitHub Actions workflow commands: one annotation per finding."""

from __future__ import annotations

from collections.abc import Iterator

from sftlint.catalogue import catalogue
from sftlint.escape import visible
from sftlint.lint import LintResult
from sftlint.report import visible_findings

LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    # Escape the workflow-command syntax first, then show any other control character (a CI log
    # is a terminal too).
    return visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: LintResult, *, color: bool, show_waived: bool = False) -> Iterator[str]:
    rules = catalogue()
    for f in visible_findings(result, show_waived):
        where = f"messages[{f.message_index}]: " if f.message_index is not None else ""
        props = [f"file={_prop(f.path)}"]
        if f.line is not None:
            props.append(f"line={f.line}")
        if f.col is not None:
            props.append(f"col={f.col}")
        props.append(f"title={_prop(f'{f.code} {rules[f.code].name}')}")
        yield f"::{LEVEL[f.severity]} {','.join(props)}::{_data(where + f.message)}"
