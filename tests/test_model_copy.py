"""B004/B005 (`lint --model`) with the real SmolLM2-135M-Instruct, offline, on a handful of examples."""

from __future__ import annotations

import json
import math

import orjson
import pytest

from conftest import run_cli

pytestmark = pytest.mark.model

HUMAN = ("My grandmother kept her sourdough starter in a chipped blue crock behind the bread bin, and fed it "
         "whatever flour was cheapest that week; rye in winter, because the mill sold it off in January, and "
         "plain white the rest of the year.")
PROMPT = "Explain in three sentences why the sky is blue."


@pytest.fixture(scope="module")
def own_answer(smollm2_model_dir) -> str:
    """SmolLM2's own greedy answer to PROMPT (what a user copying the model's output would paste),
    from the model as `lint --model` loads it."""
    from sftlint.models import greedy, load_for_inference

    loaded = load_for_inference(str(smollm2_model_dir))
    tok = loaded.tokenizer
    text = tok.apply_chat_template([{"role": "user", "content": PROMPT}], tokenize=False, add_generation_prompt=True)
    (answer, ended), = greedy(loaded, [tok(text, add_special_tokens=False)["input_ids"]], 200, 1)
    assert ended and answer
    return answer


@pytest.fixture()
def data(tmp_path, own_answer):
    rows = [{"messages": [{"role": "user", "content": PROMPT}, {"role": "assistant", "content": own_answer}]},
            {"messages": [{"role": "user", "content": "Tell me about your grandmother's baking."},
                          {"role": "assistant", "content": HUMAN}]}]
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _findings(result) -> list[dict]:
    assert result.exit_code in (0, 1), result.output
    return orjson.loads(result.stdout)["findings"]


def test_model_scores_flag_its_own_answer_not_the_human_one_and_come_from_the_cache(data, smollm2_model_dir,
                                                                                  tmp_path, monkeypatch):
    args = ("lint", str(data), "--model", str(smollm2_model_dir), "--regenerate", "--select", "B004,B005",
            "--cache-dir", str(tmp_path / "cache"), "--output-format", "json")
    found = _findings(run_cli(*args))
    assert {(f["code"], f["line"]) for f in found} == {("B004", 1), ("B005", 1)}
    b004 = next(f for f in found if f["code"] == "B004")
    assert b004["score"] >= 2.0 and "sampling discrepancy" in b004["message"] and b004["message_index"] == 1
    assert next(f for f in found if f["code"] == "B005")["similarity"] == 1.0

    # second run: every score from the cache; the model is not even loaded
    def no_model(*a, **k):
        raise AssertionError("the model was loaded although every score is cached")

    monkeypatch.setattr("sftlint.models.load_for_inference", no_model)
    assert _findings(run_cli(*args)) == found

    # a reviewer accepted the example: its model findings are waived, as every rule's are
    from sftlint.journal import Journal

    Journal(data.parent / "d.jsonl.sftlint-journal").record(b004["example_id"], "accept")
    assert _findings(run_cli(*args)) == []
    assert {f["code"] for f in _findings(run_cli(*args, "--show-waived")) if f["waived"]} == {"B004", "B005"}

    # scores taken in another dtype are not reused: they differ by a few hundredths
    from sftlint.models import inference_precision

    device, dtype = inference_precision()
    other = "fp32" if dtype == "bfloat16" else "bf16"
    reloaded = run_cli(*args, "--dtype", other)  # the model must load: the stub says so, as an internal error
    assert reloaded.exit_code == 2 and "AssertionError: the model was loaded" in reloaded.stderr


def test_scores_match_the_definitions_on_full_logits(smollm2_model_dir, own_answer):
    """score_batch's gathered positions give what the formulas give on the full logits."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from sftlint.catalogue import load_profile
    from sftlint.io.formats import adapt
    from sftlint.lint.model_scoring import prepare, score_batch

    tok = AutoTokenizer.from_pretrained(smollm2_model_dir)
    model = AutoModelForCausalLM.from_pretrained(smollm2_model_dir, dtype=torch.float32).eval()
    convs = [adapt({"messages": [{"role": "user", "content": p}, {"role": "assistant", "content": a}]}, "messages",
                   load_profile("openai"))[0] for p, a in ((PROMPT, own_answer), ("Baking?", HUMAN))]
    prepared = [prepare(tok, str(k), c, 2048) for k, c in enumerate(convs)]
    got = score_batch(model, prepared, "cpu")  # one padded batch of two lengths
    for p in prepared:
        (i, s, e), = p.turns
        assert tok.decode(p.ids[s:e]).strip() == convs[int(p.eid)].messages[1].content.strip()
        with torch.inference_mode():
            lp = torch.log_softmax(model(torch.tensor([p.ids])).logits[0].float(), -1)[s - 1:e - 1]
        target = torch.tensor(p.ids[s:e])
        ll = lp.gather(-1, target[:, None]).squeeze(-1)
        mean = (lp.exp() * lp).sum(-1)
        var = (lp.exp() * lp * lp).sum(-1) - mean ** 2
        want = ((ll.sum() - mean.sum()) / var.sum().sqrt()).item()
        rank = ((lp > ll[:, None]).sum(-1) + 1).float().log().mean().item()
        t = got[p.eid][0]
        assert t.discrepancy == pytest.approx(want, abs=1e-3) and t.loglik == pytest.approx(ll.mean().item(), abs=1e-4)
        assert t.logrank == pytest.approx(rank, abs=1e-4) and t.tokens == e - s
    assert got["0"][0].discrepancy > got["1"][0].discrepancy + 2  # its own answer against a person's
    assert not math.isnan(got["1"][0].discrepancy)


@pytest.fixture()
def small(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": HUMAN}]}))
    return path


def test_regenerate_needs_a_model(small):
    result = run_cli("lint", str(small), "--regenerate")
    assert result.exit_code == 2 and "--regenerate needs --model" in result.output


def test_a_model_that_cannot_be_loaded_is_a_usage_error(small, tmp_path):
    result = run_cli("lint", str(small), "--model", str(tmp_path / "missing.gguf"), "--cache-dir", str(tmp_path / "c"))
    assert result.exit_code == 2 and "missing.gguf" in result.output
