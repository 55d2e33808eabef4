"""Padding detection (P rules) on real human answers: recall on injected padding, false positives
on the answers as they are.

Human answers from ../shared/realdata/: LIMA (prose, lists, code), GSM8K test solutions (math),
Self-Instruct's user-oriented and Alpaca's seed task outputs, Dolly responses. Each answer is
padded at 10-50% of its characters with one kind of padding: a sentence of its own repeated,
a paragraph of its own repeated, filler phrases, or runs of whitespace. Printed: the share of
padded answers that a P rule flags, per kind and level, and the share of untouched answers
flagged (all, and the code and math subsets).

    python benchmarks/heuristics_quality.py [--seed 0] [--preview] [--without P005]

By default it measures the rules a default lint runs (P002 is in preview); --preview adds the rest.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))
from fetch_realdata import require  # noqa: E402

REALDATA = require()
LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5)
KINDS = ("sentence", "paragraph", "filler", "whitespace")
FILLERS = ["I hope this helps!", "Let me know if you have any other questions.", "Feel free to ask if you need help.",
           "Don't hesitate to reach out.", "Happy coding!", "I hope you find this helpful."]
P_CODES = ("P001", "P002", "P003", "P004", "P005")
WARNINGS = ("P001", "P002", "P003", "P004")  # P005 (filler phrases) is informational: reported apart


def human_answers() -> list[tuple[str, str, str]]:
    """(prompt, answer, kind) with kind one of prose, code, math."""
    out = []
    for rec in json.loads((REALDATA / "llama-factory" / "lima.json").read_text()):
        kind = "code" if "```" in rec["output"] or re.search(r"^\s{4}\S", rec["output"], re.M) else "prose"
        out.append((rec["instruction"], rec["output"], kind))
    for line in (REALDATA / "gsm8k" / "test.jsonl").open():
        rec = json.loads(line)
        out.append((rec["question"], rec["answer"], "math"))
    for line in (REALDATA / "self-instruct" / "user_oriented_instructions.jsonl").open():
        rec = json.loads(line)
        for inst in rec["instances"]:
            out.append((rec["instruction"] + "\n" + inst["input"], inst["output"], "prose"))
    for line in (REALDATA / "stanford-alpaca" / "seed_tasks.jsonl").open():
        rec = json.loads(line)
        for inst in rec["instances"]:
            out.append((rec["instruction"] + "\n" + inst["input"], inst["output"], "prose"))
    for line in (REALDATA / "dolly-sample" / "dolly.jsonl").open():
        rec = json.loads(line)
        out.append((rec["prompt"], rec["answer"].replace("###eos_token###", ""), "prose"))
    return [(p, a, k) for p, a, k in out if a.strip()]


def pad(answer: str, kind: str, level: float, rng: random.Random) -> str:
    """The answer with about `level` of its characters (after padding) being padding."""
    want = int(len(answer) * level / (1 - level))
    if kind == "sentence":
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", answer) if len(s) > 20] or [answer[:200]]
        s = rng.choice(sentences)
        pos = answer.find(s) + len(s)
        reps = max(1, round(want / (len(s) + 1)))
        return answer[:pos] + (" " + s) * reps + answer[pos:]
    if kind == "paragraph":
        paras = [p for p in answer.split("\n\n") if p.strip()] or [answer]
        p = rng.choice(paras)
        reps = max(1, round(want / (len(p) + 2)))
        return answer + ("\n\n" + p) * reps
    if kind == "filler":
        added = []
        while sum(len(x) + 1 for x in added) < want:
            added.append(rng.choice(FILLERS))
        return answer + "\n\n" + " ".join(added)
    # whitespace: runs of spaces or blank lines dropped between words
    words = answer.split(" ")
    runs = max(1, want // 20)
    for _ in range(runs):
        i = rng.randrange(len(words))
        words[i] = words[i] + (rng.choice([" " * 20, "\n" * 20]))
    return " ".join(words)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--without", default="", help="Rule codes to leave out (comma-separated): what each adds.")
    ap.add_argument("--preview", action="store_true", help="count the preview P rules too (default: the default set)")
    args = ap.parse_args()
    global P_CODES, WARNINGS
    from sftlint.catalogue import catalogue

    left_out = {c.strip() for c in args.without.split(",") if c.strip()}
    if not args.preview:
        left_out |= {c for c in P_CODES if catalogue()[c].status != "stable"}
    P_CODES = tuple(c for c in P_CODES if c not in left_out)
    WARNINGS = tuple(c for c in WARNINGS if c not in left_out)
    from sftlint.config import load_settings
    from sftlint.io.reader import Record
    from sftlint.lint import Processor

    settings = load_settings(ROOT, None, {"select": list(P_CODES)})
    proc = Processor(settings, None)
    active = frozenset(P_CODES)
    import orjson

    def flagged(prompt: str, answer: str) -> set[str]:
        rec = {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]}
        result = proc.process(Record(1, 0, raw=orjson.dumps(rec)), "messages", active, "bench")
        return {f.code for f in result.findings}

    rng = random.Random(args.seed)
    data = human_answers()
    print(f"{len(data):,} human answers: " + ", ".join(f"{k} {sum(1 for *_, x in data if x == k):,}"
                                                      for k in ("prose", "code", "math")))
    clean = {k: [0, 0] for k in ("prose", "code", "math")}
    examples = []
    fillers = 0
    for p, a, k in data:
        found = flagged(p, a)
        codes = found & set(WARNINGS)
        fillers += "P005" in found
        clean[k][0] += bool(codes)
        clean[k][1] += 1
        if codes:
            examples.append((k, sorted(codes), a[:100]))
    fp_all = sum(v[0] for v in clean.values()) / sum(v[1] for v in clean.values())
    print(f"\nfalse positives on untouched answers ({', '.join(WARNINGS)}): " + f"all {fp_all:.2%}   " +
          "   ".join(f"{k} {v[0] / max(1, v[1]):.2%} ({v[0]}/{v[1]})" for k, v in clean.items()))
    for k, codes, text in examples[:8]:
        print(f"  flagged {k:<5} {','.join(codes):<10} {text!r}")
    print(f"untouched answers with a filler phrase (P005, info): {fillers / len(data):.2%} ({fillers})")
    print(f"\nrecall on padded answers (flagged by any of {', '.join(P_CODES)})")
    print(f"{'padding':<11}" + "".join(f"{lv:>8.0%}" for lv in LEVELS))
    totals = {lv: [0, 0] for lv in LEVELS}
    by_answer = {(k, lv): [0, 0] for k in ("prose", "code", "math") for lv in LEVELS}
    for kind in KINDS:
        row = []
        for lv in LEVELS:
            hit = n = 0
            for p, a, answer_kind in data:
                if len(a) < 40:
                    continue
                n += 1
                found = bool(flagged(p, pad(a, kind, lv, rng)))
                hit += found
                by_answer[answer_kind, lv][0] += found
                by_answer[answer_kind, lv][1] += 1
            totals[lv][0] += hit
            totals[lv][1] += n
            row.append(hit / max(1, n))
        print(f"{kind:<11}" + "".join(f"{r:>8.3f}" for r in row))
    print(f"{'all':<11}" + "".join(f"{totals[lv][0] / max(1, totals[lv][1]):>8.3f}" for lv in LEVELS))
    print("\nthe same, by what the answer is (every kind of padding)")
    for answer_kind in ("prose", "code", "math"):
        print(f"{answer_kind:<11}" + "".join(f"{by_answer[answer_kind, lv][0] / max(1, by_answer[answer_kind, lv][1]):>8.3f}"
                                             for lv in LEVELS))


if __name__ == "__main__":
    main()
