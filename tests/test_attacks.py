"""Promises under attack (the reliability issue): one record or one flag never loses the run, and
sftlint's own failure is told apart from findings. Each test failed before its fix."""

from __future__ import annotations

import subprocess
import sys

import orjson
import pytest

from conftest import run_cli
from rule_cases import OK, conv, jl
from sftlint import checks

GOOD = [{**OK, "n": i} for i in range(40)]


def lint(tmp_path, *args):
    return run_cli("lint", "a.jsonl", "--output-format", "json", "--encoding", "cl100k_base", *args, cwd=tmp_path)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_value_nested_near_the_parsers_limit_is_checked_like_any_record(tmp_path, jobs):
    deep = b'{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}], "meta": ' \
           + b"[" * 1000 + b"]" * 1000 + b"}"
    (tmp_path / "a.jsonl").write_bytes(jl(*GOOD[:20]) + deep + b"\n" + jl(*GOOD[20:], conv(("user", "Hi"), ("assistant", ""))))
    result = lint(tmp_path, "--jobs", jobs)
    doc = orjson.loads(result.stdout)
    assert doc["files"][0]["records"] == 42 and doc["files"][0]["examples"] == 42
    assert ("S022", 42) in {(f["code"], f["line"]) for f in doc["findings"]}  # the records after it: still checked
    assert not [f for f in doc["findings"] if f["code"] == "S034"]
    exported = run_cli("export", "a.jsonl", "-o", "out", "--encoding", "cl100k_base", cwd=tmp_path)
    assert exported.exit_code == 0 and b'"meta":[[[[' in (tmp_path / "out" / "train.jsonl").read_bytes()


def test_a_content_part_whose_type_is_a_list_is_a_finding_not_a_crash(tmp_path):
    odd = conv(("user", [{"type": ["text"], "text": "Hi"}]), ("assistant", "Hello."))
    (tmp_path / "a.jsonl").write_bytes(jl(*GOOD, odd))
    found = {(f["code"], f["line"]) for f in orjson.loads(lint(tmp_path, "--jobs", "1").stdout)["findings"]}
    assert ("S027", 41) in found and not any(code == "S034" for code, _ in found)


def test_a_rule_that_fails_on_one_record_is_reported_there_and_the_run_exits_2(tmp_path, monkeypatch):
    def broken(conv_, ctx):
        if "boom" in (conv_.messages[-1].content or ""):
            raise ValueError("boom")
        return iter(())

    monkeypatch.setitem(checks.EXAMPLE_CHECKS, "Q005", broken)
    (tmp_path / "a.jsonl").write_bytes(jl(*GOOD, conv(("user", "Hi"), ("assistant", "boom")), conv(("user", "Yo"), ("assistant", ""))))
    result = lint(tmp_path, "--jobs", "1")
    assert result.exit_code == 2  # sftlint failed: not 1, which means findings
    found = orjson.loads(result.stdout)["findings"]
    internal = [f for f in found if f["code"] == "S034"]
    assert [f["line"] for f in internal] == [41] and "rule Q005: ValueError: boom" in internal[0]["message"]
    assert ("S022", 42) in {(f["code"], f["line"]) for f in found}  # the record after it: still checked


def test_an_unexpected_failure_exits_2_and_says_it_is_a_bug(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(jl(*GOOD))
    code = ("import sys, sftlint.lint.engine as e\n"
            "def boom(*a, **k): raise RuntimeError('unexpected')\n"
            "e.Engine.run = boom\n"
            "from sftlint.cli import main\n"
            "sys.argv = ['sftlint', 'lint', 'a.jsonl']\n"
            "main()\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2
    assert "internal error: RuntimeError: unexpected" in done.stderr and "Traceback" not in done.stderr
