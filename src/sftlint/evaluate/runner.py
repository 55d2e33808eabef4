"""`sftlint eval`: the base model and the fine-tuned one (base + LoRA adapter) side by side on the
held-out set, with the article's four metrics.

One model is loaded; the base's numbers come from the same weights with the adapter switched off
(peft's `disable_adapter`), so the two sides differ only by the adapter.
- accuracy: each example's final assistant turn generated greedily (batched, left-padded) and
  compared with the reference by the chosen metric; also held-out loss and perplexity with the
  training masks (the same rendering and masks as `sftlint train`);
- format compliance: the share of outputs passing every format check that applies;
- improvement over base: adapter - base per metric, with a paired bootstrap 95% interval;
- general capability retention: perplexity on general text, base / adapter (1.0 = unchanged;
  below the bound, default 0.95, the fine-tune forgot general ability).
"""

from __future__ import annotations

import json
import math
import re
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

from sftlint.evaluate.metrics import answer_part, bootstrap_delta, format_checks, scorer, verdict
from sftlint.evaluate.options import EvalError, EvalOptions
from sftlint.progress import duration

REPORT_FILE = "eval_report.json"
CHART_FILE = "eval_chart.png"


def _held_out(opts: EvalOptions, tokenizer):
    """(line, conversation, prompt messages, reference) for each example with a final answer."""
    from sftlint.catalogue import load_profile
    from sftlint.io.conversations import iter_conversations

    convs = []
    for read in iter_conversations(opts.data, load_profile(opts.profile)):
        if read.conversation is None:
            raise EvalError(f"{opts.data}:{read.record.line}: {read.problem}; run `sftlint lint`")
        convs.append((read.record.line, read.conversation))
    out = []
    for line, conv in convs:
        last = _last_answer(conv)
        if last is None:
            continue
        out.append((line, conv, conv.template_messages()[:last], conv.messages[last].content))
    if opts.limit:
        out = out[:opts.limit]
    if not out:
        raise EvalError(f"{opts.data}: no example with an assistant answer to evaluate")
    return out


def _last_answer(conv) -> int | None:
    """The index of the example's last assistant answer (the reference), if it has one."""
    return max((i for i, m in enumerate(conv.messages) if m.role == "assistant" and m.content), default=None)


def generate(loaded, prompts: list[list[dict]], max_new_tokens: int, batch_size: int,
             on_batch=None) -> list[tuple[str, bool]]:
    """Greedy answers to each prompt (messages), and whether the model ended its turn itself."""
    from sftlint.models import greedy

    tok = loaded.tokenizer
    encoded = [tok(tok.apply_chat_template(p, tokenize=False, add_generation_prompt=True),
                   add_special_tokens=False)["input_ids"] for p in prompts]
    return greedy(loaded, encoded, max_new_tokens, batch_size, on_batch=on_batch)


def example_losses(model, examples, device: str, batch_size: int, on_batch=None) -> list[tuple[float, int]]:
    """(summed loss, supervised tokens) per example, with the training masks; `on_batch(n)` after
    each batch of n examples."""
    import torch

    from sftlint.batches import by_length, padded
    from sftlint.chat_template import IGNORE

    out: list[tuple[float, int]] = [(0.0, 0)] * len(examples)
    for part in by_length([len(p.input_ids) for p in examples], batch_size):
        batch = padded([examples[i].input_ids for i in part], 0, labels=[examples[i].labels for i in part])
        with torch.inference_mode():
            logits = model(input_ids=batch["input_ids"].to(device),
                           attention_mask=batch["attention_mask"].to(device)).logits.float()
        target = batch["labels"][:, 1:].to(device)
        loss = torch.nn.functional.cross_entropy(logits[:, :-1].transpose(1, 2), target.clamp(min=0), reduction="none")
        valid = target != IGNORE
        for row, i in enumerate(part):
            out[i] = (float((loss[row] * valid[row]).sum()), int(valid[row].sum()))
        if on_batch is not None:
            on_batch(len(part))
    return out


def general_chunks(source: str, tokenizer, tokens: int, chunk: int = 512) -> tuple[list[list[int]], str]:
    """Token chunks of general text: a text file, or a dataset (see `dataset_text`)."""
    path = Path(source).expanduser()
    if path.is_file():
        text, label = path.read_text(encoding="utf-8", errors="replace"), str(path)
    else:
        text, label = dataset_text(source)
    # skip a Project Gutenberg header, if any: it is boilerplate, not general text
    m = re.search(r"\*\*\* START OF (?:THE|THIS) PROJECT GUTENBERG EBOOK.*?\*\*\*", text)
    if m:
        text = text[m.end():]
    ids = tokenizer(text[: tokens * 8], add_special_tokens=False)["input_ids"][:tokens]
    return [ids[i:i + chunk] for i in range(0, len(ids) - 1, chunk) if len(ids[i:i + chunk]) > 1], label


def dataset_text(source: str, rows: int = 2000) -> tuple[str, str]:
    """The text of a dataset's first rows: `NAME[:CONFIG]` on the Hugging Face hub (needs the
    network), or a local folder of data files. Its test split if it has one (else validation, else
    the first), its "text" column if it has one (else the first string column)."""
    name, _, config = source.partition(":")
    try:
        import datasets

        splits = datasets.get_dataset_split_names(name, config or None)
        split = next((s for s in ("test", "validation") if s in splits), splits[0])
        ds = datasets.load_dataset(name, config or None, split=split)
    except Exception as exc:  # not found, no network, several configs and none named
        raise EvalError(f"--general-text {source!r}: not a file, and not a dataset that can be loaded "
                        f"({exc.__class__.__name__}: {exc})") from exc
    strings = [c for c, f in ds.features.items() if getattr(f, "dtype", None) in ("string", "large_string")]
    if not strings:
        raise EvalError(f"--general-text {source!r}: the {split} split has no text column ({', '.join(ds.column_names)})")
    column = "text" if "text" in strings else strings[0]
    part = ds.select(range(min(len(ds), rows)))[column]
    return "\n\n".join(t for t in part if t), f"dataset {source} ({split}, {column})"


def perplexity(model, chunks: list[list[int]], device: str, batch_size: int, on_batch=None) -> float:
    """Perplexity over token chunks of plain text: every token after the first is predicted."""
    from sftlint.chat_template import Prepared

    losses = example_losses(model, [Prepared(0, c, c) for c in chunks], device, batch_size, on_batch)
    return math.exp(sum(s for s, _ in losses) / max(1, sum(n for _, n in losses)))


def check_inputs(adapter: Path, data: Path, general_text: str | None, model: str | None = None) -> None:
    """The adapter folder, the data, a local general-text file and a local model, checked before
    a model loads."""
    from sftlint.models import missing_local

    if not adapter.is_dir():
        raise EvalError(f"{adapter}: no such folder (--adapter: the folder `sftlint train` wrote)")
    if not (adapter / "adapter_config.json").is_file():
        raise EvalError(f"{adapter}: no adapter_config.json here (--adapter: pass the folder `sftlint train` wrote)")
    if not data.is_file():
        raise EvalError(f"{data}: no such file (--data)")
    if general_text and general_text.startswith((".", "/", "~")) and not Path(general_text).expanduser().exists():
        raise EvalError(f"{general_text}: no such file or folder (--general-text)")
    if model is not None and missing_local(model):
        raise EvalError(f"{model}: no such model file or folder (--model)")


def run(opts: EvalOptions) -> dict[str, Any]:
    from sftlint.chat_template import MaskError, end_of_turn_ids, prepare_example
    from sftlint.lint.records import text_checker
    from sftlint.models import ModelError, load_for_inference, model_label

    check_inputs(opts.adapter, opts.data, opts.general_text, opts.model)
    reporter = opts.reporter
    try:
        with reporter.loading(f"loading {model_label(opts.model)}") as phase:
            loaded = load_for_inference(opts.model, opts.device, opts.dtype)
    except ModelError as exc:
        raise EvalError(str(exc)) from exc
    reporter.line(f"loaded {loaded.label} ({loaded.dtype} on {loaded.device}) in {duration(phase.elapsed)}")
    from peft import PeftModel

    tok, device = loaded.tokenizer, loaded.device
    model = PeftModel.from_pretrained(loaded.model, str(opts.adapter)).eval()
    rows = _held_out(opts, tok)
    score = scorer(opts.metric, opts.keys)
    pattern = re.compile(opts.format_regex) if opts.format_regex else None
    has_artefact = text_checker(frozenset({"Q003"}))
    eot = end_of_turn_ids(tok)
    prepared, prepared_rows = [], []
    for k, (line, conv, _, _) in enumerate(rows):
        try:
            p = prepare_example(tok, conv, line, eot)
        except MaskError:
            continue
        if len(p.input_ids) <= opts.max_length:
            prepared.append(p)
            prepared_rows.append(k)
    chunks, general_label = (general_chunks(opts.general_text, tok, opts.general_tokens) if opts.general_text
                             else ([], None))

    sides: dict[str, dict[str, Any]] = {}
    for side in ("base", "adapter"):
        context = model.disable_adapter() if side == "base" else nullcontext()
        with context:
            with reporter.phase(f"{side}: generating answers", total=len(rows), unit="answers") as phase:
                outputs = generate(replace(loaded, model=model), [r[2] for r in rows], opts.max_new_tokens,
                                   opts.batch_size, on_batch=phase.advance)
            reporter.line(f"{side}: {len(rows):,} answers generated in {duration(phase.elapsed)}")
            with reporter.phase(f"{side}: held-out loss", total=len(prepared), unit="examples") as phase:
                losses = example_losses(model, prepared, device, opts.batch_size, on_batch=phase.advance)
            ppl = None
            if chunks:
                with reporter.phase(f"{side}: perplexity on general text", total=len(chunks), unit="chunks") as phase:
                    ppl = perplexity(model, chunks, device, opts.batch_size, on_batch=phase.advance)
        # accuracy reads the answer, not the reasoning before it (the reference is an answer already)
        scores = [score(answer_part(out)[0], r[3]) for (out, _), r in zip(outputs, rows, strict=True)]
        checks = [format_checks(out, r[3], ended, has_artefact, pattern, opts.json_schema,
                                reasons=r[1].messages[_last_answer(r[1])].reasoning is not None)
                  for (out, ended), r in zip(outputs, rows, strict=True)]
        sides[side] = {"outputs": outputs, "scores": scores, "checks": checks, "losses": losses, "ppl": ppl}
    report = _report(opts, rows, prepared_rows, sides, general_label, loaded.label, len(chunks) and sum(map(len, chunks)))
    report["dtype"] = loaded.dtype
    report["table"] = table(report)  # as printed: what a reader of the report (the review UI) shows
    opts.out.mkdir(parents=True, exist_ok=True)
    (opts.out / REPORT_FILE).write_text(json.dumps(report, indent=2) + "\n")
    chart(report, opts.out / CHART_FILE)
    return report


def _report(opts: EvalOptions, rows, prepared_rows, sides, general_label, model_label, general_tokens) -> dict[str, Any]:
    base, ada = sides["base"], sides["adapter"]
    n = len(rows)

    def share(side, key=None) -> list[float]:
        return [float(all(c.values())) if key is None else float(c.get(key, True)) for c in side["checks"]]

    acc_d = bootstrap_delta(base["scores"], ada["scores"])
    fmt_d = bootstrap_delta(share(base), share(ada))
    tokens = [t for _, t in base["losses"]]
    b_loss = [s / t if t else 0.0 for s, t in base["losses"]]
    a_loss = [s / t if t else 0.0 for s, t in ada["losses"]]
    loss_d = bootstrap_delta(b_loss, a_loss, weights=tokens) if tokens else (0.0, 0.0, 0.0)
    mean_loss = {k: (sum(s for s, _ in side["losses"]) / max(1, sum(t for _, t in side["losses"])))
                 for k, side in (("base", base), ("adapter", ada))}
    components = sorted({k for side in (base, ada) for c in side["checks"] for k in c})
    retention = None
    if base["ppl"] is not None:
        ratio = base["ppl"] / ada["ppl"]
        retention = {"text": general_label, "tokens": general_tokens, "base_perplexity": round(base["ppl"], 4),
                     "adapter_perplexity": round(ada["ppl"], 4), "retention": round(ratio, 4),
                     "bound": opts.retention_bound, "flagged": ratio < opts.retention_bound,
                     "verdict": "forgot general ability" if ratio < opts.retention_bound else "kept"}
    loss_index = {k: j for j, k in enumerate(prepared_rows)}

    def rounded(x):
        return None if x is None else round(x, 4)

    examples = []
    for k, (line, _, prompt, reference) in enumerate(rows):
        j = loss_index.get(k)
        examples.append({
            "line": line, "prompt": prompt[-1]["content"] if prompt else "", "reference": reference,
            "base_output": base["outputs"][k][0], "adapter_output": ada["outputs"][k][0],
            "base_score": rounded(base["scores"][k]), "adapter_score": rounded(ada["scores"][k]),
            "base_format": base["checks"][k], "adapter_format": ada["checks"][k],
            "base_loss": rounded(b_loss[j]) if j is not None else None,
            "adapter_loss": rounded(a_loss[j]) if j is not None else None,
        })
    return {
        "model": opts.model, "model_label": model_label, "adapter": str(opts.adapter), "data": str(opts.data),
        "examples_evaluated": n, "metric": opts.metric,
        "accuracy": {"metric": opts.metric, "base": rounded(sum(base["scores"]) / n),
                     "adapter": rounded(sum(ada["scores"]) / n),
                     "held_out_loss": {k: rounded(v) for k, v in mean_loss.items()},
                     "held_out_perplexity": {k: rounded(math.exp(v)) for k, v in mean_loss.items()}},
        "format_compliance": {"base": rounded(sum(share(base)) / n), "adapter": rounded(sum(share(ada)) / n),
                              "checks": {c: {"base": rounded(sum(share(base, c)) / n),
                                             "adapter": rounded(sum(share(ada, c)) / n)} for c in components}},
        "improvement_over_base": {
            "accuracy": _delta(acc_d, True), "format_compliance": _delta(fmt_d, True),
            "held_out_loss": _delta(loss_d, False)},
        "general_capability_retention": retention,
        "examples": examples,
    }


def _delta(d: tuple[float, float, float], higher_is_better: bool) -> dict[str, Any]:
    delta, lo, hi = d
    return {"delta": round(delta, 4), "ci95": [round(lo, 4), round(hi, 4)], "verdict": verdict(delta, lo, hi, higher_is_better)}


def table(report: dict[str, Any]) -> str:
    """The four metrics, base vs adapter, with the difference, its interval and a verdict."""
    acc, fmt, imp = report["accuracy"], report["format_compliance"], report["improvement_over_base"]
    ret = report["general_capability_retention"]
    rows = [("metric", "base", "adapter", "adapter - base (95% CI)", "verdict")]

    def cell(d: dict) -> str:
        return f"{d['delta']:+.3f} [{d['ci95'][0]:+.3f}, {d['ci95'][1]:+.3f}]"

    rows.append((f"accuracy ({acc['metric']})", f"{acc['base']:.3f}", f"{acc['adapter']:.3f}", cell(imp["accuracy"]),
                 imp["accuracy"]["verdict"]))
    rows.append(("format compliance", f"{fmt['base']:.3f}", f"{fmt['adapter']:.3f}", cell(imp["format_compliance"]),
                 imp["format_compliance"]["verdict"]))
    loss = acc["held_out_loss"]
    rows.append(("held-out loss (training masks)", f"{loss['base']:.3f}", f"{loss['adapter']:.3f}",
                 cell(imp["held_out_loss"]), imp["held_out_loss"]["verdict"]))
    if ret is not None:
        rows.append(("general text perplexity", f"{ret['base_perplexity']:.2f}", f"{ret['adapter_perplexity']:.2f}",
                     f"retention {ret['retention']:.3f} (bound {ret['bound']:g})", ret["verdict"]))
    else:
        rows.append(("general capability retention", "-", "-", "not measured (--general-text)", "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(c.ljust(w) if i in (0, 3, 4) else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
             for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def chart(report: dict[str, Any], path: Path) -> None:
    """Bars, base vs adapter: accuracy, format compliance, and retention (adapter bar = retention)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"accuracy\n({report['metric']})", "format\ncompliance"]
    base = [report["accuracy"]["base"], report["format_compliance"]["base"]]
    ada = [report["accuracy"]["adapter"], report["format_compliance"]["adapter"]]
    ret = report["general_capability_retention"]
    if ret is not None:
        labels.append("general ability\n(retention)")
        base.append(1.0)
        ada.append(ret["retention"])
    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=120)
    xs = range(len(labels))
    ax.bar([x - 0.2 for x in xs], base, 0.4, label="base", color="#9aa5b1")
    ax.bar([x + 0.2 for x in xs], ada, 0.4, label="adapter", color="#2f80ed")
    if ret is not None:
        ax.axhline(ret["bound"], xmin=0.68, xmax=0.98, color="#d64545", linestyle="--", linewidth=1)
    ax.set_xticks(list(xs), labels)
    ax.set_ylim(0, max(1.05, *ada, *base))
    ax.set_title(f"{report['model_label']}: base vs adapter on {report['examples_evaluated']} held-out examples")
    ax.legend(frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
