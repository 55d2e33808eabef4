"""`sftlint train` and `sftlint eval`; their flags are made from TrainConfig's and EvalOptions' fields."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from sftlint.cli.common import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, duration, fail
from sftlint.cli.flags import given, options_from
from sftlint.evaluate.options import EvalOptions
from sftlint.train.config import TrainConfig


@click.command()
@click.argument("data", type=click.Path(path_type=Path, dir_okay=False))
@options_from(TrainConfig)
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Config file; default: found by walking up from the data. Flags override its [train] table.")
@click.option("--gpus", type=click.IntRange(min=1), help="Data-parallel processes, one per GPU: the same as "
              "`accelerate launch --multi_gpu --num_processes N -m sftlint train ...`.")
@click.option("--dry-run", is_flag=True, help="Show masks, counts, steps and a memory estimate; train nothing.")
@click.option("--merge", is_flag=True, help="After training, also write a merged bf16 model to OUTPUT/merged.")
@click.option("--show", type=int, default=2, show_default=True, help="With --dry-run: examples to print.")
@click.option("--profile", default="hf", show_default=True, help="Profile used to read the data.")
@click.option("--verbose", is_flag=True, help="Also show the warnings and log lines of transformers, peft and torch.")
def train(data, config_path, gpus, dry_run, merge, show, profile, verbose, **flags):
    """Fine-tune a LoRA adapter (QLoRA on GPU) with loss masks taken from the model's chat template.

    Defaults come from [tool.sftlint.train] (or [train] in sftlint.toml), then these flags."""
    from sftlint.progress import Reporter, quiet_dependencies
    from sftlint.train.launch import launched, relaunch

    quiet_dependencies(verbose)
    try:
        import peft  # noqa: F401
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError:
        fail("training needs the train extra: pip install 'sftlint[train]' (see the README for a CPU-only torch)")
    from sftlint.catalogue import load_profile
    from sftlint.chat_template import MaskError
    from sftlint.config import ConfigError, load_settings
    from sftlint.models import ModelError
    from sftlint.train.config import input_problems
    from sftlint.train.preview import dry_run as preview
    from sftlint.train.trainer import run

    if gpus and gpus > 1 and not launched() and not dry_run:
        sys.exit(relaunch(gpus, sys.argv[sys.argv.index("train", 1) + 1:]))  # as typed, --gpus included
    try:
        configured = load_settings(data.parent, config_path, {}).raw.train
    except ConfigError as exc:
        fail(str(exc))
    options = {**configured, **given(flags, TrainConfig)}
    if not options.get("model"):
        fail("no base model: pass --model, or set model in [tool.sftlint.train]")
    try:
        cfg = TrainConfig(data=data, **options)
        prof = load_profile(profile)
    except (ValueError, KeyError, TypeError) as exc:
        fail(str(exc))
    for problem in input_problems(cfg):
        fail(problem)
    reporter = Reporter()
    try:
        if dry_run:
            sys.exit(EXIT_OK if preview(cfg, prof, show, reporter) else EXIT_ERROR)
        report = run(cfg, prof, reporter=reporter)
        if os.environ.get("RANK", "0") != "0":  # other data-parallel processes: the main one reports
            return
        if merge:
            from sftlint.train.model import merge as merge_adapter

            merge_adapter(cfg.output_dir, cfg.model, cfg.output_dir / "merged")
    except (MaskError, ModelError) as exc:
        fail(str(exc))
    tps = report["tokens_per_second"]
    before, after = report["eval_loss_before"], report["eval_loss_after"]
    evaluated = f"eval loss {before:.3f} -> {after:.3f}; " if before is not None and after is not None else ""
    click.echo(f"trained {report['steps']:,} steps in {duration(report['train_seconds'])}: {evaluated}"
               f"{tps['real']:,.0f} tokens/s ({tps['supervised']:,.0f} trained tokens/s); adapter in {cfg.output_dir}")


@click.command("eval")
@options_from(EvalOptions)
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Config file; default: found by walking up from the data. Flags override its [eval] table.")
@click.option("--verbose", is_flag=True, help="Also show the warnings and log lines of transformers, peft and torch.")
def eval_command(config_path, verbose, **flags):
    """Base model vs fine-tuned adapter on held-out data: accuracy, format compliance, improvement over
    base with 95% intervals, and general-capability retention. Exit 1 when a metric got worse or
    general ability was lost.

    Defaults come from [tool.sftlint.eval] (or [eval] in sftlint.toml), then these flags."""
    from sftlint.config import ConfigError, load_settings
    from sftlint.evaluate.options import EvalError, resolve
    from sftlint.evaluate.runner import check_inputs
    from sftlint.progress import Reporter, quiet_dependencies

    data = flags["data"]
    try:
        settings = load_settings(data.parent, config_path, {})
        opts = resolve(given(flags, EvalOptions), settings.raw.eval,
                       settings.source.parent if settings.source else Path.cwd())
        check_inputs(opts.adapter, opts.data, opts.general_text, opts.model)
    except (ConfigError, EvalError) as exc:
        fail(str(exc))
    if not opts.model:
        fail(f"no base model: pass --model ({opts.adapter} has no training_report.json naming one)")
    quiet_dependencies(verbose)
    try:
        import peft  # noqa: F401
        import torch  # noqa: F401
    except ImportError:
        fail("eval needs the train extra: pip install 'sftlint[train]' (see the README for a CPU-only torch)")
    from sftlint.evaluate.runner import run

    opts.reporter = Reporter()
    try:
        report = run(opts)
    except EvalError as exc:
        fail(str(exc))
    click.echo(report["table"])
    click.echo(f"\n{report['examples_evaluated']} held-out examples; report {opts.out / 'eval_report.json'}, "
               f"chart {opts.out / 'eval_chart.png'}")
    worse = any(v["verdict"] == "worse" for v in report["improvement_over_base"].values())
    forgot = bool(report["general_capability_retention"] and report["general_capability_retention"]["flagged"])
    sys.exit(EXIT_FINDINGS if worse or forgot else EXIT_OK)
