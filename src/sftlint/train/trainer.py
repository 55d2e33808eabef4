"""One training run, end to end: prepare the examples, load the model, train, write the report.

The pieces are their own modules: data.py (examples and masks), sampler.py (what a step takes),
model.py (loading, LoRA, merging), loop.py (the Trainer loop, measured), report.py (what was
measured, written down). Progress goes to a Reporter and, as events, to progress.jsonl for
anything watching the run (the review UI).
"""

from __future__ import annotations

import io
import json
import time
from typing import Any

from sftlint.chat_template import MaskError
from sftlint.progress import Reporter, duration
from sftlint.train.config import TrainConfig
from sftlint.train.data import prepare
from sftlint.train.model import load_model, load_tokenizer, world
from sftlint.train.report import loss_png
from sftlint.train.sampler import skipped_message, trainable_examples


def run(cfg: TrainConfig, profile, reporter: Reporter | None = None) -> dict[str, Any]:
    """Prepare the data, load the model and train; the report is also written to the output folder.
    Progress goes to `reporter` (default: nowhere) and, as events, to progress.jsonl."""
    import torch

    from sftlint.models import compute_dtype, model_label

    reporter = reporter or Reporter(stream=io.StringIO(), live=False)
    started = time.time()
    cuda = torch.cuda.is_available()
    if cfg.load_in_4bit is None:
        cfg.load_in_4bit = cuda
    device = "cuda" if cuda else "cpu"
    cfg.dtype = compute_dtype(device, cfg.dtype)
    out = cfg.output_dir
    out.mkdir(parents=True, exist_ok=True)
    events = out / "progress.jsonl"
    main_process = world()[0] == 0
    if main_process and events.exists():  # each run's log starts fresh; the last one is kept
        events.replace(out / "progress.jsonl.prev")

    def emit(kind: str, **data) -> None:
        if not main_process:  # one progress log and one console, whatever the number of processes
            return
        record = {"event": kind, "time": round(time.time() - started, 3), **data}
        with open(events, "a") as fh:
            fh.write(json.dumps(record) + "\n")

    if not main_process:
        reporter = Reporter(stream=io.StringIO(), live=False)
    with reporter.phase(f"loading the tokenizer of {model_label(cfg.model)}"):
        tok = load_tokenizer(cfg.model)
    emit("prepare", message="rendering examples with the chat template")
    with reporter.phase("rendering examples with the chat template", unit="examples") as phase:
        train, skipped = prepare(tok, cfg.data, profile, on_example=phase.advance)
        held, _ = prepare(tok, cfg.eval_data, profile, on_example=phase.advance) if cfg.eval_data else ([], [])
    total = len(train) + len(skipped)
    train, cut, empty = trainable_examples(train, cfg.max_length)
    held = trainable_examples(held, cfg.max_length)[0]
    skipped += empty
    if skipped:
        message = skipped_message(cfg.data, sorted(skipped), total, cfg.strict)
        if cfg.strict or not train:
            raise MaskError(message if train else f"{cfg.data}: no example has anything to train on; " + message)
        reporter.line(f"warning: {message}")
    tokens = sum(len(p.input_ids) for p in train)
    reporter.line(f"{cfg.data}: {len(train):,} examples, {tokens:,} tokens ({sum(p.supervised for p in train):,} trained)"
                  + (f"; {len(held):,} held-out examples" if held else "; no held-out examples (--eval)"))
    how = f"{'4-bit NF4, ' if cfg.load_in_4bit else ''}{cfg.dtype} on {device}"
    emit("load", message=f"loading {cfg.model} ({how})")
    with reporter.loading(f"loading {model_label(cfg.model)} ({how})") as phase:
        model = load_model(cfg, cuda)
    reporter.line(f"loaded {model_label(cfg.model)} ({how}) in {duration(phase.elapsed)}")
    from sftlint.train.loop import fit

    report = fit(model, tok, train, held, cfg, emit=emit, cuda=cuda, reporter=reporter)
    report["data"]["truncated"] = cut
    report["data"]["skipped"] = [{"line": line, "reason": why} for line, why in sorted(skipped)]
    report["model"] = cfg.model  # what `sftlint eval` loads under the adapter by default
    report["wall_seconds"] = time.time() - started
    if main_process:
        (out / "training_report.json").write_text(json.dumps(report, indent=2) + "\n")
        loss_png(report, out / "loss_curve.png")
    emit("done", report=str(out / "training_report.json"))
    return report
