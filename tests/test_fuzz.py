"""Hostile input never produces a traceback: random bytes, cut JSON, bad UTF-8, deep nesting."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import assert_no_crash, run_cli
from rule_cases import OK, jl

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def lint_bytes(tmp_path, data: bytes, name: str = "f.jsonl"):
    (tmp_path / name).write_bytes(data)
    result = run_cli("lint", name, cwd=tmp_path)
    assert_no_crash(result)
    assert result.exit_code in (1, 2), (data[:200], result.stdout)
    return result


@FUZZ
@given(data=st.binary(max_size=2000), name=st.sampled_from(["f.jsonl", "f.json", "f.jsonl.gz", "f.parquet"]))
def test_random_bytes(tmp_path, data, name):
    lint_bytes(tmp_path, data, name)


@FUZZ
@given(cut=st.integers(min_value=1, max_value=len(jl(OK)) - 2))
def test_truncated_json(tmp_path, cut):
    lint_bytes(tmp_path, jl(OK)[:cut])


@FUZZ
@given(data=st.binary(min_size=1, max_size=30), where=st.integers(min_value=0, max_value=60))
def test_invalid_utf8_inside_a_valid_line(tmp_path, data, where):
    line = jl(OK)
    spliced = line[:where] + b"\xff" + data + line[where:]
    lint_bytes(tmp_path, spliced)


@FUZZ
@given(depth=st.integers(min_value=100, max_value=100_000), opener=st.sampled_from(["[", '{"a":']))
def test_deeply_nested_json(tmp_path, depth, opener):
    closer = "]" if opener == "[" else "}"
    doc = (opener * depth + closer * depth).encode()
    lint_bytes(tmp_path, doc + b"\n")
    lint_bytes(tmp_path, doc, "f.json")


@FUZZ
@given(value=st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["messages", "role", "content", "tool_calls", "weight", "conversations", "from", "value",
                         "instruction", "output", "function", "arguments", "id", "type", "text", "tools"]),
        inner, max_size=5),
    max_leaves=30))
def test_random_json_shapes(tmp_path, value):
    """Any JSON value in any place: findings or a clean pass, never a crash."""
    (tmp_path / "f.jsonl").write_text(json.dumps(value) + "\n")
    result = run_cli("lint", "f.jsonl", cwd=tmp_path)
    assert_no_crash(result)
    assert result.exit_code in (0, 1, 2)
