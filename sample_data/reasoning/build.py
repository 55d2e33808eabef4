"""Writes workshop_reasoning.jsonl: the bicycle shop's assistant with reasoning, written in every
form sftlint reads (a `reasoning_content`, `reasoning` or `thinking` field, a `<think>` block,
gpt-oss's Harmony channels) plus Hermes tool calls, and one planted defect per reasoning rule.
Records are written as `sftlint export` writes them, so a round trip gives the same bytes.

    python sample_data/reasoning/build.py
"""

from pathlib import Path

import orjson

SYS = {"role": "system", "content": "You are the workshop assistant of Spoke & Chain, a bicycle shop. Think first, then answer briefly."}
TOOLS_SYS = {"role": "system", "content": (
    "You are the workshop assistant of Spoke & Chain. You may call functions.\n<tools>\n"
    '[{"type": "function", "function": {"name": "book_service", "description": "Book a workshop slot", '
    '"parameters": {"type": "object", "properties": {"day": {"type": "string"}, "kind": {"type": "string", '
    '"enum": ["repair", "service"]}}, "required": ["day"]}}}]\n</tools>\n'
    'For each call, return {"name": ..., "arguments": ...} within <tool_call></tool_call> tags.')}


def user(text):
    return {"role": "user", "content": text}


def field(reasoning, answer, key="reasoning_content"):
    return {"role": "assistant", "content": answer, key: reasoning}


def think(reasoning, answer):
    return {"role": "assistant", "content": f"<think>\n{reasoning}\n</think>\n\n{answer}"}


def harmony(reasoning, answer):
    return {"role": "assistant", "content": f"<|channel|>analysis<|message|>{reasoning}<|end|>"
                                            f"<|start|>assistant<|channel|>final<|message|>{answer}"}


def ex(*messages):
    return {"messages": [SYS, *messages]}


LOOP = "Wait, is the chain worn? Let me measure the stretch again against the gauge. " * 40

RECORDS = [
    # 1-6: one clean answer in each form
    ex(user("How often should I oil my chain?"),
       field("Oil lasts about 200 km on a road bike, less in rain.", "Every 150-300 km, and after every wet ride.")),
    ex(user("My brakes squeal when wet. Is that dangerous?"),
       think("Wet squeal is water on the rim or disc; dangerous only if braking power drops.",
             "Usually not: it is water on the braking surface. Have them checked if stopping takes longer.")),
    ex(user("What tyre pressure for a 28 mm road tyre? I weigh 80 kg."),
       field("For 28 mm tyres and an 80 kg rider, 5.5 bar front and 6 bar rear is the usual chart value.",
             "About 5.5 bar front and 6 bar rear.", key="thinking")),
    ex(user("Can you true a wheel while I wait?"),
       harmony("Truing takes 15-20 minutes when no spoke is broken.", "Yes, in about 20 minutes if no spoke is broken.")),
    ex(user("Do you fit tubeless tyres?"),
       field("The workshop converts rims with tape and valves.", "Yes: tape, valves and sealant, 35 euros per wheel.",
             key="reasoning")),
    {"messages": [TOOLS_SYS, user("Book my bike in for a service on Monday."),
                  {"role": "assistant", "content": '<think>\nA service, Monday: book_service with day and kind.\n</think>\n\n'
                                                   '<tool_call>\n{"name": "book_service", "arguments": {"day": "monday", "kind": "service"}}\n</tool_call>'},
                  {"role": "tool", "content": "booked: monday 09:00"},
                  think("The slot is Monday at nine.", "Booked: Monday at 09:00.")]},
    # 7: S035, the think block is never closed
    ex(user("Why does my gear skip?"), {"role": "assistant", "content": "<think>\nSkipping under load means a worn chain or cassette"}),
    # 8: S036, reasoning and no answer (cut off while thinking)
    ex(user("Should I replace my brake pads?"), field("Pads under 1.5 mm must go; the rider did not say how thick.", "")),
    # 9: S037, an empty think block in a file that reasons
    ex(user("Do you sell inner tubes?"), think("", "Yes, for every common size.")),
    # 10: S038, an answer with no reasoning at all (reported once for the file)
    ex(user("What are your opening hours?"), {"role": "assistant", "content": "Monday to Saturday, 9:00 to 18:00."}),
    # 11: Q011, the answer contradicts the reasoning's result
    ex(user("Pads are 18 euros a pair and fitting is 10. What do I pay for new pads fitted?"),
       field("Pads 18 plus fitting 10: 18 + 10 = 28 euros.", "You pay \\boxed{26} euros.")),
    # 12: P007, reasoning that loops far past the file's norm
    ex(user("Is my chain worn? It has done 3,000 km."), field(LOOP, "Measure it with a chain checker; at 3,000 km it is probably fine.")),
    # 13: a prompt that asks for no thinking, answered without: fine
    ex(user("Are you open on Sunday? /no_think"), think("", "No, we are closed on Sundays.")),
    # 14: two turns with reasoning each: fine (Qwen3's template drops the first: T005 with --tokenizer)
    ex(user("My bottom bracket creaks."), field("Creaks come from dry threads or worn bearings.", "Grease the threads first."),
       user("Still creaking."), think("Grease did not help, so the bearings are worn.", "Then the bearings are worn: replace them (40 euros).")),
    # 15: S033, a Hermes tool call that breaks its tool's schema (no `day`)
    {"messages": [TOOLS_SYS, user("Book a repair for me."),
                  {"role": "assistant", "content": '<tool_call>\n{"name": "book_service", "arguments": {"kind": "repair"}}\n</tool_call>'},
                  {"role": "tool", "content": "error: day is required"},
                  think("The tool needs a day.", "Which day suits you?")]},
    # 16-18: more clean answers, so the reasoning rules have a norm to judge by
    ex(user("How long does a full service take?"), field("A full service is a two-hour job, booked a day ahead.", "About two hours; bring it the day before.")),
    ex(user("Can I ride with a cracked carbon frame?"), think("A crack in carbon can fail suddenly.", "No. Stop riding it and bring it in for an inspection.")),
    ex(user("What does a new chain cost?"), harmony("Chains range from 20 to 60 euros by speed count.", "From 20 euros (8-speed) to 60 euros (12-speed).")),
]

if __name__ == "__main__":
    out = Path(__file__).with_name("workshop_reasoning.jsonl")
    out.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in RECORDS))
    print(f"wrote {out} ({len(RECORDS)} examples)")
