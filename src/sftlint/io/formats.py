"""Format adapters: OpenAI `messages`, ShareGPT and Alpaca records into one Conversation.

Adapters are lenient: they keep going through malformed input and report every problem they
see as an `Issue` (a rule code with a message and message index). They never raise on data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from sftlint.catalogue import Profile
from sftlint.io.mapping import InputMapping
from sftlint.io.reasoning import hermes_tools, split_content
from sftlint.schema import REASONING_KEYS, Conversation, Message, ToolCall

FORMATS = ("messages", "sharegpt", "alpaca", "pairs", "firefly")
MAPPED = "mapped"
"""The format of every file when the config declares a mapping (`[tool.sftlint.mapping]`)."""
FIREFLY = InputMapping(turns="conversation", user="human", assistant="assistant", system="system",
                       also=("conversation_id",))
"""Firefly and MOSS: `{conversation_id, category, conversation: [{human, assistant}], dataset}`."""
PAIR_PROMPT_KEYS = ("prompt", "question", "query")
PAIR_ANSWER_KEYS = ("completion", "response", "answer")

SHAREGPT_ROLES = {
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "chatgpt": "assistant",
    "bard": "assistant",
    "bing": "assistant",
    "model": "assistant",
    "system": "system",
    "function_call": "assistant",
    "observation": "tool",
    "function": "tool",
    "tool": "tool",
}
SHAREGPT_MESSAGE_KEYS = frozenset({"from", "value", "weight"})
# Message keys the Message model holds; any other key is kept verbatim in Message.extra.
MODELLED_MESSAGE_KEYS = frozenset({"role", "content", "name", "tool_calls", "tool_call_id", "weight", *REASONING_KEYS})
SHAREGPT_EXAMPLE_KEYS = frozenset({"conversations", "id", "system", "tools"})
ALPACA_EXAMPLE_KEYS = frozenset({"instruction", "input", "output", "history", "system"})
# Dolly-style records name the same fields context/response.
ALPACA_ALIASES = {"context": "input", "response": "output"}


@dataclass(slots=True)
class Issue:
    code: str
    message: str
    message_index: int | None = None


def detect_format(values: Iterable[Any]) -> str | None:
    """The format most of the first parsed records are in, or None if none is recognised."""
    votes = {f: 0 for f in FORMATS}
    for value in values:
        fmt = record_format(value)
        if fmt:
            votes[fmt] += 1
    best = max(votes, key=votes.__getitem__)
    return best if votes[best] else None


def record_format(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    if "messages" in value:
        return "messages"
    if "conversations" in value:
        return "sharegpt"
    if "instruction" in value and ("output" in value or "response" in value):
        return "alpaca"
    if any(k in value for k in PAIR_PROMPT_KEYS) and any(k in value for k in PAIR_ANSWER_KEYS):
        return "pairs"
    if isinstance(value.get("conversation"), list):
        return "firefly"
    return None


def adapt(value: Any, fmt: str | None, profile: Profile) -> tuple[Conversation | None, list[Issue]]:
    if not isinstance(value, dict):
        return None, [Issue("S011", f"example is a JSON {_json_type(value)}, not an object")]
    fmt = fmt or record_format(value)
    if fmt == "messages":
        return _from_messages(value, profile)
    if fmt == "sharegpt":
        return _from_sharegpt(value)
    if fmt == "alpaca":
        return _from_alpaca(value)
    if fmt == "pairs":
        return _from_pairs(value)
    if fmt == "firefly":
        return _from_mapped(value, FIREFLY, "firefly")
    if fmt == MAPPED and profile.mapping is not None:
        return _from_mapped(value, profile.mapping, MAPPED)
    keys = ", ".join(sorted(map(str, value))[:8]) or "none"
    return None, [Issue("S010", f"example is in no known chat format (keys: {keys})")]


def _json_type(value: Any) -> str:
    return {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(value), "null")


METADATA_KEYS = frozenset({"id", "idx", "index", "uuid", "source", "dataset", "datasplit", "split", "generator",
                           "model", "category", "lang", "language", "tags", "url", "license", "metadata", "meta",
                           "created_at", "timestamp", "topic", "domain"})
"""Keys that describe a record rather than hold its text: every trainer ignores them, and losing
them in a conversion loses no training data, so S032 does not report them."""


def _unknown_keys(value: dict, known, label: str, issues: list[Issue]) -> None:
    unknown = sorted(str(k) for k, v in value.items() if v is not None and k not in known and k not in METADATA_KEYS)
    if unknown:
        issues.append(Issue("S032", f"unrecognised top-level key(s) for {label}: {', '.join(unknown)}"))


def _system_prompt(value: dict) -> list[Message]:
    """The top-level `system` field of ShareGPT, Alpaca and pair records, as a leading message."""
    system = value.get("system")
    return [Message(role="system", content=system)] if isinstance(system, str) and system else []


def _present(d: dict) -> dict:
    # Parquet and some exporters write absent optional fields as null; null means absent.
    return {k: v for k, v in d.items() if v is not None}


def _content(raw: Any, index: int, issues: list[Issue]) -> tuple[str | None, list | None]:
    """Text of a message's content, and its parts when content is a list."""
    if raw is None or isinstance(raw, str):
        return raw, None
    if isinstance(raw, list):
        texts = []
        for p, part in enumerate(raw):
            if not isinstance(part, dict) or "type" not in part:
                issues.append(Issue("S031", f"content part {p} is not an object with a `type`", index))
            elif part["type"] == "text":
                text = part.get("text")
                if not isinstance(text, str):
                    other = ", ".join(k for k in part if k != "type") or "no other key"
                    issues.append(Issue("S031", f"text part {p} has no string `text` (has: {other})", index))
                    if isinstance(part.get("value"), str):
                        texts.append(part["value"])
                else:
                    texts.append(text)
        return "\n".join(texts), raw
    issues.append(Issue("S031", f"content is a JSON {_json_type(raw)}; expected a string or a list of parts", index))
    return None, None


def _tool_calls(raw: Any, index: int, issues: list[Issue], profile: Profile) -> list[ToolCall]:
    if not isinstance(raw, list):
        issues.append(Issue("S030", f"`tool_calls` is a JSON {_json_type(raw)}, not an array", index))
        return []
    calls = []
    for c, call in enumerate(raw):
        if not isinstance(call, dict) or not isinstance(call.get("function"), dict):
            issues.append(Issue("S030", f"tool call {c} has no `function` object", index))
            continue
        fn = call["function"]
        name, args = fn.get("name"), fn.get("arguments")
        if not isinstance(name, str) or not name:
            issues.append(Issue("S030", f"tool call {c} has no function `name`", index))
        if isinstance(args, str):
            try:
                orjson.loads(args)
            except orjson.JSONDecodeError:
                issues.append(Issue("S030", f"tool call {c} `arguments` is not valid JSON", index))
        elif args is not None and not (profile.object_arguments and isinstance(args, dict)):
            want = "a JSON-encoded string or an object" if profile.object_arguments else "a JSON-encoded string"
            issues.append(Issue("S030", f"tool call {c} `arguments` must be {want}", index))
        call_id = call.get("id")
        calls.append(ToolCall(call_id if isinstance(call_id, str) else None, name if isinstance(name, str) else None,
                              args if isinstance(args, (str, dict)) else None))
    return calls


def _from_messages(value: dict, profile: Profile) -> tuple[Conversation | None, list[Issue]]:
    issues: list[Issue] = []
    raw_messages = value.get("messages")
    if not isinstance(raw_messages, list) or not raw_messages:
        what = "missing" if raw_messages is None else ("empty" if raw_messages == [] else f"a JSON {_json_type(raw_messages)}")
        return None, [Issue("S012", f"`messages` is {what}; expected a non-empty array")]
    if not profile.example_keys.issuperset(value):
        _unknown_keys(value, profile.example_keys, f"profile {profile.name}", issues)
    messages = []
    reasoned = False
    for i, raw in enumerate(raw_messages):
        if not isinstance(raw, dict):
            issues.append(Issue("S013", f"message is a JSON {_json_type(raw)}, not an object", i))
            messages.append(Message(role=None, extra={"value": raw}))
            continue
        if None in raw.values():
            raw = _present(raw)
        role = raw.get("role")
        if not isinstance(role, str):
            issues.append(Issue("S013", "message has no `role`" if role is None else "`role` is not a string", i))
            role = None
        if not profile.message_keys.issuperset(raw):
            extra = sorted(k for k in raw if k not in profile.message_keys)
            if set(extra) <= set(REASONING_KEYS):
                issues.append(Issue("S014", f"reasoning key {', '.join(map(repr, extra))}: profile {profile.name} "
                                            "does not train on reasoning (profile hf does; or `sftlint convert "
                                            "--reasoning inline` to write it into the content)", i))
            else:
                issues.append(Issue("S014", f"unrecognised key(s) {', '.join(map(repr, extra))}", i))
        content = raw.get("content")
        parts = None
        invalid = False
        if content is not None and not isinstance(content, str):
            before = len(issues)
            content, parts = _content(content, i, issues)
            invalid = content is None and len(issues) > before
        calls = _tool_calls(raw["tool_calls"], i, issues, profile) if "tool_calls" in raw else []
        name = raw.get("name")
        tool_call_id = raw.get("tool_call_id")
        extra = {k: v for k, v in raw.items() if k not in MODELLED_MESSAGE_KEYS}
        if not isinstance(role, str) and "role" in raw:
            extra["role"] = raw["role"]
        if invalid:
            extra["content"] = raw["content"]
        for key, kept in (("name", name), ("tool_call_id", tool_call_id)):
            if key in raw and not isinstance(kept, str):
                extra[key] = raw[key]
        msg = Message(
            role=role,
            content=content,
            parts=parts,
            name=name if isinstance(name, str) else None,
            tool_calls=calls,
            tool_call_id=tool_call_id if isinstance(tool_call_id, str) else None,
            weight=raw.get("weight"),
            has_function_call="function_call" in raw,
            content_invalid=invalid,
            tool_calls_raw=raw.get("tool_calls"),
            extra=extra,
        )
        reasoned = _reasoning(msg, raw, i, issues) or reasoned
        messages.append(msg)
    extra = {k: v for k, v in value.items() if k not in ("messages", "tools")}
    conv = Conversation(messages=messages, tools=value.get("tools"), source_format="messages", extra=extra,
                        reasoned=reasoned)
    _declare_hermes_tools(conv)
    return conv, issues


def _reasoning(msg: Message, raw: dict, index: int, issues: list[Issue]) -> bool:
    """The message's reasoning, from a reasoning key or from its content, and Hermes tool calls
    written in its content; the content becomes the answer alone (as written is kept)."""
    if "reasoning_content" in raw or "reasoning" in raw or "thinking" in raw:  # tested first: most messages have none
        _reasoning_keys(msg, raw, index, issues)
    content = msg.content
    if msg.role == "assistant" and type(content) is str and "<" in content and msg.parts is None:
        _inline_parts(msg, split_content(content, msg.role), index, issues)
    return msg.reasoning is not None or bool(msg.tag_problems)


def _reasoning_keys(msg: Message, raw: dict, index: int, issues: list[Issue]) -> None:
    keys = [k for k in REASONING_KEYS if k in raw]
    for k in keys:
        if not isinstance(raw[k], str):
            issues.append(Issue("S031", f"`{k}` is a JSON {_json_type(raw[k])}; expected a string", index))
            msg.extra[k] = raw[k]
    keys = [k for k in keys if isinstance(raw[k], str)]
    if len(keys) > 1:
        issues.append(Issue("S031", f"reasoning written twice ({', '.join(keys)}); templates read one", index))
        for k in keys[1:]:
            msg.extra[k] = raw[k]
    if keys:
        msg.reasoning, msg.reasoning_form = raw[keys[0]], keys[0]


def _inline_parts(msg: Message, inline, index: int, issues: list[Issue]) -> None:
    if inline.answer is msg.content and not inline.tag_problems:
        return
    msg.tag_problems = inline.tag_problems
    if inline.reasoning is not None or inline.calls:
        msg.written, msg.content = msg.content, inline.answer
    if inline.reasoning is not None:
        if msg.reasoning is not None:
            issues.append(Issue("S031", f"reasoning written twice (`{msg.reasoning_form}` and in the content); "
                                        "templates read one", index))
        else:
            msg.reasoning, msg.reasoning_form = inline.reasoning, inline.form
    if inline.calls:
        if msg.tool_calls:
            issues.append(Issue("S030", "tool calls both in `tool_calls` and as `<tool_call>` blocks", index))
            return
        msg.hermes_calls = True
        for c, (call, problem) in enumerate(inline.calls):
            if problem:
                issues.append(Issue("S030", f"tool call {c}: {problem}", index))
                continue
            args = call.get("arguments")
            msg.tool_calls.append(ToolCall(None, call["name"], args if isinstance(args, (str, dict)) else None))


def _from_sharegpt(value: dict) -> tuple[Conversation | None, list[Issue]]:
    issues: list[Issue] = []
    turns = value.get("conversations")
    if not isinstance(turns, list) or not turns:
        what = "missing" if turns is None else ("empty" if turns == [] else f"a JSON {_json_type(turns)}")
        return None, [Issue("S012", f"`conversations` is {what}; expected a non-empty array")]
    _unknown_keys(value, SHAREGPT_EXAMPLE_KEYS, "ShareGPT", issues)
    messages = _system_prompt(value)
    offset = len(messages)
    reasoned = False
    for t, raw in enumerate(turns):
        i = t + offset
        if not isinstance(raw, dict):
            issues.append(Issue("S013", f"turn is a JSON {_json_type(raw)}, not an object", i))
            messages.append(Message(role=None, extra={"value": raw}))
            continue
        raw = _present(raw)
        source = raw.get("from", raw.get("role"))
        if not isinstance(source, str):
            issues.append(Issue("S013", "turn has no `from`", i))
            source = None
        extra = sorted(k for k in raw if k not in SHAREGPT_MESSAGE_KEYS and k not in ("role", "content"))
        if extra:
            issues.append(Issue("S014", f"unrecognised key(s) {', '.join(map(repr, extra))}", i))
        text = raw.get("value", raw.get("content"))
        invalid = text is not None and not isinstance(text, str)
        if invalid:
            issues.append(Issue("S031", f"`value` is a JSON {_json_type(text)}; expected a string", i))
            text = None
        role = SHAREGPT_ROLES.get(source, source) if source else None
        extra = {k: v for k, v in raw.items() if k not in ("from", "value", "role", "content", "weight")}
        if invalid:
            extra["content"] = raw.get("value", raw.get("content"))
        msg = Message(role=role, content=text, weight=raw.get("weight"), content_invalid=invalid, extra=extra)
        if source == "function_call":
            msg.content = None
            msg.tool_calls = [_sharegpt_call(text, i, issues)]
        else:
            reasoned = _reasoning(msg, {}, i, issues) or reasoned
        messages.append(msg)
    extra = {k: v for k, v in value.items() if k not in ("conversations", "system", "tools")}
    conv = Conversation(messages=messages, tools=value.get("tools"), source_format="sharegpt", extra=extra,
                        reasoned=reasoned)
    _declare_hermes_tools(conv)
    return conv, issues


def _declare_hermes_tools(conv: Conversation) -> None:
    if conv.tools is None and any(m.hermes_calls for m in conv.messages):
        conv.inline_tools = hermes_tools(next((m.content for m in conv.messages if m.is_system), None))


def _sharegpt_call(text: str | None, index: int, issues: list[Issue]) -> ToolCall:
    try:
        call = orjson.loads(text or "")
    except orjson.JSONDecodeError:
        issues.append(Issue("S030", "function_call value is not valid JSON", index))
        return ToolCall(None, None, text)
    if not isinstance(call, dict) or not isinstance(call.get("name"), str):
        issues.append(Issue("S030", "function_call value has no `name`", index))
        return ToolCall(None, None, text)
    args = call.get("arguments", {})
    return ToolCall(None, call["name"], args if isinstance(args, str) else orjson.dumps(args).decode())


def _from_alpaca(value: dict) -> tuple[Conversation | None, list[Issue]]:
    issues: list[Issue] = []
    _unknown_keys(value, ALPACA_EXAMPLE_KEYS | ALPACA_ALIASES.keys(), "Alpaca", issues)
    messages = _system_prompt(value)
    history = value.get("history") or []
    if not isinstance(history, list):
        issues.append(Issue("S031", "`history` is not an array of [prompt, answer] pairs"))
        history = []
    for pair in history:
        if isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair):
            messages.append(Message(role="user", content=pair[0]))
            messages.append(Message(role="assistant", content=pair[1]))
        else:
            issues.append(Issue("S031", "`history` entry is not a [prompt, answer] pair of strings", len(messages)))
    value = {ALPACA_ALIASES.get(k, k): v for k, v in value.items()}
    instruction, extra_input, output = value.get("instruction"), value.get("input"), value.get("output")
    for key, field_value in (("instruction", instruction), ("input", extra_input), ("output", output)):
        if field_value is not None and not isinstance(field_value, str):
            issues.append(Issue("S031", f"`{key}` is a JSON {_json_type(field_value)}; expected a string", len(messages)))
    instruction = instruction if isinstance(instruction, str) else None
    prompt = instruction
    if isinstance(extra_input, str) and extra_input.strip():
        prompt = f"{instruction}\n\n{extra_input}" if instruction else extra_input
    messages.append(Message(role="user", content=prompt))
    messages.append(Message(role="assistant", content=output if isinstance(output, str) else None))
    extra = {k: v for k, v in value.items() if k not in ALPACA_EXAMPLE_KEYS}
    return Conversation(messages=messages, source_format="alpaca", extra=extra), issues


def _from_mapped(value: dict, mapping: InputMapping, fmt: str) -> tuple[Conversation | None, list[Issue]]:
    """A record in the shape a mapping declares (the config's, or Firefly's built in)."""
    issues: list[Issue] = []
    _unknown_keys(value, mapping.known_keys(), "the mapping" if fmt == MAPPED else fmt, issues)
    system = value.get(mapping.system) if mapping.system else None
    messages = [Message(role="system", content=system)] if isinstance(system, str) and system else []

    def text_of(raw: dict, key: str, role: str) -> None:
        text = raw.get(key)
        if text is not None and not isinstance(text, str):
            issues.append(Issue("S031", f"`{key}` is a JSON {_json_type(text)}; expected a string", len(messages)))
            text = None
        messages.append(Message(role=role, content=text))

    if mapping.turns is None:
        if not isinstance(value.get(mapping.prompt), str) and not isinstance(value.get(mapping.answer), str):
            return None, [Issue("S012", f"no `{mapping.prompt}` or `{mapping.answer}` (the mapping's prompt and answer)")]
        text_of(value, mapping.prompt, "user")
        text_of(value, mapping.answer, "assistant")
    else:
        turns = value.get(mapping.turns)
        if not isinstance(turns, list) or not turns:
            what = "missing" if turns is None else ("empty" if turns == [] else f"a JSON {_json_type(turns)}")
            return None, [Issue("S012", f"`{mapping.turns}` is {what}; expected a non-empty array of turns")]
        for raw in turns:
            if not isinstance(raw, dict):
                issues.append(Issue("S013", f"turn is a JSON {_json_type(raw)}, not an object", len(messages)))
                messages.append(Message(role=None, extra={"value": raw}))
            elif mapping.user:  # a pair per turn
                for role, key in (("user", mapping.user), ("assistant", mapping.assistant)):
                    if key in raw:
                        text_of(raw, key, role)
            else:
                role = mapping.role_of(raw.get(mapping.role))
                if not isinstance(role, str):
                    issues.append(Issue("S013", f"turn has no `{mapping.role}`", len(messages)))
                    role = None
                text_of(raw, mapping.content, role)
    extra = {k: v for k, v in value.items() if k not in mapping.known_keys() and k != "tools"}
    return Conversation(messages=messages, tools=value.get("tools"), source_format=fmt, extra=extra), issues


def _from_pairs(value: dict) -> tuple[Conversation | None, list[Issue]]:
    """Prompt/completion records ({prompt, completion}, {question, answer}, ...) as one exchange."""
    issues: list[Issue] = []
    pk = next(k for k in PAIR_PROMPT_KEYS if k in value) if any(k in value for k in PAIR_PROMPT_KEYS) else None
    ak = next(k for k in PAIR_ANSWER_KEYS if k in value) if any(k in value for k in PAIR_ANSWER_KEYS) else None
    _unknown_keys(value, {pk, ak, "system", "id"}, "prompt/answer pairs", issues)
    messages = _system_prompt(value)
    for role, key in (("user", pk), ("assistant", ak)):
        text = value.get(key) if key else None
        if text is not None and not isinstance(text, str):
            issues.append(Issue("S031", f"`{key}` is a JSON {_json_type(text)}; expected a string", len(messages)))
            text = None
        messages.append(Message(role=role, content=text))
    extra = {k: v for k, v in value.items() if k not in (pk, ak, "system")}
    return Conversation(messages=messages, source_format="pairs", extra=extra), issues
