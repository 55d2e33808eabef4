"""Duplicates and leakage (D rules): what a user sees on real data, no chaining, determinism."""

from __future__ import annotations

import random

import orjson
import pytest

from conftest import run_cli
from rule_cases import SYS, Q, conv, jl, oks


def findings(*args, cwd=None) -> list[dict]:
    result = run_cli("lint", *args, "--output-format", "json", "--exit-zero", cwd=cwd)
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)["findings"]


def test_alpaca_demo_duplicates_found_exactly(realdata):
    found = findings(str(realdata / "llama-factory" / "alpaca_en_demo.json"), "--select", "D001")
    assert len(found) == 14  # 14 extra copies
    assert len({f["related"][0] for f in found}) == 13  # of 13 duplicated records
    assert all(f["similarity"] == 1.0 and f["related_lines"] for f in found)


def test_constant_answer_flagged_on_every_example(realdata):
    found = findings(str(realdata / "alpaca-eval" / "NullModel" / "model_outputs.json"), "--select", "D004")
    assert len(found) == 805
    assert "805 different prompts" in found[0]["message"]


def test_templated_family_is_clustered(realdata):
    found = findings(str(realdata / "fastchat" / "dummy_conversation.json"), "--select", "D002")
    keepers = {f["related"][0] for f in found}
    # big clusters, not scattered pairs (the family asks about many vendors by name: a cluster per vendor)
    assert len(found) >= 150 and len(keepers) < len(found) / 2
    assert all(f["similarity"] >= 0.8 for f in found)


def test_gsm8k_against_itself_is_fully_contaminated_and_against_other_data_clean(realdata):
    gsm8k = str(realdata / "gsm8k" / "test.jsonl")
    assert len(findings(gsm8k, "--select", "D005", "--against", gsm8k)) == 1319
    other = str(realdata / "self-instruct" / "predictions" / "text-davinci-003_predictions.jsonl")
    assert findings(gsm8k, "--select", "D005", "--against", other) == []


def test_a_shared_system_prompt_does_not_make_everything_a_duplicate(tmp_path):
    rng = random.Random(1)
    long_system = "You are the assistant of a bicycle shop. " + " ".join(f"rule{rng.randrange(10**6)}" for _ in range(300))
    records = [conv(("system", long_system), ("user", f"Question {i}: what does part {i} cost?"),
                    ("assistant", f"Part {i} costs {10 + i} euros and is in stock in {i % 5 + 1} colours."))
               for i in range(20)]
    (tmp_path / "a.jsonl").write_bytes(jl(*records))
    assert findings("a.jsonl", "--select", "D002", cwd=tmp_path) == []
    (tmp_path / "sftlint.toml").write_text('[rules.D002]\nkey = "full"\n')
    assert len(findings("a.jsonl", "--select", "D002", cwd=tmp_path)) == 19  # with the system prompt: all alike


def test_clusters_never_chain_members_unlike_their_keeper(tmp_path):
    from sftlint.checks.minhash import jaccard, shingles

    rng = random.Random(3)
    words = [f"w{rng.randrange(10**6)}" for _ in range(400)]
    texts = []
    for start in range(0, 60, 3):  # a chain: each text shifted 3 words from the previous one
        texts.append(" ".join(words[start:start + 60]))
    assert jaccard(shingles(texts[0]), shingles(texts[1])) >= 0.8
    assert jaccard(shingles(texts[0]), shingles(texts[4])) < 0.8
    (tmp_path / "a.jsonl").write_bytes(jl(*(conv(SYS, ("user", "Summarise."), ("assistant", t)) for t in texts)))
    found = findings("a.jsonl", "--select", "D002", cwd=tmp_path)
    assert found
    by_line = {i + 1: t for i, t in enumerate(texts)}
    for f in found:
        member, keeper = by_line[f["line"]], by_line[f["related_lines"][0]]
        sim = jaccard(shingles("user: Summarise.\nassistant: " + member), shingles("user: Summarise.\nassistant: " + keeper))
        assert sim >= 0.8 and sim == pytest.approx(f["similarity"], abs=1e-4)
    keepers = {f["related_lines"][0] for f in found}
    assert not keepers & {f["line"] for f in found}  # a keeper is never itself a member


def _corpus(path, n: int = 2600) -> None:
    """Over the parallel threshold (4 MiB), with exact copies, near-copies and conflicts planted."""
    rng = random.Random(5)
    vocab = [f"word{i}" for i in range(3000)]
    records = []
    for i in range(n):
        answer = " ".join(rng.choice(vocab) for _ in range(250))
        records.append(conv(SYS, ("user", f"Question {i}: " + " ".join(rng.choice(vocab) for _ in range(12))),
                            ("assistant", answer)))
    for i in range(0, n, 50):
        records.append(records[i])  # exact copy
        words = records[i]["messages"][2]["content"].split()
        words[rng.randrange(len(words))] = "changed"
        records.append(conv(SYS, ("user", records[i]["messages"][1]["content"]), ("assistant", " ".join(words))))
    rng.shuffle(records)
    path.write_bytes(jl(*records))


def test_same_clusters_and_keepers_across_runs_and_jobs(tmp_path):
    _corpus(tmp_path / "big.jsonl")
    assert (tmp_path / "big.jsonl").stat().st_size > 4 << 20
    runs = [findings("big.jsonl", "--select", "D", "--jobs", jobs, cwd=tmp_path) for jobs in ("1", "2", "2")]
    assert runs[0] == runs[1] == runs[2]
    codes = [f["code"] for f in runs[0]]
    assert codes.count("D001") == 52 and codes.count("D002") >= 52


def test_lint_reads_a_file_once_then_only_the_candidates_again(tmp_path, monkeypatch):
    """One pass over the records (the format is told from the first records of that same pass),
    then the near-duplicate candidates re-read by byte offset: never a third read."""
    import sftlint.io.conversations as conversations

    answer = ("Wipe the chain with a cloth, put one drop of oil on each roller, spin the pedals backwards for a "
              "minute so it gets into the links, then wipe off the excess so it does not collect grit.")
    records = [*oks(30), conv(SYS, Q, ("assistant", answer)), conv(SYS, Q, ("assistant", answer.replace("cloth", "rag")))]
    (tmp_path / "a.jsonl").write_bytes(jl(*records))
    reads: list[str] = []
    real = conversations.read

    def counted(path, *args, **kwargs):
        reads.append(str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(conversations, "read", counted)
    found = findings("a.jsonl", "--select", "D,S,Q", "--jobs", "1", cwd=tmp_path)
    assert any(f["code"] == "D002" for f in found)  # the candidates were verified...
    assert reads == ["a.jsonl", "a.jsonl"]  # ...in the second and last read


def test_a_split_made_after_augmenting_the_prompts_leaks_through_its_answers(realdata, tmp_path):
    """Real support answers (realdata/bitext-cs), each prompt written three ways with prefixes,
    shuffled, then split 80/20: most test examples have a sibling in train with the same answer."""
    rng = random.Random(0)
    rows = [orjson.loads(x) for x in (realdata / "bitext-cs" / "test.jsonl").read_bytes().splitlines()[:400]]
    prefixes = ["", "Customer asked: ", "Question: ", "Hi there, ", "Please help: "]
    augmented = [(i, {"instruction": r["instruction"], "input": p + r["input"], "output": r["output"]})
                 for i, r in enumerate(rows) for p in rng.sample(prefixes, 3)]
    rng.shuffle(augmented)
    cut = len(augmented) * 8 // 10
    train, test = augmented[:cut], augmented[cut:]
    (tmp_path / "train.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for _, r in train))
    (tmp_path / "test.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for _, r in test))
    held_out = {i for i, _ in test}
    augmented_leaks = {line for line, (i, _) in enumerate(train, 1) if i in held_out}
    # the set itself repeats some prompts word for word with other answers: leaks too, by the prompt
    asked = {rows[i]["input"].casefold() for i, _ in test}
    leaked = augmented_leaks | {line for line, (i, _) in enumerate(train, 1) if rows[i]["input"].casefold() in asked}
    found = findings("train.jsonl", "--select", "D005", "--against", "test.jsonl", cwd=tmp_path)
    flagged = {f["line"] for f in found}
    by_answer = {f["line"] for f in found if f["message"].startswith("the answer")}
    assert len(augmented_leaks) > 300
    assert len(flagged & augmented_leaks) / len(augmented_leaks) >= 0.95
    # keyed on the answer it finds the augmented copies, and only leaks
    assert len(by_answer & leaked) / len(by_answer) >= 0.95 and len(by_answer) > 200
    assert any("the answer is a near-duplicate of test.jsonl's line" in f["message"] for f in found)


def test_short_near_copies_are_found_and_unrelated_short_texts_never_paired(tmp_path):
    """Texts of a few dozen shingles leave most one-permutation bins empty: densification must
    still make a near copy agree with its source band for band, and not make strangers agree."""
    from sftlint.checks.minhash import bands, candidate_pairs, jaccard, shingles
    from sftlint.checks.text import folded_words

    rng = random.Random(7)
    vocab = [f"w{rng.randrange(10**6)}" for _ in range(2000)]
    texts = [" ".join(rng.choice(vocab) for _ in range(rng.randrange(25, 45))) for _ in range(300)]
    copies = []
    for text in texts[:60]:  # the last word substituted: Jaccard 0.92-0.95
        w = text.split()
        w[-1] = "changed"
        copies.append(" ".join(w))
    sets = [shingles(t) for t in texts + copies]
    assert all(jaccard(sets[i], sets[300 + i]) >= 0.8 for i in range(60))
    pairs = candidate_pairs(bands([folded_words(t)[1] for t in texts + copies]))
    assert {(i, 300 + i) for i in range(60)} <= pairs  # every planted pair is a candidate
    assert len(pairs) == 60  # and nothing else is: the bins an empty bin borrows from differ
    (tmp_path / "a.jsonl").write_bytes(jl(*(conv(("user", "Say it."), ("assistant", t)) for t in texts + copies)))
    found = findings("a.jsonl", "--select", "D002", cwd=tmp_path)
    assert sorted(sorted((f["line"], f["related_lines"][0])) for f in found) == [[1 + i, 301 + i] for i in range(60)]


def test_the_row_shingles_are_the_key_texts_shingles(realdata):
    """The corpus row builds a key's shingles turn by turn from remembered words; they are the
    shingles of the key's text, on real conversations of every shape."""
    import numpy as np

    from sftlint.checks.corpus import KEYS, key_shingles, key_text
    from sftlint.checks.minhash import shingles
    from sftlint.config import RawSettings, Settings
    from sftlint.io.formats import adapt

    profile = Settings.resolve(RawSettings()).profile
    checked = 0
    for path in sorted(realdata.rglob("*.jsonl"))[:40]:
        with open(path, "rb") as fh:
            for line in list(fh)[:60]:
                try:
                    value = orjson.loads(line)
                except orjson.JSONDecodeError:
                    continue
                conversation = adapt(value, None, profile)[0] if isinstance(value, dict) else None
                if conversation is None:
                    continue
                for key in (*KEYS, "answer", "asked"):
                    assert np.array_equal(key_shingles(conversation, key), shingles(key_text(conversation, key)))
                    checked += 1
    assert checked > 3000


def test_bands_of_a_chunk_are_each_examples_own_however_the_chunk_is_split():
    """Bands are computed for many texts at once, in blocks of 512 texts or 2**18 words: a text's
    bands never depend on its neighbours, the block it fell in, or a text too long for any block."""
    import numpy as np

    from sftlint.checks.minhash import _BLOCK_WORDS, bands

    rng = np.random.default_rng(3)
    vocab = rng.integers(0, 2**63, size=3000, dtype=np.uint64)
    lengths = [0, 1, 2, 3] + rng.integers(0, 400, size=1200).tolist() + [_BLOCK_WORDS + 5, 7]
    texts = [vocab[rng.integers(0, len(vocab), size=n)] for n in lengths]
    together = bands(texts)
    assert together.shape == (len(texts), 16)
    assert all(np.array_equal(together[i], bands([t])[0]) for i, t in enumerate(texts))


def test_rows_get_their_bands_once_whatever_they_hold():
    """A row's band fields hold its texts' words until stacked: one array in two fields (D002's and
    D005's key) is banded once and alike, None means no text, rows banded already stay as they are."""
    import numpy as np

    from sftlint.checks.corpus import FIELDS, ROW_LEAK, with_bands
    from sftlint.checks.minhash import bands

    words = np.arange(1, 40, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    other = words[::-1].copy()
    head = (1, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    assert len(head) == len(FIELDS) - 1
    rows = with_bands([(*head, words, words, None), (*head, other, None, other)])
    mine, theirs = bands([words, other])
    assert np.array_equal(rows[0][-3], mine) and np.array_equal(rows[0][-2], mine) and not rows[0][-1].any()
    assert np.array_equal(rows[1][-3], theirs) and not rows[1][-2].any() and np.array_equal(rows[1][-1], theirs)
    assert all(np.array_equal(a, b) for a, b in zip(with_bands(rows)[1], rows[1], strict=True))
    assert np.array(rows, dtype=ROW_LEAK)["near"].shape == (2, 16)
