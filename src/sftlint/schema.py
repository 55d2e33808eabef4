"""The normalised conversation every format adapter produces, and its example id.

Plain slotted dataclasses rather than pydantic models: a conversation is built once per example
on the hot path (tens of thousands per second), and adapters must accept malformed input and
report it as findings, which validation-on-construction would turn into exceptions.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson

from sftlint.jsonvalues import dumps

REASONING_KEYS = ("reasoning_content", "reasoning", "thinking")
"""Message keys that hold reasoning: DeepSeek/vLLM, OpenRouter/Together, Hugging Face gpt-oss."""
SYSTEM_ROLES = ("system", "developer")
"""The roles of a system prompt (`developer` in newer OpenAI-style templates)."""


@dataclass(slots=True)
class ToolCall:
    id: str | None
    name: str | None
    arguments: Any = None
    """As written: a JSON-encoded string (OpenAI) or an object (Hugging Face chat templates)."""

    @property
    def arguments_text(self) -> str:
        """The arguments as JSON text, however they were written."""
        if self.arguments is None or isinstance(self.arguments, str):
            return self.arguments or ""
        return dumps(self.arguments).decode()

    @property
    def argument_values(self) -> Any:
        """The arguments as a JSON value (None when they are not valid JSON: S030's finding)."""
        if not isinstance(self.arguments, str):
            return self.arguments
        try:
            return orjson.loads(self.arguments)
        except orjson.JSONDecodeError:
            return None


@dataclass(slots=True)
class Message:
    role: str | None
    content: str | None = None
    """Text of the message; for list content, the text parts joined with newlines."""
    parts: list[Any] | None = None
    """The original list of content parts, when content was a list."""
    name: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str | None = None
    weight: Any = None
    has_function_call: bool = False
    content_invalid: bool = False
    """Content was present but malformed (already reported as S031)."""
    tool_calls_raw: Any = None
    """`tool_calls` exactly as written (written back unchanged; `tool_calls` is the parsed view)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Keys sftlint does not model (e.g. `refusal`, `loss_weight`) and malformed values, kept so
    export writes them back and distinct records get distinct ids."""
    reasoning: str | None = None
    """The reasoning before the answer, whichever form it was written in (`reasoning_form`)."""
    reasoning_form: str | None = None
    """Where the reasoning was read from: a key (`reasoning_content`, `reasoning`, `thinking`), or
    `think` / `harmony` when it was written inside the content (io/reasoning.py)."""
    written: str | None = None
    """The content exactly as written, when reasoning or Hermes tool calls were split out of it
    (`content` is then the answer alone); what export writes back."""
    hermes_calls: bool = False
    """`tool_calls` were read from `<tool_call>` blocks in the content, not from a key."""
    tag_problems: list[str] = field(default_factory=list)
    """Think tags out of place in the content (S035)."""

    @property
    def is_system(self) -> bool:
        """A system prompt: `system`, or `developer` (its name in newer OpenAI-style templates)."""
        return self.role in SYSTEM_ROLES

    @property
    def text(self) -> str:
        return self.content or ""

    def to_openai(self) -> dict[str, Any]:
        out: dict[str, Any] = {"role": self.role}
        if self.parts is not None:
            out["content"] = self.parts
        elif self.written is not None:
            out["content"] = self.written
        elif self.content is not None:
            out["content"] = self.content
        if self.name is not None:
            out["name"] = self.name
        if self.tool_calls_raw is not None:
            out["tool_calls"] = self.tool_calls_raw
        elif self.tool_calls and not self.hermes_calls:
            out["tool_calls"] = [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                for c in self.tool_calls
            ]
        if self.tool_call_id is not None:
            out["tool_call_id"] = self.tool_call_id
        if self.weight is not None:
            out["weight"] = self.weight
        if self.reasoning is not None and self.reasoning_form in REASONING_KEYS:
            out[self.reasoning_form] = self.reasoning
        out.update(self.extra)
        return out

    @property
    def trained_text(self) -> str:
        """The content as a chat template receives it: as written, reasoning and calls included."""
        return self.written if self.written is not None else (self.content or "")


@dataclass(slots=True)
class Conversation:
    messages: list[Message]
    tools: Any = None
    source_format: str = "messages"
    extra: dict[str, Any] = field(default_factory=dict)
    """Top-level keys besides the messages and tools (e.g. `parallel_tool_calls`, metadata)."""
    inline_tools: Any = None
    """Tools a Hermes system prompt declares in `<tools>…</tools>` (read, never written back)."""
    reasoned: bool = False
    """Some message has reasoning or think tags (set by the adapter: the reasoning rules skip the rest)."""

    @property
    def declared_tools(self) -> Any:
        return self.tools if self.tools is not None else self.inline_tools

    @property
    def has_reasoning(self) -> bool:
        return self.reasoned and any(m.reasoning is not None for m in self.messages)

    def to_openai(self) -> dict[str, Any]:
        out: dict[str, Any] = {"messages": [m.to_openai() for m in self.messages]}
        if self.tools is not None:
            out["tools"] = self.tools
        out.update(self.extra)
        return out

    def template_messages(self) -> list[dict[str, Any]]:
        """Messages as chat templates expect them: content as text, tool calls as dicts."""
        out = []
        for m in self.messages:
            # As written: a template that reads `<think>` or `<tool_call>` in content splits it
            # itself, and one that reads a reasoning key gets the key it was written under.
            d: dict[str, Any] = {"role": m.role or "", "content": m.trained_text}
            if m.reasoning is not None and m.reasoning_form in REASONING_KEYS:
                d[m.reasoning_form] = m.reasoning
            if m.tool_calls and not m.hermes_calls:
                d["tool_calls"] = [{"type": "function", "id": c.id, "function": {"name": c.name, "arguments": c.arguments}}
                                   for c in m.tool_calls]
            if m.tool_call_id:
                d["tool_call_id"] = m.tool_call_id
            if m.name:
                d["name"] = m.name
            out.append(d)
        return out

    def example_id(self) -> str:
        """Hash of the canonical JSON of the normalised conversation.

        Keyed on content, not position, so decisions survive reordering, reformatting and
        insertion of other lines.
        """
        canonical = dumps(self.to_openai(), sort_keys=True)
        return hashlib.blake2b(canonical, digest_size=8).hexdigest()
