"""The training loop: transformers' Trainer running LoRA steps in bounded passes, measured.

Imported only when a run trains (it loads torch and transformers). What it adds to Trainer:
each step's examples run in forward passes of at most `pack_tokens` tokens (the gradient is the
one a single pass would give), the step order of `BalancedSampler`, and a meter of every step's
seconds and tokens, so the report can say what a step cost.
"""

from __future__ import annotations

import io
import math
import time
from contextlib import nullcontext
from typing import Any

import torch
from transformers import DataCollatorForSeq2Seq, Trainer, TrainerCallback

from sftlint.batches import by_length, padded
from sftlint.chat_template import IGNORE, Prepared
from sftlint.progress import Reporter, duration
from sftlint.train import packing as pk
from sftlint.train.config import TrainConfig
from sftlint.train.model import cpu_4bit_repacked, prepare_model, world
from sftlint.train.preview import steps as planned_steps
from sftlint.train.report import device_peak, rss_gib
from sftlint.train.sampler import BalancedSampler, ExampleDataset

LOGGED_STEPS = 20
"""At most about this many step lines per run, however long."""


def eval_batches(examples: list[Prepared], size: int, pad_id: int, packed: bool):
    """Model inputs for evaluation, shaped like training's: one packed row per batch when packed,
    else right-padded batches of similar lengths."""
    for part in by_length([len(p.input_ids) for p in examples], size):
        group = [examples[i] for i in part]
        if packed:
            yield pk.flattening_collator()([{"input_ids": p.input_ids, "labels": p.labels} for p in group])
            continue
        yield padded([p.input_ids for p in group], pad_id, labels=[p.labels for p in group])


def eval_loss(model, examples: list[Prepared], batch_size: int, pad_id: int, four_bit_cpu: bool,
              packed: bool = False, on_batch=None) -> float | None:
    """Mean loss per supervised token, computed by the model's own loss (so a fused loss never
    holds the full logits). In train mode under no_grad for 4-bit on CPU, because an eval-mode
    forward there repacks the 4-bit weights and breaks later gradients."""
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


class StepMeter:
    """Tokens and seconds of every optimizer step. Batches are collated before or during their
    step, so the tokens counted since the last step ended are this step's."""

    def __init__(self, cuda: bool) -> None:
        self.cuda = cuda
        self.real = self.supervised = self.passes = self.computed = 0
        self.seconds = 0.0
        self.steps: list[dict[str, float]] = []
        self._seen = (0, 0, 0)
        self._started = 0.0

    def count(self, features: list[dict], batch: dict) -> None:
        """A collated batch: its examples' real and supervised tokens, and the tokens the model
        computes (padding included)."""
        self.real += sum(len(f["input_ids"]) for f in features)
        self.supervised += sum(sum(1 for x in f["labels"] if x != IGNORE) for f in features)
        self.computed += batch["input_ids"].numel()

    def begin(self) -> None:
        if self.cuda:
            torch.cuda.synchronize()
        self._started = time.perf_counter()

    def end(self) -> None:
        if self.cuda:
            torch.cuda.synchronize()
        seconds = time.perf_counter() - self._started
        self.seconds += seconds
        self.steps.append({"seconds": seconds, "real": self.real - self._seen[0],
                           "supervised": self.supervised - self._seen[1], "computed": self.computed - self._seen[2]})
        self._seen = (self.real, self.supervised, self.computed)


class Progress(TrainerCallback):
    """Steps timed (StepMeter), losses kept, and each logged step shown and written as an event."""

    def __init__(self, meter: StepMeter, reporter: Reporter, emit, total_steps: int, planner=None) -> None:
        self.meter, self.reporter, self.emit, self.planner = meter, reporter, emit, planner
        self._shown = planner.plan if planner is not None else None  # the plan last printed
        self.every = max(1, math.ceil(total_steps / LOGGED_STEPS))
        self.losses: list[dict[str, float]] = []
        self.phase: Any = None

    def on_step_begin(self, args, state, control, **kw):
        self.meter.begin()

    def on_step_end(self, args, state, control, **kw):
        self.meter.end()
        if self.planner is not None:
            self.planner.step_done()
            if self.planner.plan is not self._shown:  # measured, or checked against the budget
                self._shown = self.planner.plan
                self.reporter.line(self._shown.summary())
                self.emit("memory_plan", **self._shown.to_dict())

    def on_log(self, args, state, control, logs=None, **kw):
        if not logs or "loss" not in logs:
            return
        step, loss = state.global_step, logs["loss"]
        self.losses.append({"step": step, "loss": loss})
        self.emit("step", step=step, max_steps=state.max_steps, loss=loss, learning_rate=logs.get("learning_rate"),
                  epoch=logs.get("epoch"))
        if self.phase is not None:
            self.phase.set_total(state.max_steps)
            self.phase.advance(step - self.phase.done, status=f"loss {loss:.3f}")
        if step % self.every == 0 or step == state.max_steps:
            seconds = self.meter.seconds / max(1, len(self.meter.steps))
            self.reporter.line(f"step {step:,}/{state.max_steps:,}  loss {loss:.3f}  {seconds:.1f} s/step")


class BoundedTrainer(Trainer):
    """Runs each micro-batch in passes of at most the memory plan's tokens. Each pass's loss is its
    summed token loss over the step's supervised-token count (Trainer's num_items_in_batch), so
    the accumulated gradient equals one pass over everything; with several processes only the
    last pass synchronises, so each all-reduces once per step however many passes its share
    takes. The plan's first pass is measured (memory.Planner), and may change the plan."""

    def __init__(self, *args, planner, meter: StepMeter, sampler: BalancedSampler | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.planner, self.meter, self.sampler = planner, meter, sampler

    def training_step(self, model, inputs, num_items_in_batch=None):
        parts = pk.split_batch(inputs, self.planner.plan.pack_tokens)
        self.meter.passes += len(parts)
        if len(parts) == 1 or num_items_in_batch is None or not self.model_accepts_loss_kwargs:
            return self._pass(model, inputs, num_items_in_batch)
        total = 0
        for k, part in enumerate(parts):
            sync = k == len(parts) - 1
            with nullcontext() if sync else self.accelerator.no_sync(model):
                total += self._pass(model, part, num_items_in_batch)
        return total

    def _pass(self, model, inputs, num_items_in_batch):
        if self.planner.pending:
            return self.planner.measure(lambda: Trainer.training_step(self, model, inputs, num_items_in_batch),
                                        int(inputs["input_ids"].numel()))
        return Trainer.training_step(self, model, inputs, num_items_in_batch)

    def _get_train_sampler(self, *args, **kwargs):
        if self.sampler is None:  # grouped by length, for the least padding
            return super()._get_train_sampler(*args, **kwargs)
        return self.sampler


def training_args(**kwargs: Any):
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


def fit(model, tok, train: list[Prepared], held: list[Prepared], cfg: TrainConfig, emit=None,
        cuda: bool = False, reporter: Reporter | None = None) -> dict[str, Any]:
    """Train LoRA on a loaded base model; saves the adapter and tokenizer to cfg.output_dir and
    returns the measured report (without writing it).

    `step_stats` in the report has each optimizer step's seconds (device synchronised) and real
    and supervised tokens, so a caller can leave warm-up steps out of a throughput figure."""
    from sftlint.models import compute_dtype

    emit = emit or (lambda kind, **data: None)
    reporter = reporter or Reporter(stream=io.StringIO(), live=False)
    out = cfg.output_dir
    dtype = compute_dtype("cuda" if cuda else "cpu", cfg.dtype)
    packing = pk.choose(cfg.packing, cuda)
    model, notes, planner = prepare_model(model, cfg, packing, cuda, [len(p.input_ids) for p in train])
    reporter.line(planner.plan.summary() + (" — measured on the first pass, then made again" if planner.pending else ""))
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

    meter = StepMeter(cuda)
    total_steps = planned_steps(cfg, len(train))
    progress = Progress(meter, reporter, emit, total_steps, planner)
    inner = pk.flattening_collator() if packed else DataCollatorForSeq2Seq(tok, padding=True, label_pad_token_id=IGNORE)

    def collate(features):
        batch = inner([{"input_ids": f["input_ids"], "labels": f["labels"]} for f in features] if packed else features)
        meter.count(features, batch)
        return batch

    args = training_args(
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
    if cuda and world()[1] == 1 and args.n_gpu > 1:
        # One process trains on one GPU (several are --gpus N, data parallel). Left alone, Trainer
        # wraps the model in nn.DataParallel over every visible GPU, which a packed row does not
        # split, and reports the loss times the GPU count.
        args._n_gpu = 1
    sampler = None if packing == "group" else BalancedSampler([len(p.input_ids) for p in train], cfg.batch_size,
                                                              world()[1], cfg.seed)
    trainer = BoundedTrainer(model=model, args=args, train_dataset=ExampleDataset(train), callbacks=[progress],
                             data_collator=collate, planner=planner, meter=meter, sampler=sampler)
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
    peak_memory = (torch.cuda.max_memory_allocated() / 2**30) if cuda else rss_gib()
    after = measured_eval_loss("after")
    emit("eval", step=trainer.state.global_step, eval_loss=after)
    if trainer.is_world_process_zero():
        model.save_pretrained(out)
        tok.save_pretrained(out)
    n_params = sum(p.numel() for p in model.get_base_model().parameters())
    if cfg.load_in_4bit:  # bitsandbytes stores two 4-bit weights per uint8 element
        n_params = sum(p.numel() * (2 if p.dtype == torch.uint8 else 1) for p in model.get_base_model().parameters())
    train_time = max(1e-9, meter.seconds)
    # Data parallel: every process trains on its own share in the same (synchronised) steps.
    processes = world()[1]
    real_tps = meter.real * processes / train_time
    peak = device_peak(torch)
    return {
        "config": cfg.to_dict(),
        "device": torch.cuda.get_device_name(0) if cuda else "cpu",
        "four_bit": bool(cfg.load_in_4bit),
        "dtype": dtype,
        "kernels": {**notes, "gradient_checkpointing": planner.plan.checkpointing},
        "memory_plan": {**planner.plan.to_dict(), "history": planner.history},
        "data": {"train_examples": len(train), "eval_examples": len(held), "truncated": []},
        "steps": trainer.state.global_step,
        "train_loss": progress.losses,
        "eval_loss_before": before,
        "eval_loss_after": after,
        "processes": processes,
        "parallel_mode": str(getattr(args.parallel_mode, "value", args.parallel_mode)),
        "tokens_per_second": {"real": real_tps, "supervised": meter.supervised * processes / train_time},
        "step_stats": meter.steps,
        "forward_passes": meter.passes,
        "padding_efficiency": meter.real / max(1, meter.computed),
        "parameters": n_params,
        "mfu": (4 * n_params * real_tps / (peak * processes)) if peak else None,
        "peak_memory_gib": peak_memory,
        "train_seconds": train_time,
    }
