"""Structure rules (S) on a normalised conversation.

S001-S014 and S030-S032 are found while reading and adapting (io/reader.py, io/formats.py),
because they concern the raw JSON; the rules here concern the conversation's shape. The set
covers everything the OpenAI cookbook's format check counts (data type, missing messages,
missing key, unrecognised key and role, missing content, no assistant message) plus the
checks its users asked for.
"""

from __future__ import annotations

from collections.abc import Iterator

from sftlint.checks import Context, Hit, check
from sftlint.checks.tool_calls import declared, problems
from sftlint.schema import Conversation

NON_ASSISTANT_CONTENT_ROLES = ("system", "developer", "user", "tool")


@check("S015")
def unrecognised_role(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    allowed = ctx.profile.roles
    for i, m in enumerate(conv.messages):
        if m.role is not None and m.role not in allowed:
            yield Hit(i, f"role {m.role!r} is not one of {', '.join(allowed)} (profile {ctx.profile.name})")


@check("S016")
def missing_content(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    for i, m in enumerate(conv.messages):
        if m.role in NON_ASSISTANT_CONTENT_ROLES and m.content is None and m.parts is None and not m.content_invalid:
            yield Hit(i, f"{m.role} message has no `content`")


@check("S017")
def no_assistant_message(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    if not any(m.role == "assistant" for m in conv.messages):
        yield Hit(None, "conversation has no assistant message")


@check("S018")
def system_not_first(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    for i, m in enumerate(conv.messages):
        if i > 0 and m.is_system:
            yield Hit(i, f"{m.role} message at position {i}, not first")


@check("S019")
def consecutive_same_role(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    msgs = conv.messages
    for i in range(1, len(msgs)):
        role = msgs[i].role
        if role is not None and role == msgs[i - 1].role and role != "tool":
            yield Hit(i, f"two {role} messages in a row (messages {i - 1} and {i})")


@check("S020")
def last_turn_not_assistant(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    msgs = conv.messages
    if msgs and msgs[-1].role != "assistant" and any(m.role == "assistant" for m in msgs):
        yield Hit(len(msgs) - 1, f"conversation ends with a {msgs[-1].role or 'role-less'} message, which is never trained on")


@check("S021")
def no_user_message(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    if not any(m.role == "user" for m in conv.messages):
        yield Hit(None, "conversation has no user message")


@check("S022")
def empty_content(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    for i, m in enumerate(conv.messages):
        if m.content is None or m.content.strip():
            continue
        if m.role == "assistant" and (m.tool_calls or m.has_function_call or m.reasoning is not None):
            continue  # an answer missing after reasoning is S036's
        yield Hit(i, f"{m.role or 'message'} content is {'empty' if not m.content else 'whitespace only'}", (0, len(m.content)))


@check("S023")
def empty_assistant_message(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    for i, m in enumerate(conv.messages):
        if (m.role == "assistant" and m.content is None and m.parts is None and not m.tool_calls
                and not m.has_function_call and not m.content_invalid and m.reasoning is None):
            yield Hit(i, "assistant message has neither `content` nor `tool_calls`")


@check("S024")
def tool_call_without_response(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    msgs = conv.messages
    for i, m in enumerate(msgs):
        if not m.tool_calls or i == len(msgs) - 1:
            continue  # calls in the final turn are the training target, answered at run time
        answered = {t.tool_call_id for t in msgs[i + 1:] if t.role == "tool"}
        for call in m.tool_calls:
            if call.id is not None and call.id not in answered:
                yield Hit(i, f"tool call {call.id!r} ({call.name}) has no tool message answering it")


@check("S025")
def tool_response_without_call(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    ids: set[str] = set()
    any_call = False
    for i, m in enumerate(conv.messages):
        if m.tool_calls or m.has_function_call:
            any_call = True
            ids.update(c.id for c in m.tool_calls if c.id is not None)
        if m.role == "tool":
            if m.tool_call_id is not None and m.tool_call_id not in ids:
                yield Hit(i, f"tool message answers {m.tool_call_id!r}, which no earlier tool call has as id")
            elif m.tool_call_id is None and not any_call:
                yield Hit(i, "tool message with no earlier tool call")


@check("S026")
def invalid_weight(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    profile = ctx.profile
    for i, m in enumerate(conv.messages):
        w = m.weight
        if w is None:
            continue
        if isinstance(w, bool) or not isinstance(w, int | float) or w not in profile.weight_values:
            allowed = " or ".join(str(v) for v in profile.weight_values)
            yield Hit(i, f"weight {w!r} is not {allowed}")
        elif m.role not in profile.weight_roles:
            yield Hit(i, f"weight on a {m.role} message; profile {profile.name} allows it on {', '.join(sorted(profile.weight_roles))} only")


@check("S027")
def unsupported_content_parts(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    allowed = ctx.profile.content_parts
    for i, m in enumerate(conv.messages):
        if m.parts is None:
            continue
        if not allowed:
            yield Hit(i, f"content is a list of parts; profile {ctx.profile.name} wants a string")
            continue
        bad = sorted({str(t) for p in m.parts if isinstance(p, dict)
                      for t in [p.get("type")] if not isinstance(t, str) or t not in allowed})
        if bad:
            yield Hit(i, f"content part type(s) {', '.join(bad)} not accepted by profile {ctx.profile.name}")


@check("S029")
def missing_system_message(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    if not any(m.is_system for m in conv.messages):
        yield Hit(None, "conversation has no system message")


@check("S033")
def tool_call_breaks_schema(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    if not conv.declared_tools or not any(m.tool_calls for m in conv.messages):
        return
    tools = declared(conv.declared_tools)
    if not tools:
        return
    for i, m in enumerate(conv.messages):
        for n, call in enumerate(m.tool_calls or ()):
            if call.name is None:
                continue  # S030's
            if call.name not in tools:
                known = ", ".join(sorted(tools)[:6]) + (" …" if len(tools) > 6 else "")
                yield Hit(i, f"call {n}: `{call.name}` is not one of the example's tools ({known})")
                continue
            values = call.argument_values
            if tools[call.name] is None or (values is None and call.arguments is not None):
                continue  # no schema to check, or arguments that are not JSON (S030's)
            for problem in problems(tools[call.name], {} if values is None else values):
                yield Hit(i, f"call {n} to `{call.name}`: {problem}")
