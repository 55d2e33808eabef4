"""Train a LoRA adapter on prepared examples with transformers' Trainer and peft.

This module receives token ids and labels from train/data.py and does nothing else to the
data. It reports what it measures: loss per step, eval loss before and after, real (non-pad)
and supervised tokens per second, peak memory and wall time, in `training_report.json` and a
loss-curve PNG, and appends progress events to `progress.jsonl` for anything watching the run.
"""

from __future__ import annotations

import io
import json
import math
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from sftlint.chat_template import IGNORE, MaskError, Prepared
from sftlint.progress import Reporter, duration
from sftlint.train.config import TARGETS, TrainConfig
from sftlint.train.data import prepare

BF16_PEAK_FLOPS = {"H200": 989e12, "H100": 989e12, "A100": 312e12, "L40S": 362e12, "A10": 125e12, "4090": 165e12}


def _device_peak(torch) -> float | None:
    if not torch.cuda.is_available():
        return None
    name = torch.cuda.get_device_name(0)
    return next((v for k, v in BF16_PEAK_FLOPS.items() if k in name), None)


def load_tokenizer(name: str):
    from sftlint.models import load_tokenizer as load

    return load(name)


def load_model(cfg: TrainConfig, cuda: bool):
    """The base model for training in the compute dtype of the device and cfg.dtype; NF4 with that
    compute dtype when cfg.load_in_4bit. Under `accelerate launch` each process loads its copy
    on its own GPU."""
    from sftlint.models import compute_dtype
    from sftlint.models import load_model as load

    device = f"cuda:{_local_rank()}" if cuda else "cpu"
    return load(cfg.model, compute_dtype("cuda" if cuda else "cpu", cfg.dtype), device, four_bit=bool(cfg.load_in_4bit))


def cpu_4bit_repacked(model) -> int:
    """Linear4bit layers repacked for CPU inference; their gradients would silently be zero."""
    count = 0
    for module in model.modules():
        state = getattr(getattr(module, "weight", None), "quant_state", None)
        if state is not None and getattr(state, "packing_format_for_cpu", False):
            count += 1
    return count


def truncate(examples: list[Prepared], max_length: int | None) -> tuple[list[Prepared], list[tuple[int, int]]]:
    """Cut examples to max_length; returns (line, trained tokens lost) for each one cut."""
    if max_length is None:
        return examples, []
    cut = []
    out = []
    for p in examples:
        if len(p.input_ids) > max_length:
            lost = sum(1 for x in p.labels[max_length:] if x != IGNORE)
            cut.append((p.line, lost))
            p = Prepared(p.line, p.input_ids[:max_length], p.labels[:max_length],
                         [(a, min(b, max_length)) for a, b in p.spans if a < max_length])
        out.append(p)
    return out, cut


def _local_rank() -> int:
    import os

    return int(os.environ.get("LOCAL_RANK", 0))


def _world() -> tuple[int, int]:
    """(rank, world size) under `accelerate launch` / torchrun; (0, 1) in a plain run."""
    import os

    return int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))


def eval_batches(examples: list[Prepared], size: int, pad_id: int, packed: bool):
    """Model inputs for evaluation, shaped like training's: one packed row per batch when packed,
    else right-padded batches of similar lengths."""
    from sftlint.batches import by_length, padded

    for part in by_length([len(p.input_ids) for p in examples], size):
        group = [examples[i] for i in part]
        if packed:
            from sftlint.train.packing import flattening_collator

            yield flattening_collator()([{"input_ids": p.input_ids, "labels": p.labels} for p in group])
            continue
        yield padded([p.input_ids for p in group], pad_id, labels=[p.labels for p in group])


def eval_loss(model, examples: list[Prepared], batch_size: int, pad_id: int, four_bit_cpu: bool,
              packed: bool = False, on_batch=None) -> float | None:
    """Mean loss per supervised token, computed by the model's own loss (so a fused loss never
    holds the full logits). In train mode under no_grad for 4-bit on CPU, because an eval-mode
    forward there repacks the 4-bit weights and breaks later gradients."""
    import torch

    if not examples:
        return None
    was_training = model.training
    model.train(four_bit_cpu)
    device = next(model.parameters()).device
    total, count = 0.0, 0
    with torch.no_grad():
        for batch in eval_batches(examples, batch_size, pad_id, packed):
            n = int((batch["labels"][:, 1:] != IGNORE).sum())
            if not n:
                continue
            inputs = {k: v.to(device) if hasattr(v, "to") else v for k, v in batch.items()}
            total += model(**inputs).loss.item() * n
            count += n
            if on_batch is not None:
                on_batch()
    model.train(was_training)
    return total / max(1, count)


class BalancedSampler:
    """A seeded random order in which each optimizer micro-step's examples (batch x processes) are
    dealt to the processes so each gets `batch` examples and nearly the same number of tokens.

    With one process it is a plain random order. With several, every step holds the same examples
    as on one GPU (same seed), and no process waits for a luckier one at the gradient all-reduce.
    accelerate gives process r the r-th `batch` of each group, which is where its share is put."""

    def __init__(self, lengths: list[int], batch: int, processes: int, seed: int) -> None:
        self.lengths, self.batch, self.processes, self.seed, self.epoch = lengths, batch, processes, seed, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.lengths)

    def __iter__(self):
        import torch

        g = torch.Generator()
        g.manual_seed(self.seed + self.epoch)
        order = torch.randperm(len(self.lengths), generator=g).tolist()
        group = self.batch * self.processes
        for start in range(0, len(order), group):
            chunk = order[start:start + group]
            if self.processes == 1 or len(chunk) < group:
                yield from chunk
                continue
            shares: list[list[int]] = [[] for _ in range(self.processes)]
            load = [0] * self.processes
            for i in sorted(chunk, key=lambda i: -self.lengths[i]):  # longest first, to the lightest share
                r = min(range(self.processes), key=lambda r: (len(shares[r]) >= self.batch, load[r]))
                shares[r].append(i)
                load[r] += self.lengths[i]
            for share in shares:
                yield from share


class _Dataset:
    def __init__(self, examples: list[Prepared]) -> None:
        self.examples = examples

    def __len__(self) -> int:
        return len(self.examples)

    @property
    def lengths(self) -> list[int]:
        return [len(p.input_ids) for p in self.examples]

    def __getitem__(self, i: int) -> dict[str, list[int]]:
        p = self.examples[i]
        return {"input_ids": p.input_ids, "labels": p.labels, "attention_mask": [1] * len(p.input_ids)}


def prepare_model(model, cfg: TrainConfig, packing: str, cuda: bool, longest: int = 0) -> tuple[Any, dict[str, Any]]:
    """Kernels, attention, checkpointing and LoRA on a loaded base model; returns the peft model
    and what was switched on (for the report). `longest`: the longest example, for the memory
    estimate that decides checkpointing when cfg leaves it to us."""
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training

    from sftlint.train import packing as pk
    from sftlint.train.preview import checkpointing_needed

    checkpointing = checkpointing_needed(model.config, cfg, longest, cuda)
    notes: dict[str, Any] = {"packing": packing, "liger": False, "gradient_checkpointing": checkpointing}
    want_liger = cfg.liger if cfg.liger is not None else (cuda and pk.liger_available())
    if want_liger:
        why_not = pk.apply_liger(model)
        notes["liger"] = why_not is None
        if why_not:
            notes["liger_off_because"] = why_not
    if packing == "padding-free":
        pk.use_varlen(model)
    if cfg.load_in_4bit:
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=checkpointing,
                                                gradient_checkpointing_kwargs={"use_reentrant": False})
    elif checkpointing:
        if hasattr(model, "activation_checkpointing_enable"):  # transformers >= 5.20
            model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
        else:
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.enable_input_require_grads()
    model = get_peft_model(model, LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                                             target_modules=TARGETS[cfg.target], task_type="CAUSAL_LM"))
    return model, notes


def _training_args(**kwargs: Any):
    """TrainingArguments across transformers 4.x/5.x names: sampling strategy and checkpointing."""
    import dataclasses

    from transformers import TrainingArguments

    fields = {f.name for f in dataclasses.fields(TrainingArguments)}
    sampling = kwargs.pop("sampling")
    if "train_sampling_strategy" in fields:
        kwargs["train_sampling_strategy"] = sampling
    else:
        kwargs["group_by_length"] = sampling == "group_by_length"
    # Checkpointing is enabled on the model itself, with the right kwargs; keep Trainer's off.
    for name in ("activation_checkpointing", "gradient_checkpointing"):
        if name in fields:
            kwargs[name] = False
    return TrainingArguments(**kwargs)


def trainable_examples(examples: list[Prepared], max_length: int | None
                       ) -> tuple[list[Prepared], list[tuple[int, int]], list[tuple[int, str]]]:
    """Examples cut to max_length: (kept, (line, trained tokens lost) of each cut one, (line, why) of
    each one with nothing left to train on)."""
    cut_to, cut = truncate(examples, max_length)
    kept = [p for p in cut_to if p.supervised]
    empty = [(p.line, f"nothing left to train on within --max-length {max_length}") for p in cut_to if not p.supervised]
    return kept, cut, empty


def skipped_message(path: Path, skipped: list[tuple[int, str]], total: int, strict: bool) -> str:
    """One line for every example left out: how many, why, and the first lines."""
    reasons: dict[str, list[int]] = {}
    for line, why in skipped:
        reasons.setdefault(why, []).append(line)
    parts = []
    for why, lines in reasons.items():
        shown = ", ".join(str(n) for n in lines[:5]) + (f" and {len(lines) - 5:,} more" if len(lines) > 5 else "")
        parts.append(f"{why} (line{'s' if len(lines) > 1 else ''} {shown})")
    verb = "cannot train" if strict else f"left out {len(skipped):,} of {total:,} examples"
    advice = ("drop or fix them (`sftlint export` leaves such examples out), or run without --strict to skip them"
              if strict else "--strict stops instead")
    return f"{path}: {verb}: {'; '.join(parts)}; {advice}"


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
    main_process = _world()[0] == 0
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
    report = fit(model, tok, train, held, cfg, emit=emit, cuda=cuda, reporter=reporter)
    report["data"]["truncated"] = cut
    report["data"]["skipped"] = [{"line": line, "reason": why} for line, why in sorted(skipped)]
    report["model"] = cfg.model  # what `sftlint eval` loads under the adapter by default
    report["wall_seconds"] = time.time() - started
    if main_process:
        (out / "training_report.json").write_text(json.dumps(report, indent=2) + "\n")
        _loss_png(report, out / "loss_curve.png")
    emit("done", report=str(out / "training_report.json"))
    return report


def fit(model, tok, train: list[Prepared], held: list[Prepared], cfg: TrainConfig, emit=None,
        cuda: bool = False, reporter: Reporter | None = None) -> dict[str, Any]:
    """Train LoRA on a loaded base model with transformers' Trainer; saves the adapter and
    tokenizer to cfg.output_dir and returns the measured report (without writing it).

    `step_stats` in the report has each optimizer step's seconds (device synchronised) and real
    and supervised tokens, so a caller can leave warm-up steps out of a throughput figure."""
    import torch
    from transformers import DataCollatorForSeq2Seq, Trainer, TrainerCallback

    from sftlint.models import compute_dtype
    from sftlint.train import packing as pk
    from sftlint.train.preview import steps as planned_steps

    emit = emit or (lambda kind, **data: None)
    reporter = reporter or Reporter(stream=io.StringIO(), live=False)
    out = cfg.output_dir
    dtype = compute_dtype("cuda" if cuda else "cpu", cfg.dtype)
    packing = pk.choose(cfg.packing, cuda)
    model, notes = prepare_model(model, cfg, packing, cuda, max((len(p.input_ids) for p in train), default=0))
    packed = packing == "padding-free"
    four_bit_cpu = bool(cfg.load_in_4bit and not cuda)
    pad = tok.pad_token_id

    def measured_eval_loss(when: str) -> float | None:
        if not held:
            return None
        with reporter.phase(f"eval loss {when} training", total=math.ceil(len(held) / cfg.batch_size),
                            unit="batches") as phase:
            loss = eval_loss(model, held, cfg.batch_size, pad, four_bit_cpu, packed, on_batch=phase.advance)
        reporter.line(f"eval loss {when} training: {loss:.3f} ({len(held):,} examples, {duration(phase.elapsed)})")
        return loss

    before = measured_eval_loss("before")
    emit("eval", step=0, eval_loss=before)
    if four_bit_cpu and cpu_4bit_repacked(model):
        raise RuntimeError("4-bit weights were repacked for CPU inference before training; gradients would be zero")

    losses: list[dict[str, float]] = []
    counters = {"real": 0, "supervised": 0, "train_time": 0.0, "passes": 0}
    step_stats: list[dict[str, float]] = []

    total_steps = planned_steps(cfg, len(train))
    every = max(1, math.ceil(total_steps / 20))  # at most ~20 step lines, however long the run

    class Progress(TrainerCallback):
        seen = {"real": 0, "supervised": 0}
        phase: Any = None

        def on_step_begin(self, args, state, control, **kw):
            if cuda:
                torch.cuda.synchronize()
            self.t0 = time.perf_counter()

        def on_step_end(self, args, state, control, **kw):
            if cuda:
                torch.cuda.synchronize()
            seconds = time.perf_counter() - self.t0
            counters["train_time"] += seconds
            # Batches are collated before or during their step, so the counts since the last
            # step's end are this step's.
            step_stats.append({"seconds": seconds, "real": counters["real"] - self.seen["real"],
                               "supervised": counters["supervised"] - self.seen["supervised"]})
            self.seen = {"real": counters["real"], "supervised": counters["supervised"]}

        def on_log(self, args, state, control, logs=None, **kw):
            if logs and "loss" in logs:
                losses.append({"step": state.global_step, "loss": logs["loss"]})
                emit("step", step=state.global_step, max_steps=state.max_steps, loss=logs["loss"],
                     learning_rate=logs.get("learning_rate"), epoch=logs.get("epoch"))
                if self.phase is not None:
                    self.phase.set_total(state.max_steps)
                    self.phase.advance(state.global_step - self.phase.done, status=f"loss {logs['loss']:.3f}")
                if state.global_step % every == 0 or state.global_step == state.max_steps:
                    seconds = counters["train_time"] / max(1, len(step_stats))
                    reporter.line(f"step {state.global_step:,}/{state.max_steps:,}  loss {logs['loss']:.3f}  "
                                  f"{seconds:.1f} s/step")

    inner = pk.flattening_collator() if packed else DataCollatorForSeq2Seq(tok, padding=True, label_pad_token_id=IGNORE)

    def collate(features):
        counters["real"] += sum(len(f["input_ids"]) for f in features)
        counters["supervised"] += sum(sum(1 for x in f["labels"] if x != IGNORE) for f in features)
        if packed:
            return inner([{"input_ids": f["input_ids"], "labels": f["labels"]} for f in features])
        return inner(features)

    args = _training_args(
        output_dir=str(out / "checkpoints"), per_device_train_batch_size=cfg.batch_size,
        gradient_accumulation_steps=cfg.grad_accum, num_train_epochs=cfg.epochs, max_steps=cfg.max_steps,
        learning_rate=cfg.learning_rate, lr_scheduler_type="cosine", warmup_steps=cfg.warmup_ratio,
        # Checkpoints by steps (about three per run, at most every 50 steps) so a run stopped early,
        # by --max-steps or a cancel, can still be resumed.
        logging_steps=1, save_strategy="steps", save_steps=max(1, min(50, total_steps // 3)), save_total_limit=2,
        report_to=[], seed=cfg.seed, bf16=cuda and dtype == "bfloat16", fp16=cuda and dtype == "float16",
        sampling="group_by_length" if packing == "group" else "random",
        use_cpu=not cuda,  # lets `accelerate launch` run data-parallel CPU processes (gloo)
        remove_unused_columns=False, dataloader_num_workers=0, disable_tqdm=True, eval_strategy="no",
    )
    if cuda and _world()[1] == 1 and args.n_gpu > 1:
        # One process trains on one GPU (several are --gpus N, data parallel). Left alone, Trainer
        # wraps the model in nn.DataParallel over every visible GPU, which a packed row does not
        # split, and reports the loss times the GPU count.
        args._n_gpu = 1

    class BoundedTrainer(Trainer):
        """Runs each micro-batch in passes of at most cfg.pack_tokens tokens. Each pass's loss is
        its summed token loss over the step's supervised-token count (Trainer's num_items_in_batch),
        so the accumulated gradient equals one pass over everything."""

        def training_step(self, model, inputs, num_items_in_batch=None):
            parts = pk.split_batch(inputs, cfg.pack_tokens)
            counters["passes"] += len(parts)
            if len(parts) == 1 or num_items_in_batch is None or not self.model_accepts_loss_kwargs:
                return super().training_step(model, inputs, num_items_in_batch)
            # Data parallel: the processes' passes differ in number, but each must all-reduce its
            # gradients exactly once per step, so only the last pass synchronises.
            total = 0
            for k, part in enumerate(parts):
                sync = k == len(parts) - 1
                with nullcontext() if sync else self.accelerator.no_sync(model):
                    total += super().training_step(model, part, num_items_in_batch)
            return total

        def _get_train_sampler(self, *args, **kwargs):
            if packing == "group":  # batches of similar length, for the least padding
                return super()._get_train_sampler(*args, **kwargs)
            return BalancedSampler([len(p.input_ids) for p in train], cfg.batch_size, _world()[1], cfg.seed)

    progress = Progress()
    trainer = BoundedTrainer(model=model, args=args, train_dataset=_Dataset(train), callbacks=[progress],
                             data_collator=collate)
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)  # progress goes through our events instead
    model.train()  # peft + kbit prep can leave modules in eval mode
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    checkpoint = None
    if cfg.resume:
        ckpts = sorted((out / "checkpoints").glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[-1]))
        checkpoint = str(ckpts[-1]) if ckpts else None
    with reporter.phase("training", total=total_steps, unit="steps") as progress.phase:
        trainer.train(resume_from_checkpoint=checkpoint)
    peak_memory = (torch.cuda.max_memory_allocated() / 2**30) if cuda else _rss_gib()
    after = measured_eval_loss("after")
    emit("eval", step=trainer.state.global_step, eval_loss=after)
    if trainer.is_world_process_zero():
        model.save_pretrained(out)
        tok.save_pretrained(out)
    n_params = sum(p.numel() for p in model.get_base_model().parameters())
    if cfg.load_in_4bit:  # bitsandbytes stores two 4-bit weights per uint8 element
        n_params = sum(p.numel() * (2 if p.dtype == torch.uint8 else 1) for p in model.get_base_model().parameters())
    train_time = max(1e-9, counters["train_time"])
    # Data parallel: every process trains on its own share in the same (synchronised) steps.
    world = _world()[1]
    real_tps = counters["real"] * world / train_time
    peak = _device_peak(torch)
    return {
        "config": cfg.to_dict(),
        "device": torch.cuda.get_device_name(0) if cuda else "cpu",
        "four_bit": bool(cfg.load_in_4bit),
        "dtype": dtype,
        "kernels": notes,
        "data": {"train_examples": len(train), "eval_examples": len(held), "truncated": []},
        "steps": trainer.state.global_step,
        "train_loss": losses,
        "eval_loss_before": before,
        "eval_loss_after": after,
        "processes": world,
        "parallel_mode": str(getattr(args.parallel_mode, "value", args.parallel_mode)),
        "tokens_per_second": {"real": real_tps, "supervised": counters["supervised"] * world / train_time},
        "step_stats": step_stats,
        "forward_passes": counters["passes"],
        "parameters": n_params,
        "mfu": (4 * n_params * real_tps / (peak * world)) if peak else None,
        "peak_memory_gib": peak_memory,
        "train_seconds": train_time,
    }


def _rss_gib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _loss_png(report: dict[str, Any], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, ax = plt.subplots(figsize=(6, 3), dpi=100)
    steps = [x["step"] for x in report["train_loss"]]
    ax.plot(steps, [x["loss"] for x in report["train_loss"]], label="train loss")
    evals = [(0, report["eval_loss_before"]), (report["steps"], report["eval_loss_after"])]
    if all(v is not None for _, v in evals):
        ax.plot([s for s, _ in evals], [v for _, v in evals], "o--", label="eval loss")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


def merge(adapter: Path, model: str, out: Path) -> Path:
    """A merged bf16 model: the adapter added to the base loaded in bf16, never to 4-bit weights."""
    import torch
    from peft import PeftModel

    cfg = TrainConfig(model=model, data=Path("."), load_in_4bit=False, dtype="bfloat16")
    base = load_model(cfg, cuda=False)
    merged = PeftModel.from_pretrained(base, str(adapter)).merge_and_unload()
    merged.to(torch.bfloat16).save_pretrained(out)
    load_tokenizer(str(adapter)).save_pretrained(out)
    return out

