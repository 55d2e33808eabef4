"""Reasoning and today's chat shapes: every form read, linted as the sample promises, written
back byte for byte through every export format, and moved between forms exactly."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest

from conftest import run_cli
from sftlint.catalogue import load_profile
from sftlint.io.formats import adapt

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "reasoning" / "workshop_reasoning.jsonl"
EXPECTED = {("S038", None), ("S035", 7), ("S036", 8), ("S037", 9), ("Q011", 11), ("P007", 12), ("S033", 15)}


def read(record: dict):
    conv, issues = adapt(record, "messages", load_profile("hf"))
    return conv, issues


@pytest.mark.parametrize("message, reasoning, answer, form", [
    ({"content": "Oil it.", "reasoning_content": "Dry."}, "Dry.", "Oil it.", "reasoning_content"),
    ({"content": "Oil it.", "reasoning": "Dry."}, "Dry.", "Oil it.", "reasoning"),
    ({"content": "Oil it.", "thinking": "Dry."}, "Dry.", "Oil it.", "thinking"),
    ({"content": "<think>\nDry.\n</think>\n\nOil it."}, "Dry.", "Oil it.", "think"),
    ({"content": "Dry.\n</think>\n\nOil it."}, "Dry.", "Oil it.", "think"),  # R1's raw output
    ({"content": "<|channel|>analysis<|message|>Dry.<|end|><|start|>assistant<|channel|>final<|message|>Oil it."},
     "Dry.", "Oil it.", "harmony"),
    ({"content": "Oil it, <b>weekly</b>."}, None, "Oil it, <b>weekly</b>.", None),
])
def test_every_form_splits_reasoning_from_answer_and_writes_back_what_was_read(message, reasoning, answer, form):
    record = {"messages": [{"role": "user", "content": "Chain?"}, {"role": "assistant", **message}]}
    conv, issues = read(record)
    m = conv.messages[1]
    assert (m.reasoning, m.content, m.reasoning_form) == (reasoning, answer, form)
    assert [i.code for i in issues] == []
    assert conv.to_openai() == record


def test_hermes_tool_calls_are_read_from_the_content_and_checked_against_the_system_prompts_tools():
    tools = '<tools>\n[{"type": "function", "function": {"name": "book", "parameters": {"type": "object", ' \
            '"properties": {"day": {"type": "string"}}, "required": ["day"]}}}]\n</tools>'
    record = {"messages": [{"role": "system", "content": tools}, {"role": "user", "content": "Book me in."},
                           {"role": "assistant", "content": '<tool_call>\n{"name": "book", "arguments": {"day": "mon"}}\n'
                                                            '</tool_call>\n<tool_call>\n{"name": "book", "arguments": 1'
                                                            '\n</tool_call>'}]}
    conv, issues = read(record)
    m = conv.messages[2]
    assert [(c.name, c.arguments) for c in m.tool_calls] == [("book", {"day": "mon"})]
    assert [(i.code, i.message) for i in issues] == [("S030", "tool call 1: `<tool_call>` block is not valid JSON")]
    assert conv.declared_tools[0]["function"]["name"] == "book"
    assert "tool_calls" not in conv.to_openai()["messages"][2]  # written back as it was: in the content


def test_sample_file_reports_each_planted_defect_and_no_unrecognised_keys():
    result = run_cli("lint", str(SAMPLE), "--preview", "--output-format", "json")
    found = {(f["code"], f["line"] if f["code"] != "S038" else None) for f in orjson.loads(result.stdout)["findings"]}
    assert found == EXPECTED
    assert result.exit_code == 1


def test_sample_round_trips_jsonl_parquet_hf_byte_exact(tmp_path):
    import datasets

    from sftlint.io.tabular import from_row

    shutil.copy(SAMPLE, tmp_path / "d.jsonl")
    shutil.copy(SAMPLE.with_name("sftlint.toml"), tmp_path / "sftlint.toml")
    exported = {}
    for fmt in ("jsonl", "parquet", "hf"):
        result = run_cli("export", "d.jsonl", "--policy", "not-rejected", "--format", fmt, "-o", fmt, cwd=tmp_path)
        assert result.exit_code == 0, result.output
        exported[fmt] = tmp_path / fmt
    assert (exported["jsonl"] / "train.jsonl").read_bytes() == SAMPLE.read_bytes()
    back = tmp_path / "back.jsonl"
    assert run_cli("convert", str(exported["parquet"] / "train.parquet"), "-o", str(back), cwd=tmp_path).exit_code == 0
    assert back.read_bytes() == SAMPLE.read_bytes()
    rows = datasets.load_from_disk(str(exported["hf"] / "hf"))["train"].to_list()
    # read back as sftlint reads any record, and written as export writes it
    assert b"".join(orjson.dumps(read(from_row(r))[0].to_openai()) + b"\n" for r in rows) == SAMPLE.read_bytes()


def test_convert_moves_reasoning_between_forms_and_back_exactly(tmp_path):
    shutil.copy(SAMPLE.with_name("sftlint.toml"), tmp_path / "sftlint.toml")

    def convert(src: str, dst: str, to: str) -> list[dict]:
        result = run_cli("convert", src, "-o", dst, "--reasoning", to, cwd=tmp_path)
        assert result.exit_code in (0, 1), result.output
        return [orjson.loads(x) for x in (tmp_path / dst).read_bytes().splitlines()]

    shutil.copy(SAMPLE, tmp_path / "d.jsonl")
    inline = convert("d.jsonl", "inline.jsonl", "inline")      # every form in the sample -> think blocks
    fields = convert("inline.jsonl", "field.jsonl", "field")   # -> reasoning_content
    convert("field.jsonl", "inline2.jsonl", "inline")
    convert("inline2.jsonl", "field2.jsonl", "field")
    assert (tmp_path / "inline2.jsonl").read_bytes() == (tmp_path / "inline.jsonl").read_bytes()
    assert (tmp_path / "field2.jsonl").read_bytes() == (tmp_path / "field.jsonl").read_bytes()
    answers = [m for r in fields for m in r["messages"] if m["role"] == "assistant"]
    # every answer with reasoning but the unclosed block and the Hermes call (its think block stays with its call)
    assert sum("reasoning_content" in m for m in answers) == 17
    assert all(not any(k in m for k in ("reasoning", "thinking", "reasoning_content")) for r in inline
               for m in r["messages"])
    # the moved file reads back as the same reasoning and answers
    for a, b in zip(fields, inline, strict=True):
        ca, _ = read(a)
        cb, _ = read(b)
        assert [(m.reasoning, m.content) for m in ca.messages] == [(m.reasoning, m.content) for m in cb.messages]


def test_a_secret_in_the_reasoning_is_reported_with_the_answer_clean(tmp_path):
    key = "AKIA" + "Z7QX4PLM2VB8NW3K"
    record = {"messages": [{"role": "user", "content": "Upload the photos."},
                           {"role": "assistant", "content": f"<think>\nUse the key {key} for the bucket.\n</think>\n\nDone."}]}
    (tmp_path / "d.jsonl").write_bytes(orjson.dumps(record) + b"\n")
    result = run_cli("lint", "d.jsonl", "--select", "Q007", "--profile", "hf", "--output-format", "json", cwd=tmp_path)
    found = orjson.loads(result.stdout)["findings"]
    assert [(f["code"], f["message_index"]) for f in found] == [("Q007", 1)]
    assert "in the reasoning" in found[0]["message"] and key not in found[0]["message"]


def test_stats_split_trained_tokens_into_reasoning_and_answers():
    result = run_cli("stats", str(SAMPLE), "--output-format", "json")
    tokens = orjson.loads(result.stdout)
    assert 0 < tokens["reasoning_tokens"] < tokens["trainable_tokens"] < tokens["total_tokens"]
    text = run_cli("stats", str(SAMPLE)).stdout
    assert f"reasoning {tokens['reasoning_tokens']:,}, answers {tokens['trainable_tokens'] - tokens['reasoning_tokens']:,}" in text


@pytest.mark.model
def test_sample_reasoning_a_qwen3_template_drops_is_reported_with_the_tokenizer(qwen3_template_dir):
    result = run_cli("lint", str(SAMPLE), "--select", "T005", "--tokenizer", str(qwen3_template_dir),
                     "--output-format", "json")
    found = [(f["line"], f["message_index"]) for f in orjson.loads(result.stdout)["findings"]]
    assert found == [(14, 2)]  # the first of two reasoned turns; the last turn's reasoning is trained


@pytest.mark.parametrize("content", [
    "Wrap the reasoning like `<think>...</think>` before the answer.",
    "Use this format:\n```\n<think>\nreasoning\n</think>\nanswer\n```",
    'Hermes calls look like:\n```xml\n<tool_call>\n{"name": "f"}\n</tool_call>\n```',
])
def test_tags_quoted_in_code_are_text_not_reasoning_or_calls(content):
    conv, issues = read({"messages": [{"role": "user", "content": "How do I format it?"},
                                      {"role": "assistant", "content": content}]})
    m = conv.messages[1]
    assert (m.reasoning, m.tag_problems, m.tool_calls, m.content, issues) == (None, [], [], content, [])


def test_a_quoted_tag_after_a_real_block_is_not_a_second_block():
    conv, _ = read({"messages": [{"role": "user", "content": "Chain?"},
                                 {"role": "assistant", "content": "<think>\nDry.\n</think>\n\nUse `<think>` tags."}]})
    assert (conv.messages[1].reasoning, conv.messages[1].tag_problems) == ("Dry.", [])
