"""The model side of training: the base model loaded for training, kernels, checkpointing and LoRA
put on it, and the adapter merged back into a bf16 copy."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sftlint.train.config import TARGETS, TrainConfig


def local_rank() -> int:
    return int(os.environ.get("LOCAL_RANK", 0))


def world() -> tuple[int, int]:
    """(rank, world size) under `accelerate launch` / torchrun; (0, 1) in a plain run."""
    return int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1))


def load_tokenizer(name: str):
    from sftlint.models import load_tokenizer as load

    return load(name)


def load_model(cfg: TrainConfig, cuda: bool):
    """The base model for training in the compute dtype of the device and cfg.dtype; NF4 with that
    compute dtype when cfg.load_in_4bit. Under `accelerate launch` each process loads its copy
    on its own GPU."""
    from sftlint.models import compute_dtype
    from sftlint.models import load_model as load

    device = f"cuda:{local_rank()}" if cuda else "cpu"
    if cuda:  # before the first allocation: growable segments, so a plan near its budget does not fragment
        os.environ.setdefault("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True")
    return load(cfg.model, compute_dtype("cuda" if cuda else "cpu", cfg.dtype), device, four_bit=bool(cfg.load_in_4bit))


def cpu_4bit_repacked(model) -> int:
    """Linear4bit layers repacked for CPU inference; their gradients would silently be zero."""
    count = 0
    for module in model.modules():
        state = getattr(getattr(module, "weight", None), "quant_state", None)
        if state is not None and getattr(state, "packing_format_for_cpu", False):
            count += 1
    return count


def prepare_model(model, cfg: TrainConfig, packing: str, cuda: bool, lengths: list[int] | None = None
                  ) -> tuple[Any, dict[str, Any], Any]:
    """Kernels, attention, checkpointing and LoRA on a loaded base model; returns the peft model,
    what was switched on (for the report) and the memory plan's Planner, made from the training
    examples' `lengths` (memory.py)."""
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training

    from sftlint.models import compute_dtype
    from sftlint.train import memory
    from sftlint.train import packing as pk

    notes: dict[str, Any] = {"packing": packing, "liger": False}
    want_liger = cfg.liger if cfg.liger is not None else (cuda and pk.liger_available())
    if want_liger:
        why_not = pk.apply_liger(model)
        notes["liger"] = why_not is None
        if why_not:
            notes["liger_off_because"] = why_not
    if packing == "padding-free":
        pk.use_varlen(model)
    planner = memory.plan_run(model.config, cfg, cuda, notes["liger"], lengths or [1], world()[1],
                              packed=packing == "padding-free")
    switchable = len(memory.decoder_layers(model)) == planner.plan.layers
    # A plan measured on the first pass may turn recomputation on in any layer: give every layer the
    # means, and let the plan switch each on or off.
    checkpointing = planner.plan.checkpointing or (switchable and planner.measures)
    if cfg.load_in_4bit and compute_dtype("cuda" if cuda else "cpu", cfg.dtype) != "bfloat16":
        # fp16 compute overflows where bf16 does not: keep peft's fp32 norms, embeddings and head
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=checkpointing,
                                                gradient_checkpointing_kwargs={"use_reentrant": False})
    else:
        if cfg.load_in_4bit:
            # In bf16, peft's preparation would upcast the norms, embeddings and head to fp32, and with
            # them every hidden state: each 4-bit layer then casts its input down and its output back
            # up, a third of the GPU's time in an 8B step. Freeze, and keep the model in bf16.
            for param in model.parameters():
                param.requires_grad = False
        if checkpointing:
            if hasattr(model, "activation_checkpointing_enable"):  # transformers >= 5.20
                model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
            else:
                model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
            model.enable_input_require_grads()
    model = get_peft_model(model, LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                                             target_modules=TARGETS[cfg.target], task_type="CAUSAL_LM"))
    if cfg.fused_lora is not False:
        from sftlint.train.fused_lora import fuse

        notes["fused_lora"] = fuse(model)
    planner.attach(model)
    notes["gradient_checkpointing"] = planner.plan.checkpointing
    return model, notes, planner


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
