"""Loss masks against the rendered template: trained tokens are exactly each trained assistant
turn's content plus its end-of-turn token, for templates with different markers."""

from __future__ import annotations

import pytest
from train.templates import LLAMA3 as LLAMA3_TEMPLATE

from rule_cases import SYS, conv
from sftlint.catalogue import load_profile
from sftlint.chat_template import IGNORE, MaskError, Untrainable, end_of_turn_ids, prepare_example
from sftlint.io.formats import adapt

pytestmark = pytest.mark.model

# Rewrites earlier assistant turns (as reasoning templates do): a prefix render is not a prefix.
REWRITING_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n"
    "{% if m['role'] == 'assistant' and not loop.last %}(earlier answer){% else %}{{ m['content'] }}{% endif %}"
    "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

RECORD = conv(SYS, ("user", "How often should I oil my chain?"), ("assistant", "Every 150-300 km."),
              ("user", "And in winter?"), ("assistant", {"content": "Old answer.", "weight": 0}),
              ("user", "Really?"), ("assistant", "After every wet ride."))


@pytest.fixture(scope="module")
def chatml(smollm2_tokenizer_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(smollm2_tokenizer_dir)


@pytest.fixture(scope="module")
def llama3(smollm2_tokenizer_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(smollm2_tokenizer_dir)
    tok.add_special_tokens({"additional_special_tokens": ["<|begin_of_text|>", "<|start_header_id|>",
                                                          "<|end_header_id|>", "<|eot_id|>"]})
    tok.eos_token = "<|eot_id|>"
    tok.chat_template = LLAMA3_TEMPLATE
    return tok


def trained_texts(tok, prepared) -> list[str]:
    return [tok.decode(prepared.input_ids[a:b]) for a, b in prepared.spans]


@pytest.mark.parametrize("name, eot", [("chatml", "<|im_end|>"), ("llama3", "<|eot_id|>")])
def test_trained_tokens_are_answers_plus_end_of_turn(request, name, eot):
    tok = request.getfixturevalue(name)
    c, _ = adapt(RECORD, "messages", load_profile("hf"))
    p = prepare_example(tok, c, 7, end_of_turn_ids(tok))
    assert trained_texts(tok, p) == [f"Every 150-300 km.{eot}", f"After every wet ride.{eot}"]
    # Nothing outside the spans is trained, and inside them labels equal the inputs.
    inside = {i for a, b in p.spans for i in range(a, b)}
    assert all((label == IGNORE) == (i not in inside) for i, label in enumerate(p.labels))
    assert all(p.labels[i] == p.input_ids[i] for i in inside)
    assert p.supervised == sum(b - a for a, b in p.spans)
    assert p.input_ids[p.spans[-1][1] - 1] in end_of_turn_ids(tok)


def test_template_that_drops_earlier_answers_stops_with_the_line(chatml):
    chatml = chatml.__class__.from_pretrained(chatml.name_or_path)
    chatml.chat_template = REWRITING_TEMPLATE
    c, _ = adapt(RECORD, "messages", load_profile("hf"))
    with pytest.raises(MaskError, match=r"line 12: assistant message 2 is not where the template's rendering puts it"):
        prepare_example(chatml, c, 12, end_of_turn_ids(chatml))


def test_example_with_nothing_to_train_is_untrainable_with_its_place(chatml):
    c, _ = adapt(conv(SYS, ("user", "Hi"), ("assistant", {"content": "x", "weight": 0})), "messages",
                 load_profile("hf"))
    with pytest.raises(Untrainable, match="data.jsonl:3: no assistant turn with weight 1"):
        prepare_example(chatml, c, 3, end_of_turn_ids(chatml), where="data.jsonl:3")
