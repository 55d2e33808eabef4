"""Rendering a conversation with a model's chat template, and the loss mask that follows from it.

Shared by training (labels), token counting with `--tokenizer` (T001-T004), model scoring
(B004/B005) and evaluation: one rendering, so what is counted, scored and trained agree.

The loss mask comes from the model's own chat template. For each assistant turn that trains
(weight 1), the conversation before it is rendered with the generation prompt; that rendering
must be a prefix of the whole conversation's rendering, else the mask would be wrong and
preparation stops with the example's place. The trained span runs from the end of that prefix to
the turn's end-of-turn token, inclusive, so the model learns to stop; whatever the template puts
after that token (a newline in ChatML) is not trained.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sftlint.schema import Conversation

IGNORE = -100
NOTHING_TO_TRAIN = "no assistant turn with weight 1 and content"
END_OF_TURN_TOKENS = ("<|im_end|>", "<|eot_id|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "</s>",
                      "<|end_of_text|>")


class MaskError(Exception):
    """The loss mask cannot be computed correctly for an example; training must not start."""


class Untrainable(MaskError):
    """The example has nothing to train on: training leaves it out (or stops, with --strict)."""


@dataclass
class Prepared:
    """One example as the trainer sees it."""

    line: int
    input_ids: list[int]
    labels: list[int]
    spans: list[tuple[int, int]] = field(default_factory=list)
    """Trained (start, end) token ranges, one per trained assistant turn."""

    @property
    def supervised(self) -> int:
        return sum(1 for x in self.labels if x != IGNORE)


def end_of_turn_ids(tokenizer) -> set[int]:
    ids = set()
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    special = set(tokenizer.all_special_tokens)
    for token in END_OF_TURN_TOKENS:
        if token in special:
            ids.add(tokenizer.convert_tokens_to_ids(token))
    return ids


def _text(tokenizer, messages: list[dict], tools: Any, generation_prompt: bool) -> str:
    return tokenizer.apply_chat_template(messages, tools=tools, tokenize=False, add_generation_prompt=generation_prompt)


def rendered_turns(tokenizer, conv: Conversation, where: str,
                   content_only: bool = False) -> tuple[list[int], list[tuple[int, int, int]]]:
    """Token ids of the whole rendered conversation, and (message index, first token, end token)
    of each assistant turn that trains, up to the end of that turn's rendering (with
    `content_only`, of the tokens of its content alone, without the template's markers).

    The prefix check is done on the rendered text, and turns are located through the
    tokenizer's character offsets: comparing token lists instead would fail wherever the BPE
    merges across the boundary (e.g. "\n\n" at the end of a prefix versus "\n\nText").
    Used by the trainer (masks) and by token counting with --tokenizer (T001-T004).
    """
    messages = conv.template_messages()
    tools = conv.tools if isinstance(conv.tools, list) else None
    try:
        full = _text(tokenizer, messages, tools, False)
    except Exception as exc:  # the template raising on this conversation
        raise MaskError(f"{where}: the chat template cannot render this example ({exc}); fix or drop the example "
                        "(`sftlint lint --tokenizer MODEL` reports every such example as T004)") from exc
    enc = tokenizer(full, add_special_tokens=False, return_offsets_mapping=True)
    ids, offsets = list(enc["input_ids"]), list(enc["offset_mapping"])
    turns = []
    for i, m in enumerate(conv.messages):
        if m.role != "assistant" or m.weight in (0, 0.0):
            continue
        prefix = _text(tokenizer, messages[:i], tools, True)
        through = _text(tokenizer, messages[: i + 1], tools, False)
        if not full.startswith(prefix) or not full.startswith(through) or len(through) <= len(prefix):
            raise MaskError(f"{where}: rendering messages[:{i}] is not a prefix of rendering the whole "
                            "conversation, so the loss mask would be wrong (the template rewrites earlier turns); "
                            "train on the last turn only (weight 0 on earlier assistant turns) or use another template")
        lo, hi = len(prefix), len(through)
        if content_only:
            at = full.find(m.content or "", lo, hi) if m.content else -1
            if at < 0:
                continue
            lo, hi = at, at + len(m.content)
        inside = [j for j, (a, b) in enumerate(offsets) if b > lo and a < hi]
        if inside:
            turns.append((i, inside[0], inside[-1] + 1))
    return ids, turns


def prepare_example(tokenizer, conv: Conversation, line: int, eot: set[int], where: str | None = None) -> Prepared:
    """Token ids and labels for one conversation: each trained turn up to its end-of-turn token.
    `where` names the example in errors (default: its line)."""
    where = where or f"line {line}"
    ids, turns = rendered_turns(tokenizer, conv, where)
    labels = [IGNORE] * len(ids)
    spans = []
    for i, start, through in turns:
        stops = [j for j in range(start, through) if ids[j] in eot]
        if not stops:
            raise MaskError(f"{where}: assistant message {i} renders without an end-of-turn token; the model "
                            "would never learn to stop (set the tokenizer's eos_token to the template's turn end)")
        end = stops[-1] + 1
        labels[start:end] = ids[start:end]
        spans.append((start, end))
    if not spans:
        raise Untrainable(f"{where}: {NOTHING_TO_TRAIN}")
    return Prepared(line, ids, labels, spans)
