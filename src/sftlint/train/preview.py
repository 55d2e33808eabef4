"""`sftlint train --dry-run`: what would be trained, without training anything."""

from __future__ import annotations

import math

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


def steps(cfg: TrainConfig, n: int) -> int:
    per_epoch = math.ceil(n / (cfg.batch_size * cfg.grad_accum))
    total = math.ceil(per_epoch * cfg.epochs)
    return min(total, cfg.max_steps) if cfg.max_steps > 0 else total


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
    except Exception as exc:  # no config reachable (offline hub id): say so, keep the rest
        console.print(f"memory estimate unavailable: {exc.__class__.__name__}")
    else:
        memory_plan(console, mc, cfg, cuda, [len(p.input_ids) for p in kept], four_bit, dtype)
    return not (skipped and (cfg.strict or not kept))


def memory_plan(console, model_config, cfg: TrainConfig, cuda: bool, lengths: list[int], four_bit: bool,
                dtype: str) -> None:
    """The memory plan the run would start with (formula costs; training measures the first pass)."""
    from sftlint.train import memory
    from sftlint.train.packing import choose as packing
    from sftlint.train.packing import liger_available

    fused = cuda and cfg.liger is not False and liger_available()
    planner = memory.plan_run(model_config, cfg, cuda, fused, lengths or [1], 1,
                              packed=packing(cfg.packing, cuda) == "padding-free")
    plan, gib = planner.plan, memory.GIB
    params = memory.parameter_count(model_config)
    console.print(f"estimated peak memory {plan.peak / gib:.1f} GiB ({sum(params.values()) / 1e9:.2f}B parameters, "
                  f"{'4-bit' if four_bit else dtype} weights {plan.costs.weights / gib:.1f} GiB, activations and loss "
                  f"{(plan.peak - plan.costs.fixed - plan.dequantised * plan.costs.held) / gib:.1f} GiB)", markup=False)
    console.print(plan.summary(), markup=False)
    for why in plan.why:
        console.print(f"  {why}", markup=False)
    if planner.measures:
        console.print("  training measures the first pass on the GPU and makes the plan again from what it held",
                      markup=False)
