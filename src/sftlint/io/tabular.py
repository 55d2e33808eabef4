"""Examples as Arrow rows (Parquet, Hugging Face datasets), with an exact way back.

Arrow needs one schema for all rows, and cannot tell an absent key from a null or hold a string
in one row and a list in the next. So the fields chat templates and TRL read get typed columns
(role, content, name, tool_calls, tool_call_id, weight), and every value that does not fit its
column's type exactly - unknown keys, content given as parts, a float weight, a malformed tool
call - goes, as JSON text, into `sftlint_extra` (per message and per example); `tools` is kept
as JSON text. `from_row(to_row(x)) == x` for every example, by construction.
"""

from __future__ import annotations

from typing import Any

import orjson

EXTRA = "sftlint_extra"
CALL_KEYS = ("id", "type", "function")


def arrow_schema():
    import pyarrow as pa

    call = pa.struct([("id", pa.string()), ("type", pa.string()),
                      ("function", pa.struct([("name", pa.string()), ("arguments", pa.string())]))])
    message = pa.struct([("role", pa.string()), ("content", pa.string()), ("name", pa.string()),
                         ("tool_calls", pa.list_(call)), ("tool_call_id", pa.string()), ("weight", pa.int64()),
                         (EXTRA, pa.string())])
    return pa.schema([("messages", pa.list_(message)), ("tools", pa.string()), (EXTRA, pa.string())])


def _typed_call(call: Any) -> bool:
    if not isinstance(call, dict) or list(call) != list(CALL_KEYS):
        return False
    fn = call["function"]
    return (isinstance(call["id"], str) and isinstance(call["type"], str) and isinstance(fn, dict)
            and list(fn) == ["name", "arguments"] and all(isinstance(v, str) for v in fn.values()))


def _fits(key: str, value: Any) -> bool:
    if key in ("role", "content", "name", "tool_call_id"):
        return isinstance(value, str)
    if key == "weight":
        return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63
    if key == "tool_calls":
        return isinstance(value, list) and all(_typed_call(c) for c in value)
    return False


TYPED_ORDER = ("role", "content", "name", "tool_calls", "tool_call_id", "weight")


def _message_row(message: Any) -> dict[str, Any]:
    if not isinstance(message, dict):
        return {EXTRA: orjson.dumps({"__value__": message}).decode()}
    row: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    keys = list(message)
    typed_prefix = [k for k in TYPED_ORDER if k in message]
    # Key order is part of the example: typed keys may only be typed if they come first, in
    # the canonical order; anything else keeps its place in the extra JSON.
    in_order = keys[: len(typed_prefix)] == typed_prefix
    for key in keys:
        value = message[key]
        if in_order and key in TYPED_ORDER and _fits(key, value):
            row[key] = value
        else:
            extra[key] = value
    if extra:
        row[EXTRA] = orjson.dumps({"__order__": keys, **extra}).decode()
    return row


def to_row(record: dict[str, Any]) -> dict[str, Any]:
    messages = record.get("messages")
    extra = {k: v for k, v in record.items() if k not in ("messages", "tools")}
    row: dict[str, Any] = {
        "messages": [_message_row(m) for m in messages] if isinstance(messages, list) else None,
        "tools": orjson.dumps(record["tools"]).decode() if "tools" in record else None,
        EXTRA: orjson.dumps({"__order__": list(record), **extra}).decode(),
    }
    if not isinstance(messages, list) and "messages" in record:
        row["messages"] = None
    return row


def _message_from(row: dict[str, Any]) -> Any:
    extra = orjson.loads(row[EXTRA]) if row.get(EXTRA) else {}
    if "__value__" in extra:
        return extra["__value__"]
    present = {k: v for k, v in row.items() if k != EXTRA and v is not None}
    order = extra.pop("__order__", list(present))
    merged = {**present, **extra}
    return {k: merged[k] for k in order if k in merged}


def from_row(row: dict[str, Any]) -> dict[str, Any]:
    extra = orjson.loads(row[EXTRA]) if row.get(EXTRA) else {}
    order = extra.pop("__order__", None)
    out: dict[str, Any] = {}
    if row.get("messages") is not None:
        out["messages"] = [_message_from(m) for m in row["messages"]]
    if row.get("tools") is not None:
        out["tools"] = orjson.loads(row["tools"])
    out.update(extra)
    if order is not None:
        out = {k: out[k] for k in order if k in out}
    return out


def is_sftlint_row(row: Any) -> bool:
    return isinstance(row, dict) and EXTRA in row
