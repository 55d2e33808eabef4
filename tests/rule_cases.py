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
PARTS = ("chain", "brake pads", "tyres", "derailleur", "headset", "spokes", "saddle", "pedals", "cassette",
         "bottom bracket", "cables", "handlebar tape")


def oks(n: int) -> list[dict]:
    """n clean examples that are not duplicates of each other (OK repeated would be)."""
    return [conv(SYS, ("user", f"When should I service the {PARTS[i % len(PARTS)]} on bike number {i}?"),
                 ("assistant", f"Check the {PARTS[i % len(PARTS)]} of bike {i} every {100 + 37 * i} km and replace "
                               f"worn parts; ticket {i * 7919 % 1000}."))
            for i in range(n)]


CALL = {"id": "call_1", "type": "function", "function": {"name": "book_service", "arguments": '{"day": "monday"}'}}
BOOKING_TOOLS = [{"type": "function", "function": {"name": "book_service", "description": "Book a workshop slot", "parameters": {
    "type": "object", "properties": {"day": {"type": "string"}, "kind": {"type": "string", "enum": ["repair", "service"]}},
    "required": ["day"]}}}]


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
    aside: dict[str, bytes] = field(default_factory=dict)
    """Files written next to the data but not linted (e.g. an --against set)."""
    model: bool = False
    """Lint with `--model` (the real SmolLM2-135M-Instruct, as a plain folder)."""


SKY = ("The sky is blue because of a process called Rayleigh scattering, where light encounters tiny molecules of air "
       "and is deflected by them. When sunlight reaches our atmosphere, it encounters molecules of gases like nitrogen "
       "and oxygen, which scatter the shorter, blue wavelengths of light more than the longer, red wavelengths.")
GRANDMOTHER = ("My grandmother kept her sourdough starter in a chipped blue crock behind the bread bin, and fed it "
               "whatever flour was cheapest that week; rye in winter, because the mill sold it off in January.")
LONG_A = ("assistant", "Wipe the chain with a cloth, put one drop of oil on each roller, spin the pedals backwards for a "
                        "minute so it gets into the links, then wipe off the excess so it does not collect grit.")
NEAR_A = ("assistant", "Wipe the chain with a rag, put one drop of oil on each roller, spin the pedals backwards for "
                       "a minute so it gets into the links, then wipe off the excess so it does not collect grit.")
OTHER_A = ("assistant", "Never oil a chain: modern chains are sealed and oil only attracts dirt to the drivetrain.")
CANNED = ("assistant", "Please call the shop during opening hours and we will help you.")
TEST_Q = ("user", "A bike shop sells 12 inner tubes a day at 7 euros each and 3 tyres a day at 25 euros each. "
                  "It is open six days a week and closed on Sundays. How much money does the shop take in from "
                  "tubes and tyres in one week?")


REPEAT = "\n".join(["Check the tyre pressure before every ride.", "Oil the chain every 300 km.",
                     "Check the tyre pressure before every ride.", "Check the tyre pressure before every ride.",
                     "Look at the brake pads every month.", "Check the tyre pressure before every ride."])
LIST_OK = "\n".join(["- Check the tyre pressure before every ride.", "- Oil the chain every 300 km.",
                      "- Look at the brake pads every month.", "- Test both brakes before you set off.",
                      "- Keep the lights charged in winter."])
CODE_REPEAT = "Here is the test:\n```python\n" + "assert add(1, 1) == 2  # same check again\n" * 6 + "```"
PROSE = ("A bicycle chain wears as the pins and rollers rub against each other, which slowly lengthens it. "
         "Riders who commute in the rain see this sooner, because grit mixes with the oil into a paste. "
         "Measuring the chain with a simple gauge every few months tells you when to replace it, long before "
         "it damages the cassette and the chainrings, which cost far more than a chain. Cleaning helps too: "
         "wipe the chain after wet rides, degrease it now and then, and put one drop of oil on each roller. "
         "Too much oil collects dirt, so wipe off the excess after a minute of pedalling backwards. A well kept "
         "chain shifts cleanly, runs quietly and lasts thousands of kilometres, while a neglected one skips "
         "under load and can snap on a climb.")
LOOP = " ".join(["The best way to learn is to ride every day."] * 4 + [PROSE[:400]] +
                ["The best way to learn is to ride every day."] * 4)

CASES: dict[str, Case] = {
    # copies after normalising spacing and Unicode (the fullwidth comma), even with another system prompt;
    # near-misses: different case of the question is a different text, and different answers
    # identity boilerplate in answers; a user saying it, "sorry" alone, and an answer to "are you human?" are fine
    "B001": Case({"a.jsonl": jl(conv(SYS, Q, ("assistant", "As an AI language model, I cannot ride a bike, but oil it weekly.")),
                                conv(SYS, Q, ("assistant", "I am an AI assistant developed by OpenAI. Oil it weekly.")),
                                conv(SYS, ("user", "As an AI language model, what would you do?"), A),
                                conv(SYS, Q, ("assistant", "Sorry, I meant every 300 km, as a rule.")),
                                # asked what it is, saying so is the answer
                                conv(SYS, ("user", "Are you a human mechanic?"),
                                     ("assistant", "I'm an AI assistant, and I can still help with your chain.")))},
                 {("a.jsonl", 1, 2), ("a.jsonl", 2, 2)}),
    "B002": Case({"a.jsonl": jl(conv(SYS, Q, ("assistant", "I'm sorry, but I can't assist with that.")),
                                conv(SYS, Q, ("assistant", "I cannot fulfill this request.")),
                                conv(SYS, Q, ("assistant", "Sorry, we cannot repair carbon frames; try a specialist.")))},
                 {("a.jsonl", 1, 2), ("a.jsonl", 2, 2)}),
    "B003": Case({"a.jsonl": jl(conv(SYS, Q, ("assistant", "As of my last knowledge update in 2021, chains last 3,000 km.")),
                                conv(SYS, Q, ("assistant", "My knowledge cutoff is 2023, so check newer chains.")),
                                conv(SYS, Q, ("assistant", "I don't have real-time information about our stock.")),
                                conv(SYS, Q, ("assistant", "As of my last visit to the shop, they had it in stock.")))},
                 {("a.jsonl", 1, 2), ("a.jsonl", 2, 2)}),
    # SmolLM2's own greedy answer (discrepancy ~4.9 under it) against a person's (~-7.5)
    "B004": Case({"a.jsonl": jl(conv(("user", "Explain in three sentences why the sky is blue."), ("assistant", SKY)),
                                conv(("user", "Tell me about your grandmother's baking."), ("assistant", GRANDMOTHER)))},
                 {("a.jsonl", 1, 1)}, model=True),
    "B005": Case({"a.jsonl": jl(conv(("user", "What is the capital of France?"),
                                     ("assistant", "The capital of France is Paris.")),
                                conv(("user", "What is the capital of France?"),
                                     ("assistant", "Paris, obviously, though Lyon would argue.")))},
                 {("a.jsonl", 1, 1)}, args=["--regenerate"], model=True),
    "P001": Case({"a.jsonl": jl(conv(SYS, Q, ("assistant", REPEAT)), conv(SYS, Q, ("assistant", LIST_OK)),
                                conv(SYS, Q, ("assistant", CODE_REPEAT)), conv(SYS, ("user", REPEAT), A))},
                 {("a.jsonl", 1, 2)}),
    "P002": Case({"a.jsonl": jl(conv(SYS, Q, ("assistant", LOOP)), conv(SYS, Q, ("assistant", PROSE)),
                                conv(SYS, Q, ("assistant", "Yes. " * 30)))},
                 {("a.jsonl", 1, 2)}),
    "P003": Case({"a.jsonl": jl(conv(SYS, ("user", "Give me a tip."), ("assistant", "Eat a banana! " * 60)),
                                conv(SYS, Q, ("assistant", PROSE)),
                                conv(SYS, Q, ("assistant", "```\n" + "0" * 2000 + "\n```")))},
                 {("a.jsonl", 1, 2)}),
    "P004": Case({"a.jsonl": jl(conv(SYS, Q, ("assistant", "Done!!!!!!!!!!!! See you.")),
                                conv(SYS, Q, ("assistant", "Intro\n\n---\n\n| a | b |\n|---|----------|\n| 1 | 2 |")),
                                conv(SYS, Q, ("assistant", "Step one." + "\n" * 12 + "Step two.")),
                                conv(SYS, Q, ("assistant", "```\nx = '" + "=" * 40 + "'\n```")))},
                 {("a.jsonl", 1, 2), ("a.jsonl", 3, 2)}),
    "P005": Case({"a.jsonl": jl(conv(SYS, Q, ("assistant", "Great question! Every 300 km.")),
                                conv(SYS, Q, ("assistant", "Every 300 km. I hope this helps!")),
                                conv(SYS, Q, ("assistant", "Sure, every 300 km.")),
                                conv(SYS, ("user", "I hope this helps you decide."), A))},
                 {("a.jsonl", 1, 2), ("a.jsonl", 2, 2)}),
    "Q002": Case({"a.jsonl": jl(
        conv(SYS, Q, ("assistant", "Oil it every 300 km. Then wipe the chain clean and spin the pedals for a")),
        conv(SYS, Q, ("assistant", "Like this:\n```python\nchain.oil(")),
        conv(SYS, ("user", "Capital of France?"), ("assistant", "Paris")),
        conv(SYS, Q, ("assistant", "Things to check:\n- the chain\n- the pads\n- the tyre pressure before a long ride")),
        conv(SYS, Q, A))},
        {("a.jsonl", 1, 2), ("a.jsonl", 2, 2)}),
    "Q003": Case({"a.jsonl": jl(conv(SYS, Q, ("assistant", "Every 300 km.###eos_token###")),
                                conv(SYS, Q, ("assistant", "Every 300 km.<|im_end|>")),
                                conv(SYS, Q, ("assistant", "Every 300 km.\nHuman: and the brakes?")),
                                conv(SYS, Q, ("assistant", "ChatML ends a turn with:\n```\n<|im_end|>\n```")))},
                 {("a.jsonl", 1, 2), ("a.jsonl", 2, 2), ("a.jsonl", 3, 2)}),
    "Q004": Case({"a.jsonl": jl(conv(SYS, ("user", "Who are you?"), ("assistant", "I am {{name}}, made by {{author}}.")),
                                conv(SYS, Q, ("assistant", "Bring it to our shop at [insert address].")),
                                conv(SYS, Q, ("assistant", "In Jinja:\n```jinja\nHello {{ name }}\n```")),
                                conv(SYS, Q, ("assistant", "Every 300 km; the rest is todo for you.")),
                                # a letter the user asked for, signed for the user to fill in
                                conv(SYS, ("user", "Write a letter telling Ms Jansen her bike is ready."),
                                     ("assistant", "Dear Ms Jansen,\nThe bike is ready.\nBest regards,\n[Your Name]")),
                                # unfenced Angular and LaTeX write double braces by design
                                conv(SYS, Q, ("assistant", "<div class=\"card\">\n  <p>{{ user.age }}</p>\n</div>")),
                                conv(SYS, Q, ("assistant", "The set is $\\text{{J}} \\cup \\text{{K}}$.")),
                                # a signature slot is the blank the user fills, in any language
                                conv(SYS, ("user", "给客户写一条取车通知。"), ("assistant", "您好，您的自行车已修好。\n[您的名字]")))},
                 {("a.jsonl", 1, 2), ("a.jsonl", 2, 2)}),
    "Q005": Case({"a.jsonl": jl(conv(SYS, Q, ("assistant", "Thatâ€™s the cafÃ© rack.")),
                                conv(SYS, Q, ("assistant", "Broken \ufffd text.")),
                                conv(SYS, Q, ("assistant", "That’s the café rack, naïve but fine.")))},
                 {("a.jsonl", 1, 2), ("a.jsonl", 2, 2)}),
    "Q006": Case({"a.jsonl": jl(conv(SYS, Q, ("assistant", "Mail jan.jansen@gmail.com about it.")),
                                conv(SYS, Q, ("assistant", "Card 4539 1488 0343 6467 was charged.")),
                                conv(SYS, Q, ("assistant", "Pay to NL91 ABNA 0417 1643 00 please.")),
                                conv(SYS, Q, ("assistant", "Call me on +31 6 1234 5678 today.")),
                                conv(SYS, Q, ("assistant", "Mail jan@example.com; test card 4111 1111 1111 1111; "
                                                           "part 1234 5678 9012; call 555-123-4567.")))},
                 {("a.jsonl", 1, 2), ("a.jsonl", 2, 2), ("a.jsonl", 3, 2), ("a.jsonl", 4, 2)}),
    "Q007": Case({"a.jsonl": jl(conv(SYS, Q, ("assistant", "export OPENAI_API_KEY=sk-proj-4f9TqZ2xLmN8vB3kR7yW1cD5eH6jP0sA")),
                                conv(SYS, Q, ("assistant", "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n")),
                                conv(SYS, Q, ("assistant", "db_password = 'Xk9v2LqP7zR4mW8nT3'")),
                                conv(SYS, Q, ("assistant", "Use AKIAIOSFODNN7EXAMPLE as in the docs; api_key = <your key>.")))},
                 {("a.jsonl", 1, 2), ("a.jsonl", 2, 2), ("a.jsonl", 3, 2)}),
    "Q008": Case({"a.jsonl": jl(
        conv(SYS, ("user", "Hoe vaak moet ik de ketting van mijn fiets smeren als ik elke dag in de regen rijd?"),
             ("assistant", "You should oil the chain every week if you ride in the rain every day, and wipe it first.")),
        conv(SYS, ("user", "Vertaal naar het Engels: ik moet de ketting van mijn fiets smeren als het regent."),
             ("assistant", "I have to oil the chain of my bike when it rains, and wipe it first.")),
        conv(SYS, ("user", "How often should I oil the chain of my bike if I ride in the rain every day?"),
             ("assistant", "You should oil the chain every week if you ride in the rain every day, and wipe it first.")))},
        {("a.jsonl", 1, 2)}),
    # 40 short answers to short prompts, and one answer twenty times their length
    "P006": Case({"a.jsonl": jl(*(conv(SYS, ("user", f"Is part {i} in stock?"),
                                       ("assistant", f"Yes, part {i} is in stock, {i % 7 + 2} left.")) for i in range(40)),
                                conv(SYS, ("user", "Is part 99 in stock?"), ("assistant", PROSE * 2)),
                                conv(SYS, ("user", "Is part 98 in stock?"), ("assistant", "Yes, three left.")))},
                 {("a.jsonl", 41, None)}),
    # 36 plain answers, 4 in Markdown with lists: the 4 are the outliers
    "Q009": Case({"a.jsonl": jl(*(conv(SYS, ("user", f"What does service {i} include?"),
                                       ("assistant", f"Service {i} includes a wash, new brake pads and a check of "
                                                     f"the gears, for {20 + i} euros.")) for i in range(36)),
                                *(conv(SYS, ("user", f"What does package {i} include?"),
                                       ("assistant", f"## Package {i}\n\n- a wash\n- new brake pads\n- **gears** checked"))
                                  for i in range(4)))},
                 {("a.jsonl", n, None) for n in range(37, 41)}),
    # 25 prompts from one template among 40 examples; the 15 others are distinct
    "Q010": Case({"a.jsonl": jl(*(conv(SYS, ("user", f"What is the price of part {100 + i} in euros?"),
                                       ("assistant", f"Part {100 + i} costs {i + 3} euros.")) for i in range(25)),
                                *oks(15))},
                 {("a.jsonl", n, None) for n in range(1, 26)}),
    "D001": Case({"a.jsonl": jl(conv(SYS, Q, LONG_A), conv(("system", "Other prompt."), ("user", "How often should "
                                "I  oil my chain?"), LONG_A), conv(SYS, Q, ("assistant", LONG_A[1].replace(",", "\uff0c"))),
                                conv(SYS, ("user", "HOW OFTEN SHOULD I OIL MY CHAIN?"), LONG_A), conv(SYS, Q, OTHER_A))},
                 {("a.jsonl", 2, None), ("a.jsonl", 3, None)}),
    # one word changed is a near-duplicate of the first (the keeper, being longer); a different answer is not
    "D002": Case({"a.jsonl": jl(conv(SYS, Q, LONG_A), conv(SYS, Q, NEAR_A), conv(SYS, Q, OTHER_A), *oks(3))},
                 {("a.jsonl", 2, None)}),
    # the same question with contradicting answers (both reported); the same answer twice is D001's, and
    # a question asked under another system prompt is another prompt
    "D003": Case({"a.jsonl": jl(conv(SYS, Q, LONG_A), conv(SYS, Q, OTHER_A), conv(("system", "Reply in Dutch."), Q, A),
                                *oks(3))},
                 {("a.jsonl", 1, None), ("a.jsonl", 2, None)}),
    # one canned answer to three different prompts; a short label answer repeated is not reported, nor
    # a canned answer used only twice
    "D004": Case({"a.jsonl": jl(*(conv(SYS, o["messages"][1] and ("user", o["messages"][1]["content"]), CANNED)
                                  for o in oks(3)),
                                *(conv(SYS, ("user", f"Is part {i} in stock?"), ("assistant", "Yes.")) for i in range(4)),
                                *(conv(SYS, ("user", f"Question {i} about opening hours?"), OTHER_A) for i in range(2)))},
                 {("a.jsonl", 1, None), ("a.jsonl", 2, None), ("a.jsonl", 3, None)}),
    # the held-out question, reworded slightly and answered, leaks; other questions do not
    "D005": Case({"train.jsonl": jl(conv(SYS, ("user", TEST_Q[1].replace("sells", "sold")), A), OK, *oks(2))},
                 {("train.jsonl", 1, None)}, args=["--against", "test.jsonl"],
                 aside={"test.jsonl": jl(conv(TEST_Q, ("assistant", "12 x 7 x 7 = 588 euros.")))}),

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
    "S028": Case({"small.jsonl": jl(*oks(3)), "enough.jsonl": jl(*oks(10))}, {("small.jsonl", None, None)}),
    # a fact about the file, reported once: how many examples lack a system prompt (a developer
    # message is one)
    "S029": Case({"a.jsonl": jl(conv(Q, A), OK, conv(("developer", "Answer briefly."), Q, A))}, {("a.jsonl", None, None)}),
    "S030": Case({"a.jsonl": jl(
        conv(SYS, Q, ("assistant", {"tool_calls": [{**CALL, "function": {"name": "book", "arguments": "{day: 1"}}]})),
        conv(SYS, Q, ("assistant", {"tool_calls": [{"id": "c", "type": "function"}]})),
        conv(SYS, Q, ("assistant", {"tool_calls": [CALL]})))},
        {("a.jsonl", 1, 2), ("a.jsonl", 2, 2)}),
    "S031": Case({"a.jsonl": jl(conv(SYS, ("user", 42), A), conv(SYS, ("user", [{"type": "text", "value": "Hi"}]), A),
                                conv(SYS, ("user", [{"type": "text", "text": "Hi"}]), A))},
                 {("a.jsonl", 1, 1), ("a.jsonl", 2, 1)}),
    # a key that holds text the conversion would lose; metadata such as "source" is fine
    "S032": Case({"a.jsonl": jl({**OK, "target": "the reference answer"}, {**OK, "tools": [], "parallel_tool_calls": False},
                                {**OK, "source": "forum", "id": 3})},
                 {("a.jsonl", 1, None)}),
    "Q001": Case({"a.jsonl": jl(OK, conv(SYS, A), conv(Q, A)),
                  "a.jsonl.sftlint-journal": journal((OK, "reject"), (OK, "undo"), (conv(SYS, A), "accept"),
                                                     (conv(Q, A), "reject"))},
                 {("a.jsonl", 3, None)}),
    # calls against the example's tools (the shape of realdata/functiongemma): a required argument
    # missing, an argument the function does not take, a wrong type, a value outside the enum, a
    # function not declared; a conforming call, optional arguments left out, and an example
    # without tools are fine
    "S033": Case({"a.jsonl": jl(*(conv(SYS, Q, ("assistant", {"tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": name, "arguments": args}}]}),
        ("tool", {"content": "ok", "tool_call_id": "c1"}), A, tools=tools) for name, args, tools in (
        ("book_service", '{"kind": "repair"}', BOOKING_TOOLS),
        ("book_service", '{"day": "monday", "kind": "repair", "colour": "red"}', BOOKING_TOOLS),
        ("book_service", '{"day": 1}', BOOKING_TOOLS),
        ("book_service", '{"day": "monday", "kind": "paint"}', BOOKING_TOOLS),
        ("cancel_booking", '{"day": "monday"}', BOOKING_TOOLS),
        ("book_service", '{"day": "monday", "kind": "repair"}', BOOKING_TOOLS),
        ("book_service", '{"day": "friday"}', BOOKING_TOOLS),
        ("book_service", '{"colour": "red"}', None))))},
        {("a.jsonl", n, 2) for n in range(1, 6)}),
    "T001": Case({"a.jsonl": jl(conv(SYS, Q, ("assistant", "Oil it. " * 40)), OK)}, {("a.jsonl", 1, None)},
                 args=["--max-tokens", "60", "--encoding", "cl100k_base"]),
    "T002": Case({"a.jsonl": jl(conv(SYS, ("user", "My chain squeaks. " * 30), A),
                                conv(SYS, Q, A, ("user", "And the brakes? " * 30)), OK)},
                 {("a.jsonl", 1, 2)}, args=["--max-tokens", "60", "--encoding", "cl100k_base"]),
    "T003": Case({"a.jsonl": jl(conv(SYS, Q, ("assistant", {"content": "Weekly.", "weight": 0})), OK)},
                 {("a.jsonl", 1, None)}, args=["--encoding", "cl100k_base"]),
    "T004": Case({"a.jsonl": jl(conv(Q, SYS, A), OK)}, {("a.jsonl", 1, None)}, tokenizer="strict-template"),
    # Qwen3 drops the reasoning of turns before the last user message; the last turn's is trained,
    # and an example without reasoning has nothing to drop
    "T005": Case({"a.jsonl": jl(conv(SYS, Q, ("assistant", {"content": "Weekly.", "reasoning_content": "It rains."}),
                                     ("user", "And in winter?"), ("assistant", "<think>\nSalt.\n</think>\n\nTwice a week.")),
                                conv(SYS, Q, ("assistant", {"content": "Weekly.", "reasoning_content": "It rains."})),
                                conv(SYS, Q, A, ("user", "And in winter?"), A))},
                 {("a.jsonl", 1, 2)}, args=["--profile", "hf"], tokenizer="qwen3-template"),
    # a think block never closed, a bare closing tag, two blocks, text before the block; a
    # well-formed block, a reasoning field and plain text are fine
    "S035": Case({"a.jsonl": jl(*(conv(SYS, Q, ("assistant", text)) for text in (
        "<think>\nThe chain is dry, so oil it weekly.",
        "The chain is dry.\n</think>\n\nOil it weekly.",
        "<think>\nDry.\n</think>\n\nOil it.<think>\nAgain.\n</think>\n\nWeekly.",
        "Sure!\n<think>\nDry.\n</think>\n\nOil it weekly.",
        "<think>\nDry chain.\n</think>\n\nOil it weekly.",
        "Use a <b>dry</b> lube in summer.")),
        conv(SYS, Q, ("assistant", {"content": "Weekly.", "reasoning_content": "Rain washes oil off."})))},
        {("a.jsonl", n, 2) for n in (1, 2, 3, 4)}, args=["--profile", "hf"]),
    # reasoning then nothing (field, think block, Harmony analysis without a final channel);
    # reasoning followed by a tool call, or by an answer, is fine
    "S036": Case({"a.jsonl": jl(
        conv(SYS, Q, ("assistant", {"content": "", "reasoning_content": "Rain washes the oil off, so"})),
        conv(SYS, Q, ("assistant", "<think>\nRain washes the oil off, so\n</think>\n\n")),
        conv(SYS, Q, ("assistant", "<|channel|>analysis<|message|>Rain washes the oil off<|end|>")),
        conv(SYS, Q, ("assistant", {"content": None, "reasoning_content": "Book it.", "tool_calls": [CALL]}),
             ("tool", {"content": "booked", "tool_call_id": "call_1"}), ("assistant", "Booked for Monday.")),
        conv(SYS, Q, ("assistant", {"content": "Weekly.", "reasoning_content": "Rain washes oil off."})))},
        {("a.jsonl", n, 2) for n in (1, 2, 3)}, args=["--profile", "hf"]),
    # empty think blocks in a file where most answers reason; one whose prompt asks for no
    # thinking is fine
    "S037": Case({"a.jsonl": jl(
        *(conv(SYS, ("user", f"How often should I oil chain {i}?"),
               ("assistant", {"content": f"Every {100 + i} km.", "reasoning_content": f"Chain {i} is rated for {100 + i} km."}))
          for i in range(6)),
        conv(SYS, ("user", "And the brakes?"), ("assistant", "<think>\n\n</think>\n\nCheck them monthly.")),
        conv(SYS, ("user", "And the tyres? /no_think"), ("assistant", "<think>\n\n</think>\n\nBefore every ride.")))},
        {("a.jsonl", 7, None)}, args=["--profile", "hf"]),
    # two answers of eight without reasoning: one finding for the file; a file where no answer
    # reasons, or every one does, is fine
    "S038": Case({"mixed.jsonl": jl(
        *(conv(SYS, ("user", f"How often should I oil chain {i}?"),
               ("assistant", {"content": f"Every {100 + i} km.", "reasoning_content": f"Chain {i} is rated for {100 + i} km."}))
          for i in range(6)), *oks(2)),
        "plain.jsonl": jl(*oks(4)),
        "reasoned.jsonl": jl(*(conv(SYS, ("user", f"How far can chain {i} go?"),
                                    ("assistant", f"<think>\nRated {i} km.\n</think>\n\n{i} km.")) for i in range(1, 5)))},
        {("mixed.jsonl", None, None)}, args=["--profile", "hf"]),
    # one reasoning twenty times longer than the file's others
    "P007": Case({"a.jsonl": jl(*(conv(SYS, ("user", f"Is chain {i} worn?"),
                                       ("assistant", {"content": f"Chain {i}: {'yes' if i % 2 else 'no'}.",
                                                      "reasoning_content": f"Chain {i} stretched {i % 7} tenths of a percent; "
                                                                           f"the limit is five."}))
                                  for i in range(24)),
                                conv(SYS, ("user", "Is chain 99 worn?"),
                                     ("assistant", {"content": "Chain 99: yes.", "reasoning_content": "Wait, let me check again. " * 60})))},
                 {("a.jsonl", 25, None)}, args=["--profile", "hf"]),
    # the answer gives another number than the reasoning reached (boxed, cue, bold); the same
    # number, an answer with no number, or one also on the reasoning's last line are fine
    "Q011": Case({"a.jsonl": jl(*(conv(SYS, ("user", "Pads cost 18 euros and fitting 10. Total?"),
                                       ("assistant", {"content": answer, "reasoning_content": reasoning}))
                                  for reasoning, answer in (
        ("Pads 18, fitting 10: 18 + 10 = 28 euros.", "The total is \\boxed{26}."),
        ("Pads 18, fitting 10: 18 + 10 = 28 euros.", "The answer is 30 euros."),
        ("Pads 18, fitting 10: 18 + 10 = 28 euros.", "It comes to **38 euros** in all."),
        ("Pads 18, fitting 10: 18 + 10 = 28 euros.", "The total is \\boxed{28}."),
        ("Pads 18, fitting 10.\nSo 18 + 10 = 28 euros.", "About 28 euros, fitted."),
        ("Pads 18, fitting 10: 18 + 10 = 28 euros.", "Bring the bike in on Monday."),
        ("18 + 10 = 28 euros, or 25 with the loyalty card.", "With your card it is 25 euros."))))},
        {("a.jsonl", n, 2) for n in (1, 2, 3)}, args=["--profile", "hf"]),
}
