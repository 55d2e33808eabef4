"""One JSON object: version, files, findings, summary. Stable keys for machines."""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from sftlint import __version__
from sftlint.catalogue import catalogue
from sftlint.lint import LintResult
from sftlint.report import summary, visible_findings

_SLOT = "\x00findings\x00"


def render(result: LintResult, *, color: bool, show_waived: bool = False) -> Iterator[str]:
    rules = catalogue()
    doc = {
        "version": __version__,
        "files": [{"path": r.path, "format": r.format, "records": r.records, "examples": r.examples} for r in result.files],
        "findings": _SLOT,
        "summary": summary(result),
        "tokenizer": result.tokenizer,
        "notices": result.notices,
        "file_errors": result.errors,
    }
    # the document is written around its findings, which are written one at a time (a report of
    # millions of findings is never held whole)
    head, tail = orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode().split(orjson.dumps(_SLOT).decode(), 1)
    held = None
    for f in visible_findings(result, show_waived):
        d = f.to_dict()
        d["name"] = rules[f.code].name
        d["fix"] = rules[f.code].fix
        d["waived"] = f.waived
        body = "    " + orjson.dumps(d, option=orjson.OPT_INDENT_2).decode().replace("\n", "\n    ")
        if held is None:
            yield head + "["
        else:
            yield held + ","
        held = body
    if held is None:
        yield head + "[]" + tail
    else:
        yield held
        yield "  ]" + tail
