"""The reasoning rules on real reasoning nobody here wrote: GSM8K's model solutions as reasoning.

`gsm8k/example_model_solutions.jsonl` holds, for each of 1,319 test problems, four solutions by
GPT-3 models (6B and 175B, fine-tuned and verifier-selected), each with the dataset authors'
verdict `is_correct` (its final answer equals the ground truth's). Each solution becomes the
reasoning of one example (its "A: N" line taken off) and the ground truth's answer its reply, in
three shapes a dataset might use ("The answer is N.", "\\boxed{N}", "**N**"), in a reasoning
field or a think block. The reasoning then reaches another result than the answer exactly when
the authors marked the solution incorrect: that is the label, read from the data, not from the
rule. Prints Q011's precision and recall per shape (with 95% Wilson intervals), and what every
other rule, default set and preview, finds on the same 15,828 examples (it should be next to
nothing: they are well-formed).

    python benchmarks/reasoning_quality.py
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(Path(__file__).parent))
from fetch_realdata import require  # noqa: E402
from precision import wilson  # noqa: E402

SOLVERS = ("6b_finetuning", "6b_verification", "175b_finetuning", "175b_verification")
SHAPES = {"sentence": "The answer is {n}.", "boxed": "So the final answer is \\boxed{{{n}}}.", "bold": "**{n}**"}
_FINAL = re.compile(r"\n?A:\s*(.+?)\s*$")


def examples(realdata: Path):
    """(record, is the reasoning's result another than the answer's) for every solution and shape."""
    rows = [json.loads(line) for line in (realdata / "gsm8k" / "example_model_solutions.jsonl").open()]
    for shape, template in SHAPES.items():
        for n, row in enumerate(rows):
            truth = _FINAL.search(row["ground_truth"]).group(1)
            for s, solver in enumerate(SOLVERS):
                solution = row[solver]["solution"]
                reasoning = _FINAL.sub("", solution).strip()
                if not reasoning:
                    continue
                answer = template.format(n=truth)
                inline = (n + s) % 2 == 1  # half in a think block, half in a field
                message = ({"role": "assistant", "content": f"<think>\n{reasoning}\n</think>\n\n{answer}"} if inline
                           else {"role": "assistant", "reasoning_content": reasoning, "content": answer})
                record = {"messages": [{"role": "user", "content": row["question"]}, message]}
                yield shape, record, not row[solver]["is_correct"]


DERIVED = Path(__file__).parent / ".data" / "derived" / "gsm8k-reasoning.jsonl"
"""The set `benchmarks/precision.py` lints with the real files: one example per GSM8K problem
(solver, answer shape and reasoning form taken in turn), so its prompts are distinct."""


def derived_file(realdata: Path) -> Path:
    chosen = {}
    for shape, record, _ in examples(realdata):
        chosen.setdefault(record["messages"][0]["content"], []).append((shape, record))
    lines = []
    for n, variants in enumerate(chosen.values()):
        wanted = list(SHAPES)[n % len(SHAPES)]
        of_shape = [r for s, r in variants if s == wanted]
        if of_shape:
            lines.append(of_shape[n % len(of_shape)])
    DERIVED.parent.mkdir(parents=True, exist_ok=True)
    DERIVED.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines))
    return DERIVED


def lint(path: Path, select: str) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "sftlint", "lint", str(path), "--profile", "hf", "--preview",
                          "--select", select, "--output-format", "json"], capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout)["findings"]


def main() -> None:
    realdata = require()
    made = list(examples(realdata))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gsm8k_reasoning.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for _, r, _ in made))
        found = lint(path, "ALL")
    q011 = {f["line"] for f in found if f["code"] == "Q011"}
    print(f"{len(made):,} examples: GSM8K problems x 4 model solutions as reasoning x 3 answer shapes\n")
    print(f"{'Q011 shape':<10} {'examples':>8} {'mismatch':>8} {'flagged':>8} {'precision':>22} {'recall':>22}")
    totals = Counter()
    for shape in SHAPES:
        rows = [(line, bad) for line, (s, _, bad) in enumerate(made, 1) if s == shape]
        tp = sum(1 for line, bad in rows if bad and line in q011)
        fp = sum(1 for line, bad in rows if not bad and line in q011)
        pos = sum(1 for _, bad in rows if bad)
        totals.update(tp=tp, fp=fp, pos=pos, n=len(rows))
        print(f"{shape:<10} {len(rows):>8,} {pos:>8,} {tp + fp:>8,} {_rate(tp, tp + fp):>22} {_rate(tp, pos):>22}")
    print(f"{'all':<10} {totals['n']:>8,} {totals['pos']:>8,} {totals['tp'] + totals['fp']:>8,} "
          f"{_rate(totals['tp'], totals['tp'] + totals['fp']):>22} {_rate(totals['tp'], totals['pos']):>22}")
    counts = Counter(f["code"] for f in found)
    print("\nevery rule (preview included) on the same examples: findings by code")
    for code, n in sorted(counts.items()):
        print(f"  {code} {n:>7,}")


def _rate(k: int, n: int) -> str:
    if not n:
        return "–"
    lo, hi = wilson(k, n)
    return f"{k / n:.3f} [{lo:.3f}, {hi:.3f}]"


if __name__ == "__main__":
    main()
