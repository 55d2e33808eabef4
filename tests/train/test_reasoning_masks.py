"""Loss masks for multi-turn examples with reasoning in several turns, checked token by token
against real templates: Qwen3's (reasoning kept in the last turn only), Llama 3's and SmolLM2's
(no reasoning support: a reasoning field is dropped, a think block in the content is text)."""

from __future__ import annotations

import pytest
from train.templates import LLAMA3, QWEN3

from sftlint.catalogue import load_profile
from sftlint.chat_template import IGNORE, end_of_turn_ids, prepare_example, render
from sftlint.io.formats import adapt

pytestmark = pytest.mark.model

RECORD = {"messages": [
    {"role": "system", "content": "You are the workshop assistant."},
    {"role": "user", "content": "My brakes squeal."},
    {"role": "assistant", "reasoning_content": "Squeal means glazed pads or contamination.", "content": "Sand the pads."},
    {"role": "user", "content": "Still squealing."},
    {"role": "assistant", "content": "<think>\nSanding failed, so the pads are contaminated.\n</think>\n\nReplace the pads."},
    {"role": "user", "content": "How much?"},
    {"role": "assistant", "content": "<think>\nPads cost 18 euros a pair, fitting 10.\n</think>\n\nAbout 28 euros."},
]}


@pytest.fixture(scope="module")
def tokenizers(smollm2_tokenizer_dir):
    from transformers import AutoTokenizer

    def load(template=None, llama=False):
        tok = AutoTokenizer.from_pretrained(smollm2_tokenizer_dir)
        if llama:
            tok.add_special_tokens({"additional_special_tokens": ["<|begin_of_text|>", "<|start_header_id|>",
                                                                  "<|end_header_id|>", "<|eot_id|>"]})
            tok.eos_token = "<|eot_id|>"
        if template:
            tok.chat_template = template
        return tok

    return {"qwen3": load(QWEN3), "llama3": load(LLAMA3, llama=True), "smollm2": load()}


def prepared(tok):
    conv, issues = adapt(RECORD, "messages", load_profile("hf"))
    assert not issues
    return conv, prepare_example(tok, conv, 1, end_of_turn_ids(tok))


def check_labels(p) -> None:
    inside = {i for a, b in p.spans for i in range(a, b)}
    for i, label in enumerate(p.labels):
        assert label == (p.input_ids[i] if i in inside else IGNORE), f"token {i}"


def test_qwen3_trains_the_last_turns_reasoning_and_earlier_answers_without_theirs(tokenizers):
    tok = tokenizers["qwen3"]
    conv, p = prepared(tok)
    check_labels(p)
    trained = [tok.decode(p.input_ids[a:b]) for a, b in p.spans]
    assert trained == ["Sand the pads.<|im_end|>", "Replace the pads.<|im_end|>",
                       "<think>\nPads cost 18 euros a pair, fitting 10.\n</think>\n\nAbout 28 euros.<|im_end|>"]
    assert [tok.decode(p.input_ids[a:b]) for a, b in p.reasoning] == [
        "<think>\nPads cost 18 euros a pair, fitting 10.\n</think>"]
    # what the template drops is in no token: not trained, not even in the context
    text = tok.decode(p.input_ids)
    assert "glazed pads" not in text and "Sanding failed" not in text
    assert render(tok, conv, "x").dropped == [2, 4]


@pytest.mark.parametrize("name, eot", [("llama3", "<|eot_id|>"), ("smollm2", "<|im_end|>")])
def test_templates_without_reasoning_train_think_blocks_as_written_and_drop_the_field(tokenizers, name, eot):
    tok = tokenizers[name]
    conv, p = prepared(tok)
    check_labels(p)
    trained = [tok.decode(p.input_ids[a:b]) for a, b in p.spans]
    assert trained == [f"Sand the pads.{eot}",
                       f"<think>\nSanding failed, so the pads are contaminated.\n</think>\n\nReplace the pads.{eot}",
                       f"<think>\nPads cost 18 euros a pair, fitting 10.\n</think>\n\nAbout 28 euros.{eot}"]
    assert [tok.decode(p.input_ids[a:b]) for a, b in p.reasoning] == [
        "<think>\nSanding failed, so the pads are contaminated.\n</think>",
        "<think>\nPads cost 18 euros a pair, fitting 10.\n</think>"]
    assert render(tok, conv, "x").dropped == [2]  # the field: no template here reads it


def test_weight_zero_turns_train_nothing_of_their_reasoning(tokenizers):
    tok = tokenizers["qwen3"]
    record = {"messages": [dict(m) for m in RECORD["messages"]]}
    record["messages"][6]["weight"] = 0
    conv, _ = adapt(record, "messages", load_profile("hf"))
    p = prepare_example(tok, conv, 1, end_of_turn_ids(tok))
    check_labels(p)
    assert [tok.decode(p.input_ids[a:b]) for a, b in p.spans] == ["Sand the pads.<|im_end|>",
                                                                  "Replace the pads.<|im_end|>"]
    assert p.reasoning == []


def test_dry_run_colours_reasoning_apart_from_the_answer(tokenizers):
    from sftlint.train.preview import ANSWER_STYLE, CONTEXT_STYLE, REASONING_STYLE, highlighted

    tok = tokenizers["qwen3"]
    _, p = prepared(tok)
    text = highlighted(tok, p)
    by_style: dict[str, str] = {}
    for span in text.spans:
        by_style[span.style] = by_style.get(span.style, "") + text.plain[span.start:span.end]
    assert by_style[REASONING_STYLE] == "<think>\nPads cost 18 euros a pair, fitting 10.\n</think>"
    assert by_style[ANSWER_STYLE] == ("Sand the pads.<|im_end|>Replace the pads.<|im_end|>"
                                      "\n\nAbout 28 euros.<|im_end|>")
    assert "My brakes squeal." in by_style[CONTEXT_STYLE]
