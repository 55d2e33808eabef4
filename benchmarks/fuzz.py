"""Fuzz every rule with mutated real records: sftlint must never fail on a record.

Records come from the files of ../shared/realdata (OpenAI messages, ShareGPT, Alpaca, pairs,
Firefly), each mutated once or more at random: a value deleted, replaced by another JSON type, a
number made huge (beyond 64 bits) or non-finite, a string given control characters, lone
surrogates, terminal escapes or 50,000 characters, a list nested hundreds deep, keys duplicated,
the line cut short or given invalid bytes. They are linted in chunks with every rule that needs no
model (preview rules included), as `sftlint lint` runs them, and the run counts uncaught
exceptions and S034 internal-error findings (sftlint's own failures, caught per record). Both must
be zero.

    python benchmarks/fuzz.py                 # 100,000 mutated records, seed 0
    python benchmarks/fuzz.py --records 20000 --seed 3
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))
from fetch_realdata import require  # noqa: E402

SOURCES = ["openai-cookbook/toy_chat_fine_tuning.jsonl", "functiongemma/train.jsonl", "llama-factory/glaive_toolcall_en_demo.json",
           "llama-factory/alpaca_en_demo.json", "llama-factory/v1_sft_demo.jsonl", "medicalgpt/sharegpt_zh_1K_format.first500.jsonl",
           "firefly/dummy_data.jsonl", "gsm8k/test.jsonl", "bitext-cs/test.jsonl", "codealpaca/code_alpaca_2k.first1000.json"]
ODD_STRINGS = ["\x1b]0;PWNED\x07", "\x1b]52;c;aGk=\x07", "\ud800", "\u0000", "\u202e", "{{slot}}", "<|im_end|>", "a" * 50_000,
               "sk-proj-" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5", "```", "$$", "\\[", "。", "，"]


def seeds(realdata: Path) -> list:
    out = []
    for name in SOURCES:
        path = realdata / name
        text = path.read_text(encoding="utf-8")
        values = json.loads(text) if path.suffix == ".json" else [json.loads(x) for x in text.splitlines() if x.strip()]
        out += values[:300]
    return out


def mutate(value, rng: random.Random, depth: int = 0):
    """One random change somewhere in a JSON value (a new value; the seed is not changed)."""
    if isinstance(value, dict) and value and rng.random() < 0.7:
        key = rng.choice(list(value))
        new = dict(value)
        choice = rng.random()
        if choice < 0.15:
            del new[key]
        elif choice < 0.2:
            new[key + "_x"] = new[key]
        else:
            new[key] = mutate(value[key], rng, depth + 1)
        return new
    if isinstance(value, list) and value and rng.random() < 0.7:
        new = list(value)
        i = rng.randrange(len(new))
        if rng.random() < 0.15:
            del new[i]
        else:
            new[i] = mutate(new[i], rng, depth + 1)
        return new
    return rng.choice([
        lambda: None, lambda: True, lambda: 0, lambda: -1, lambda: 10**30, lambda: 1.5e308, lambda: "", lambda: [],
        lambda: {}, lambda: rng.choice(ODD_STRINGS), lambda: (value + rng.choice(ODD_STRINGS)) if isinstance(value, str) else value,
        lambda: json.loads("[" * 300 + "]" * 300), lambda: {"type": ["text"], "text": 1}, lambda: [value, value],
        lambda: {"role": rng.choice(["user", "assistant", "tool", "system", "developer", 7]), "content": value},
    ])()


def line_of(value, rng: random.Random) -> bytes:
    data = json.dumps(value, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
    r = rng.random()
    if r < 0.03:
        return data[: rng.randrange(len(data))]  # cut short
    if r < 0.05:
        i = rng.randrange(len(data))
        return data[:i] + b"\xff\xfe" + data[i:]  # invalid UTF-8
    return data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--chunk", type=int, default=10_000)
    args = ap.parse_args()

    from sftlint.catalogue import catalogue
    from sftlint.config import load_settings
    from sftlint.lint import Engine
    from sftlint.lint.engine import MODEL_CODES

    rng = random.Random(args.seed)
    pool = seeds(require())
    every = sorted(c for c in catalogue() if c not in MODEL_CODES)
    settings = load_settings(ROOT, None, {"select": every, "encoding": "cl100k_base"})
    crashes: Counter = Counter()
    internal: list[str] = []
    done = findings = 0
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        while done < args.records:
            n = min(args.chunk, args.records - done)
            path = Path(tmp) / f"chunk{done}.jsonl"
            with open(path, "wb") as fh:
                for _ in range(n):
                    value = rng.choice(pool)
                    for _ in range(rng.choice((1, 1, 2, 3))):
                        value = mutate(value, rng)
                    fh.write(line_of(value, rng) + b"\n")
            try:
                result = Engine(settings, jobs=1).run([path])
            except Exception as exc:  # what the benchmark is for
                crashes[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1
            else:
                findings += result.counts.findings
                internal += [f.message for f in result.findings if f.code == "S034"]
            done += n
            path.unlink()
    seconds = time.perf_counter() - start
    print(f"{done:,} mutated records linted with {len(every)} rules in {seconds:.0f} s ({done / seconds:,.0f}/s), "
          f"{findings:,} findings")
    print(f"uncaught exceptions: {sum(crashes.values())}")
    for what, count in crashes.most_common(10):
        print(f"  {count} × {what}")
    print(f"internal errors (S034): {len(internal)}")
    for what, count in Counter(m.split(";")[0] for m in internal).most_common(10):
        print(f"  {count} × {what}")


if __name__ == "__main__":
    main()
