"""What the conversation pane and the search read of an example. No Textual here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sftlint.schema import Conversation


@dataclass
class Shown:
    """A message as the view shows it."""

    role: str
    content: str
    extra: str = ""
    """Tool calls, tool_call_id, weight, name: shown under the content."""
    reasoning: str | None = None
    """The answer's reasoning, shown folded above the answer (`content` is the answer alone)."""


def shown_messages(conv: Conversation) -> list[Shown]:
    out = []
    for m in conv.messages:
        extra = []
        for call in m.tool_calls:
            extra.append(f"→ tool call {call.id or ''} {call.name or '?'}({call.arguments_text})")
        if m.tool_call_id:
            extra.append(f"↳ answers {m.tool_call_id}")
        if m.name:
            extra.append(f"name: {m.name}")
        if m.weight is not None:
            extra.append(f"weight: {m.weight}")
        out.append(Shown(m.role or "", m.content or "", "\n".join(extra), m.reasoning))
    return out


def strings_of(value) -> Iterable[str]:
    """Every string inside a JSON value (what the search looks through)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings_of(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings_of(v)
