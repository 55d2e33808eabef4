"""`sftlint eval`: base vs adapter with the real SmolLM2 and adapters trained here on CPU."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from sftlint.evaluate.metrics import bootstrap_delta, final_number, format_checks, scorer, verdict

# -- metrics (no model) ------------------------------------------------------------------------

def test_numeric_metric_reads_the_final_number_as_gsm8k_writes_it():
    ref = "Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day.\nShe makes 9 * 2 = $18.\n#### 18"
    numeric = scorer("numeric")
    assert final_number(ref) == 18
    assert numeric("so the answer is 18.", ref) == 1.0
    assert numeric("She makes $1,018 in total", "#### 1018") == 1.0
    assert numeric("I think 19", ref) == 0.0 and numeric("no idea", ref) == 0.0


def test_text_metrics():
    assert scorer("exact")("Paris", "Paris ") == 1.0 and scorer("exact")("paris", "Paris") == 0.0
    assert scorer("normalized")("  PARIS!", "Paris") == 1.0
    assert scorer("rouge-l")("the cat sat on the mat", "the cat sat on the mat") == 1.0
    assert 0 < scorer("rouge-l")("the cat sat", "a cat sat down") < 1
    fields = scorer("json-fields", ["name"])
    assert fields('{"name": "Ada", "age": 3}', '{"name": "Ada", "age": 4}') == 1.0
    assert fields('```json\n{"name": "Bob"}\n```', '{"name": "Ada"}') == 0.0
    assert scorer("json-fields")('{"a": 1, "b": 2}', '{"a": 1, "b": 2}') == 1.0


def test_format_checks_apply_only_where_they_mean_something():
    never = lambda text: False  # noqa: E731
    prose = format_checks("Sure.", "Fine.", True, never, None, None)
    assert prose == {"ended": True, "no_artefacts": True}  # no JSON check: the reference is prose
    as_json = format_checks("not json", '{"a": 1}', False, never, None, None)
    assert as_json == {"ended": False, "no_artefacts": True, "json": False}
    import re

    assert format_checks("ID-42", "x", True, never, re.compile(r"^ID-\d+$"), None)["pattern"]
    schema = {"type": "object", "required": ["a"]}
    assert format_checks('{"a": 1}', "x", True, never, None, schema)["schema"]
    assert not format_checks('{"b": 1}', "x", True, never, None, schema)["schema"]


def test_bootstrap_interval_and_verdict():
    base, better = [0.0] * 30, [1.0] * 20 + [0.0] * 10
    delta, lo, hi = bootstrap_delta(base, better)
    assert delta == pytest.approx(2 / 3) and lo > 0.4 and hi <= 1.0 and verdict(delta, lo, hi) == "better"
    same = bootstrap_delta([0.0, 1.0] * 10, [1.0, 0.0] * 10)
    assert same[1] < 0 < same[2] and verdict(*same) == "no clear change"
    assert verdict(-0.5, -0.6, -0.4, higher_is_better=False) == "better"  # a loss that went down


def test_general_text_from_a_dataset_takes_its_test_split_and_text_column(tmp_path, monkeypatch):
    import pandas as pd

    from sftlint.evaluate.runner import EvalError, dataset_text

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    both = tmp_path / "both"
    both.mkdir()
    pd.DataFrame({"id": [1, 2], "text": ["seen in training", "also seen"]}).to_parquet(both / "train.parquet")
    pd.DataFrame({"id": [1, 2], "text": ["held out one", "held out two"]}).to_parquet(both / "test.parquet")
    assert dataset_text(str(both)) == ("held out one\n\nheld out two", f"dataset {both} (test, text)")
    other = tmp_path / "other"
    other.mkdir()
    (other / "data.jsonl").write_text('{"n": 1, "content": "alpha"}\n{"n": 2, "content": "beta"}\n')
    assert dataset_text(str(other)) == ("alpha\n\nbeta", f"dataset {other} (train, content)")
    with pytest.raises(EvalError, match="not a file, and not a dataset that can be loaded"):
        dataset_text(str(tmp_path / "missing"))


def test_unknown_eval_setting_exits_2_naming_the_key(tmp_path):
    (tmp_path / "sftlint.toml").write_text('[eval]\nmetrc = "exact"\n')
    (tmp_path / "t.jsonl").write_text('{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}\n')
    (tmp_path / "adapter").mkdir()
    result = run_cli("eval", "--adapter", str(tmp_path / "adapter"), "--data", str(tmp_path / "t.jsonl"), "--model", "x")
    assert result.exit_code == 2 and "metrc" in result.output


# -- with a real model ------------------------------------------------------------------------

def _train(data: Path, model: Path, out: Path, *extra: str) -> Path:
    result = run_cli("train", str(data), "--model", str(model), "--max-length", "256", "--batch-size", "4",
                     "-o", str(out), *extra)
    assert result.exit_code == 0, result.output + str(result.exception)
    return out


@pytest.mark.model
@pytest.mark.slow
def test_eval_prints_the_four_metrics_and_the_fine_tune_beats_its_base_on_held_out_loss(
        exported, smollm2_model_dir, tmp_path, realdata):
    gutenberg = realdata / "gutenberg" / "pg11.txt"
    adapter = _train(exported / "train.jsonl", smollm2_model_dir, tmp_path / "adapter",
                     "--max-steps", "10", "--lr", "1e-3")
    result = run_cli("eval", "--adapter", str(adapter), "--data", str(exported / "test.jsonl"),
                     "--general-text", str(gutenberg), "--limit", "6", "--max-new-tokens", "48")
    assert result.exit_code in (0, 1), result.output + str(result.exception)
    for row in ("accuracy (rouge-l)", "format compliance", "held-out loss", "general text perplexity"):
        assert row in result.output
    report = json.loads((adapter / "eval_report.json").read_text())
    assert report["model"] == str(smollm2_model_dir)  # taken from the adapter's training report
    loss = report["accuracy"]["held_out_loss"]
    assert loss["adapter"] < loss["base"]
    assert report["improvement_over_base"]["held_out_loss"]["verdict"] == "better"
    for key in ("accuracy", "format_compliance"):
        assert 0 <= report[key]["base"] <= 1 and 0 <= report[key]["adapter"] <= 1
        assert set(report["improvement_over_base"][key]) == {"delta", "ci95", "verdict"}
    retention = report["general_capability_retention"]
    assert retention["text"] == str(gutenberg) and retention["tokens"] > 4000
    assert 0.9 < retention["retention"] < 1.1 and not retention["flagged"]
    assert len(report["examples"]) == 6
    first = report["examples"][0]
    assert first["reference"] and {"base_output", "adapter_output", "base_score", "adapter_format"} <= set(first)
    assert (adapter / "eval_chart.png").stat().st_size > 5000


@pytest.mark.model
@pytest.mark.slow
def test_an_adapter_overtrained_on_tiny_data_is_flagged_for_forgetting(exported, smollm2_model_dir, tmp_path, realdata):
    gutenberg = realdata / "gutenberg" / "pg11.txt"
    tiny = tmp_path / "tiny.jsonl"
    tiny.write_text("".join((exported / "train.jsonl").read_text().splitlines(keepends=True)[:4]))
    adapter = _train(tiny, smollm2_model_dir, tmp_path / "over", "--max-steps", "12", "--lr", "1e-2",
                     "--target", "all-linear", "--lora-r", "32", "--lora-alpha", "64")
    result = run_cli("eval", "--adapter", str(adapter), "--data", str(exported / "test.jsonl"),
                     "--general-text", str(gutenberg), "--limit", "2", "--max-new-tokens", "8")
    assert result.exit_code == 1, result.output + str(result.exception)
    retention = json.loads((adapter / "eval_report.json").read_text())["general_capability_retention"]
    assert retention["flagged"] and retention["retention"] < 0.95
    assert "forgot general ability" in result.output


def test_inputs_are_checked_before_any_model_loads(tmp_path, monkeypatch):
    def no_model(*args, **kwargs):
        raise AssertionError("a model was loaded")

    monkeypatch.setattr("sftlint.models.load_for_inference", no_model)
    data = tmp_path / "test.jsonl"
    data.write_text('{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}]}\n')
    (tmp_path / "empty").mkdir()
    (tmp_path / "adapter").mkdir()
    (tmp_path / "adapter" / "adapter_config.json").write_text("{}")
    for args, message in ((("--adapter", str(tmp_path / "empty"), "--data", str(data)), "no adapter_config.json here"),
                          (("--adapter", str(tmp_path / "nope"), "--data", str(data)), "no such folder (--adapter"),
                          (("--adapter", str(tmp_path / "adapter"), "--data", str(tmp_path / "x.jsonl")),
                           "x.jsonl: no such file (--data)")):
        result = run_cli("eval", *args, "--model", "whatever")
        assert result.exit_code == 2 and message in result.stderr, result.output
    nobase = run_cli("eval", "--adapter", str(tmp_path / "adapter"), "--data", str(data))
    assert nobase.exit_code == 2 and "no base model: pass --model" in nobase.stderr
    text = run_cli("eval", "--adapter", str(tmp_path / "adapter"), "--data", str(data), "--model", "m",
                   "--general-text", str(tmp_path / "book.txt"))
    assert text.exit_code == 2 and "book.txt: no such file or folder (--general-text)" in text.stderr


def test_reasoning_outputs_are_scored_on_their_answer_and_checked_for_a_closed_block():
    never = lambda text: False  # noqa: E731
    score = scorer("numeric")
    ref = "About 28 euros."
    closed = "<think>\nPads 18 + fitting 10 = 28, not 30.\n</think>\n\nAbout 28 euros."
    bare = "Pads 18 + fitting 10 = 28, not 30.\n</think>\n\nAbout 28 euros."  # block opened by the template
    unclosed = "<think>\nPads 18 + fitting 10 = 28, not 30, so"
    thinking_only = "<think>\nPads 18 + fitting 10 = 28.\n</think>\n\n"
    assert [format_checks(o, ref, True, never, None, None, reasons=True)["reasoning"]
            for o in (closed, bare, unclosed, thinking_only, "About 28 euros.")] == [True, True, False, False, False]
    # the reasoning's numbers do not count: the last number of the whole output would be 28 here
    # only by luck, and 30 is in the reasoning
    from sftlint.evaluate.metrics import answer_part

    assert score(answer_part(closed)[0], ref) == 1.0
    assert score(answer_part("<think>\n28 or 30? 30.\n</think>\n\nAbout 29 euros.")[0], ref) == 0.0
    assert "reasoning" not in format_checks(closed, ref, True, never, None, None)  # a reference without reasoning
