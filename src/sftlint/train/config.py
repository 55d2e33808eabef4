"""Training configuration: one dataclass, each field with its help, validated at construction.

Defaults are the QLoRA recipe of the article (NF4, double quantisation, bf16 compute; LoRA r=16,
alpha=32, dropout 0.05 on q/k/v/o; 3 epochs at 2e-4). They differ from upstream in two ways,
written down here: with no CUDA device the base model is loaded without 4-bit (faster on CPU,
and free of the bitsandbytes eval-mode repacking that silently zeroes gradients) in the dtype the
CPU runs fastest (`dtype`), and
examples are packed without padding (or, where the attention kernel for that is missing, batches
are grouped by length) so little compute goes to padding.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sftlint.config import register_table
from sftlint.models import DTYPES, missing_local
from sftlint.train.packing import PACKING_MODES

TARGETS = {"qkvo": ["q_proj", "k_proj", "v_proj", "o_proj"], "all-linear": "all-linear"}


@dataclass
class TrainConfig:
    model: str = field(metadata={"help": "Base model: a folder, a hub id, or a .gguf file."})
    data: Path = field(metadata={"help": "Training examples (e.g. out/train.jsonl from `sftlint export`).", "cli": False})
    output_dir: Path = field(default=Path("adapter"), metadata={
        "help": "Where the adapter and report go.", "flags": ("-o", "--output", "--output-dir"), "folder": True})
    eval_data: Path | None = field(default=None, metadata={"help": "Held-out examples for eval loss.", "flags": ("--eval",)})
    load_in_4bit: bool | None = field(default=None, metadata={
        "help": "NF4 base weights (QLoRA). Default: on with CUDA, off on CPU.", "flags": ("--4bit/--no-4bit",)})
    dtype: str = field(default="auto", metadata={
        "help": "Compute dtype. auto: bf16 on a GPU that has it (else fp16), bf16 on a CPU that runs it natively, "
                "fp32 on other CPUs (bf16 is ~30x slower there).", "choices": tuple(DTYPES)})
    lora_r: int = field(default=16, metadata={"help": "LoRA rank."})
    lora_alpha: int = field(default=32, metadata={"help": "LoRA alpha."})
    lora_dropout: float = field(default=0.05, metadata={"help": "LoRA dropout."})
    target: str = field(default="qkvo", metadata={"help": "LoRA targets.", "choices": tuple(TARGETS)})
    epochs: float = field(default=3.0, metadata={"help": "Training epochs."})
    max_steps: int = field(default=-1, metadata={"help": "Stop after this many optimizer steps (-1: epochs decide)."})
    learning_rate: float = field(default=2e-4, metadata={"help": "Peak learning rate.", "flags": ("--lr",)})
    batch_size: int = field(default=16, metadata={"help": "Examples per device per optimizer step (before accumulation)."})
    grad_accum: int = field(default=1, metadata={"help": "Gradient accumulation steps."})
    max_length: int | None = field(default=2048, metadata={"help": "Tokens per sequence; longer examples are cut."})
    pack_tokens: int | None = field(default=None, metadata={
        "help": "Most tokens in one forward pass: a step's examples are run in passes of at most this many "
                "(padded) tokens, so memory stays bounded whatever the batch; gradients are the same. "
                "Default: the memory plan's choice (8,192 with --memory low and on a CPU)."})
    memory: str = field(default="auto", metadata={
        "help": "Memory plan. auto: use the GPU's free memory, recomputing activations in only as many layers as "
                "needed and taking larger passes where they fit; low: every layer recomputes, 8,192 tokens a pass "
                "(the least memory); or a budget such as 22GiB (plan for a smaller card).", "metavar": "auto|low|SIZE"})
    warmup_ratio: float = field(default=0.03, metadata={"help": "Share of steps spent warming up."})
    gradient_checkpointing: bool | None = field(default=None, metadata={
        "help": "Recompute activations in every layer (true) or in none (false). Default: the memory plan decides, "
                "layer by layer."})
    packing: str = field(default="auto", metadata={
        "help": "auto: padding-free on CUDA with PyTorch's varlen attention, else batches grouped by length.",
        "choices": PACKING_MODES})
    fused_lora: bool | None = field(default=None, metadata={
        "help": "Each LoRA layer as one autograd function: the adapter's product added into the base product in "
                "place, no casts or copies in between, the 4-bit weight dequantised again in backward rather than "
                "kept (default: on; off runs peft's own layers)."})
    liger: bool | None = field(default=None, metadata={
        "help": "Liger's fused kernels and loss. Default: on with CUDA when liger-kernel is installed."})
    seed: int = field(default=0, metadata={"help": "Random seed."})
    resume: bool = field(default=False, metadata={"help": "Continue from the last checkpoint in output_dir."})
    strict: bool = field(default=False, metadata={
        "help": "Stop when an example has nothing to train on, instead of leaving it out with a warning."})

    def __post_init__(self) -> None:
        self.data = Path(self.data)
        self.output_dir = Path(self.output_dir)
        self.eval_data = Path(self.eval_data) if self.eval_data else None
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, not {self.dtype!r}")
        if self.target not in TARGETS:
            raise ValueError(f"target must be one of {', '.join(TARGETS)}, not {self.target!r}")
        if self.lora_r < 1 or self.lora_alpha < 1:
            raise ValueError("lora_r and lora_alpha must be positive")
        if not 0 <= self.lora_dropout < 1:
            raise ValueError("lora_dropout must be in [0, 1)")
        if self.max_length is not None and self.max_length < 16:
            raise ValueError("max_length below 16 tokens leaves nothing to train on; raise it or set None")
        if self.packing not in PACKING_MODES:
            raise ValueError(f"packing must be one of {', '.join(PACKING_MODES)}, not {self.packing!r}")
        if self.pack_tokens is not None and self.pack_tokens < 1:
            raise ValueError("pack_tokens must be at least 1")
        from sftlint.train.memory import parse_memory

        parse_memory(self.memory)  # raises with the accepted forms
        if self.batch_size < 1 or self.grad_accum < 1:
            raise ValueError("batch_size and grad_accum must be at least 1")

    def to_dict(self) -> dict[str, Any]:
        return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self).items()}


def check_table(table: dict[str, Any]) -> dict[str, Any]:
    """[tool.sftlint.train]: TrainConfig's fields (kebab-case), each of its type; returns them under
    the field names."""
    from dataclasses import MISSING, fields

    known = {f.name: f for f in fields(TrainConfig)}
    out = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in known or name == "data":
            have = ", ".join(sorted(k.replace("_", "-") for k in known if k != "data"))
            raise ValueError(f"{key}: unknown option (options: {have})")
        default = known[name].default
        if default is MISSING or default is None or isinstance(default, Path):
            want: tuple[type, ...] = (str, int, float, bool)
        elif isinstance(default, bool):
            want = (bool,)
        elif isinstance(default, float):
            want = (int, float)
        else:
            want = (type(default),)
        if not isinstance(value, want) or (isinstance(value, bool) and bool not in want):
            raise ValueError(f"{key}: expected {want[0].__name__}, got {value!r}")
        out[name] = value
    return out


register_table("train", check_table, "`sftlint train` defaults, e.g. model = \"...\", lora-r = 32; flags win.")


def input_problems(cfg: TrainConfig) -> list[str]:
    """What is wrong with the files and folders of a training run, found before any model loads."""
    problems = []
    for label, path in (("data", cfg.data), ("--eval", cfg.eval_data)):
        if path is None:
            continue
        if not path.exists():
            problems.append(f"{path}: no such file ({label})")
        elif not path.is_file():
            problems.append(f"{path}: not a file ({label})")
        elif not os.access(path, os.R_OK):
            problems.append(f"{path}: cannot be read ({label})")
    if missing_local(cfg.model):
        problems.append(f"{cfg.model}: no such model file or folder (--model)")
    out = cfg.output_dir
    if out.exists() and not out.is_dir():
        problems.append(f"{out}: exists and is not a folder (--output)")
    else:
        parent = next((p for p in (out, *out.parents) if p.exists()), Path("."))
        if not os.access(parent, os.W_OK):
            problems.append(f"{out}: cannot be created here ({parent} is not writable)")
    return problems
