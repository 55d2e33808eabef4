"""The decisions journal: durable, append-only, undoable across restarts, safe for two writers."""

from __future__ import annotations

import multiprocessing

import orjson

from conftest import run_cli
from rule_cases import SYS, A, Q, conv, eid, jl, oks
from sftlint.journal import Journal, default_path, load_decisions


def test_default_sidecar_is_not_matched_by_a_jsonl_pattern(tmp_path):
    import re

    path = default_path(tmp_path / "train.jsonl")
    assert path.parent == tmp_path and not re.search(r"\.jsonl$", path.name)


def test_decision_is_on_disk_when_record_returns(tmp_path):
    j = Journal(tmp_path / "j", reviewer="ana")
    j.record("abc", "reject", ["S021"], note="no question", line=4)
    line = orjson.loads((tmp_path / "j").read_bytes().splitlines()[-1])
    assert line["id"] == "abc" and line["decision"] == "reject" and line["reviewer"] == "ana"
    assert line["codes"] == ["S021"] and line["note"] == "no question" and line["time"].endswith("Z")
    assert Journal(tmp_path / "j").state("abc").decision == "reject"


def test_last_decision_wins_and_undo_walks_back_across_restarts(tmp_path):
    path = tmp_path / "j"
    j = Journal(path, reviewer="ana")
    j.record("a", "accept")
    j.record("b", "reject")
    j.record("a", "reject")
    restarted = Journal(path, reviewer="ana")
    assert restarted.decisions() == {"a": "reject", "b": "reject"}
    assert restarted.undo().id == "a"
    assert Journal(path).decisions() == {"a": "accept", "b": "reject"}
    again = Journal(path, reviewer="ana")
    assert again.undo().id == "b"
    assert again.undo().id == "a"
    assert again.undo() is None
    assert Journal(path).decisions() == {}
    assert [orjson.loads(x)["decision"] for x in path.read_bytes().splitlines()] == [
        "accept", "reject", "reject", "undo", "undo", "undo"]


def test_undo_only_touches_my_own_decisions(tmp_path):
    path = tmp_path / "j"
    Journal(path, reviewer="ana").record("a", "accept")
    Journal(path, reviewer="ben").record("b", "reject")
    assert Journal(path, reviewer="ana").undo().id == "a"
    assert Journal(path).decisions() == {"b": "reject"}


def test_torn_last_line_is_ignored_with_a_warning_and_next_append_is_clean(tmp_path):
    path = tmp_path / "j"
    Journal(path, reviewer="ana").record("a", "accept")
    with open(path, "ab") as fh:
        fh.write(b'{"id": "b", "decision": "rej')
    j = Journal(path, reviewer="ana")
    assert j.decisions() == {"a": "accept"}
    assert any("torn last line" in w for w in j.warnings)
    j.record("c", "reject")
    reread = Journal(path)
    assert reread.decisions() == {"a": "accept", "c": "reject"}
    assert any("unreadable journal line" in w for w in reread.warnings)


def _writer(path, name, n):
    j = Journal(path, reviewer=name)
    for i in range(n):
        j.record(f"{name}-{i}", "accept" if i % 2 else "reject", ["S021"], note="x" * 3000)


def test_two_reviewers_never_interleave_partial_lines(tmp_path):
    path = tmp_path / "j"
    procs = [multiprocessing.get_context("fork").Process(target=_writer, args=(path, name, 150)) for name in ("ana", "ben")]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    lines = path.read_bytes().splitlines()
    assert len(lines) == 300
    assert all(orjson.loads(line)["note"] == "x" * 3000 for line in lines)
    assert len(Journal(path).decisions()) == 300


def test_a_reviewer_sees_the_others_decisions_after_appending(tmp_path):
    path = tmp_path / "j"
    ana, ben = Journal(path, reviewer="ana"), Journal(path, reviewer="ben")
    ana.record("a", "accept")
    ben.record("b", "reject")
    assert ben.decisions() == {"a": "accept", "b": "reject"}


DATA = jl(*oks(9), conv(SYS, A), conv(Q, A))


def test_lint_waives_findings_on_accepted_examples(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(DATA)
    assert run_cli("lint", "a.jsonl", cwd=tmp_path).exit_code == 1
    Journal(default_path(tmp_path / "a.jsonl"), reviewer="ana").record(eid(conv(SYS, A)), "accept", ["S021"])
    result = run_cli("lint", "a.jsonl", cwd=tmp_path)
    assert result.exit_code == 0
    assert "S021" not in result.stdout and "1 finding(s) waived" in result.stdout
    shown = run_cli("lint", "a.jsonl", "--show-waived", cwd=tmp_path)
    assert "S021 conversation has no user message (waived)" in shown.stdout and shown.exit_code == 0
    ignored = run_cli("lint", "a.jsonl", "--no-journal", cwd=tmp_path)
    assert ignored.exit_code == 1


def test_lint_reports_rejected_examples_still_in_the_file(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(DATA)
    other = tmp_path / "decisions.log"
    Journal(other, reviewer="ana").record(eid(conv(Q, A)), "reject", note="off-topic")
    result = run_cli("lint", "a.jsonl", "--journal", "decisions.log", "--output-format", "json", cwd=tmp_path)
    q = [f for f in orjson.loads(result.stdout)["findings"] if f["code"] == "Q001"]
    assert [(f["line"], f["message"].endswith(": off-topic")) for f in q] == [(11, True)]


def test_load_decisions(tmp_path):
    j = Journal(tmp_path / "j", reviewer="ana")
    j.record("a", "accept", replacement=conv(SYS, Q, A))
    assert load_decisions(tmp_path / "j")["a"].replacement == conv(SYS, Q, A)
