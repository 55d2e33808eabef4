"""Input the reader must survive: every container format, bad bytes, and paths that are not files."""

from __future__ import annotations

import gzip
import json

import orjson
import pytest

from conftest import assert_no_crash, run_cli
from rule_cases import OK, SYS, A, Q, conv, jl, oks


def findings(tmp_path, name: str, data: bytes, *args: str):
    (tmp_path / name).write_bytes(data)
    result = run_cli("lint", name, "--output-format", "json", *args, cwd=tmp_path)
    assert_no_crash(result)
    return result, orjson.loads(result.stdout) if result.stdout.strip() else None


def test_gzip_jsonl_is_read(tmp_path):
    result, doc = findings(tmp_path, "a.jsonl.gz", gzip.compress(jl(OK, conv(SYS, A))))
    assert doc["files"][0]["examples"] == 2
    assert [(f["code"], f["line"]) for f in doc["findings"] if f["code"] == "S021"] == [("S021", 2)]


def test_json_array_reports_each_elements_line(tmp_path):
    text = "[\n" + ",\n".join(json.dumps(x, indent=2) for x in (OK, conv(SYS, A), OK)) + "\n]\n"
    result, doc = findings(tmp_path, "a.json", text.encode())
    assert doc["files"][0]["examples"] == 3
    second_line = 1 + text[: text.index(json.dumps(conv(SYS, A), indent=2))].count("\n")
    assert [f["line"] for f in doc["findings"] if f["code"] == "S021"] == [second_line]


def test_single_object_json_is_one_example(tmp_path):
    sharegpt = {"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello!"}]}
    result, doc = findings(tmp_path, "one.json", json.dumps(sharegpt, indent=1).encode(), "--ignore", "S028")
    assert doc["files"][0] == {"path": "one.json", "format": "sharegpt", "records": 1, "examples": 1}


def test_jsonl_named_json_falls_back_to_lines(tmp_path):
    result, doc = findings(tmp_path, "lines.json", jl(OK, conv(SYS, A)), "--ignore", "S028")
    assert doc["files"][0]["examples"] == 2
    assert [(f["code"], f["line"]) for f in doc["findings"]] == [("S021", 2)]


def test_broken_json_array_is_reported_not_raised(tmp_path):
    result, doc = findings(tmp_path, "a.json", b'[{"messages": [{"role": "user", "content": "hi"}]},\n {"messages": [')
    codes = {f["code"] for f in doc["findings"]}
    assert codes & {"S001", "S007"}
    assert result.exit_code == 1


def test_parquet_rows_are_examples(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    rows = [OK, conv(SYS, Q, ("assistant", {"content": "Weekly.", "weight": 1})), conv(SYS, A)]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "a.parquet")
    result = run_cli("lint", "a.parquet", "--output-format", "json", "--ignore", "S028,D", cwd=tmp_path)
    assert_no_crash(result)
    doc = orjson.loads(result.stdout)
    assert doc["files"][0]["examples"] == 3
    # Parquet writes absent keys as null; null means absent, so no unrecognised-key noise.
    assert [(f["code"], f["line"]) for f in doc["findings"]] == [("S021", 3)]


def test_not_parquet_with_parquet_name(tmp_path):
    result, doc = findings(tmp_path, "fake.parquet", b"not parquet at all")
    assert [f["code"] for f in doc["findings"]] == ["S009"]


def test_missing_file_and_directory_exit_2(tmp_path):
    (tmp_path / "ok.jsonl").write_bytes(jl(*oks(10)))
    (tmp_path / "folder").mkdir()
    missing = run_cli("lint", "nope.jsonl", cwd=tmp_path)
    assert missing.exit_code == 2 and "nope.jsonl: no such file" in missing.stderr
    assert "All checks passed" not in missing.stdout and "1 path(s) could not be read" in missing.stdout
    assert "note:" not in missing.stderr  # nothing was counted: no word about which tokenizer counted it
    folder = run_cli("lint", "folder", "ok.jsonl", cwd=tmp_path)
    assert folder.exit_code == 2 and "is a directory" in folder.stderr
    # the readable file is still checked, and machines see what was not read
    doc = orjson.loads(run_cli("lint", "nope.jsonl", "ok.jsonl", "--output-format", "json", cwd=tmp_path).stdout)
    assert doc["summary"]["examples"] == 10 and doc["summary"]["files_not_read"] == 1
    assert doc["file_errors"] == ["nope.jsonl: no such file"]


def test_long_line_is_skipped_without_loading_it(tmp_path):
    """A line over the limit is reported and skipped; the lines after it are still checked."""
    (tmp_path / "sftlint.toml").write_text("[rules.S006]\nmax-line-bytes = 1000\n")
    big = orjson.dumps(conv(SYS, Q, ("assistant", "z" * 5_000)))
    result, doc = findings(tmp_path, "a.jsonl", jl(OK, big, conv(SYS, A)), "--ignore", "S028")
    assert [(f["code"], f["line"]) for f in doc["findings"]] == [("S006", 2), ("S021", 3)]


def test_input_file_is_never_modified(tmp_path):
    data = b"\xef\xbb\xbf" + jl(OK, conv(SYS, A)).replace(b"\n", b"\r\n") + b"\n{broken"
    path = tmp_path / "a.jsonl"
    path.write_bytes(data)
    before = path.stat().st_mtime_ns
    run_cli("lint", "a.jsonl", cwd=tmp_path)
    assert path.read_bytes() == data and path.stat().st_mtime_ns == before


def test_every_problem_in_one_run(tmp_path):
    data = jl(OK, b"{bad json", conv(SYS, A), b"\xff\xfe", conv(Q, SYS, A)) + b"\n" + b'{"messages": [{"ro'
    result, doc = findings(tmp_path, "a.jsonl", data, "--ignore", "S028,S029,D")
    got = [(f["code"], f["line"]) for f in doc["findings"]]
    assert got == [("S001", 2), ("S021", 3), ("S002", 4), ("S018", 5), ("S005", 6), ("S007", 7)]


def test_large_file_in_parallel_gives_the_same_findings_as_one_process(tmp_path):
    """Files over the parallel threshold are cut into chunks; line numbers must not drift."""
    from sftlint.lint import PARALLEL_MIN_BYTES

    good = orjson.dumps(conv(SYS, Q, ("assistant", "Oil it every week. " * 40))) + b"\n"
    lines = []
    n = PARALLEL_MIN_BYTES // len(good) * 3
    rejected = conv(SYS, Q, ("assistant", "Rejected in review."))
    for i in range(n):
        if i == n - 5:
            lines.append(orjson.dumps(rejected) + b"\n")
        elif i % 997 == 0:
            lines.append(b"{oops\n")
        elif i % 1499 == 0:
            lines.append(b"\r\n")
        else:
            lines.append(good)
    (tmp_path / "big.jsonl").write_bytes(b"".join(lines))
    from rule_cases import eid
    from sftlint.journal import Journal, default_path

    Journal(default_path(tmp_path / "big.jsonl"), reviewer="ana").record(eid(rejected), "reject")
    one = run_cli("lint", "big.jsonl", "-j", "1", "--output-format", "json", cwd=tmp_path)
    two = run_cli("lint", "big.jsonl", "-j", "2", "--output-format", "json", cwd=tmp_path)
    assert orjson.loads(one.stdout)["findings"] == orjson.loads(two.stdout)["findings"]
    flagged = [(f["code"], f["line"]) for f in orjson.loads(two.stdout)["findings"]]
    assert ("S001", 998) in flagged and ("S005", 1500) in flagged and ("S004", 1500) in flagged
    assert ("Q001", n - 4) in flagged
