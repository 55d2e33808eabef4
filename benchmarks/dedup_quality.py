"""Near-duplicate detection quality against exact ground truth over all pairs.

The corpus is every real answer of at least 20 words in ../shared/realdata/ (LIMA, GSM8K human and
model solutions, Alpaca, AlpacaEval model outputs, Open-Assistant, Dolly, HC3, Self-Instruct, ...;
AlpacaEval's NullModel, one junk string 805 times, is left out), plus near-duplicates planted at
controlled edit rates: word substitutions, word insertions, sentences reordered, and
whitespace/Markdown changes. Ground truth is the exact Jaccard similarity of every pair's word
3-gram shingles (the same shingles D002 uses), computed for all pairs by a blocked sparse
matrix product; sftlint's detector (MinHash-LSH candidates, exact verification) runs at
threshold 0.7 through the same code the lint uses. Printed: pair recall at Jaccard >= 0.9, 0.8
and 0.7, member recall (examples with a near-duplicate that are in a reported pair), pair
precision, and the time each took.

    python benchmarks/dedup_quality.py [--planted 4000] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))
from fetch_realdata import require  # noqa: E402

REALDATA = require()
FIELDS = {"output", "answer", "response", "completion", "solution", "text", "value", "prediction", "content"}
SKIP = ("NullModel", "toolformer-similarity")
EDITS = ("substitute", "insert", "reorder", "format")
RATES = (0.02, 0.05, 0.1, 0.15, 0.2, 0.3)


def _walk(obj, out: list[str]) -> None:
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in FIELDS and isinstance(v, str):
                out.append(v)
            else:
                _walk(v, out)
    elif isinstance(obj, list):
        for v in obj:
            _walk(v, out)


def real_answers() -> list[str]:
    out: list[str] = []
    for path in sorted(REALDATA.rglob("*")):
        if path.suffix not in (".json", ".jsonl") or any(s in str(path) for s in SKIP):
            continue
        found: list[str] = []
        try:
            if path.suffix == ".jsonl":
                for line in path.open(encoding="utf-8"):
                    try:
                        _walk(json.loads(line), found)
                    except ValueError:
                        continue
            else:
                _walk(json.loads(path.read_text(encoding="utf-8")), found)
        except (ValueError, UnicodeDecodeError):
            continue
        out += [s for s in found if len(s.split()) >= 20]
    return out


def plant(base: list[str], n: int, rng: random.Random) -> list[tuple[str, str, float, int]]:
    """(text, edit, rate, source index) near-copies of random base answers."""
    vocab = [w for s in rng.sample(base, 500) for w in s.split()]
    out = []
    for _ in range(n):
        k = rng.randrange(len(base))
        src = base[k]
        edit, rate = rng.choice(EDITS), rng.choice(RATES)
        words = src.split()
        if edit == "substitute":
            words = [rng.choice(vocab) if rng.random() < rate else w for w in words]
            text = " ".join(words)
        elif edit == "insert":
            text = " ".join(x for w in words for x in ([w, rng.choice(vocab)] if rng.random() < rate else [w]))
        elif edit == "reorder":
            sentences = re.split(r"(?<=[.!?])\s+", src)
            moves = max(2, int(len(sentences) * rate * 3))
            idx = rng.sample(range(len(sentences)), min(moves, len(sentences)))
            moved = [sentences[i] for i in idx]
            rng.shuffle(moved)
            for i, s in zip(sorted(idx), moved, strict=True):
                sentences[i] = s
            text = " ".join(sentences)
        else:  # whitespace and Markdown: bold some words, bullet some lines, double some spaces
            text = " ".join(f"**{w}**" if rng.random() < rate else (w + " " if rng.random() < rate else w)
                            for w in words)
            text = "\n- ".join(text.split(". "))
        out.append((text, edit, rate, k))
    return out


def ground_truth(sets: list[np.ndarray], threshold: float) -> dict[tuple[int, int], float]:
    """Exact Jaccard of every pair at or above `threshold`, by blocked sparse X @ X.T."""
    from scipy import sparse

    allh = np.concatenate(sets)
    uniq, inverse = np.unique(allh, return_inverse=True)
    indptr = np.r_[0, np.cumsum([len(s) for s in sets])]
    x = sparse.csr_matrix((np.ones(len(allh), dtype=np.float32), inverse, indptr), shape=(len(sets), len(uniq)))
    xt = x.T.tocsc()
    sizes = np.diff(indptr).astype(np.float64)
    out: dict[tuple[int, int], float] = {}
    block = 1500
    for start in range(0, len(sets), block):
        inter = (x[start:start + block] @ xt).tocoo()
        rows = inter.row + start
        keep = rows < inter.col
        a, b, v = rows[keep], inter.col[keep], inter.data[keep].astype(np.float64)
        sim = v / (sizes[a] + sizes[b] - v)
        hit = sim >= threshold - 1e-12
        out.update(zip(zip(a[hit].tolist(), b[hit].tolist(), strict=True), sim[hit].tolist(), strict=True))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--planted", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    from sftlint.checks.minhash import bands, near_pairs, shingles_of
    from sftlint.checks.text import folded_words

    rng = random.Random(args.seed)
    base = real_answers()
    planted = plant(base, args.planted, rng)
    texts = base + [t for t, _, _, _ in planted]
    print(f"corpus: {len(base):,} real answers + {len(planted):,} planted near-copies = {len(texts):,} examples")
    t0 = time.perf_counter()
    words = [folded_words(t)[1] for t in texts]
    sets = [shingles_of(w) for w in words]
    t_sh = time.perf_counter() - t0
    t0 = time.perf_counter()
    truth = ground_truth(sets, 0.7)
    t_gt = time.perf_counter() - t0
    t0 = time.perf_counter()
    sigs = bands(words)
    found = near_pairs(sigs, lambda idx: {i: sets[i] for i in idx}, 0.7)
    t_det = time.perf_counter() - t0
    print(f"shingling {t_sh:.1f} s; ground truth over all {len(texts) * (len(texts) - 1) // 2:,} pairs {t_gt:.1f} s; "
          f"sftlint (signatures + LSH + verification) {t_det:.1f} s")
    print(f"\n{'Jaccard':>9}{'true pairs':>12}{'found':>9}{'recall':>9}")
    for t in (0.9, 0.8, 0.7):
        true = {p for p, s in truth.items() if s >= t}
        got = {p for p, s in found.items() if s >= t}
        print(f"{'>= ' + str(t):>9}{len(true):>12,}{len(got & true):>9,}{len(got & true) / max(1, len(true)):>9.4f}")
    print("\nmember recall: of the examples with a near-duplicate, the share found in some reported pair "
          "(what flags an example: D002 judges each member against its cluster's keeper)")
    for t in (0.9, 0.8, 0.7):
        members = {i for p, s in truth.items() if s >= t for i in p}
        hit = {i for p, s in found.items() if s >= t for i in p}
        print(f"{'>= ' + str(t):>9}{len(members):>12,}{len(hit & members):>9,}{len(hit & members) / max(1, len(members)):>9.4f}")
    wrong = [p for p in found if truth.get(p, 0.0) < 0.7]
    print(f"\nreported pairs {len(found):,}; precision {1 - len(wrong) / max(1, len(found)):.4f} "
          f"(pairs reported that the ground truth puts below 0.7: {len(wrong)})")
    print("\nplanted copy vs its source, by edit (pairs at Jaccard >= 0.7: found / true)")
    for edit in EDITS:
        cells = []
        for rate in RATES:
            pairs = [(src, len(base) + k) for k, (_, e, r, src) in enumerate(planted) if e == edit and r == rate]
            true = [p for p in pairs if truth.get(p, 0.0) >= 0.7]
            cells.append(f"{rate:.2f}: {sum(p in found for p in true)}/{len(true)}")
        print(f"  {edit:<11}" + "   ".join(cells))


if __name__ == "__main__":
    main()
