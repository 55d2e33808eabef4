"""Build sample_data/bike_shop.jsonl and the defect table in sample_data/README.md.

Deterministic: the same run always writes the same bytes. The clean examples come from qa.py;
each planted defect below is one line with the rule codes sftlint must report for it.

    python sample_data/build.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from qa import BOOKINGS, MULTI, ORDERS, QA, SYSTEM

HERE = Path(__file__).parent
OUT = HERE / "bike_shop.jsonl"
README = HERE / "README.md"
BEGIN, END = "<!-- defects:begin -->", "<!-- defects:end -->"

TOOLS = [
    {"type": "function", "function": {
        "name": "check_order_status", "description": "Look up a web shop order by its number.",
        "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}}},
    {"type": "function", "function": {
        "name": "book_workshop_slot", "description": "Book a repair or service slot in the workshop.",
        "parameters": {"type": "object", "properties": {
            "service": {"type": "string"}, "date": {"type": "string", "format": "date"},
            "time": {"type": "string"}}, "required": ["service", "date"]}}},
]


def msg(role: str, content=None, **extra) -> dict:
    out = {"role": role}
    if content is not None:
        out["content"] = content
    out.update(extra)
    return out


def example(*messages, **top) -> dict:
    return {"messages": list(messages), **top}


def call(call_id: str, name: str, **arguments) -> dict:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}


def clean_examples() -> list[dict]:
    out = [example(msg("system", SYSTEM), msg("user", q), msg("assistant", a)) for q, a in QA]
    out += [example(msg("system", SYSTEM), msg("user", q1), msg("assistant", a1), msg("user", q2), msg("assistant", a2))
            for q1, a1, q2, a2 in MULTI]
    for n, (order, status) in enumerate(ORDERS):
        cid = f"call_order_{n}"
        reply = {"shipped": f"Order {order} has shipped and should arrive within two working days.",
                 "processing": f"Order {order} is being packed and will ship within one working day.",
                 "delivered": f"Order {order} was delivered. If you cannot find it, check with your neighbours or let us know.",
                 "awaiting stock": f"Order {order} is waiting for a part from the supplier; we expect it within a week and will email you when it ships."}[status]
        out.append(example(
            msg("system", SYSTEM), msg("user", f"Where is my order {order}?"),
            msg("assistant", tool_calls=[call(cid, "check_order_status", order_id=order)]),
            msg("tool", json.dumps({"order_id": order, "status": status}), tool_call_id=cid),
            msg("assistant", reply), tools=TOOLS))
    for n, (service, date, time) in enumerate(BOOKINGS):
        cid = f"call_book_{n}"
        out.append(example(
            msg("system", SYSTEM), msg("user", f"Can I book a {service} on {date} at {time}?"),
            msg("assistant", tool_calls=[call(cid, "book_workshop_slot", service=service, date=date, time=time)]),
            msg("tool", json.dumps({"confirmed": True, "service": service, "date": date, "time": time}), tool_call_id=cid),
            msg("assistant", f"Booked: {service} on {date} at {time}. Please bring the bike in at least 10 minutes early."),
            tools=TOOLS))
    # A final-turn tool call is the training target (as in OpenAI's function-calling data): clean.
    out.append(example(msg("system", SYSTEM), msg("user", "Book me a standard service next Monday morning, 2026-12-07."),
                       msg("assistant", tool_calls=[call("call_book_x", "book_workshop_slot", service="standard service",
                                                         date="2026-12-07", time="09:00")]), tools=TOOLS))
    return out


MANUAL = ("Section {n}. Remove the crank bolt with an 8 mm hex key, pull the crank arm with the extractor, clean the "
          "spindle, inspect the bearing seals and refit in reverse order, torquing the bolt to 35 to 40 Nm. ")
S, U, A = msg("system", SYSTEM), msg("user", "Do you fix punctures while I wait?"), msg(
    "assistant", "Yes, a puncture repair takes about 20 minutes and costs 15 euros including the patch.")

# (what is wrong, the raw line or a record, expected rule codes)
DEFECTS: list[tuple[str, object, list[str]]] = [
    ("answer without a question", example(S, msg("assistant", "Happy riding!")), ["S021"]),
    ("question without an answer", example(S, msg("user", "How do I change a cassette?")), ["S017"]),
    ("empty answer", example(S, U, msg("assistant", "")), ["S022"]),
    ("unknown role `bot`", example(S, U, msg("bot", "Yes, 20 minutes."), msg("user", "Great, thanks. And the price?"),
                                   msg("assistant", "15 euros including the patch.")), ["S015"]),
    ("two user turns in a row", example(S, U, msg("user", "It's the rear wheel."), A), ["S019"]),
    ("system prompt in the middle", example(U, S, A), ["S018"]),
    ("conversation ends on a user turn", example(S, U, A, msg("user", "Perfect, see you at 3.")), ["S020"]),
    ("`loss_weight` instead of `weight`", example(S, U, {**A, "loss_weight": 1}), ["S014"]),
    ("weight 0.5", example(S, U, {**A, "weight": 0.5}), ["S026"]),
    ("invalid JSON (trailing comma)", b'{"messages": [{"role": "user", "content": "Do you sell helmets?"},]}', ["S001"]),
    ("tool call never answered, conversation goes on", example(
        S, msg("user", "Where is my order SC-10999?"),
        msg("assistant", tool_calls=[call("call_lost", "check_order_status", order_id="SC-10999")]),
        msg("user", "Hello?"), msg("assistant", "Sorry, let me check that again."), tools=TOOLS), ["S024"]),
    ("tool result with no call", example(S, msg("user", "Is my bike ready?"),
                                         msg("tool", '{"status": "ready"}', tool_call_id="call_ghost"),
                                         msg("assistant", "Yes, your bike is ready for pickup.")), ["S025"]),
    ("tool arguments are not JSON", example(
        S, msg("user", "Book a wheel truing on 2026-12-09."),
        msg("assistant", tool_calls=[{"id": "call_bad", "type": "function",
                                      "function": {"name": "book_workshop_slot", "arguments": "{service: truing}"}}]),
        tools=TOOLS), ["S030"]),
    ("message without a role", example(S, U, {"content": "(customer left the chat)"}, A), ["S013"]),
    ("user message without content", example(S, msg("user"), A), ["S016"]),
    ("assistant message with nothing in it", example(S, U, msg("assistant")), ["S023"]),
    ("content is a number", example(S, msg("user", 42), A), ["S031"]),
    ("metadata key at the top level", {**example(S, U, A), "source": "helpdesk-export"}, ["S032"]),
    ("only answer has weight 0", example(S, U, {**A, "weight": 0}), ["T003"]),
    ("workshop manual pasted into the prompt, answer pushed past the limit", example(
        S, msg("user", "Here is the manual: " + "".join(MANUAL.format(n=i) for i in range(1, 80)) + " What torque?"),
        msg("assistant", "35 to 40 Nm for the crank bolt.")), ["T001", "T002"]),
    ("no system prompt", example(U, A), ["S029"]),
    ("Latin-1 byte in the text", b'{"messages": [{"role": "system", "content": "You are a helpful assistant."}, '
                                 b'{"role": "user", "content": "Do you sell Brompton caf\xe9 racks?"}, '
                                 b'{"role": "assistant", "content": "Yes, two models."}]}', ["S002"]),
    ("line with Windows line ending", "CRLF", ["S004"]),
    ("blank line", b"", ["S005"]),
]
TRUNCATED = ("export cut off mid-line", b'{"messages": [{"role": "system", "content": "You are the support assi', ["S007"])


def encode(record) -> bytes:
    return record if isinstance(record, bytes) else json.dumps(record, ensure_ascii=False).encode()


def build() -> list[tuple[int, str, list[str]]]:
    rng = random.Random(7)
    lines = [encode(e) + b"\n" for e in clean_examples()]
    rng.shuffle(lines)
    table = []
    step = len(lines) // (len(DEFECTS) + 1)
    out: list[bytes] = []
    planted = {(i + 1) * step: d for i, d in enumerate(DEFECTS)}
    for i, line in enumerate(lines):
        if i in planted:
            what, record, codes = planted[i]
            if record == "CRLF":
                out.append(line[:-1] + b"\r\n")
            else:
                out.append(encode(record) + b"\n")
            table.append((len(out), what, codes))
        else:
            out.append(line)
    what, record, codes = TRUNCATED
    out.append(record)
    table.append((len(out), what, codes))
    OUT.write_bytes(b"".join(out))
    return table


def write_table(table) -> None:
    rows = ["| line | defect | expected |", "|---:|---|---|"]
    rows += [f"| {line} | {what} | {', '.join(codes)} |" for line, what, codes in table]
    text = README.read_text()
    head, rest = text.split(BEGIN)
    _, tail = rest.split(END)
    README.write_text(f"{head}{BEGIN}\n" + "\n".join(rows) + f"\n{END}{tail}")


if __name__ == "__main__":
    table = build()
    write_table(table)
    print(f"wrote {OUT.name}: {sum(1 for _ in OUT.open('rb'))} lines, {len(table)} planted defects")
