"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from sftlint import __version__
from sftlint.catalogue import catalogue
from sftlint.lint import LintResult
from sftlint.report import visible_findings

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render(result: LintResult, *, color: bool, show_waived: bool = False) -> Iterator[str]:
    """One document; SARIF viewers read it whole, so it is built whole (the text and JSON reports
    stream)."""
    rules = catalogue()
    findings = list(visible_findings(result, show_waived))
    used = sorted({f.code for f in findings})
    index = {code: i for i, code in enumerate(used)}
    driver_rules = [
        {
            "id": code,
            "name": rules[code].name,
            "shortDescription": {"text": rules[code].summary},
            "fullDescription": {"text": rules[code].what or rules[code].summary},
            "help": {"text": f"{rules[code].why}\nFix: {rules[code].fix}"},
            "defaultConfiguration": {"level": LEVEL[rules[code].severity]},
            "properties": {"family": rules[code].family, "status": rules[code].status},
        }
        for code in used
    ]
    results = []
    for f in findings:
        region: dict = {"startLine": f.line or 1}
        if f.col:
            region["startColumn"] = f.col
        item = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": LEVEL[f.severity],
            "message": {"text": (f"messages[{f.message_index}]: " if f.message_index is not None else "") + f.message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": f.path}, "region": region}}],
        }
        if f.example_id:
            item["partialFingerprints"] = {"exampleId/v1": f.example_id}
        if f.waived:
            item["suppressions"] = [{"kind": "external", "justification": "accepted in review"}]
        results.append(item)
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "sftlint", "version": __version__,
                                "informationUri": "https://github.com/sftlint/sftlint", "rules": driver_rules}},
            "results": results,
        }],
    }
    yield orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode()
