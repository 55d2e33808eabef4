"""`sftlint train` against a plain QLoRA baseline: real tokens/s, peak memory and MFU.

Every arm fine-tunes the same model on the same examples in the same order, 16 examples per
optimizer step (sftlint's default), QLoRA (NF4, double quantisation, bf16 compute; LoRA r=16 on
q/k/v/o), with the same learning-rate schedule, so their losses step by step are comparable:

  baseline        transformers Trainer + peft + bitsandbytes, micro-batches of 4 padded to the
                  longest example in each, 4 accumulation steps, SDPA attention, gradient
                  checkpointing on every layer: what a plain script does.
  sftlint         sftlint.train.loop.fit with its defaults: the step's examples packed without
                  padding (varlen attention on CUDA), Liger's fused kernels when installed, and the
                  memory plan `--memory auto` (the GPU's free memory decides how many layers
                  recompute and how many tokens a pass takes).
  sftlint-low     the same with `--memory low`: every layer recomputes, 8,192 tokens a pass.
  sftlint-22GiB   the same planned for a 22 GiB card (`--memory 22GiB`); any sftlint-SIZE works.
  sftlint-noliger the defaults without Liger, to show what each part brings (optional).

The model is Llama-3-8B-shaped with random weights (speed does not depend on their values), saved
once and loaded through from_pretrained like a real checkpoint. Example lengths follow LIMA
(`llama-factory/lima.json` of the real-data corpus), counted with cl100k_base (Llama 3's tokenizer
extends it) around a Llama-3 chat template: prompt tokens are masked, answer tokens trained;
token ids are random. Each arm runs in its own process (Liger patches modules globally), times
every optimizer step after the warm-up steps, and counts real (non-pad) tokens per step.

MFU uses 4·N FLOPs per token (N = base parameters: forward 2N, backward to the activations 2N;
the frozen base has no weight gradients) against the GPU's bf16 peak. The hardware also recomputes
the forward of every checkpointed layer: HFU counts that too, (4 + 2·r/L)·N per token with r of
the L layers recomputed (6N for the baseline). Padding efficiency is real tokens over the tokens
the model computed (padding included).

    python benchmarks/train_speed.py                       # on a GPU: the four arms, 8B shape
    python benchmarks/train_speed.py --gpus 2              # sftlint on 1 GPU and on 2 (data parallel)
    python benchmarks/train_speed.py --shape tiny --no-4bit --steps 2 --warmup 1   # CPU smoke test

With `--gpus N`, sftlint runs on one GPU and then on N under `accelerate launch` (one process per
GPU), with the same examples and the same global batch (each device takes batch/N of every step);
tokens per step are summed over the processes, the step time is the first process's (each step
ends with the gradients' all-reduce, so the processes keep in step).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))
LENGTHS = ROOT / "benchmarks" / ".data" / "lima_lengths.json"
IGNORE = -100
SHAPES = {
    "8b": dict(hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32,
               num_key_value_heads=8, vocab_size=128256, max_position_embeddings=8192, rope_theta=500000.0),
    "tiny": dict(hidden_size=128, intermediate_size=344, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, vocab_size=4096, max_position_embeddings=2048, rope_theta=500000.0),
}
PEAK_TFLOPS = {"spec": 989.0, "measured": 790.0}  # H200 bf16 dense: datasheet, and a matmul measured here


def lima_lengths() -> list[tuple[int, int]]:
    """(prompt tokens, answer tokens) per LIMA example; cached so a GPU machine without
    ../shared can use them (carry benchmarks/.data/lima_lengths.json)."""
    if LENGTHS.exists():
        return [tuple(x) for x in json.loads(LENGTHS.read_text())]
    from fetch_realdata import require

    from sftlint.tokens import load_encoding

    enc = load_encoding("cl100k_base")[0]
    out = []
    for rec in json.loads((require() / "llama-factory" / "lima.json").read_text()):
        turns = [*(x for pair in rec.get("history") or [] for x in pair), rec["instruction"] + rec["input"],
                 rec["output"]]
        # <|begin_of_text|> + per turn <|start_header_id|>role<|end_header_id|>\n\n ... <|eot_id|>
        sizes = [len(enc.encode(t)) + 5 for t in turns]
        out.append((1 + sum(sizes[:-1]) + 4, sizes[-1] - 4))
    LENGTHS.parent.mkdir(exist_ok=True)
    LENGTHS.write_text(json.dumps(out))
    return out


def examples(max_length: int, vocab: int, seed: int = 0):
    from sftlint.chat_template import Prepared

    rng = random.Random(seed)
    out = []
    for i, (prompt, answer) in enumerate(lima_lengths()):
        n = min(prompt + answer, max_length)
        ids = [rng.randrange(10, vocab) for _ in range(n)]
        labels = [IGNORE] * min(prompt, n) + ids[prompt:]
        out.append(Prepared(i + 1, ids, labels))
    return out


def pad_tokenizer():
    """A real (if vocabulary-free) fast tokenizer: the data are ids already, and the collators only
    need its pad()."""
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(tokenizer_object=Tokenizer(WordLevel({"<pad>": 0, "<unk>": 1}, unk_token="<unk>")),
                                   pad_token="<pad>", unk_token="<unk>", padding_side="right")


def build_model(shape: str, path: Path) -> None:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    if (path / "config.json").exists():
        return
    config = LlamaConfig(**SHAPES[shape], tie_word_embeddings=False, torch_dtype="bfloat16")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    with torch.device(device):
        model = LlamaForCausalLM(config).to(torch.bfloat16)
    model.save_pretrained(path, max_shard_size="5GB")
    del model
    if torch.cuda.is_available():  # the arms run in their own processes: give them the whole card
        torch.cuda.empty_cache()


def check_isolation() -> str:
    """On the benchmark's device: the second of two packed examples gets the same logits as alone
    (no attention across examples), on a small random Llama in bf16."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from sftlint.train import packing

    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(0)
    with torch.device(device):
        model = LlamaForCausalLM(LlamaConfig(**SHAPES["tiny"])).to(torch.bfloat16).eval()
    first, second = list(range(10, 300)), list(range(400, 650))
    batch = packing.flattening_collator()([{"input_ids": first, "labels": first}, {"input_ids": second,
                                                                                     "labels": second}])
    batch = {k: v.to(device) if hasattr(v, "to") else v for k, v in batch.items()}
    with torch.no_grad():
        alone = model(input_ids=torch.tensor([second], device=device)).logits[0].float()
        leaked = model(input_ids=batch["input_ids"]).logits[0, len(first):].float()
        packing.use_varlen(model)
        packed = model(**batch).logits[0, len(first):].float()
    kernel = "varlen_attn" if device == "cuda" and packing.varlen_kernel() else "per-example SDPA"
    return (f"isolation check ({kernel}, bf16): packed vs alone max |diff| {(packed - alone).abs().max():.4f}; "
            f"same row without boundaries {(leaked - alone).abs().max():.4f}")


class StepTimer:
    """Per optimizer step: seconds (device synchronised) and the real/supervised tokens collated
    since the previous step ended, which are this step's (the baseline's twin of fit's step_stats)."""

    def __init__(self, cuda: bool) -> None:
        self.cuda, self.steps, self.real, self.supervised, self.computed = cuda, [], 0, 0, 0

    def count(self, features, batch) -> None:
        self.real += sum(len(f["input_ids"]) for f in features)
        self.supervised += sum(sum(1 for x in f["labels"] if x != IGNORE) for f in features)
        self.computed += batch["input_ids"].numel()

    def callback(self):
        import torch
        from transformers import TrainerCallback

        timer = self

        class Cb(TrainerCallback):
            seen = (0, 0, 0)

            def on_step_begin(self, args, state, control, **kw):
                if timer.cuda:
                    torch.cuda.synchronize()
                self.t0 = time.perf_counter()

            def on_step_end(self, args, state, control, **kw):
                if timer.cuda:
                    torch.cuda.synchronize()
                timer.steps.append({"seconds": time.perf_counter() - self.t0, "real": timer.real - self.seen[0],
                                    "supervised": timer.supervised - self.seen[1],
                                    "computed": timer.computed - self.seen[2]})
                self.seen = (timer.real, timer.supervised, timer.computed)

        return Cb()


def arm_baseline(args, path: Path, data, cuda: bool) -> dict:
    """A plain QLoRA script: Trainer + peft + bitsandbytes, padded random batches, SDPA."""
    import torch
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig, DataCollatorForSeq2Seq, Trainer, TrainingArguments

    kwargs = {"dtype": torch.bfloat16, "attn_implementation": "sdpa"}
    if args.four_bit:
        kwargs["quantization_config"] = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                                                           bnb_4bit_use_double_quant=True,
                                                           bnb_4bit_compute_dtype=torch.bfloat16)
        kwargs["device_map"] = {"": 0} if cuda else "cpu"
    model = AutoModelForCausalLM.from_pretrained(path, **kwargs)
    if cuda and not args.four_bit:
        model = model.cuda()
    model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=True,
                                            gradient_checkpointing_kwargs={"use_reentrant": False})
    model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, lora_dropout=0.05, task_type="CAUSAL_LM",
                                             target_modules=["q_proj", "k_proj", "v_proj", "o_proj"]))
    timer = StepTimer(cuda)
    inner = DataCollatorForSeq2Seq(pad_tokenizer(), padding=True, label_pad_token_id=IGNORE)

    def collate(features):
        batch = inner(features)
        timer.count(features, batch)
        return batch

    rows = [{"input_ids": data[i].input_ids, "labels": data[i].labels, "attention_mask": [1] * len(data[i].input_ids)}
            for i in same_order(data, args.batch_size)]
    targs = TrainingArguments(output_dir=tempfile.mkdtemp(), per_device_train_batch_size=args.micro_batch,
                              gradient_accumulation_steps=max(1, args.batch_size // args.micro_batch),
                              max_steps=args.warmup + args.steps, learning_rate=2e-4, logging_steps=1,
                              lr_scheduler_type="cosine", warmup_steps=0.03,  # sftlint's schedule
                              bf16=cuda, report_to=[], save_strategy="no", remove_unused_columns=False,
                              disable_tqdm=True, seed=0, dataloader_num_workers=0)

    class InOrder(Trainer):  # the examples in sftlint's order, so each step holds the same ones
        def _get_train_sampler(self, *a, **kw):
            from torch.utils.data import SequentialSampler

            return SequentialSampler(self.train_dataset)

    trainer = InOrder(model=model, args=targs, train_dataset=rows, data_collator=collate, callbacks=[timer.callback()])
    model.train()
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    trainer.train()
    losses = [x["loss"] for x in trainer.state.log_history if "loss" in x]
    for step, loss in zip(timer.steps, losses, strict=False):
        step["loss"] = loss
    return {"steps": timer.steps, "peak_gib": torch.cuda.max_memory_allocated() / 2**30 if cuda else None,
            "parameters": _parameters(model), "kernels": {"packing": "none (padded)", "liger": False},
            "recompute_share": 1.0, "plan": "every layer recomputes, micro-batches of 4"}


def same_order(data, batch: int) -> list[int]:
    """The order sftlint's one-process run takes the examples in (its sampler, seed 0, first epoch)."""
    from sftlint.train.sampler import BalancedSampler

    return list(BalancedSampler([len(p.input_ids) for p in data], batch, 1, 0))


def arm_sftlint(args, path: Path, data, cuda: bool, liger: bool | None, memory: str) -> dict:
    """sftlint's own training path (load_model + fit) with its defaults but `memory`."""
    from sftlint.train import loop as sft
    from sftlint.train.config import TrainConfig
    from sftlint.train.model import load_model

    cfg = TrainConfig(model=str(path), data=Path("unused"), output_dir=Path(tempfile.mkdtemp()),
                      load_in_4bit=args.four_bit, max_steps=args.warmup + args.steps, batch_size=args.batch_size,
                      max_length=args.max_length, liger=liger, pack_tokens=args.pack_tokens, memory=memory)
    model = load_model(cfg, cuda)
    tok = pad_tokenizer()
    losses = {}
    profiler = step_profiler(cuda) if args.profile else None

    def emit(kind, **event):
        if kind == "step":
            losses[event["step"]] = event["loss"]
            if profiler is not None and event["step"] == args.warmup:  # the step after the warm-up
                profiler.start()
            elif profiler is not None and event["step"] == args.warmup + 1:
                profiler.stop()
                print_profile(profiler, args.profile)

    report = sft.fit(model, tok, data, [], cfg, cuda=cuda, emit=emit)
    steps = [{**s, "loss": losses.get(i + 1)} for i, s in enumerate(report["step_stats"])]
    plan = report["memory_plan"]
    return {"steps": steps, "peak_gib": report["peak_memory_gib"] if cuda else None,
            "parameters": report["parameters"], "kernels": report["kernels"],
            "recompute_share": plan["recompute"] / max(1, plan["layers"]),
            "plan": f"{plan['recompute']}/{plan['layers']} layers recompute, {plan['pack_tokens']:,} tokens a pass"
                    + (" (measured)" if plan["measured"] else "") + (", made again" if plan["replanned"] else ""),
            "plan_history": plan["history"]}


def step_profiler(cuda: bool):
    """PyTorch's profiler, for the first step after the warm-up (started and stopped by the step events)."""
    import torch

    activities = [torch.profiler.ProfilerActivity.CPU] + ([torch.profiler.ProfilerActivity.CUDA] if cuda else [])
    return torch.profiler.profile(activities=activities)


def print_profile(profiler, path: str) -> None:
    """Where one step's time went: operators by device time and by host time, printed and saved."""
    averages = profiler.key_averages()
    device = "cuda_time_total" if any(getattr(e, "device_time_total", 0) for e in averages) else "cpu_time_total"
    text = (f"one profiled step, by {device}:\n{averages.table(sort_by=device, row_limit=30)}\n"
            f"by self CPU time:\n{averages.table(sort_by='self_cpu_time_total', row_limit=20)}\n")
    Path(path).write_text(text)
    print(text, flush=True)


def _parameters(model) -> int:
    import torch

    base = model.get_base_model()
    return sum(p.numel() * (2 if p.dtype == torch.uint8 else 1) for p in base.parameters())


def summarise(name: str, result: dict, warmup: int, gpu_peak: float | None) -> dict:
    timed = result["steps"][warmup:]
    seconds = sum(s["seconds"] for s in timed)
    real = sum(s["real"] for s in timed)
    tps = real / seconds
    row = {"arm": name, "real_tokens_per_s": tps, "supervised_tokens_per_s": sum(s["supervised"] for s in timed) / seconds,
           "peak_gib": result["peak_gib"], "timed_steps": len(timed), "kernels": result["kernels"],
           "padding_efficiency": real / max(1, sum(s.get("computed", s["real"]) for s in timed)),
           "plan": result.get("plan", ""), "losses": [s["loss"] for s in result["steps"]],
           "final_loss": next((s["loss"] for s in reversed(result["steps"]) if s["loss"] is not None), None)}
    if gpu_peak:  # per GPU: the tokens of every GPU over their number
        n, per_gpu = result["parameters"], tps / result.get("processes", 1)
        row["mfu_spec"] = 4 * n * per_gpu / (PEAK_TFLOPS["spec"] * 1e12)
        row["mfu_measured_peak"] = 4 * n * per_gpu / (PEAK_TFLOPS["measured"] * 1e12)
        row["hfu_spec"] = (4 + 2 * result.get("recompute_share", 1.0)) * n * per_gpu / (PEAK_TFLOPS["spec"] * 1e12)
    return row


def child(args) -> None:
    import torch

    cuda = torch.cuda.is_available()
    vocab = SHAPES[args.shape]["vocab_size"]
    data = examples(args.max_length, vocab)
    path = Path(args.model_dir)
    if args.arm == "baseline":
        result = arm_baseline(args, path, data, cuda)
    elif args.arm == "sftlint-noliger":
        result = arm_sftlint(args, path, data, cuda, liger=False, memory="auto")
    else:  # sftlint, or sftlint-MEMORY (sftlint-low, sftlint-22GiB)
        result = arm_sftlint(args, path, data, cuda, liger=None, memory=args.arm.partition("-")[2] or "auto")
    rank = int(os.environ.get("RANK", "0"))
    Path(args.result + (f".rank{rank}" if rank else "")).write_text(json.dumps(result))


def merge_ranks(result_path: Path, processes: int) -> dict:
    """One result from the data-parallel processes' own: tokens summed per step, the step time the
    first process's, peak memory the largest of any one GPU's."""
    result = json.loads(result_path.read_text())
    result["processes"] = processes
    for rank in range(1, processes):
        other = json.loads(Path(f"{result_path}.rank{rank}").read_text())
        for step, theirs in zip(result["steps"], other["steps"], strict=True):
            for key in ("real", "supervised", "computed"):
                step[key] = step.get(key, 0) + theirs.get(key, 0)
        if other.get("peak_gib") and result.get("peak_gib"):
            result["peak_gib"] = max(result["peak_gib"], other["peak_gib"])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", choices=list(SHAPES), default="8b")
    parser.add_argument("--arms", default="baseline,sftlint,sftlint-low,sftlint-22GiB",
                        help="comma-separated: baseline, sftlint, sftlint-low, sftlint-SIZE (e.g. sftlint-22GiB), "
                             "sftlint-noliger")
    parser.add_argument("--steps", type=int, default=10, help="timed optimizer steps per arm")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    parser.add_argument("--batch-size", type=int, default=16, help="examples per optimizer step (both arms)")
    parser.add_argument("--micro-batch", type=int, default=4, help="the baseline's examples per forward pass")
    parser.add_argument("--max-length", type=int, default=2048)
    parser.add_argument("--pack-tokens", type=int, default=None,
                        help="sftlint's most tokens per forward pass (default: its memory plan decides)")
    parser.add_argument("--no-4bit", dest="four_bit", action="store_false", help="bf16 base (for a CPU smoke test)")
    parser.add_argument("--model-dir", help="where the random-weight model is saved (default: a temp folder)")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--gpus", type=int, default=1,
                        help="N > 1: sftlint on one GPU and on N (data parallel, same global batch); no baseline")
    parser.add_argument("--profile", metavar="FILE", help="profile one timed step of each sftlint arm into FILE")
    parser.add_argument("--arm", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.arm:
        return child(args)

    import torch

    lima_lengths()
    print(check_isolation(), flush=True)
    model_dir = Path(args.model_dir or Path(tempfile.gettempdir()) / f"sftlint-bench-{args.shape}")
    t0 = time.time()
    build_model(args.shape, model_dir)
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    print(f"model {args.shape} in {model_dir} ({time.time() - t0:.0f} s); device {gpu or 'cpu'}; "
          f"{args.warmup} warm-up + {args.steps} timed steps of {args.batch_size} examples "
          f"(baseline: {args.micro_batch} per forward pass)", flush=True)
    rows = []
    # (arm, processes, examples per GPU per step, name)
    runs = [(arm, 1, args.batch_size, arm) for arm in args.arms.split(",")]
    if args.gpus > 1:  # strong scaling: the same global batch split; weak: each GPU the one GPU's batch
        if args.batch_size % args.gpus:
            sys.exit(f"--batch-size {args.batch_size} does not split over {args.gpus} GPUs")
        runs = [("sftlint", 1, args.batch_size, "sftlint x1 GPU"),
                ("sftlint", args.gpus, args.batch_size // args.gpus, f"sftlint x{args.gpus} strong"),
                ("sftlint", args.gpus, args.batch_size, f"sftlint x{args.gpus} weak")]
    for arm, processes, per_gpu, name in runs:
        result_path = Path(tempfile.mkstemp(suffix=".json")[1])
        cmd = [__file__, "--arm", arm, "--result", str(result_path), "--model-dir", str(model_dir),
               "--shape", args.shape, "--steps", str(args.steps), "--warmup", str(args.warmup),
               "--batch-size", str(per_gpu), "--micro-batch", str(args.micro_batch),
               "--max-length", str(args.max_length)]
        if args.pack_tokens:
            cmd += ["--pack-tokens", str(args.pack_tokens)]
        if args.profile and arm != "baseline":
            cmd += ["--profile", f"{args.profile}.{arm}.txt"]
        if not args.four_bit:
            cmd.append("--no-4bit")
        launcher = [sys.executable] if processes == 1 else [
            sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", str(processes),
            "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no"]
        t0 = time.time()
        subprocess.run(launcher + cmd, check=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        merged = merge_ranks(result_path, processes)
        for plan in merged.get("plan_history", []):
            costs = plan["costs"]
            print(f"{name}: memory plan {plan['recompute']}/{plan['layers']} layers recompute, {plan['dequantised']} hold "
                  f"weights dequantised, {plan['pack_tokens']:,} tokens a pass, estimated peak {plan['peak_gib']:.1f} GiB "
                  f"(budget {plan['budget_gib'] or 0:.1f}; {costs['source']}: kept {costs['kept'] / 1e3:.0f} kB, "
                  f"recomputed {costs['recomputed'] / 1e3:.0f} kB, other {costs['other'] / 1e3:.0f} kB a token, "
                  f"fixed {costs['fixed'] / 2**30:.1f} GiB); " + "; ".join(plan["why"][1:] or plan["why"]))
        print(f"{name}: losses by step " + " ".join(f"{s['loss']:.4f}" for s in merged["steps"] if s["loss"] is not None))
        rows.append(summarise(name, merged, args.warmup, gpu))
        print(f"{name}: done in {time.time() - t0:.0f} s", flush=True)
    base = next((r for r in rows if r["arm"] in ("baseline", "sftlint x1 GPU")), None)
    width = max(17, *(len(r["arm"]) + 2 for r in rows))
    print(f"\n{'arm':<{width}}{'real tok/s':>11}{'vs base':>9}{'peak GiB':>10}{'vs base':>9}{'MFU':>7}{'HFU':>7}"
          f"{'padding eff':>12}{'final loss':>12}{'vs base':>9}  memory plan; kernels")
    for r in rows:
        speed = f"{r['real_tokens_per_s'] / base['real_tokens_per_s']:.2f}x" if base else "-"
        mem = (f"{r['peak_gib'] / base['peak_gib']:.2f}x" if base and r["peak_gib"] else "-")
        peak = f"{r['peak_gib']:.1f}" if r["peak_gib"] else "-"
        mfu = f"{r['mfu_spec']:.1%}" if "mfu_spec" in r else "-"
        hfu = f"{r['hfu_spec']:.1%}" if "hfu_spec" in r else "-"
        loss = f"{r['final_loss']:.4f}" if r["final_loss"] is not None else "-"
        apart = (f"{(r['final_loss'] - base['final_loss']) / base['final_loss']:+.2%}"
                 if base and r["final_loss"] is not None and base["final_loss"] else "-")
        kern = ", ".join(f"{k}={v}" for k, v in r["kernels"].items())
        print(f"{r['arm']:<{width}}{r['real_tokens_per_s']:>11,.0f}{speed:>9}{peak:>10}{mem:>9}{mfu:>7}{hfu:>7}"
              f"{r['padding_efficiency']:>12.1%}{loss:>12}{apart:>9}  {r['plan']}; {kern}")
    if gpu:
        print(f"MFU: 4·N·tokens/s, HFU: (4 + 2·recomputed share)·N·tokens/s, over {PEAK_TFLOPS['spec']:.0f} TFLOP/s "
              f"(datasheet); against the {PEAK_TFLOPS['measured']:.0f} TFLOP/s measured here multiply by "
              f"{PEAK_TFLOPS['spec'] / PEAK_TFLOPS['measured']:.2f}")
    if args.gpus > 1:
        one, strong, weak = rows
        print(f"\n{args.gpus} GPUs, strong scaling (the same {args.batch_size} examples a step, "
              f"{args.batch_size // args.gpus} on each GPU): {strong['real_tokens_per_s'] / one['real_tokens_per_s']:.2f}x "
              f"the one GPU; final loss {strong['final_loss']:.4f} vs {one['final_loss']:.4f} "
              f"({abs(strong['final_loss'] - one['final_loss']) / one['final_loss']:.2%} apart)")
        print(f"{args.gpus} GPUs, weak scaling ({args.batch_size} examples on each GPU, {args.batch_size * args.gpus} a "
              f"step): {weak['real_tokens_per_s'] / one['real_tokens_per_s']:.2f}x the one GPU")
        print("MFU is per GPU: the tokens/s of all GPUs divided by their number, over one GPU's peak; "
              "peak memory is the largest of any one GPU's")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
