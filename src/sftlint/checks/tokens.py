"""Token rules (T): exact counts with the target's tokenizer (see sftlint/tokens.py)."""

from __future__ import annotations

from collections.abc import Iterator

from sftlint.checks import Context, Hit, check
from sftlint.schema import Conversation


@check("T001")
def example_too_long(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    limit = ctx.option("T001", "max_tokens")
    counts = ctx.tokens_over(conv, limit)
    if counts is not None:
        yield Hit(None, f"example is {counts.total:,} tokens, over the {limit:,}-token limit")


@check("T002")
def assistant_tokens_truncated(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    limit = ctx.option("T001", "max_tokens")
    counts = ctx.tokens_over(conv, limit)
    if counts is None:
        return
    for index, start, end in counts.trainable_spans:
        lost = end - max(start, limit)
        if lost > 0:
            yield Hit(index, f"{lost:,} of this answer's {end - start:,} trainable tokens lie past the {limit:,}-token limit")


@check("T003")
def zero_trainable_tokens(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    counts = ctx.token_bound(conv)  # zero exactly when the exact count is
    if counts is None or counts.error:
        return
    if counts.trainable == 0 and any(m.role == "assistant" for m in conv.messages):
        yield Hit(None, "no assistant message has weight 1 and content; the example trains nothing")


@check("T004")
def chat_template_error(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    counts = ctx.token_bound(conv)  # a template's error shows in its (exact) bound
    if counts is not None and counts.error:
        yield Hit(None, f"chat template failed: {counts.error}")


@check("T005")
def reasoning_not_trained(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    if not getattr(ctx.counter, "renders_template", False) or not conv.has_reasoning:
        return  # only a chat template says what it drops
    counts = ctx.tokens(conv)
    if counts is None or counts.error:
        return
    last = max((i for i, m in enumerate(conv.messages) if m.role == "assistant"), default=-1)
    for i in counts.dropped:
        yield Hit(i, "the chat template drops the reasoning of turns before the last user message: it will not be "
                     "trained" if i < last and last not in counts.dropped else
                     "the chat template does not render this reasoning: it will not be trained")
