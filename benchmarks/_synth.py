"""Seeded synthetic chat data of realistic length, shared by the benchmarks.

Lengths follow log-normal distributions fitted by eye to instruction data (median user turn
~180 characters, median answer ~600, long tails), 1-3 exchanges, one of a few system prompts.
Words are drawn with the frequencies of the 5,000 most common words of LIMA's human answers
(the real-data corpus), so repetition and tokenisation behave as in real text; without the corpus,
from a small fixed list.
"""

from __future__ import annotations

import random
from pathlib import Path

import orjson

WORDS = ["the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "with", "was", "on", "be", "by", "this", "are", "or", "from", "at", "an", "which", "have", "not", "model", "data", "training", "example", "answer", "question", "user", "assistant", "token", "length", "value", "function", "return", "python", "list", "file", "error", "check", "result", "number", "time", "first", "because", "should", "would", "could", "about", "there", "customer", "order", "refund", "shipping", "account", "password", "reset", "invoice", "balance", "transfer", "recipe", "oven", "temperature", "minutes", "flour", "sugar", "butter", "salt", "pepper", "garlic", "onion", "tomato", "pasta", "sauce", "water", "boil"]
SYSTEMS = [
    "You are a helpful assistant for an online store. Answer politely and concisely.",
    "You are a cooking assistant. Give precise quantities and times.",
    "You are a senior Python developer. Explain code clearly and show examples when useful.",
    "You are a support agent for a bank. Never ask for full card numbers or passwords.",
]


def _vocabulary() -> tuple[list[str], list[int]]:
    import json
    import re
    import sys
    from collections import Counter

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    from fetch_realdata import locate

    corpus = locate()
    if corpus is None:
        return WORDS, [1] * len(WORDS)
    records = json.loads((corpus / "llama-factory" / "lima.json").read_text(encoding="utf-8"))
    counts = Counter(w for r in records for w in re.findall(r"[a-z]+", r["output"].lower()))
    top = counts.most_common(5000)
    return [w for w, _ in top], [c for _, c in top]


VOCAB, WEIGHTS = _vocabulary()
CUM = list(__import__("itertools").accumulate(WEIGHTS))


def _text(rng: random.Random, median_chars: float, sigma: float = 0.8) -> str:
    target = max(8, int(rng.lognormvariate(0, sigma) * median_chars))
    out: list[str] = []
    size = 0
    while size < target:
        sentence = " ".join(rng.choices(VOCAB, cum_weights=CUM, k=rng.randint(6, 18)))
        out.append(sentence.capitalize() + ".")
        size += len(sentence) + 2
    return " ".join(out)[:target].rstrip() + "."


def example(rng: random.Random) -> dict:
    messages = []
    messages.append({"role": "system", "content": rng.choice(SYSTEMS)})
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        messages.append({"role": "user", "content": _text(rng, 180)})
        messages.append({"role": "assistant", "content": _text(rng, 600)})
    return {"messages": messages}


def write(path: Path, n: int, seed: int = 0) -> Path:
    path = path.with_name(path.stem + "_v2" + path.suffix)  # v2: real word frequencies
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        for _ in range(n):
            fh.write(orjson.dumps(example(rng)) + b"\n")
    tmp.rename(path)
    return path


def write_near_identical(path: Path, n: int, seed: int = 0) -> Path:
    """`n` copies of one ~600-character example, each with two of its words replaced: every pair is
    a near-duplicate, the worst case for the duplicate rules' buckets."""
    path = path.with_name(path.stem + "_near" + path.suffix)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    prompt, answer = _text(rng, 180, 0), _text(rng, 600, 0).split(" ")
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        for _ in range(n):
            words = list(answer)
            for _ in range(2):
                words[rng.randrange(len(words))] = rng.choice(VOCAB)
            fh.write(orjson.dumps({"messages": [{"role": "user", "content": prompt},
                                                {"role": "assistant", "content": " ".join(words)}]}) + b"\n")
    tmp.rename(path)
    return path
