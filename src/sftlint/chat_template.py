"""Rendering a conversation with a model's chat template, and the loss mask that follows from it.

Shared by training (labels), token counting with `--tokenizer` (T001-T004), model scoring
(B004/B005) and evaluation: one rendering, so what is counted, scored and trained agree.

The loss mask comes from the model's own chat template. For each assistant turn that trains
(weight 1), the conversation before it is rendered with the generation prompt; that rendering
must be a prefix of the whole conversation's rendering, else the mask would be wrong and
preparation stops with the example's place. A turn the template renders differently once later
turns follow (Qwen3 drops earlier turns' reasoning) is trained as the whole rendering has it:
what the template drops is not trained. The trained span runs from the end of the prefix to the
turn's end-of-turn token, inclusive, so the model learns to stop; whatever the template puts
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
    reasoning: list[tuple[int, int]] = field(default_factory=list)
    """The (start, end) token ranges of the trained turns' reasoning (shown apart by --dry-run)."""
    dropped: list[int] = field(default_factory=list)
    """Messages whose reasoning the template does not render (not trained)."""

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


@dataclass
class Rendering:
    """A conversation as the model's template renders it for training."""

    ids: list[int]
    turns: list[tuple[int, int, int]]
    """(message index, first token, end token) of each trained assistant turn."""
    reasoning: list[tuple[int, int, int]] = field(default_factory=list)
    """(message index, first token, end token) of each trained turn's reasoning, think tags included."""
    dropped: list[int] = field(default_factory=list)
    """Messages whose reasoning the rendering does not hold: the template drops it (T005)."""

    @property
    def trainable(self) -> int:
        return sum(e - s for _, s, e in self.turns)

    @property
    def reasoning_tokens(self) -> int:
        return sum(e - s for _, s, e in self.reasoning)


def _tokens(offsets: list[tuple[int, int]], lo: int, hi: int) -> tuple[int, int] | None:
    inside = [j for j, (a, b) in enumerate(offsets) if b > lo and a < hi]
    return (inside[0], inside[-1] + 1) if inside else None


def _reasoning_region(text: str, m, lo: int, hi: int) -> tuple[int, int] | None:
    """Where a turn's reasoning lies in the rendering (from the turn's start through `</think>`),
    or None when the template did not render it there."""
    said = (m.reasoning or "").strip()
    if not said:
        return None
    at = text.find(said, lo, hi)
    if at < 0:
        return None
    end = at + len(said)
    close = text.find("</think>", end, hi)
    if close >= 0 and not text[end:close].strip():
        end = close + len("</think>")
    return lo, end


def _turn_end(tokenizer, full: str, lo: int) -> int:
    """Where the turn starting at `lo` ends in the whole rendering: through its end-of-turn marker."""
    markers = [t for t in (*END_OF_TURN_TOKENS, tokenizer.eos_token) if t]
    ends = [at + len(t) for t in markers for at in [full.find(t, lo)] if at >= 0]
    return min(ends) if ends else len(full)


def render(tokenizer, conv: Conversation, where: str, content_only: bool = False) -> Rendering:
    """The conversation rendered with the chat template, with the token ranges of each assistant
    turn that trains: up to the end of that turn's rendering (with `content_only`, of its answer
    alone, without the template's markers), and of its reasoning.

    A turn starts where the conversation before it, rendered with the generation prompt (as at
    inference), ends: that must be a prefix of the whole rendering, else the mask would be wrong.
    The turn ends where rendering up to it ends, when the whole rendering continues from there;
    a template that rewrites a turn once later turns follow (Qwen3 drops earlier turns' reasoning
    and think blocks) is followed instead: the turn runs to its end-of-turn marker, as rendered,
    and the reasoning it dropped is not trained (T005). The prefix check is done on the rendered
    text, and turns are located through the tokenizer's character offsets: comparing token lists
    instead would fail wherever the BPE merges across the boundary (e.g. "\n\n" at the end of a
    prefix versus "\n\nText"). Used by the trainer (masks), token counting with --tokenizer
    (T001-T005) and model scoring.
    """
    messages = conv.template_messages()
    tools = conv.tools if isinstance(conv.tools, list) else None
    try:
        full = _text(tokenizer, messages, tools, False)
    except Exception as exc:  # the template raising on this conversation
        raise MaskError(f"{where}: the chat template cannot render this example ({exc}); fix or drop the example "
                        "(`sftlint lint --tokenizer MODEL` reports every such example as T004)") from exc
    enc = tokenizer(full, add_special_tokens=False, return_offsets_mapping=True)
    out = Rendering(list(enc["input_ids"]), [])
    offsets = list(enc["offset_mapping"])
    for i, m in enumerate(conv.messages):
        said = (m.reasoning or "").strip()
        if m.role != "assistant" or m.weight in (0, 0.0):
            if said and said not in full:
                out.dropped.append(i)
            continue
        prefix = _text(tokenizer, messages[:i], tools, True)
        if not full.startswith(prefix):
            raise MaskError(f"{where}: rendering messages[:{i}] is not a prefix of rendering the whole "
                            "conversation, so the loss mask would be wrong (the template rewrites the turns before "
                            f"message {i}); train on the last turn only (weight 0 on earlier assistant turns) or use "
                            "another template")
        lo = len(prefix)
        through = full if i == len(messages) - 1 else _text(tokenizer, messages[: i + 1], tools, False)
        hi = len(through) if full.startswith(through) and len(through) > lo else _turn_end(tokenizer, full, lo)
        if m.content and m.content.strip() not in full[lo:hi]:
            raise MaskError(f"{where}: assistant message {i} is not where the template's rendering puts it, so the "
                            "loss mask would be wrong; use another template or train on the last turn only")
        region = _reasoning_region(full, m, lo, hi)
        if said and region is None:
            out.dropped.append(i)
        if content_only:
            at = full.find(m.content or "", lo, hi) if m.content else -1
            if at < 0:
                continue
            lo, hi = at, at + len(m.content)
        span = _tokens(offsets, lo, hi)
        if span:
            out.turns.append((i, *span))
            reasoned = _tokens(offsets, *region) if region is not None and not content_only else None
            if reasoned:
                out.reasoning.append((i, *reasoned))
    return out


def prepare_example(tokenizer, conv: Conversation, line: int, eot: set[int], where: str | None = None) -> Prepared:
    """Token ids and labels for one conversation: each trained turn up to its end-of-turn token.
    `where` names the example in errors (default: its line)."""
    where = where or f"line {line}"
    rendering = render(tokenizer, conv, where)
    ids = rendering.ids
    labels = [IGNORE] * len(ids)
    spans = []
    for i, start, through in rendering.turns:
        stops = [j for j in range(start, through) if ids[j] in eot]
        if not stops:
            raise MaskError(f"{where}: assistant message {i} renders without an end-of-turn token; the model "
                            "would never learn to stop (set the tokenizer's eos_token to the template's turn end)")
        end = stops[-1] + 1
        labels[start:end] = ids[start:end]
        spans.append((start, end))
    if not spans:
        raise Untrainable(f"{where}: {NOTHING_TO_TRAIN}")
    return Prepared(line, ids, labels, spans, [(a, b) for _, a, b in rendering.reasoning], rendering.dropped)
