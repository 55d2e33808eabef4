"""Rules on an answer's reasoning (S035, S036, Q011), and what each example leaves for the
dataset-level ones (S037, S038, P007: `reasoning_state`, judged in outliers.py).

The reasoning is read by the adapter (io/reasoning.py) from whichever form it was written in; the
message's content is then the answer alone, so every other content rule judges the answer, not
the thinking before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sftlint.checks import Context, Hit, check
from sftlint.schema import Conversation, Message

# What the last answer of an example says of its reasoning (the corpus row's `reasoning_state`).
NO_ANSWER, REASONED, EMPTY, UNREASONED, NO_THINK = range(5)
_NO_THINK = re.compile(r"/no_think\b|enable_thinking\s*[=:]\s*false|reasoning:\s*(?:none|off)\b", re.IGNORECASE)


def _last_assistant(conv: Conversation) -> tuple[int, Message | None]:
    for i in range(len(conv.messages) - 1, -1, -1):
        if conv.messages[i].role == "assistant":
            return i, conv.messages[i]
    return -1, None


def _asks_no_thinking(text: str | None) -> bool:
    # the substring test settles almost every prompt without the regex
    return bool(text) and ("no_think" in text or "hinking" in text or "easoning" in text) and bool(_NO_THINK.search(text))


def reasoning_state(conv: Conversation) -> tuple[int, int]:
    """(state, reasoning characters) of the example's last answer."""
    i, m = _last_assistant(conv)
    if m is None:
        return NO_ANSWER, 0
    if any(_asks_no_thinking(p.content) for p in conv.messages[:i] if p.role in ("system", "developer", "user")):
        return NO_THINK, 0  # the prompt asks for no thinking (Qwen3's hybrid-mode data): answered as asked
    if not conv.reasoned or m.reasoning is None:
        return (NO_ANSWER, 0) if m.tag_problems else (UNREASONED, 0)  # an unclosed block is S035's
    text = m.reasoning.strip()
    return (REASONED, len(text)) if text else (EMPTY, 0)


@check("S035")
def malformed_think_tags(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    if not conv.reasoned:
        return
    for i, m in enumerate(conv.messages):
        for problem in m.tag_problems:
            yield Hit(i, problem)


@check("S036")
def answer_missing_after_reasoning(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    if not conv.reasoned:
        return
    for i, m in enumerate(conv.messages):
        if (m.role == "assistant" and m.reasoning is not None and not (m.content or "").strip()
                and not m.tool_calls and not m.has_function_call):
            size = len(m.reasoning.strip())
            yield Hit(i, f"{size:,} characters of reasoning and no answer after it" if size
                      else "empty reasoning and no answer")


# --- Q011: the answer's result against the reasoning's -----------------------------------------

_BOXED = re.compile(r"\\boxed\{((?:[^{}]|\{[^{}]*\})*)\}")
# a number, units glued on or not ("2600g", "$57500/year"); a fraction only as digits/digits
_NUMBER = re.compile(r"(?<![\d.,])-?\$?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:/\d+(?![\d.]))?(?!\d|[.,]\d)")
_FINAL_CUE = re.compile(
    r"(?:final answer|the answer|answer is|answer:|result is|total is|\btotal of|####|therefore|thus|so the|"
    r"答案|结果)[^\n\d-]{0,40}(-?\$?\d[\d,]*(?:\.\d+)?(?:/\d+)?)", re.IGNORECASE)
_BOLD_NUMBER = re.compile(r"\*\*[^*\n\d]{0,30}(-?\$?\d[\d,]*(?:\.\d+)?(?:/\d+)?)[^*\n]{0,30}\*\*")
_CALC = re.compile(r"<<[^<>\n]*>>")  # GSM8K's calculator annotations repeat the result


def _value(token: str) -> float | None:
    t = token.replace("$", "").replace(",", "").strip().rstrip(".")
    try:
        if "/" in t:
            a, b = t.split("/", 1)
            return float(a) / float(b) if float(b) else None
        return float(t)
    except ValueError:
        return None


def _boxed(text: str) -> float | None:
    found = _BOXED.findall(text)
    if not found:
        return None
    numbers = _NUMBER.findall(found[-1])
    return _value(numbers[-1]) if len(numbers) == 1 else None


def answer_result(answer: str) -> float | None:
    """The result the answer states: a \\boxed{} value, a number after a closing cue ("the answer
    is", "####"), a bold number, or its only number; None when it states none clearly."""
    boxed = _boxed(answer)
    if boxed is not None:
        return boxed
    for pattern in (_FINAL_CUE, _BOLD_NUMBER):
        found = pattern.findall(answer)
        if found:
            return _value(found[-1])
    numbers = {_value(n) for n in _NUMBER.findall(answer)} - {None}
    return numbers.pop() if len(numbers) == 1 else None


def reasoning_result(reasoning: str) -> tuple[float | None, set[float]]:
    """The reasoning's last stated result (a \\boxed{} value, what its last line's last equation
    gives, a number after a closing cue, else the last number of that line), and every number of
    that last line."""
    text = _CALC.sub("", reasoning)
    boxed = _boxed(text)
    lines = [line for line in text.strip().splitlines() if _NUMBER.search(line)]
    if not lines:
        return boxed, set()
    last = lines[-1]
    near = {_value(n) for n in _NUMBER.findall(last)} - {None}
    if boxed is not None:
        return boxed, near | {boxed}
    after = _NUMBER.findall(last[last.rfind("=") + 1:]) if "=" in last else []
    if after:  # "… earns $210 - $200 = $10 more": the result is what the last equation gives
        return _value(after[0]), near
    cue = _FINAL_CUE.findall(last)
    return _value(cue[-1] if cue else _NUMBER.findall(last)[-1]), near


def _same(stated: float, reached: float) -> bool:
    """Equal, or the same as a percentage (0.25 and 25), or the answer rounds the reasoning's
    result to a whole number (5.27 bags -> 5)."""
    if abs(stated - reached) <= 1e-6 * max(1.0, abs(stated), abs(reached)):
        return True
    if abs(stated * 100 - reached) < 1e-6 or abs(reached * 100 - stated) < 1e-6:
        return True
    return stated == int(stated) and reached != int(reached) and abs(stated - reached) < 1


def _shown(x: float) -> str:
    return f"{x:,.0f}" if x == int(x) else f"{x:,.4g}"


@check("Q011")
def answer_contradicts_reasoning(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    if not conv.reasoned:
        return
    for i, m in enumerate(conv.messages):
        if m.role != "assistant" or not m.reasoning or not m.content:
            continue
        stated = answer_result(m.content)
        if stated is None:
            continue
        reached, last_line = reasoning_result(m.reasoning)
        if reached is None or _same(stated, reached) or any(_same(stated, x) for x in last_line):
            continue
        yield Hit(i, f"the answer gives {_shown(stated)}; the reasoning ends at {_shown(reached)}")
