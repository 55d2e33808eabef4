"""`sftlint export` and `sftlint convert`: the clean set, what was dropped and why, a leakage-free split."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from conftest import run_cli
from rule_cases import SYS, A, conv, eid, jl
from sftlint.journal import Journal, default_path


def export(tmp_path: Path, *args: str, out: str = "out"):
    result = run_cli("export", *args, "-o", out, "--encoding", "cl100k_base", cwd=tmp_path)
    assert result.exit_code == 0, result.output + (str(result.exception) if result.exception else "")
    return tmp_path / out


def lines(path: Path) -> list[dict]:
    return [orjson.loads(x) for x in path.read_bytes().splitlines()]


def first_user(record: dict) -> str:
    return next(m["content"] for m in record["messages"] if m.get("role") == "user")


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_end_to_end_on_real_data_with_review_decisions(realdata, tmp_path):
    """glaive tool-calling data (ShareGPT): lint, scripted decisions, export with a split, reload everywhere."""
    import datasets

    src = realdata / "llama-factory" / "glaive_toolcall_en_demo.json"
    data = tmp_path / "glaive.json"
    data.write_bytes(src.read_bytes())
    records = orjson.loads(data.read_bytes())
    distinct = list(dict.fromkeys(eid(r) for r in records))  # the demo file repeats some records verbatim
    journal = Journal(default_path(data), reviewer="ana")
    rejected_ids = distinct[:5]
    for i, example_id in enumerate(rejected_ids):
        journal.record(example_id, "reject", note=f"bad call {i}")
    for example_id in distinct[5:8]:
        journal.record(example_id, "accept")
    copies_rejected = sum(eid(r) in rejected_ids for r in records)
    assert run_cli("lint", str(data)).exit_code in (0, 1)

    for fmt in ("jsonl", "parquet", "hf"):
        out = export(tmp_path, str(data), "--split", "test=0.1", "--seed", "3", "--format", fmt, out=f"out-{fmt}")
        if fmt == "jsonl":
            train = datasets.load_dataset("json", data_files=str(out / "train.jsonl"), split="train")
            test = datasets.load_dataset("json", data_files=str(out / "test.jsonl"), split="train")
        elif fmt == "parquet":
            train = datasets.load_dataset("parquet", data_files=str(out / "train.parquet"), split="train")
            test = datasets.load_dataset("parquet", data_files=str(out / "test.parquet"), split="train")
        else:
            dd = datasets.load_from_disk(str(out / "hf"))
            train, test = dd["train"], dd["test"]
        manifest = orjson.loads((out / "manifest.json").read_bytes())
        counts = manifest["counts"]
        assert counts["in"] == 300 and counts["dropped_by_reason"]["rejected"] == copies_rejected
        assert len(train) + len(test) == 300 - counts["dropped"] == counts["train"] + counts["test"]
        assert 0.08 <= len(test) / (len(train) + len(test)) <= 0.12
        assert "messages" in train.column_names
        assert (out / "README.md").read_text().startswith("---\nlicense:")

    out = tmp_path / "out-jsonl"
    train, test = lines(out / "train.jsonl"), lines(out / "test.jsonl")
    kept_ids = {eid(r) for r in train + test}
    assert not kept_ids & set(rejected_ids)
    dropped = [d for d in lines(out / "rejected.jsonl") if d["reason"] == "rejected"]
    assert {d["example_id"] for d in dropped} == set(rejected_ids)
    assert all(d["reviewer"] == "ana" and d["note"].startswith("bad call") and d["decision"] == "reject"
               for d in dropped)
    assert not {first_user(r) for r in train} & {first_user(r) for r in test}
    # The exported file passes the openai profile's structure rules.
    assert run_cli("lint", str(out / "train.jsonl"), "--select", "S", "--fail-on", "warning").exit_code == 0


@pytest.mark.slow
def test_alpaca_duplicates_are_written_once(realdata, tmp_path):
    converted = tmp_path / "alpaca.jsonl"
    result = run_cli("convert", str(realdata / "llama-factory" / "alpaca_en_demo.json"), "-o", str(converted))
    assert result.exit_code == 0, result.output
    rows = lines(converted)
    assert len(rows) == 999 and all(set(r) == {"messages"} for r in rows)
    out = export(tmp_path, "alpaca.jsonl", "--policy", "not-rejected")
    train = lines(out / "train.jsonl")
    canon = [orjson.dumps(r, option=orjson.OPT_SORT_KEYS) for r in train]
    assert len(canon) == len(set(canon)) == 999 - 14
    dupes = [d for d in lines(out / "rejected.jsonl") if d["reason"] == "duplicate"]
    assert len(dupes) == 14 and all(d["detail"].startswith("exact duplicate of ") for d in dupes)


DATA = [conv(SYS, ("user", f"Question {i} about gears?"), ("assistant", f"Answer {i}.")) for i in range(30)]


def test_policies_decisions_and_replacements(tmp_path):
    records = [*DATA, conv(SYS, A), conv(SYS, ("user", "Shifting?"), A, ("user", "ok"))]  # S021 error, S020 warning
    (tmp_path / "d.jsonl").write_bytes(jl(*records))
    j = Journal(default_path(tmp_path / "d.jsonl"), reviewer="ana")
    j.record(eid(DATA[0]), "reject", note="wrong")
    fixed = conv(SYS, ("user", "Fixed question?"), ("assistant", "Fixed answer."))
    j.record(eid(conv(SYS, A)), "accept", replacement=fixed)
    j.record(eid(DATA[1]), "accept")

    clean = lines(export(tmp_path, "d.jsonl", out="clean") / "train.jsonl")
    assert DATA[0] not in clean and fixed in clean and conv(SYS, A) not in clean
    assert len(clean) == 31  # 29 clean (one of 30 rejected), the accepted replacement, the warning-only example
    accepted = lines(export(tmp_path, "d.jsonl", "--policy", "accepted", out="acc") / "train.jsonl")
    assert accepted == [DATA[1], fixed]
    strict = lines(export(tmp_path, "d.jsonl", "--fail-on", "warning", out="strict") / "train.jsonl")
    assert len(strict) == 30
    everything = lines(export(tmp_path, "d.jsonl", "--policy", "not-rejected", out="all") / "train.jsonl")
    assert len(everything) == 31 and DATA[0] not in everything


def test_a_preview_rule_leaves_nothing_out_unless_its_code_was_asked_for(tmp_path):
    canned = ("assistant", "Thank you for your message. Our team will get back to you within two working days.")
    records = [*DATA, *(conv(SYS, ("user", q), canned) for q in
                        ("Do you sell tubeless valves?", "How late is the workshop open on Saturday?",
                         "Can I rent a cargo bike for a weekend?"))]
    (tmp_path / "d.jsonl").write_bytes(jl(*records))
    # D004 (the same answer to different questions) is in preview: its warnings leave nothing out,
    # even when --preview reports them and --fail-on is warning...
    kept = export(tmp_path, "d.jsonl", "--preview", "--fail-on", "warning", out="preview")
    assert len(lines(kept / "train.jsonl")) == len(records)
    # ...until the user names it
    named = run_cli("export", "d.jsonl", "-o", "named", "--encoding", "cl100k_base", "--extend-select", "D004",
                    "--fail-on", "warning", cwd=tmp_path)
    assert named.exit_code == 0 and len(lines(tmp_path / "named" / "train.jsonl")) == len(records) - 3
    assert "D004 3" in named.output


def test_split_keeps_same_prompts_together_and_stratifies(tmp_path):
    other = "You are a terse assistant."
    records = [*DATA, *[conv(SYS, ("user", f"question {i} ABOUT   gears?"), ("assistant", f"Another {i}."))
                        for i in range(10)],
               *[conv(("system", other), ("user", f"Terse {i}?"), ("assistant", "Yes.")) for i in range(20)]]
    (tmp_path / "d.jsonl").write_bytes(jl(*records))
    out = export(tmp_path, "d.jsonl", "--split", "test=0.25", "--stratify", "system", "--seed", "7")
    train, test = lines(out / "train.jsonl"), lines(out / "test.jsonl")
    norm = lambda r: " ".join(first_user(r).split()).casefold()  # noqa: E731
    assert not {norm(r) for r in train} & {norm(r) for r in test}
    share = lambda rows, s: sum(r["messages"][0]["content"] == s for r in rows)  # noqa: E731
    assert share(test, other) == 5 and share(test, SYS[1]) in (9, 10, 11)
    sized = export(tmp_path, "d.jsonl", "--test-size", "12", out="sized")
    assert len(lines(sized / "test.jsonl")) == 12


def test_two_exports_are_byte_identical(tmp_path):
    (tmp_path / "d.jsonl").write_bytes(jl(*DATA, conv(SYS, A)))
    for fmt in ("jsonl", "parquet", "hf"):
        a = export(tmp_path, "d.jsonl", "--split", "test=0.2", "--seed", "1", "--format", fmt, out=f"a-{fmt}")
        b = export(tmp_path, "d.jsonl", "--split", "test=0.2", "--seed", "1", "--format", fmt, out=f"b-{fmt}")
        assert digests(a) == digests(b)
    c = export(tmp_path, "d.jsonl", "--split", "test=0.2", "--seed", "2", out="c")
    assert digests(c)["test.jsonl"] != digests(tmp_path / "a-jsonl")["test.jsonl"]


def test_round_trip_through_parquet_and_hf_is_exact(tmp_path):
    import datasets

    from sftlint.io.tabular import from_row

    tricky = [
        {"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": [{"type": "text", "text": "hi"}]},
                      {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function",
                                                            "function": {"name": "f", "arguments": "{\"a\": 1}"}}]},
                      {"role": "tool", "tool_call_id": "c1", "content": "ok", "name": "f"},
                      {"role": "assistant", "content": "done", "weight": 1}],
         "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
         "parallel_tool_calls": False},
        {"messages": [{"role": "user", "content": "q", "loss_weight": 0.5},
                      {"role": "assistant", "content": "a", "weight": 0}, {"role": "user", "content": "q2"},
                      {"role": "assistant", "content": "a2", "meta": {"k": [1, None]}}], "source": "forum"},
    ]
    (tmp_path / "d.jsonl").write_bytes(jl(*tricky))
    src = export(tmp_path, "d.jsonl", "--policy", "not-rejected", out="j") / "train.jsonl"
    pq_out = export(tmp_path, "d.jsonl", "--policy", "not-rejected", "--format", "parquet", out="p")
    back = tmp_path / "back.jsonl"
    assert run_cli("convert", str(pq_out / "train.parquet"), "-o", str(back)).exit_code == 0
    assert back.read_bytes() == src.read_bytes()
    assert lines(src) == tricky
    hf = export(tmp_path, "d.jsonl", "--policy", "not-rejected", "--format", "hf", out="h")
    rows = datasets.load_from_disk(str(hf / "hf"))["train"].to_list()
    assert [from_row(r) for r in rows] == tricky


def test_push_to_hub_calls_the_hub_at_its_boundary(tmp_path, monkeypatch):
    import datasets
    import huggingface_hub

    calls = []
    monkeypatch.setattr(datasets.DatasetDict, "push_to_hub",
                        lambda self, repo, **kw: calls.append(("push", repo, kw, sorted(self))))
    monkeypatch.setattr(huggingface_hub.HfApi, "upload_file", lambda self, **kw: calls.append(("card", kw)))
    (tmp_path / "d.jsonl").write_bytes(jl(*DATA))
    export(tmp_path, "d.jsonl", "--split", "test=0.2", "--push-to-hub", "me/bikes")
    assert calls[0] == ("push", "me/bikes", {"private": True}, ["test", "train"])
    assert calls[1][1]["path_in_repo"] == "README.md" and calls[1][1]["repo_id"] == "me/bikes"


def test_push_failure_is_reported_and_local_export_kept(tmp_path, monkeypatch):
    import datasets

    def fail(self, repo, **kw):
        raise ConnectionError("offline")

    monkeypatch.setattr(datasets.DatasetDict, "push_to_hub", fail)
    (tmp_path / "d.jsonl").write_bytes(jl(*DATA))
    result = run_cli("export", "d.jsonl", "-o", "out", "--push-to-hub", "me/bikes", cwd=tmp_path)
    assert result.exit_code == 2 and "push to me/bikes failed" in result.stderr
    assert len(lines(tmp_path / "out" / "train.jsonl")) == 30


def test_export_errors_are_usage_errors(tmp_path):
    (tmp_path / "d.jsonl").write_bytes(jl(conv(SYS, A)))
    assert run_cli("export", "d.jsonl", "-o", "out", cwd=tmp_path).exit_code == 2  # nothing left
    (tmp_path / "e.jsonl").write_bytes(jl(*DATA))
    bad = run_cli("export", "e.jsonl", "-o", "out", "--split", "test=2", cwd=tmp_path)
    assert bad.exit_code == 2 and "0 < R < 1" in bad.stderr
    both = run_cli("export", "e.jsonl", "-o", "out", "--split", "test=0.1", "--test-size", "3", cwd=tmp_path)
    assert both.exit_code == 2


@pytest.mark.slow
def test_killed_export_leaves_the_previous_output_unchanged(tmp_path):
    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from _synth import write

    small = tmp_path / "small.jsonl"
    small.write_bytes(jl(*DATA))
    out = export(tmp_path, "small.jsonl", "--split", "test=0.2")
    before = digests(out)
    big = write(tmp_path / "big.jsonl", 60_000)
    sftlint = str(Path(sys.executable).parent / "sftlint")
    proc = subprocess.Popen([sftlint, "export", str(big), "-o", str(out), "--encoding", "cl100k_base", "-j", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    staging = out.parent / f".{out.name}.sftlint-new-{proc.pid}"  # the new export is written beside the old
    deadline = time.monotonic() + 120
    staged = []
    while time.monotonic() < deadline:
        staged = [p for p in staging.iterdir() if p.stat().st_size > 0] if staging.is_dir() else []
        if staged:
            break
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert staged, "the export never started writing"
    assert staging.is_dir()  # killed mid-write...
    assert digests(out) == before  # ...old output intact
    export(tmp_path, "small.jsonl", "--split", "test=0.2")
    assert digests(out) == before  # a new export cleans up the leftovers


def test_convert_sharegpt_and_report_what_cannot_be_converted(tmp_path):
    sharegpt = {"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello!"}]}
    (tmp_path / "s.jsonl").write_bytes(jl(sharegpt, b"{broken", sharegpt))
    result = run_cli("convert", "s.jsonl", "-o", "m.jsonl", cwd=tmp_path)
    assert result.exit_code == 1 and "S001" in result.output
    assert lines(tmp_path / "m.jsonl") == [{"messages": [{"role": "user", "content": "Hi"},
                                                         {"role": "assistant", "content": "Hello!"}]}] * 2
    assert run_cli("convert", "s.jsonl", "-o", "s.jsonl", cwd=tmp_path).exit_code == 2
