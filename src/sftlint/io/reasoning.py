"""Reasoning and tool calls written inside an assistant's content, split from its answer.

Three inline shapes are read here (the field shapes, `schema.REASONING_KEYS`, are plain keys
read by the adapter):

  think     `<think>…</think>` before the answer (Qwen3, DeepSeek-R1 distillations); R1's own
            outputs often lack the opening tag, because its template puts `<think>\\n` in the
            generation prompt, and Qwen3's template reads those the same way
  harmony   gpt-oss's channels: `<|channel|>analysis<|message|>…<|end|>` then
            `<|start|>assistant<|channel|>final<|message|>…`
  hermes    `<tool_call>{"name": …, "arguments": …}</tool_call>` blocks (NousResearch Hermes,
            Qwen2.5/3), the tools declared as JSON inside `<tools>…</tools>` in the system prompt

The split is what content rules read: the answer as the message's content and the reasoning as
its own segment. The text as written is kept by the message, so export writes back what was read.
The canonical inline form, which `convert --reasoning inline` writes, is Qwen3's rendering:
`<think>\\n{reasoning}\\n</think>\\n\\n{answer}`; reading strips exactly that framing, so field ->
inline -> field is exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import orjson

THINK = "think"
HARMONY = "harmony"
INLINE_FORMS = (THINK, HARMONY)
OPEN, CLOSE = "<think>", "</think>"
_HARMONY_ANALYSIS = "<|channel|>analysis<|message|>"
_HARMONY_FINAL = "<|channel|>final<|message|>"
_HARMONY_ENDS = ("<|end|>", "<|return|>")
_TOOL_CALL = re.compile(r"<tool_call>(.*?)(?:</tool_call>|\Z)", re.DOTALL)
_TOOLS = re.compile(r"<tools>(.*?)</tools>", re.DOTALL)


@dataclass(slots=True)
class Inline:
    """What an assistant's content holds besides its answer."""

    answer: str
    reasoning: str | None = None
    form: str | None = None
    tag_problems: list[str] = field(default_factory=list)
    """Think tags out of place (S035): unclosed, unopened, repeated, not leading."""
    calls: list[tuple[Any, str | None]] = field(default_factory=list)
    """Hermes calls: (the parsed JSON object or None, the problem when it is not a call)."""
    blocks: int = 0
    """Closed reasoning blocks read (a think block or an analysis channel): 1 is well-formed."""


def _strip_one(text: str, prefix: bool, what: str = "\n") -> str:
    if prefix:
        return text[len(what):] if text.startswith(what) else text
    return text[: -len(what)] if text.endswith(what) else text


def _after_close(text: str) -> str:
    """The answer after `</think>`: the canonical blank line (or a single newline) taken off."""
    if text.startswith("\n\n"):
        return text[2:]
    return _strip_one(text, True)


def _quoted(text: str, at: int) -> bool:
    """Whether position `at` lies in code: a fenced block, or an inline `span` on its line (an
    answer that explains the think format quotes its tags; they are not reasoning)."""
    if text.count("```", 0, at) % 2 == 1:
        return True
    line_start = text.rfind("\n", 0, at) + 1
    return text.count("`", line_start, at) % 2 == 1


def _unquoted(text: str, tag: str) -> int:
    """How many times `tag` occurs outside code."""
    count, at = 0, text.find(tag)
    while at >= 0:
        count += "`" not in text or not _quoted(text, at)
        at = text.find(tag, at + 1)
    return count


def split_think(content: str) -> Inline:
    """The reasoning of a leading think block and the answer after it."""
    if OPEN not in content and CLOSE not in content:
        return Inline(content)
    problems = []
    opened = content.find(OPEN)
    closed = content.find(CLOSE)
    first = min(i for i in (opened, closed) if i >= 0)
    if "`" in content and _quoted(content, first):
        return Inline(content)
    blocks = max(_unquoted(content, OPEN), _unquoted(content, CLOSE))
    if blocks > 1:
        problems.append(f"{blocks} think blocks in one answer; templates read only the first")
    if closed < 0:
        problems.append("`<think>` is never closed: the whole answer reads as reasoning")
        return Inline(content, None, None, problems)
    if opened < 0 or opened > closed:
        problems.append("`</think>` without an opening `<think>` (DeepSeek-R1 output style; templates "
                        "that do not add `<think>` themselves train on the bare reasoning)")
        start = 0
    else:
        if content[:opened].strip():
            problems.append("text before `<think>`: the reasoning block is not at the start of the answer")
        start = opened + len(OPEN)
    reasoning = _strip_one(_strip_one(content[start:closed], True), False)
    return Inline(_after_close(content[closed + len(CLOSE):]), reasoning, THINK, problems, blocks=max(blocks, 1))


def split_harmony(content: str) -> Inline | None:
    """gpt-oss's analysis and final channels written out in the content; None when absent."""
    at = content.find(_HARMONY_ANALYSIS)
    if at < 0:
        return None
    body = content[at + len(_HARMONY_ANALYSIS):]
    end = min((i for i in (body.find(e) for e in _HARMONY_ENDS) if i >= 0), default=len(body))
    reasoning, rest = body[:end], body[end:]
    final = rest.find(_HARMONY_FINAL)
    answer = rest[final + len(_HARMONY_FINAL):] if final >= 0 else ""
    for e in _HARMONY_ENDS:
        if answer.endswith(e):
            answer = answer[: -len(e)]
    problems = [] if final >= 0 or not rest.strip() else ["analysis channel followed by something other than a final channel"]
    return Inline(answer, reasoning, HARMONY, problems, blocks=1)


def split_content(content: str, role: str | None) -> Inline:
    """An assistant's content split into reasoning, answer and Hermes tool calls; other roles'
    content is returned whole."""
    if role != "assistant" or ("<" not in content):
        return Inline(content)
    inline = split_harmony(content) if _HARMONY_ANALYSIS in content else None
    if inline is None:
        inline = split_think(content)
    if "<tool_call>" in inline.answer and not _quoted(inline.answer, inline.answer.find("<tool_call>")):
        inline.calls = [_hermes_call(m.group(1)) for m in _TOOL_CALL.finditer(inline.answer)]
        inline.answer = _TOOL_CALL.sub("", inline.answer).strip("\n")
    return inline


def _hermes_call(body: str) -> tuple[Any, str | None]:
    try:
        call = orjson.loads(body.strip())
    except orjson.JSONDecodeError:
        return None, "`<tool_call>` block is not valid JSON"
    if not isinstance(call, dict) or not isinstance(call.get("name"), str):
        return None, "`<tool_call>` block has no function `name`"
    return call, None


def hermes_tools(system: str | None) -> list | None:
    """The tool schemas a Hermes system prompt declares in `<tools>…</tools>` (one JSON list, or
    one JSON object per line), or None when it declares none or they are not JSON."""
    if not system or "<tools>" not in system:
        return None
    found = _TOOLS.search(system)
    if found is None:
        return None
    body = found.group(1).strip()
    try:
        value = orjson.loads(body)
        return value if isinstance(value, list) else [value]
    except orjson.JSONDecodeError:
        pass
    tools = []
    for line in body.splitlines():
        if line.strip():
            try:
                tools.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                return None
    return tools or None


def inline_think(reasoning: str, answer: str) -> str:
    """The canonical inline form (Qwen3's rendering), which `split_think` reads back exactly."""
    return f"{OPEN}\n{reasoning}\n{CLOSE}\n\n{answer}"
