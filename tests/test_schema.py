"""Example ids: stable under reformatting, distinct for distinct records, shared across formats."""

from __future__ import annotations

import json

import orjson

from rule_cases import OK, SYS, A, Q, conv, eid


def test_id_survives_key_order_and_whitespace():
    reordered = json.loads(json.dumps(OK, indent=4, sort_keys=True))
    reordered["messages"] = [dict(reversed(list(m.items()))) for m in reordered["messages"]]
    assert eid(reordered) == eid(OK)


def test_distinct_records_get_distinct_ids():
    variants = [
        OK,
        {**OK, "source": "crawl"},
        conv(SYS, Q, ("assistant", {"content": A[1], "loss_weight": 1})),
        conv(SYS, ("user", {}), A),
        conv(SYS, ("user", 42), A),
        conv(SYS, Q, ("assistant", {"content": A[1], "weight": 0})),
    ]
    ids = [eid(v) for v in variants]
    assert len(set(ids)) == len(ids)


def test_sharegpt_and_messages_versions_share_an_id():
    sharegpt = {"conversations": [{"from": "system", "value": SYS[1]}, {"from": "human", "value": Q[1]},
                                  {"from": "gpt", "value": A[1]}]}
    assert eid(sharegpt) == eid(OK)


def test_normalised_conversation_writes_back_what_it_read():
    from sftlint.catalogue import load_profile
    from sftlint.io.formats import adapt

    record = {"messages": [{"role": "user", "content": "hi", "refusal": None, "loss_weight": 0.5},
                           {"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "x": 1,
                                                                 "function": {"name": "f", "arguments": "{}"}}]}],
              "parallel_tool_calls": False, "meta": {"k": [1, 2]}}
    c, _ = adapt(record, None, load_profile("openai"))
    expected = orjson.loads(orjson.dumps(record))
    del expected["messages"][0]["refusal"]  # null means absent
    assert c.to_openai() == expected
