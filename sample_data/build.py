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
S = msg("system", SYSTEM)
# Each defect gets its own question and answer, so the defects are not duplicates of each other.
VARIANTS = [
    ("Do you fix punctures while I wait?", "Yes, a puncture repair takes about 20 minutes and costs 15 euros including the patch."),
    ("Can you true a buckled wheel today?", "Usually yes: truing takes about 30 minutes and costs 20 euros if no spokes need replacing."),
    ("Do you sell inner tubes for 28 inch wheels?", "We stock 28 inch tubes with both Presta and Dutch valves for 7 euros each."),
    ("How much is a brake cable replacement?", "Replacing one brake cable costs 18 euros including the cable and about 15 minutes of work."),
    ("Can I rent a cargo bike for a weekend?", "Our cargo bike rents for 45 euros a weekend; bring ID and a 100 euro deposit."),
    ("Do you adjust gears on a Sturmey-Archer hub?", "Yes, hub gear adjustment is 12 euros and is done while you wait on weekday mornings."),
    ("Will you fit a child seat I bought online?", "Yes, fitting a rear child seat costs 15 euros and takes about 20 minutes."),
    ("Do you replace bottom bracket bearings?", "We do: a bottom bracket swap costs 35 euros plus the part, ready the same day."),
    ("Can you fit mudguards to my road bike?", "If the frame has eyelets we fit clip-on or full mudguards for 20 euros plus the parts."),
    ("Do you service hydraulic disc brakes?", "Yes, a bleed with new fluid costs 25 euros per brake and takes about 40 minutes."),
    ("Can you check my bike before a long tour?", "Our pre-tour check costs 30 euros and covers brakes, gears, wheels, bearings and bolts."),
    ("Do you sell bike locks?", "We sell folding, chain and D locks from 25 to 120 euros; ask us which insurers accept them."),
    ("Can you replace a broken spoke?", "A single spoke replacement with truing costs 15 euros and is usually ready within the hour."),
    ("Do you fit dynamo lights?", "Yes, we fit hub dynamo lighting sets from 60 euros including wiring and the front and rear lamps."),
    ("How much is a chain replacement?", "A new chain fitted costs 12 euros labour plus 15 to 40 euros for the chain itself."),
    ("Can you fit a kickstand?", "We fit a centre or rear kickstand for 8 euros labour plus the stand, in about 10 minutes."),
    ("Do you repair e-bike motors?", "We diagnose e-bike motor faults for 30 euros and send Bosch and Shimano motors to the maker."),
    ("Can you wrap new handlebar tape?", "New handlebar tape fitted costs 10 euros labour and takes about 15 minutes."),
]


def ua(i: int) -> tuple[dict, dict]:
    question, answer = VARIANTS[i]
    return msg("user", question), msg("assistant", answer)


U, A = ua(0)
CANNED = "Please ask in the shop during opening hours and we will gladly help you with that."

# (what is wrong, the raw line or a record, expected rule codes)
DEFECTS: list[tuple[str, object, list[str]]] = [
    ("answer without a question", example(S, msg("assistant", "Happy riding!")), ["S021"]),
    ("question without an answer", example(S, msg("user", "How do I change a cassette?")), ["S017"]),
    ("empty answer", example(S, ua(1)[0], msg("assistant", "")), ["S022"]),
    ("unknown role `bot`", example(S, U, msg("bot", "Yes, 20 minutes."), msg("user", "Great, thanks. And the price?"),
                                   msg("assistant", "15 euros including the patch.")), ["S015"]),
    ("two user turns in a row", example(S, ua(2)[0], msg("user", "It's the rear wheel."), ua(2)[1]), ["S019"]),
    ("system prompt in the middle", example(ua(3)[0], S, ua(3)[1]), ["S018"]),
    ("conversation ends on a user turn", example(S, *ua(4), msg("user", "Perfect, see you at 3.")), ["S020"]),
    ("`loss_weight` instead of `weight`", example(S, ua(5)[0], {**ua(5)[1], "loss_weight": 1}), ["S014"]),
    ("weight 0.5", example(S, ua(6)[0], {**ua(6)[1], "weight": 0.5}), ["S026"]),
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
    ("message without a role", example(S, ua(7)[0], {"content": "(customer left the chat)"}, ua(7)[1]), ["S013"]),
    ("user message without content", example(S, msg("user"), ua(8)[1]), ["S016"]),
    ("assistant message with nothing in it", example(S, ua(9)[0], msg("assistant")), ["S023"]),
    ("content is a number", example(S, msg("user", 42), ua(10)[1]), ["S031"]),
    ("a top-level key holding text a conversion drops", {**example(S, *ua(11)), "target": "helpdesk answer"}, ["S032"]),
    ("only answer has weight 0", example(S, ua(12)[0], {**ua(12)[1], "weight": 0}), ["T003"]),
    ("workshop manual pasted into the prompt, answer pushed past the limit", example(
        S, msg("user", "Here is the manual: " + "".join(MANUAL.format(n=i) for i in range(1, 80)) + " What torque?"),
        msg("assistant", "35 to 40 Nm for the crank bolt.")), ["T001", "T002"]),
    ("no system prompt (one note for the file, naming this line)", example(*ua(13)), ["S029 (file)"]),
    ("Latin-1 byte in the text", b'{"messages": [{"role": "system", "content": "You are a helpful assistant."}, '
                                 b'{"role": "user", "content": "Do you sell Brompton caf\xe9 racks?"}, '
                                 b'{"role": "assistant", "content": "Yes, two models."}]}', ["S002"]),
    ("line with Windows line ending", "CRLF", ["S004"]),
    ("exact copy of line {copy_of}", "COPY", ["D001"]),
    ("near-copy of line {near_of}: one word and the spacing changed", "NEAR", ["D002"]),
    ("the question of line {conflict_of} with a contradicting answer", "CONFLICT", ["D003 (preview)"]),
    ("canned answer (1 of 3)", example(S, ua(14)[0], msg("assistant", CANNED)), ["D004 (preview)"]),
    ("canned answer (2 of 3)", example(S, ua(15)[0], msg("assistant", CANNED)), ["D004 (preview)"]),
    ("canned answer (3 of 3)", example(S, ua(16)[0], msg("assistant", CANNED)), ["D004 (preview)"]),
    ("answer padded with one sentence repeated", example(S, ua(17)[0], msg(
        "assistant", ua(17)[1]["content"] + (" Ready in about 15 minutes." * 6))), ["P001"]),
    ("unfilled placeholder in the answer", example(S, msg("user", "Who are you?"), msg(
        "assistant", "I am {{assistant_name}}, the support assistant of Spoke & Chain.")), ["Q004"]),
    ("chat-model boilerplate copied into the answer", example(S, msg("user", "Which saddle is the most comfortable?"),
        msg("assistant", "As an AI language model, I cannot sit on a saddle, but a wider saddle with a cut-out "
                         "suits most upright city riders.")), ["B001"]),
    ("API key pasted into an answer", example(S, msg("user", "How do I connect the booking widget?"), msg(
        "assistant", "Paste this into the widget settings: key=sk-proj-Zq8wT3mV5nB7xC1dF4gH6jK9lP2rS0aY.")),
     ["Q007"]),
    ("blank line", b"", ["S005"]),
]
TRUNCATED = ("export cut off mid-line", b'{"messages": [{"role": "system", "content": "You are the support assi', ["S007"])


def encode(record) -> bytes:
    return record if isinstance(record, bytes) else json.dumps(record, ensure_ascii=False).encode()


COPY_OF, NEAR_OF, CONFLICT_OF = 3, 5, 7  # indices into QA of the originals the D defects refer to


def near_copy(record: dict) -> dict:
    """One word changed (to a shorter one) and the spacing changed: still a near-duplicate."""
    q, a = record["messages"][1]["content"], record["messages"][2]["content"]
    return example(S, msg("user", q), msg("assistant", a.replace("normal riding", "usual riding").replace(". ", ".  ")))


def build() -> list[tuple[int, str, list[str]]]:
    rng = random.Random(7)
    clean = clean_examples()
    lines = [encode(e) + b"\n" for e in clean]
    originals = {name: encode(clean[i]) + b"\n" for name, i in
                 (("copy_of", COPY_OF), ("near_of", NEAR_OF), ("conflict_of", CONFLICT_OF))}
    for line in originals.values():
        lines.remove(line)
    rng.shuffle(lines)
    # The originals go near the top so each is the first of its group (the keeper of a duplicate).
    for k, line in enumerate(originals.values()):
        lines.insert(2 + k, line)
    table = []
    step = len(lines) // (len(DEFECTS) + 1)
    out: list[bytes] = []
    planted = {(i + 1) * step: d for i, d in enumerate(DEFECTS)}
    where = {name: lines.index(line) + 1 for name, line in originals.items()}  # before any planted line
    for i, line in enumerate(lines):
        if i in planted:
            what, record, codes = planted[i]
            if record == "CRLF":
                out.append(line[:-1] + b"\r\n")
            elif record == "COPY":
                out.append(originals["copy_of"])
            elif record == "NEAR":
                out.append(encode(near_copy(clean[NEAR_OF])) + b"\n")
            elif record == "CONFLICT":
                q = clean[CONFLICT_OF]["messages"][1]["content"]
                out.append(encode(example(S, msg("user", q), msg(
                    "assistant", "We do not repair tyres in the shop; please buy a new wheel from our web shop."))) + b"\n")
                table.append((where["conflict_of"], f"the question also answered differently on line {len(out)}",
                              ["D003 (preview)"]))
            else:
                out.append(encode(record) + b"\n")
            table.append((len(out), what.format(**where), codes))
        else:
            out.append(line)
    what, record, codes = TRUNCATED
    out.append(record)
    table.append((len(out), what, codes))
    OUT.write_bytes(b"".join(out))
    return sorted(table)


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
