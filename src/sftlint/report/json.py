"""One JSON object: version, files, findings, summary. Stable keys for machines."""

from __future__ import annotations

import orjson

from sftlint import __version__
from sftlint.catalogue import catalogue
from sftlint.lint import LintResult
from sftlint.report import summary, visible_findings


def render(result: LintResult, *, color: bool, show_waived: bool = False) -> str:
    rules = catalogue()
    findings = []
    for f in visible_findings(result, show_waived):
        d = f.to_dict()
        d["name"] = rules[f.code].name
        d["fix"] = rules[f.code].fix
        d["waived"] = f.waived
        findings.append(d)
    doc = {
        "version": __version__,
        "files": [{"path": r.path, "format": r.format, "records": r.records, "examples": r.examples} for r in result.files],
        "findings": findings,
        "summary": summary(result),
        "tokenizer": result.tokenizer,
        "notices": result.notices,
        "file_errors": result.errors,
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode()
