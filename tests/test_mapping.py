"""Input shapes beyond the built-in four: Firefly/MOSS, and the user's own mapping in config."""

from __future__ import annotations

import orjson

from conftest import run_cli


def findings(result) -> list[dict]:
    return orjson.loads(result.stdout)["findings"]


def test_firefly_is_read_and_round_trips_through_convert_and_export(realdata, tmp_path):
    source = realdata / "firefly" / "dummy_data.jsonl"
    result = run_cli("lint", str(source), "--output-format", "json")
    doc = orjson.loads(result.stdout)
    assert doc["files"][0]["format"] == "firefly" and doc["files"][0]["examples"] == 33
    assert not [f for f in doc["findings"] if f["code"].startswith("S0") and f["code"] != "S029"]
    assert run_cli("convert", str(source), "-o", str(tmp_path / "c.jsonl")).exit_code == 0
    assert run_cli("export", str(source), "-o", str(tmp_path / "out"), "--encoding", "cl100k_base").exit_code == 0
    originals = [orjson.loads(x) for x in source.read_bytes().splitlines()]
    for name in ("c.jsonl", "out/train.jsonl"):
        converted = [orjson.loads(x) for x in (tmp_path / name).read_bytes().splitlines()]
        assert len(converted) == 33
        for record, original in zip(converted, originals, strict=True):
            turns = [m["content"] for m in record["messages"] if m["role"] != "system"]
            assert turns == [t[k] for t in original["conversation"] for k in ("human", "assistant") if k in t]


def test_a_mapping_in_config_reads_the_users_own_shape(tmp_path):
    (tmp_path / "d.jsonl").write_bytes(
        b'{"dialogue": [{"speaker": "customer", "text": "My bike squeaks."}, {"speaker": "agent", "text": "Oil the chain."}],'
        b' "persona": "You are a bike mechanic."}\n'
        b'{"dialogue": [{"speaker": "customer", "text": "Flat tyre?"}, {"speaker": "shopkeeper", "text": "Patch it."}]}\n')
    (tmp_path / "sftlint.toml").write_text(
        'profile = "hf"\n[mapping]\nturns = "dialogue"\nrole = "speaker"\ncontent = "text"\n'
        'roles = { customer = "user", agent = "assistant" }\nsystem = "persona"\n')
    found = findings(run_cli("lint", "d.jsonl", "--output-format", "json", cwd=tmp_path))
    # "shopkeeper" is no role the mapping names: line 2 has no assistant turn
    assert {(f["code"], f["line"]) for f in found if f["code"] != "S029"} == {("S015", 2), ("S017", 2)}
    assert run_cli("convert", "d.jsonl", "-o", "c.jsonl", cwd=tmp_path).exit_code == 0
    first = orjson.loads((tmp_path / "c.jsonl").read_bytes().splitlines()[0])
    assert first["messages"] == [{"role": "system", "content": "You are a bike mechanic."},
                                 {"role": "user", "content": "My bike squeaks."},
                                 {"role": "assistant", "content": "Oil the chain."}]


def test_prompt_and_chosen_files_can_be_mapped(tmp_path):
    (tmp_path / "d.jsonl").write_bytes(b'{"prompt": "Oil or wax?", "chosen": "Wax lasts longer.", "rejected": "Oil."}\n')
    (tmp_path / "sftlint.toml").write_text('profile = "hf"\n[mapping]\nprompt = "prompt"\nanswer = "chosen"\n')
    found = findings(run_cli("lint", "d.jsonl", "--output-format", "json", "--select", "S", cwd=tmp_path))
    assert [f["code"] for f in found] == ["S032"]  # "rejected" is not trained on: said, not lost silently
    assert "rejected" in found[0]["message"]


def test_a_wrong_mapping_key_stops_with_the_key_named(tmp_path):
    (tmp_path / "d.jsonl").write_bytes(b'{"dialogue": [{"role": "user", "content": "Hi"}]}\n')
    (tmp_path / "sftlint.toml").write_text('[mapping]\nturns = "dialog"\n')
    missing = run_cli("lint", "d.jsonl", cwd=tmp_path)
    assert missing.exit_code == 2 and "mapping.turns = 'dialog'" in missing.stderr and "dialogue" in missing.stderr
    (tmp_path / "sftlint.toml").write_text('[mapping]\nturnz = "dialogue"\n')
    typo = run_cli("lint", "d.jsonl", cwd=tmp_path)
    assert typo.exit_code == 2 and "turnz: unknown key" in typo.stderr
