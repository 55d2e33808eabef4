"""`sftlint stats`: percentiles, histogram, bill."""

from __future__ import annotations

import numpy as np
import orjson
from hypothesis import given
from hypothesis import strategies as st

from conftest import run_cli
from rule_cases import OK, SYS, Q, conv, jl
from sftlint.numbers import percentile
from sftlint.stats.tokens import compute, default_epochs, histogram


@given(st.lists(st.integers(min_value=0, max_value=100_000), min_size=1, max_size=300),
       st.sampled_from([0, 1, 50, 90, 95, 99, 100]))
def test_percentiles_match_numpy(values, q):
    assert abs(percentile(sorted(values), q) - float(np.percentile(values, q))) < 1e-6


@given(st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=300), st.integers(1, 20))
def test_histogram_counts_every_value_once(values, bins):
    hist = histogram(sorted(values), bins)
    assert sum(c for _, _, c in hist) == len(values)
    assert hist[0][0] == min(values) and hist[-1][1] >= max(values)


def test_default_epochs_follow_openai_heuristic():
    assert default_epochs(10) == 10  # 100 / 10
    assert default_epochs(500) == 3
    assert default_epochs(20_000) == 1


def test_bill_caps_examples_at_the_limit():
    s = compute([10, 20, 500], [5, 5, 5], limit=100, epochs=2)
    assert s.billed_tokens == 2 * (10 + 20 + 100)
    assert s.over_limit == 1


def test_stats_command(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(jl(*[OK] * 4, conv(SYS, Q, ("assistant", "Oil. " * 200))))
    text = run_cli("stats", "a.jsonl", "--encoding", "cl100k_base", "--epochs", "2", cwd=tmp_path)
    assert text.exit_code == 0
    assert "length histogram" in text.stdout and "estimated training bill" in text.stdout
    doc = orjson.loads(run_cli("stats", "a.jsonl", "--encoding", "cl100k_base", "--epochs", "2",
                               "--output-format", "json", cwd=tmp_path).stdout)
    assert doc["examples"] == 5 and doc["epochs"] == 2
    assert doc["billed_tokens"] == 2 * doc["total_tokens"]
    assert doc["trainable_tokens"] < doc["total_tokens"]
    assert doc["percentiles"]["p50"] == sorted([doc["min"], doc["max"], doc["min"], doc["min"], doc["min"]])[2]


def test_stats_reports_diversity_and_the_top_prompt_templates(realdata):
    result = run_cli("stats", str(realdata / "fastchat" / "dummy_conversation.json"), "--encoding", "cl100k_base",
                     "--output-format", "json")
    div = orjson.loads(result.stdout)["diversity"]
    assert div["prompts"] == 500 and div["distinct_prompt_templates"] < 50
    assert div["top_templates"][0] == {"template": "What is up?", "count": 167}
    assert div["top_templates_share"] > 0.5 and 0 < div["distinct_2"] < 0.05
    text = run_cli("stats", str(realdata / "fastchat" / "dummy_conversation.json"), "--encoding", "cl100k_base").stdout
    assert "the top 5 cover 62%" in text and "167 × 'What is up?'" in text


def test_stats_names_words_chat_models_overuse(realdata):
    model = run_cli("stats", str(realdata / "alpaca-eval" / "gpt-3.5-turbo-1106_verbose" / "model_outputs.json"),
                    "--encoding", "cl100k_base", "--output-format", "json")
    words = {w["word"]: w for w in orjson.loads(model.stdout)["diversity"]["model_style_words"]}
    assert {"crucial", "comprehensive", "journey"} <= set(words)
    assert words["crucial"]["per_1000"] > 3 * words["crucial"]["human_per_1000"]
    human = run_cli("stats", str(realdata / "gsm8k" / "test.jsonl"), "--encoding", "cl100k_base", "--output-format", "json")
    assert orjson.loads(human.stdout)["diversity"]["model_style_words"] == []
