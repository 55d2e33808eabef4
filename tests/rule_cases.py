"""One case per rule code: files holding violations and near-misses side by side.

`expect` lists every (file, line, message index) the rule must flag when it is the only rule
selected; every other record in the files is a near-miss that must stay clean.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson


def jl(*records) -> bytes:
    return b"".join((r if isinstance(r, bytes) else orjson.dumps(r)) + b"\n" for r in records)


def conv(*pairs, **top) -> dict:
    return {"messages": [dict(role=r, content=c) if not isinstance(c, dict) else {"role": r, **c} for r, c in pairs], **top}


SYS = ("system", "You are a concise assistant for a bicycle repair shop.")
Q = ("user", "How often should I oil my chain?")
A = ("assistant", "Every 150-300 km, or after riding in the rain.")
OK = conv(SYS, Q, A)
CALL = {"id": "call_1", "type": "function", "function": {"name": "book_service", "arguments": '{"day": "monday"}'}}


def eid(record: dict) -> str:
    from sftlint.catalogue import load_profile
    from sftlint.io.formats import adapt

    conversation, _ = adapt(record, None, load_profile("openai"))
    return conversation.example_id()


def journal(*entries: tuple[dict, str]) -> bytes:
    return b"".join(orjson.dumps({"id": eid(r), "decision": d, "reviewer": "ana", "time": "2026-11-29T10:00:00Z",
                                  "codes": []}) + b"\n" for r, d in entries)


@dataclass
class Case:
    files: dict[str, bytes]
    expect: set[tuple[str, int | None, int | None]]
    args: list[str] = field(default_factory=list)
    config: str | None = None
    tokenizer: str | None = None


CASES: dict[str, Case] = {
    "S001": Case({"a.jsonl": jl(OK, b'{"messages": [}', OK)}, {("a.jsonl", 2, None)}),
    "S002": Case({"a.jsonl": jl(OK, b'{"messages": [{"role": "user", "content": "caf\xe9"}]}',
                                conv(SYS, ("user", "café?"), A))}, {("a.jsonl", 2, None)}),
    "S003": Case({"bom.jsonl": b"\xef\xbb\xbf" + jl(OK), "ok.jsonl": jl(OK)}, {("bom.jsonl", 1, None)}),
    "S004": Case({"crlf.jsonl": jl(OK, OK).replace(b"\n", b"\r\n"), "lf.jsonl": jl(OK, OK)}, {("crlf.jsonl", 1, None)}),
    "S005": Case({"a.jsonl": jl(OK) + b"\n" + jl(OK) + b"   \n" + jl(OK)}, {("a.jsonl", 2, None), ("a.jsonl", 4, None)}),
    "S006": Case({"a.jsonl": jl(OK, conv(SYS, Q, ("assistant", "x" * 400)), conv(SYS, Q, ("assistant", "y" * 40)))},
                 {("a.jsonl", 2, None)}, config="[rules.S006]\nmax-line-bytes = 300\n"),
    "S007": Case({"cut.jsonl": jl(OK, OK) + b'{"messages": [{"role": "us', "whole.jsonl": jl(OK) + orjson.dumps(OK)},
                 {("cut.jsonl", 3, None)}),
    "S008": Case({"empty.jsonl": b"", "ok.jsonl": jl(OK)}, {("empty.jsonl", None, None)}),
    "S009": Case({"data.jsonl": b"id,prompt,answer\n1,hi,hello\n2,bye,goodbye\n", "mostly.jsonl": jl(OK, b"oops", OK)},
                 {("data.jsonl", 1, None)}),
    "S010": Case({"other.jsonl": jl({"text": "hello"}, {"text": "bye"}), "ok.jsonl": jl(OK)},
                 {("other.jsonl", 1, None), ("other.jsonl", 2, None)}),
    "S011": Case({"a.jsonl": jl(OK, [1, 2], "just text", OK)}, {("a.jsonl", 2, None), ("a.jsonl", 3, None)}),
    "S012": Case({"a.jsonl": jl(OK, {"messages": []}, {"messages": "hi"}, {"messages": None, "tools": []})},
                 {("a.jsonl", 2, None), ("a.jsonl", 3, None), ("a.jsonl", 4, None)}),
    "S013": Case({"a.jsonl": jl({"messages": [SYS and {"role": "system", "content": "x"}, {"content": "hi"}]},
                                {"messages": ["hello", {"role": "assistant", "content": "x"}]}, OK)},
                 {("a.jsonl", 1, 1), ("a.jsonl", 2, 0)}),
    "S014": Case({"a.jsonl": jl(conv(SYS, Q, ("assistant", {"content": "Weekly.", "loss_weight": 1})),
                                conv(SYS, Q, ("assistant", {"content": "Weekly.", "weight": 1})))}, {("a.jsonl", 1, 2)}),
    "S015": Case({"a.jsonl": jl(conv(SYS, Q, ("bot", "Weekly.")), OK)}, {("a.jsonl", 1, 2)}),
    "S016": Case({"a.jsonl": jl(conv(SYS, ("user", {}), A),
                                conv(SYS, Q, ("assistant", {"tool_calls": [CALL]})),
                                conv(SYS, ("user", 42), A))}, {("a.jsonl", 1, 1)}),
    "S017": Case({"a.jsonl": jl(conv(SYS, Q), OK)}, {("a.jsonl", 1, None)}),
    "S018": Case({"a.jsonl": jl(conv(Q, SYS, A), OK)}, {("a.jsonl", 1, 1)}),
    "S019": Case({"a.jsonl": jl(conv(SYS, Q, Q, A),
                                conv(SYS, Q, ("assistant", {"tool_calls": [CALL, {**CALL, "id": "call_2"}]}),
                                     ("tool", {"content": "ok", "tool_call_id": "call_1"}),
                                     ("tool", {"content": "ok", "tool_call_id": "call_2"}), A))},
                 {("a.jsonl", 1, 2)}),
    "S020": Case({"a.jsonl": jl(conv(SYS, Q, A, ("user", "Thanks!")), OK)}, {("a.jsonl", 1, 3)}),
    "S021": Case({"a.jsonl": jl(conv(SYS, A), OK)}, {("a.jsonl", 1, None)}),
    "S022": Case({"a.jsonl": jl(conv(SYS, Q, ("assistant", "   ")), conv(SYS, ("user", ""), A),
                                conv(SYS, Q, ("assistant", {"content": "", "tool_calls": [CALL]})), OK)},
                 {("a.jsonl", 1, 2), ("a.jsonl", 2, 1)}),
    "S023": Case({"a.jsonl": jl(conv(SYS, Q, ("assistant", {})), conv(SYS, Q, ("assistant", {"tool_calls": [CALL]})))},
                 {("a.jsonl", 1, 2)}),
    "S024": Case({"a.jsonl": jl(
        conv(SYS, Q, ("assistant", {"tool_calls": [CALL]}), A),
        conv(SYS, Q, ("assistant", {"tool_calls": [CALL]})),
        conv(SYS, Q, ("assistant", {"tool_calls": [CALL]}), ("tool", {"content": "booked", "tool_call_id": "call_1"}), A))},
        {("a.jsonl", 1, 2)}),
    "S025": Case({"a.jsonl": jl(
        conv(SYS, Q, ("tool", {"content": "booked", "tool_call_id": "call_9"}), A),
        conv(SYS, Q, ("assistant", {"tool_calls": [CALL]}), ("tool", {"content": "booked", "tool_call_id": "call_1"}), A))},
        {("a.jsonl", 1, 2)}),
    "S026": Case({"a.jsonl": jl(conv(SYS, Q, ("assistant", {"content": "Weekly.", "weight": 0.5})),
                                conv(SYS, ("user", {"content": "Hi", "weight": 1}), A),
                                conv(SYS, Q, ("assistant", {"content": "Weekly.", "weight": 0}), Q, A))},
                 {("a.jsonl", 1, 2), ("a.jsonl", 2, 1)}),
    "S027": Case({"a.jsonl": jl(conv(SYS, ("user", [{"type": "text", "text": "Hi"}]), A), OK)}, {("a.jsonl", 1, 1)},
                 args=["--profile", "together"]),
    "S028": Case({"small.jsonl": jl(*[OK] * 3), "enough.jsonl": jl(*[OK] * 10)}, {("small.jsonl", None, None)}),
    "S029": Case({"a.jsonl": jl(conv(Q, A), OK)}, {("a.jsonl", 1, None)}),
    "S030": Case({"a.jsonl": jl(
        conv(SYS, Q, ("assistant", {"tool_calls": [{**CALL, "function": {"name": "book", "arguments": "{day: 1"}}]})),
        conv(SYS, Q, ("assistant", {"tool_calls": [{"id": "c", "type": "function"}]})),
        conv(SYS, Q, ("assistant", {"tool_calls": [CALL]})))},
        {("a.jsonl", 1, 2), ("a.jsonl", 2, 2)}),
    "S031": Case({"a.jsonl": jl(conv(SYS, ("user", 42), A), conv(SYS, ("user", [{"type": "text", "value": "Hi"}]), A),
                                conv(SYS, ("user", [{"type": "text", "text": "Hi"}]), A))},
                 {("a.jsonl", 1, 1), ("a.jsonl", 2, 1)}),
    "S032": Case({"a.jsonl": jl({**OK, "source": "forum"}, {**OK, "tools": [], "parallel_tool_calls": False})},
                 {("a.jsonl", 1, None)}),
    "Q001": Case({"a.jsonl": jl(OK, conv(SYS, A), conv(Q, A)),
                  "a.jsonl.sftlint-journal": journal((OK, "reject"), (OK, "undo"), (conv(SYS, A), "accept"),
                                                     (conv(Q, A), "reject"))},
                 {("a.jsonl", 3, None)}),
    "T001": Case({"a.jsonl": jl(conv(SYS, Q, ("assistant", "Oil it. " * 40)), OK)}, {("a.jsonl", 1, None)},
                 args=["--max-tokens", "60", "--encoding", "cl100k_base"]),
    "T002": Case({"a.jsonl": jl(conv(SYS, ("user", "My chain squeaks. " * 30), A),
                                conv(SYS, Q, A, ("user", "And the brakes? " * 30)), OK)},
                 {("a.jsonl", 1, 2)}, args=["--max-tokens", "60", "--encoding", "cl100k_base"]),
    "T003": Case({"a.jsonl": jl(conv(SYS, Q, ("assistant", {"content": "Weekly.", "weight": 0})), OK)},
                 {("a.jsonl", 1, None)}, args=["--encoding", "cl100k_base"]),
    "T004": Case({"a.jsonl": jl(conv(Q, SYS, A), OK)}, {("a.jsonl", 1, None)}, tokenizer="strict-template"),
}
