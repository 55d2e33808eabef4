"""`sftlint train --dry-run`: what would be trained, without training anything."""

from __future__ import annotations

import math
from typing import Any

from rich.text import Text

from sftlint.chat_template import IGNORE, Prepared
from sftlint.escape import displayable
from sftlint.train.config import TrainConfig

ANSWER_STYLE, REASONING_STYLE, CONTEXT_STYLE = "bold green", "bold magenta", "dim"


def highlighted(tokenizer, p: Prepared) -> Text:
    """The rendered example: trained answer tokens in bold green, trained reasoning in bold
    magenta, the rest (not trained) dim."""
    thinking = {i for a, b in p.reasoning for i in range(a, b)}
    text = Text()
    for i, (token_id, label) in enumerate(zip(p.input_ids, p.labels, strict=True)):
        piece = displayable(tokenizer.decode([token_id]))
        style = CONTEXT_STYLE if label == IGNORE else REASONING_STYLE if i in thinking else ANSWER_STYLE
        text.append(piece, style=style)
    return text


def reasoning_trained(p: Prepared) -> int:
    return sum(1 for a, b in p.reasoning for i in range(a, b) if p.labels[i] != IGNORE)


def estimate_memory_gib(model_config: Any, cfg: TrainConfig, longest: int,
                        checkpointing: bool | None = None) -> dict[str, float]:
    """A stated estimate of peak memory: weights + LoRA with AdamW + activations (checkpointed or
    not: `checkpointing`, default cfg's) + fp32 logits of one micro-batch. Real peaks add
    allocator overhead (~10-20%)."""
    if checkpointing is None:
        checkpointing = cfg.gradient_checkpointing is not False
    h = model_config.hidden_size
    layers = model_config.num_hidden_layers
    vocab = model_config.vocab_size
    inter = getattr(model_config, "intermediate_size", 4 * h)
    heads = model_config.num_attention_heads
    kv = getattr(model_config, "num_key_value_heads", heads) or heads
    head_dim = getattr(model_config, "head_dim", None) or h // heads
    attn = h * heads * head_dim * 2 + h * kv * head_dim * 2
    params = layers * (attn + 3 * h * inter) + vocab * h * (1 if getattr(model_config, "tie_word_embeddings", False) else 2)
    weight_bytes = params * (0.55 if cfg.load_in_4bit else 2)
    targets = 4 if cfg.target == "qkvo" else 7
    lora = layers * targets * cfg.lora_r * (2 * h)
    lora_bytes = lora * (2 + 4 + 8)  # bf16 weight, fp32 grad, AdamW moments
    seq = min(longest, cfg.max_length or longest)
    tokens = min(cfg.batch_size * seq, max(cfg.pack_tokens, seq))  # one forward pass
    per_layer = tokens * h * 2 * (1 if checkpointing else 16)
    activations = layers * per_layer + tokens * h * 2 * 16  # one recomputed layer in full
    logits = tokens * vocab * 4 * 2
    total = weight_bytes + lora_bytes + activations + logits
    gib = 2**30
    return {"parameters_billion": params / 1e9, "weights": weight_bytes / gib, "lora_and_optimizer": lora_bytes / gib,
            "activations": activations / gib, "logits": logits / gib, "total": total / gib}


def steps(cfg: TrainConfig, n: int) -> int:
    per_epoch = math.ceil(n / (cfg.batch_size * cfg.grad_accum))
    total = math.ceil(per_epoch * cfg.epochs)
    return min(total, cfg.max_steps) if cfg.max_steps > 0 else total


def free_memory_gib() -> float | None:
    """Memory the system has free now (Linux; None where unknown)."""
    import os

    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30
    except (ValueError, OSError, AttributeError):
        return None


def checkpointing_needed(model_config: Any, cfg: TrainConfig, longest: int, cuda: bool) -> bool:
    """cfg.gradient_checkpointing, or when unset: always with CUDA (GPU memory is the limit there);
    on a CPU only when the activations of one pass would not fit in half of the free memory."""
    if cfg.gradient_checkpointing is not None:
        return cfg.gradient_checkpointing
    if cuda:
        return True
    free = free_memory_gib()
    if free is None:
        return True
    need = estimate_memory_gib(model_config, cfg, longest, checkpointing=False)
    return need["activations"] + need["logits"] > free / 2


def dry_run(cfg, prof, show: int, reporter) -> bool:
    """`sftlint train --dry-run`: masks, counts, steps and a memory estimate, printed; nothing
    trained, the model not loaded. False when the run would stop (nothing to train on, or an
    example with nothing to train on under --strict)."""
    import torch
    from rich.console import Console
    from transformers import AutoConfig

    from sftlint.models import compute_dtype, model_label, pretrained_source
    from sftlint.train.data import prepare
    from sftlint.train.model import load_tokenizer
    from sftlint.train.sampler import skipped_message, trainable_examples

    console = Console(highlight=False, soft_wrap=True)
    with reporter.phase(f"loading the tokenizer of {model_label(cfg.model)}"):
        tok = load_tokenizer(cfg.model)
    with reporter.phase("rendering examples with the chat template", unit="examples") as phase:
        prepared, skipped = prepare(tok, cfg.data, prof, on_example=phase.advance)
    total = len(prepared) + len(skipped)
    kept, cut, empty = trainable_examples(prepared, cfg.max_length)
    skipped += empty
    for p in prepared[:show]:
        thought = reasoning_trained(p)
        console.rule(f"line {p.line}: {len(p.input_ids):,} tokens, {p.supervised:,} trained"
                     + (f" ({thought:,} reasoning)" if thought else ""))
        console.print(highlighted(tok, p))
    tokens = sum(len(p.input_ids) for p in kept)
    supervised = sum(p.supervised for p in kept)
    thought = sum(reasoning_trained(p) for p in kept)
    console.rule("summary")
    console.print(f"examples {len(kept):,}   tokens {tokens:,}   trained tokens {supervised:,} "
                  f"({supervised / max(1, tokens):.0%})" + (f": reasoning {thought:,}, answers {supervised - thought:,}"
                                                            if thought else ""))
    if thought:  # data without reasoning keeps its two colours, trained or not
        console.print(Text.assemble("colours: ", ("answer", ANSWER_STYLE), "  ", ("reasoning", REASONING_STYLE), "  ",
                                    ("not trained", CONTEXT_STYLE)))
    dropped = [p.line for p in prepared if p.dropped]
    if dropped:
        console.print(f"note: the chat template drops the reasoning of {len(dropped):,} example(s) (lines "
                      f"{', '.join(map(str, dropped[:10]))}{' …' if len(dropped) > 10 else ''}): it is not trained "
                      "(`sftlint lint --tokenizer MODEL` lists them as T005; `sftlint convert --reasoning inline` "
                      "writes a reasoning field into the content)", markup=False)
    if skipped:
        console.print(("error: " if cfg.strict else "warning: ") + skipped_message(cfg.data, sorted(skipped), total,
                                                                                 cfg.strict), markup=False)
    console.print(f"optimizer steps {steps(cfg, len(kept)):,} (batch {cfg.batch_size} x accumulation "
                  f"{cfg.grad_accum}, {cfg.epochs:g} epochs)")
    if cut:
        console.print(f"{len(cut)} example(s) over {cfg.max_length} tokens would be cut, losing "
                      f"{sum(x for _, x in cut):,} trained tokens: lines {', '.join(str(line) for line, _ in cut[:10])}")
    cuda = torch.cuda.is_available()
    four_bit = cfg.load_in_4bit if cfg.load_in_4bit is not None else cuda
    cfg.load_in_4bit = four_bit
    dtype = compute_dtype("cuda" if cuda else "cpu", cfg.dtype)
    console.print(f"compute dtype {dtype} on {'cuda' if cuda else 'cpu'}" + (", 4-bit NF4 base weights" if four_bit else ""))
    try:
        source, kwargs = pretrained_source(cfg.model)
        mc = AutoConfig.from_pretrained(source, **kwargs)
        longest = max((len(p.input_ids) for p in kept), default=1)
        checkpointing = checkpointing_needed(mc, cfg, longest, cuda)
        mem = estimate_memory_gib(mc, cfg, longest, checkpointing)
        console.print(f"estimated peak memory {mem['total']:.1f} GiB ({mem['parameters_billion']:.2f}B "
                      f"parameters, {'4-bit' if four_bit else dtype} weights {mem['weights']:.1f} GiB, "
                      f"activations {mem['activations']:.1f}, logits {mem['logits']:.1f}; gradient checkpointing "
                      f"{'on' if checkpointing else 'off'})")
    except Exception as exc:  # no config reachable (offline hub id): say so, keep the rest
        console.print(f"memory estimate unavailable: {exc.__class__.__name__}")
    return not (skipped and (cfg.strict or not kept))
