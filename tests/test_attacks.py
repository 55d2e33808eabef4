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


# --- exports are a transaction -------------------------------------------------------------------

DATA = [conv(("system", "Be brief."), ("user", f"Question {i} about gears?"), ("assistant", f"Answer {i}, in short."))
        for i in range(40)]


def export(tmp_path, *args, out="out"):
    return run_cli("export", "d.jsonl", "-o", out, "--encoding", "cl100k_base", *args, cwd=tmp_path)


def complete(folder):
    """The folder holds one whole export: every file its manifest lists, with its digest."""
    import hashlib

    manifest = orjson.loads((folder / "manifest.json").read_bytes())
    for name, digest in manifest["files"].items():
        if (folder / name).is_file():
            assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    return manifest


def test_export_never_writes_into_a_folder_holding_its_input(tmp_path):
    (tmp_path / "d.jsonl").write_bytes(jl(*DATA))
    before = (tmp_path / "d.jsonl").read_bytes()
    for out in (".", str(tmp_path)):
        result = export(tmp_path, out=out)
        assert result.exit_code == 2 and "holds the input" in result.stderr
    assert (tmp_path / "d.jsonl").read_bytes() == before and not (tmp_path / "train.jsonl").exists()


def test_files_an_export_did_not_write_are_kept_or_refused_and_its_own_old_files_go(tmp_path):
    (tmp_path / "d.jsonl").write_bytes(jl(*DATA))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "README.md").write_text("my notes")
    (tmp_path / "out" / "keep.txt").write_text("mine")
    refused = export(tmp_path)
    assert refused.exit_code == 2 and "README.md" in refused.stderr and "--force" in refused.stderr
    assert (tmp_path / "out" / "README.md").read_text() == "my notes"
    assert export(tmp_path, "--force", "--split", "test=0.2").exit_code == 0
    assert (tmp_path / "out" / "test.jsonl").exists() and (tmp_path / "out" / "keep.txt").read_text() == "mine"
    assert export(tmp_path).exit_code == 0  # without a split: the old test.jsonl must not stay beside train
    assert not (tmp_path / "out" / "test.jsonl").exists() and (tmp_path / "out" / "keep.txt").read_text() == "mine"
    complete(tmp_path / "out")


def test_a_second_export_into_the_same_folder_is_refused_while_one_runs(tmp_path):
    import os

    (tmp_path / "d.jsonl").write_bytes(jl(*DATA))
    (tmp_path / ".out.sftlint-lock").write_text(str(os.getpid()))  # a live process holds it
    result = export(tmp_path)
    assert result.exit_code == 2 and "another export" in result.stderr
    (tmp_path / ".out.sftlint-lock").write_text("999999999")  # left by a killed export: taken over
    assert export(tmp_path).exit_code == 0


@pytest.mark.parametrize("exchange", [True, False])
def test_an_export_killed_anywhere_leaves_the_old_or_the_new_output_whole(tmp_path, monkeypatch, exchange):
    """Failures injected at the 1st, 2nd, ... file-system step of an export (writes, renames,
    removals), with and without the atomic exchange: the folder always holds one whole export."""
    import shutil as shutil_module
    from pathlib import Path

    from sftlint.export import folder

    (tmp_path / "d.jsonl").write_bytes(jl(*DATA))
    assert export(tmp_path, "--split", "test=0.2").exit_code == 0
    old = (tmp_path / "out" / "train.jsonl").read_bytes()
    (tmp_path / "d.jsonl").write_bytes(jl(*DATA[:30]))  # the new export differs: no split, fewer examples
    if not exchange:
        monkeypatch.setattr(folder, "_EXCHANGE", None)
    steps = {"n": 0, "fail_at": 0}

    class Killed(Exception):
        pass

    def step(fn):
        def wrapped(*a, **k):
            steps["n"] += 1
            if steps["n"] == steps["fail_at"]:
                raise Killed(f"step {steps['n']}")
            return fn(*a, **k)
        return wrapped

    for target, name in ((Path, "rename"), (shutil_module, "rmtree"), (folder.ExportFolder, "write_bytes"),
                         (folder.ExportFolder, "write_lines"), (folder, "exchange"), (folder, "_fsync")):
        monkeypatch.setattr(target, name, step(getattr(target, name)))
    seen = set()
    for fail_at in range(1, 21):
        steps.update(n=0, fail_at=fail_at)
        result = export(tmp_path)
        out = tmp_path / "out"
        if not out.exists():  # killed between the two renames: the next export puts the old one back
            steps.update(n=0, fail_at=0)
            folder.ExportFolder(out, [], []).abort()
        manifest = complete(out)
        train = (out / "train.jsonl").read_bytes()
        assert train in (old, (tmp_path / "new.jsonl").read_bytes() if (tmp_path / "new.jsonl").exists() else train)
        state = "old" if train == old else "new"
        if state == "new":
            assert "test.jsonl" not in manifest["files"] and not (out / "test.jsonl").exists()
            (tmp_path / "new.jsonl").write_bytes(train)
        else:
            assert (out / "test.jsonl").exists()
        seen.add(state)
        if result.exit_code == 0:
            # put the old export back for the next injection point
            steps.update(n=0, fail_at=0)
            (tmp_path / "d.jsonl").write_bytes(jl(*DATA))
            assert export(tmp_path, "--split", "test=0.2").exit_code == 0
            (tmp_path / "d.jsonl").write_bytes(jl(*DATA[:30]))
    assert seen == {"old", "new"}
    steps.update(n=0, fail_at=0)
    assert export(tmp_path).exit_code == 0  # what the killed exports left beside the folder is cleared
    assert [p.name for p in tmp_path.iterdir() if ".sftlint-" in p.name] == []


# --- bounded time per record ---------------------------------------------------------------------

@pytest.mark.timeout(60)
def test_the_assigned_secret_pattern_is_linear_on_a_long_run_of_word_characters(tmp_path):
    answer = "token" * 40_000 + " = x"  # 200 KB; the old pattern backtracked for minutes
    (tmp_path / "a.jsonl").write_bytes(jl(conv(("user", "Hi"), ("assistant", answer)),
                                          conv(("user", "Key?"), ("assistant", "api_key = 'sk9Fq2LmZ8xR4tW7yB3nV6cJ1hK5dG0p'"))))
    found = orjson.loads(lint(tmp_path, "--select", "Q007").stdout)["findings"]
    assert [f["line"] for f in found] == [2]


@pytest.mark.timeout(120)
def test_a_user_pattern_that_backtracks_forever_is_reported_once_and_skipped(tmp_path):
    (tmp_path / "house.toml").write_text(
        '[[rule]]\ncode = "H001"\nsummary = "House rule"\nfix = "Fix"\nregex = true\nprefilter = ["a"]\n'
        'patterns = ["(a|aa)+$"]\n')
    (tmp_path / "sftlint.toml").write_text('extend-packs = ["house.toml"]\n')
    evil = "a" * 60 + "!"  # Python's re would take ages here; the regex module's budget stops it
    (tmp_path / "a.jsonl").write_bytes(jl(*(conv(("user", evil), ("assistant", "fine")) for _ in range(3)),
                                          conv(("user", "Hi"), ("assistant", ""))))
    found = orjson.loads(lint(tmp_path, "--jobs", "1").stdout)["findings"]
    slow = [f for f in found if f["code"] == "H001"]
    assert len(slow) == 1 and "skipped from here on" in slow[0]["message"]
    assert ("S022", 4) in {(f["code"], f["line"]) for f in found}


def test_a_pipe_as_input_is_refused_by_name_and_the_other_files_are_checked(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.jsonl")
    (tmp_path / "a.jsonl").write_bytes(jl(conv(("user", "Hi"), ("assistant", ""))))
    result = run_cli("lint", "pipe.jsonl", "a.jsonl", "--output-format", "json", cwd=tmp_path)
    assert result.exit_code == 2 and "pipe.jsonl: not a regular file" in result.stderr
    assert ("S022", 1) in {(f["code"], f["line"]) for f in orjson.loads(result.stdout)["findings"]}


# --- secrets everywhere, masked everywhere -------------------------------------------------------

KEY = "sk-proj-" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0"


def test_a_key_in_tool_call_arguments_or_metadata_is_found_and_never_printed(tmp_path):
    call = {"id": "c1", "type": "function", "function": {"name": "fetch", "arguments": orjson.dumps({"api_key": KEY}).decode()}}
    records = [conv(("user", "Fetch it"), ("assistant", {"tool_calls": [call]}), ("tool", {"content": "ok", "tool_call_id": "c1"}),
                    ("assistant", "Done.")),
               {**conv(("user", "Hi"), ("assistant", "Hello.")), "debug": {"token": KEY}},
               conv(("user", "Hi"), ("assistant", "Use {{" + KEY + "}} here."))]
    (tmp_path / "a.jsonl").write_bytes(jl(*records))
    for fmt in ("json", "text", "sarif", "github"):
        result = run_cli("lint", "a.jsonl", "--output-format", fmt, cwd=tmp_path)
        assert KEY[8:30] not in result.stdout, fmt
    found = orjson.loads(lint(tmp_path).stdout)["findings"]
    assert {f["line"] for f in found if f["code"] == "Q007"} == {1, 2, 3}
    assert any("in tool call 0 arguments" in f["message"] for f in found)
    exported = run_cli("export", "a.jsonl", "-o", "out", "--encoding", "cl100k_base", cwd=tmp_path)
    assert exported.exit_code == 2 or not (tmp_path / "out" / "train.jsonl").read_bytes()  # nothing with a key is kept
    rejected = (tmp_path / "out" / "rejected.jsonl").read_text() if (tmp_path / "out").exists() else ""
    assert all(KEY[8:30] not in line.split('"findings"')[1] for line in rejected.splitlines())


# --- everything shown is escaped -----------------------------------------------------------------

async def test_a_journal_note_or_reviewer_name_cannot_drive_the_terminal(tmp_path):
    """A shared journal is data someone else wrote: an OSC title change or an OSC 52 clipboard
    write in a note or a reviewer's name is shown as glyphs, never sent to the terminal."""
    from review_helpers import make_app, ready, write_data
    from rule_cases import eid
    from sftlint.journal import Journal, default_path

    path = write_data(tmp_path)
    first = orjson.loads(path.read_bytes().splitlines()[1])
    payload = "\x1b]0;PWNED\x07 and \x1b]52;c;aGk=\x07"
    Journal(default_path(path), reviewer="mallory\x1b[2J").record(eid(first), "skip", note=payload)
    app = make_app(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        app.show_item(app.queue.view[0])  # the noted example (skipped, so the cursor opened past it)
        await pilot.pause()
        shown = "".join(seg.text for strip in app.conversation.rendered_strips() for seg in strip)
        assert "PWNED" in shown and "\x1b" not in shown and "\x07" not in shown


def test_review_never_appends_its_decisions_to_a_data_file(tmp_path):
    data = jl(*GOOD)
    (tmp_path / "a.jsonl").write_bytes(data)
    (tmp_path / "b.jsonl").write_bytes(data)
    for journal in ("a.jsonl", "b.jsonl"):  # the data itself, or another data file
        result = run_cli("review", "a.jsonl", "--journal", journal, cwd=tmp_path)
        assert result.exit_code == 2 and "--journal" in result.stderr
    assert (tmp_path / "a.jsonl").read_bytes() == data and (tmp_path / "b.jsonl").read_bytes() == data


def test_a_symlink_loop_among_the_inputs_is_named_and_the_rest_is_checked(tmp_path):
    import os

    os.symlink("loop2", tmp_path / "loop1")
    os.symlink("loop1", tmp_path / "loop2")
    (tmp_path / "a.jsonl").write_bytes(jl(conv(("user", "Hi"), ("assistant", ""))))
    result = run_cli("lint", "loop1", "a.jsonl", "--output-format", "json", cwd=tmp_path)
    assert result.exit_code == 2 and "loop1: a loop of symbolic links" in result.stderr
    assert ("S022", 1) in {(f["code"], f["line"]) for f in orjson.loads(result.stdout)["findings"]}


def test_an_integer_past_64_bits_is_exported_as_written(tmp_path):
    line = b'{"messages": [{"role": "user", "content": "Order?"}, {"role": "assistant", "content": "Shipped."}], ' \
           b'"order": 123456789012345678901234567890}\n'
    (tmp_path / "a.jsonl").write_bytes(jl(*GOOD) + line)
    assert run_cli("export", "a.jsonl", "-o", "out", "--encoding", "cl100k_base", cwd=tmp_path).exit_code == 0
    assert b'"order":123456789012345678901234567890' in (tmp_path / "out" / "train.jsonl").read_bytes()


def test_a_number_past_a_doubles_range_is_valid_json_and_exported_as_written(tmp_path):
    big = jl(*GOOD)[:-1] + b"\n" + b'{"messages": [{"role": "user", "content": "Hi"}, ' \
          b'{"role": "assistant", "content": "Hello."}], "x": 1e999999}\n'
    (tmp_path / "a.jsonl").write_bytes(big)
    found = orjson.loads(lint(tmp_path, "--jobs", "1").stdout)["findings"]
    assert not [f for f in found if f["code"] in ("S001", "S034")]
    assert run_cli("export", "a.jsonl", "-o", "out", "--encoding", "cl100k_base", cwd=tmp_path).exit_code == 0
    assert b'"x":1e999999}' in (tmp_path / "out" / "train.jsonl").read_bytes()


def test_a_run_of_blank_lines_is_one_finding_and_a_gzip_bomb_is_read_only_so_far(tmp_path, monkeypatch):
    import gzip

    from sftlint.io import reader

    (tmp_path / "a.jsonl").write_bytes(jl(*GOOD[:20]) + b"\n" * 200_000 + jl(*GOOD[20:]))
    found = orjson.loads(lint(tmp_path).stdout)["findings"]
    assert [(f["line"], f["message"]) for f in found if f["code"] == "S005"] == \
        [(21, "200,000 blank lines (lines 21-200,020)")]
    # 3 MB of records in a few KB: read up to 100 times the compressed size (64 MiB floor in use;
    # lowered here to keep the test small)
    monkeypatch.setattr(reader, "GZIP_FLOOR_BYTES", 1 << 20)
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(jl(*GOOD) + b"{}\n" * 1_000_000, compresslevel=9))
    result = run_cli("lint", "b.jsonl.gz", "--select", "S006", "--output-format", "json", cwd=tmp_path)
    s006 = [f["message"] for f in orjson.loads(result.stdout)["findings"]]
    assert s006 == ["file decompresses to over 100x its size: reading stopped after 1,048,576 bytes"]


def test_a_json_object_larger_than_a_record_may_be_is_skipped_unread(tmp_path):
    value = orjson.dumps({**OK, "blob": "x" * 2_000_000})
    (tmp_path / "one.json").write_bytes(value)
    (tmp_path / "sftlint.toml").write_text("[rules.S006]\nmax-line-bytes = 1000000\n")
    result = run_cli("lint", "one.json", "--output-format", "json", cwd=tmp_path)
    s006 = [f for f in orjson.loads(result.stdout)["findings"] if f["code"] == "S006"]
    assert [f["line"] for f in s006] == [1] and s006[0]["message"].endswith("over the 1,000,000-byte limit; skipped")


def test_findings_past_the_bound_are_spilled_to_disk_and_reported_in_the_same_order(tmp_path, monkeypatch):
    from sftlint.lint import spill

    records = [conv(("user", f"Question {i}?"), ("assistant", "")) if i % 3 else {"messages": "x"} for i in range(300)]
    (tmp_path / "a.jsonl").write_bytes(jl(*records) + b"\n\nnot json\n" + jl(*GOOD))
    whole = lint(tmp_path, "--jobs", "1")
    spilled_to = []
    monkeypatch.setattr(spill, "SPILL_AT", 7)
    monkeypatch.setattr(spill.FindingLog, "_spill", lambda self, real=spill.FindingLog._spill: (spilled_to.append(1), real(self)))
    spilled = lint(tmp_path, "--jobs", "1")
    assert len(spilled_to) > 40 and spilled.stdout == whole.stdout and spilled.exit_code == whole.exit_code == 1
    text = run_cli("lint", "a.jsonl", "--encoding", "cl100k_base", cwd=tmp_path).stdout
    assert text.count("\n  help:") == orjson.loads(whole.stdout)["summary"]["findings"]


def test_a_report_that_cannot_be_written_is_refused_before_the_lint(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(jl(*GOOD))
    for target, says in (("a.jsonl/report.txt", "a.jsonl is not a folder"), ("nowhere/report.txt", "no folder nowhere"),
                         (".", "is a directory")):
        result = run_cli("lint", "a.jsonl", "-o", target, cwd=tmp_path)
        assert result.exit_code == 2 and says in result.output and "bug in sftlint" not in result.output
    result = run_cli("lint", "a.jsonl", "-o", "a.jsonl", cwd=tmp_path)
    assert result.exit_code == 2 and "would overwrite an input file" in result.output
    assert (tmp_path / "a.jsonl").read_bytes() == jl(*GOOD)


def test_a_record_too_long_to_read_counts_as_a_record(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(orjson.dumps({**OK, "blob": "x" * 3000}) + b"\n")
    (tmp_path / "sftlint.toml").write_text("[rules.S006]\nmax-line-bytes = 1000\n")
    out = run_cli("lint", "a.jsonl", cwd=tmp_path).stdout
    assert "1 of 1 record(s) flagged" in out


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_skipped_record_is_counted_whether_or_not_its_rule_is_selected(tmp_path, jobs):
    """Counted where records are counted, in one process or in the workers (a file of 5 MB is
    linted in chunks), not by matching the S006 finding: ignoring S006 must not lose the record."""
    lines = [orjson.dumps({**OK, "n": i}) for i in range(40_000)]
    lines[7] = orjson.dumps({**OK, "blob": "x" * 3000})
    (tmp_path / "a.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    assert (tmp_path / "a.jsonl").stat().st_size > 4 << 20
    (tmp_path / "sftlint.toml").write_text("[rules.S006]\nmax-line-bytes = 1000\n")
    for ignored in ("S028", "S006,S028"):
        out = run_cli("lint", "a.jsonl", "--ignore", ignored, "--jobs", jobs, "--select", "S",
                      "--output-format", "json", cwd=tmp_path).stdout
        summary = orjson.loads(out)["summary"]
        assert (summary["records"], summary["examples"]) == (40_000, 39_999), ignored


def test_a_file_too_large_to_read_is_not_one_record_nor_a_file_without_examples(tmp_path, monkeypatch):
    from sftlint.io import reader

    monkeypatch.setattr(reader, "JSON_WHOLE_FILE_LIMIT", 100)  # not a gigabyte of test data
    (tmp_path / "a.json").write_bytes(orjson.dumps([OK] * 3) + b"\n")
    doc = orjson.loads(run_cli("lint", "a.json", "--output-format", "json", cwd=tmp_path).stdout)
    assert doc["summary"]["records"] == 0 and doc["summary"]["by_code"] == {"S006": 1}  # no S008: it was not read
    # one object over the record limit is one record, skipped as an over-long line is
    (tmp_path / "b.json").write_bytes(orjson.dumps({**OK, "blob": "x" * 3000}) + b"\n")
    (tmp_path / "sftlint.toml").write_text("[rules.S006]\nmax-line-bytes = 1000\n")
    doc = orjson.loads(run_cli("lint", "b.json", "--output-format", "json", cwd=tmp_path).stdout)
    assert doc["summary"]["records"] == 1 and doc["summary"]["by_code"] == {"S006": 1}


def test_undo_never_cancels_another_reviewers_decision_that_landed_in_between(tmp_path):
    from sftlint.journal import Journal

    path = tmp_path / "j"
    ana, ben = Journal(path, reviewer="ana"), Journal(path, reviewer="ben")
    ana.record("a", "accept")
    ben.record("a", "reject")  # lands after ana's, before her undo
    assert ana.undo() is None  # her decision is no longer the one in force: nothing of hers to undo
    assert Journal(path).decisions() == {"a": "reject"}
    # an undo line written by an older sftlint (or by hand) still cancels only its own reviewer's
    with open(path, "ab") as fh:
        fh.write(b'{"id": "a", "decision": "undo", "reviewer": "ana", "time": "t"}\n')
    assert Journal(path).decisions() == {"a": "reject"}


def test_a_journal_written_for_another_file_is_named_not_silently_ignored(tmp_path):
    from rule_cases import eid
    from sftlint.journal import Journal

    (tmp_path / "a.jsonl").write_bytes(jl(*GOOD))
    Journal(tmp_path / "other.journal", reviewer="ana").record(eid(conv(("user", "Elsewhere"), ("assistant", "Yes."))),
                                                               "accept")
    linted = run_cli("lint", "a.jsonl", "--journal", "other.journal", cwd=tmp_path)
    assert "other.journal: none of its 1 decision(s) is about an example in a.jsonl" in linted.stderr
    exported = run_cli("export", "a.jsonl", "-o", "out", "--journal", "other.journal", cwd=tmp_path)
    assert exported.exit_code == 0 and "none of its 1 decision(s)" in exported.stderr
    Journal(tmp_path / "mine.journal", reviewer="ana").record(eid(GOOD[3]), "accept")
    assert "none of its" not in run_cli("lint", "a.jsonl", "--journal", "mine.journal", cwd=tmp_path).stderr


def test_a_journal_of_skips_for_another_file_is_named_by_lint_as_by_export(tmp_path):
    from rule_cases import eid
    from sftlint.journal import Journal

    (tmp_path / "a.jsonl").write_bytes(jl(*GOOD))
    journal = Journal(tmp_path / "other.journal", reviewer="ana")
    journal.record(eid(conv(("user", "Elsewhere"), ("assistant", "Yes."))), "skip")
    journal.record(eid(conv(("user", "Elsewhere too"), ("assistant", "No."))), "accept")
    said = "other.journal: none of its 2 decision(s) is about an example in a.jsonl"
    assert said in run_cli("lint", "a.jsonl", "--journal", "other.journal", cwd=tmp_path).stderr
    assert said in run_cli("export", "a.jsonl", "-o", "out", "--journal", "other.journal", cwd=tmp_path).stderr
    mine = Journal(tmp_path / "mine.journal", reviewer="ana")
    mine.record(eid(GOOD[3]), "skip")  # a skip is about this file: no warning
    assert "none of its" not in run_cli("lint", "a.jsonl", "--journal", "mine.journal", cwd=tmp_path).stderr


@pytest.mark.parametrize("forged", ["not a list", "nested 300 deep"])
def test_a_replacement_from_the_journal_is_read_like_input(tmp_path, forged):
    from rule_cases import eid
    from sftlint.journal import Journal

    replacement = ({"messages": "not a list"} if forged == "not a list" else  # the deep one crashed export
                   {"messages": [{"role": "user"}], "meta": orjson.loads(b"[" * 300 + b"]" * 300)})
    (tmp_path / "a.jsonl").write_bytes(jl(*GOOD))
    Journal(tmp_path / "a.jsonl.sftlint-journal", reviewer="ana").record(eid(GOOD[5]), "accept", replacement=replacement)
    result = run_cli("export", "a.jsonl", "-o", "out", "--dedupe", "exact", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    rejected = [orjson.loads(x) for x in (tmp_path / "out" / "rejected.jsonl").read_bytes().splitlines()]
    assert [(r["reason"], r["line"]) for r in rejected] == [("bad-replacement", 6)]
    from sftlint.catalogue import builtin_catalogue

    assert rejected[0]["because"] and set(rejected[0]["because"]) <= set(builtin_catalogue())  # real rule codes
    assert b"not a list" not in (tmp_path / "out" / "train.jsonl").read_bytes()
    assert len((tmp_path / "out" / "train.jsonl").read_bytes().splitlines()) == 39


def test_an_edit_that_is_no_conversation_is_dropped_with_no_made_up_rule_code(tmp_path):
    """With the rule that would name the problem switched off, the edit is still not a usable
    example: dropped, saying so, and `because` lists no rule (it listed "not", from the message)."""
    from rule_cases import eid
    from sftlint.journal import Journal

    (tmp_path / "a.jsonl").write_bytes(jl(*GOOD))
    Journal(tmp_path / "a.jsonl.sftlint-journal", reviewer="ana").record(eid(GOOD[5]), "accept",
                                                                         replacement={"messages": "not a list"})
    result = run_cli("export", "a.jsonl", "-o", "out", "--dedupe", "exact", "--ignore", "S012", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    rejected = [orjson.loads(x) for x in (tmp_path / "out" / "rejected.jsonl").read_bytes().splitlines()]
    assert [(r["reason"], r["because"]) for r in rejected] == [("bad-replacement", [])]
    assert rejected[0]["detail"].endswith("not a usable example: not a conversation")


def test_a_review_key_bound_to_two_actions_is_refused(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(jl(*GOOD))
    (tmp_path / "sftlint.toml").write_text('[review.keys]\naccept = "x"\n')
    result = run_cli("review", "a.jsonl", cwd=tmp_path)
    assert result.exit_code == 2 and "'x' is bound to both accept and reject" in result.output


ESC_PAYLOAD = "\x1b]0;PWNED\x07\x1b]52;c;aGk=\x07\x9b31m\u202eevil [bold]markup[/]"
UNSAFE = ("\x1b", "\x07", "\x9b", "\u202e")


async def test_every_screen_shows_every_payload_through_the_one_escape_helper(tmp_path):
    """Data reaches the review UI through the file name, message contents, a finding message that
    quotes the data (S032 names unknown keys), a shared journal's notes and reviewer names, and
    the notifications quoting them; on every screen it shows as glyphs, never as a sequence the
    terminal would obey, and Rich markup in it is shown, not applied."""
    from review_helpers import make_app, ready
    from rule_cases import eid
    from sftlint.journal import default_path

    dup = conv(("user", f"Tell me {ESC_PAYLOAD}"), ("assistant", f"Here it is, with care: {ESC_PAYLOAD} " * 3))
    hostile = {**dup, ESC_PAYLOAD: 1}
    path = tmp_path / f"data{ESC_PAYLOAD.replace('/', '')}.jsonl"
    path.write_bytes(jl(hostile, {**dup, "n": 2}, *GOOD[:12]))
    from sftlint.journal import Journal

    Journal(default_path(path), reviewer=f"mallory{ESC_PAYLOAD}").record(eid(hostile), "skip", note=ESC_PAYLOAD)
    Journal(default_path(path)).path.open("ab").write(b"{not json " + ESC_PAYLOAD.encode() + b"\n")  # a warning quoting it
    app = make_app(path, order="file")
    screens = {}
    async with app.run_test(size=(130, 40)) as pilot:
        await ready(app, pilot)
        app.show_item(0)
        await pilot.pause()

        def grab(name):
            screens[name] = app.export_screenshot()

        grab("main")
        app.action_toggle_raw()
        await pilot.pause()
        grab("raw")
        app.action_toggle_raw()
        app.action_toggle_markdown()
        await pilot.pause()
        grab("markdown")
        app.action_toggle_markdown()
        app.action_cluster()
        await pilot.pause()
        grab("cluster")
        await pilot.press("escape")
        app.action_help()
        await pilot.pause()
        grab("help")
        await pilot.press("escape")
        app.action_export()
        await pilot.pause()
        grab("export")
        await pilot.press("escape")
        app.notify(f"a message quoting {ESC_PAYLOAD}")
        await pilot.pause()
        grab("notification")
    for name, svg in screens.items():
        assert not [c for c in UNSAFE if c in svg], name
    for name in ("main", "raw", "cluster"):
        assert "␛]0;PWNED␇" in screens[name], name
        assert "[bold]markup[/]" in screens[name].replace("&#160;", " "), name
    assert "␛]0;PWNED␇" in screens["notification"]
