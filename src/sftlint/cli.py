"""The `sftlint` command: parse arguments, call a stage, print, exit.

Exit codes follow ruff: 0 no finding at or above --fail-on, 1 findings, 2 usage, config or I/O
error. Heavy libraries are imported inside the commands that need them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from sftlint import __version__
from sftlint.models import DTYPES

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _split_codes(ctx, param, values: tuple[str, ...]) -> list[str] | None:
    if not values:
        return None
    return [c.strip() for v in values for c in v.split(",") if c.strip()]


def config_options(fn):
    """Flags shared by every command that reads data; they override the config file."""
    decorators = [
        click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
                     help="Config file (pyproject.toml or sftlint.toml); default: found by walking up from the data."),
        click.option("--select", multiple=True, callback=_split_codes, help="Rule codes or prefixes to check (comma-separated)."),
        click.option("--extend-select", multiple=True, callback=_split_codes, help="Codes or prefixes to add to the selection."),
        click.option("--ignore", multiple=True, callback=_split_codes, help="Codes or prefixes to skip."),
        click.option("--profile", help="Target profile (openai, together, hf, ...); see `sftlint profiles`."),
        click.option("--max-tokens", type=click.IntRange(min=1), help="Per-example token limit (overrides the profile)."),
        click.option("--tokenizer", help="Hugging Face tokenizer (folder, hub id or .gguf file) whose chat template to count."),
        click.option("--encoding", help="tiktoken encoding, e.g. cl100k_base (default: the profile model's)."),
        click.option("--input-format", type=click.Choice(["auto", "messages", "sharegpt", "alpaca", "pairs"]),
                     help="Input format; default: detected per file."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes for large files (default: CPU count)."),
    ]
    for d in reversed(decorators):
        fn = d(fn)
    return fn


def _settings(paths: list[Path], config_path, **flags):
    from sftlint.config import load_settings

    overrides = {
        "select": flags.get("select"),
        "extend-select": flags.get("extend_select"),
        "ignore": flags.get("ignore"),
        "profile": flags.get("profile"),
        "max-tokens": flags.get("max_tokens"),
        "tokenizer": flags.get("tokenizer"),
        "encoding": flags.get("encoding"),
        "input-format": flags.get("input_format"),
        "fail-on": flags.get("fail_on"),
    }
    start = paths[0] if paths else Path.cwd()
    return load_settings(start, config_path, overrides)


def _scorer(model: str, regenerate: bool, cache_dir: Path | None, settings, dtype: str, verbose: bool):
    from sftlint.lint.model_scoring import Scorer
    from sftlint.models import ModelError, missing_local
    from sftlint.progress import Reporter, quiet_dependencies

    if missing_local(model):
        raise ModelError(f"{model}: no such model file or folder (--model)")
    quiet_dependencies(verbose)
    if cache_dir is None:
        cache_dir = (settings.source.parent if settings.source else Path.cwd()) / ".sftlint_cache"
    return Scorer(model, cache_dir, regenerate=regenerate, dtype=dtype, reporter=Reporter())


def _output_file(ctx, param, value: Path | None) -> Path | None:
    """`-o/--output FILE`: where the report goes. `-o` once named the output format; a format name
    here is far likelier that habit than a file someone wants to call `json`."""
    if value is not None and str(value) in ("text", "json", "github", "sarif"):
        raise click.BadParameter(f"-o/--output names a file now; for the format use --output-format {value}")
    return value


def _emit(text: str, output: Path | None) -> None:
    """Print a report, or write it to `output` (a file, as ruff's --output-file)."""
    if output is None:
        click.echo(text)
        return
    try:
        output.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        _fail(f"{output}: cannot write the report: {exc.strerror or exc}")


def _fail(message: str) -> None:
    click.echo(f"sftlint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sftlint")
def main() -> None:
    """Lint, review and export chat fine-tuning data before you spend GPU hours on it."""


def _check_paths(paths: tuple[Path, ...]) -> tuple[list[Path], list[str]]:
    good, errors = [], []
    for p in paths:
        if not p.exists():
            errors.append(f"{p}: no such file")
        elif p.is_dir():
            errors.append(f"{p}: is a directory; pass data files (e.g. {p}/*.jsonl)")
        else:
            good.append(p)
    return good, errors


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@config_options
@click.option("--fail-on", type=click.Choice(["info", "warning", "error"]), help="Lowest severity that fails the run (default: error).")
@click.option("--output-format", "output_format", type=click.Choice(["text", "json", "github", "sarif"]), default="text",
              show_default=True, help="How to print findings.")
@click.option("-o", "--output", "--output-file", "output", type=click.Path(path_type=Path, dir_okay=False),
              callback=_output_file, help="Write the report to this file instead of the terminal.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of the findings.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--journal", type=click.Path(path_type=Path, dir_okay=False),
              help="Review decisions journal (default: <file>.sftlint-journal next to each file, if present).")
@click.option("--no-journal", is_flag=True, help="Ignore review decisions.")
@click.option("--show-waived", is_flag=True, help="Also show findings waived because the example was accepted in review.")
@click.option("--against", multiple=True, type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Held-out set (eval or test file): D005 reports training examples that leak from it. Repeatable.")
@click.option("--model", "model", metavar="PATH_OR_ID",
              help="Score every answer under this causal LM (the base model you will tune: a folder, hub id or .gguf "
                   "file) for B004; needs sftlint[train].")
@click.option("--regenerate", is_flag=True, help="With --model: also compare each answer with the model's own greedy "
                                                 "answer (B005; slow on a CPU).")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Where --model scores are cached (default: .sftlint_cache next to the config file, else here).")
@click.option("--dtype", type=click.Choice(list(DTYPES)), default="auto", show_default=True,
              help="With --model: compute dtype (auto: bf16 on GPUs and on CPUs that run it natively, else fp32).")
@click.option("--verbose", is_flag=True, help="With --model: also show the warnings of transformers and torch.")
def lint(paths, config_path, output_format, output, statistics, exit_zero, jobs, journal, no_journal, show_waived,
         against, model, regenerate, cache_dir, dtype, verbose, **flags):
    """Check data files (JSONL, JSONL.gz, JSON array, Parquet) and report every problem."""
    from sftlint.config import ConfigError
    from sftlint.lint import Engine
    from sftlint.models import ModelError
    from sftlint.report import render
    from sftlint.tokens import TokenizerError

    files, errors = _check_paths(paths)
    if regenerate and not model:
        _fail("--regenerate needs --model")
    scorer = None
    try:
        settings = _settings(list(paths), config_path, **flags)
        if model:
            scorer = _scorer(model, regenerate, cache_dir, settings, dtype, verbose)
        result = Engine(settings, jobs=jobs, journal=journal, use_journals=not no_journal,
                        against=list(against), scorer=scorer).run(files)
    except (ConfigError, TokenizerError, ModelError) as exc:
        _fail(str(exc))
    finally:
        if scorer is not None:
            scorer.close()
    result.errors[:0] = errors  # paths that could not be read belong in the report's summary too
    for notice in result.notices:
        click.echo(f"sftlint: note: {notice}", err=True)
    color = output_format == "text" and output is None and sys.stdout.isatty()
    text = render(output_format, result, statistics=statistics, color=color, show_waived=show_waived)
    if text or output is not None:
        _emit(text, output)
    for e in result.errors:
        click.echo(f"sftlint: error: {e}", err=True)
    if result.errors:
        sys.exit(EXIT_ERROR)
    from sftlint.catalogue import SEVERITY_RANK

    threshold = SEVERITY_RANK[settings.raw.fail_on]
    failing = any(f.rank >= threshold and not f.waived for f in result.findings)
    sys.exit(EXIT_FINDINGS if failing and not exit_zero else EXIT_OK)


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@config_options
@click.option("--journal", type=click.Path(path_type=Path, dir_okay=False),
              help="Decisions journal (default: <file>.sftlint-journal next to the data).")
@click.option("--reviewer", help="Name written with each decision (default: config, then the login name).")
@click.option("--only-flagged", is_flag=True, help="Show only flagged examples (a warning or an error; notes do not flag).")
@click.option("--rule", "rules", multiple=True, callback=_split_codes, help="Show only examples with these codes.")
@click.option("--all", "all_in_order", is_flag=True, help="Show every example in file order (default: flagged first).")
def review(path, config_path, journal, reviewer, only_flagged, rules, all_in_order, jobs, **flags):
    """Review flagged examples in a terminal UI; accept or reject each with one key."""
    from sftlint.config import ConfigError
    from sftlint.journal import default_path
    from sftlint.tokens import TokenizerError

    _, errors = _check_paths((path,))
    for e in errors:
        _fail(e)
    try:
        settings = _settings([path], config_path, **flags)
        from sftlint.lint import make_counter

        if settings.selected & {"T001", "T002", "T003", "T004"}:
            counter = make_counter(settings)  # fail here, not in the UI, if the tokenizer cannot load
            if hasattr(counter, "load"):
                counter.load()
    except (ConfigError, TokenizerError) as exc:
        _fail(str(exc))
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        _fail(f"{path}: cannot read: {exc.strerror or exc}")
    from sftlint.export import Exporter
    from sftlint.review.app import ReviewApp

    journal = journal or default_path(path)
    app = ReviewApp(path, settings, journal=journal, reviewer=reviewer, order="file" if all_in_order else "flagged",
                    only_flagged=only_flagged, rules=rules or (), jobs=jobs, exporter=Exporter(path, settings, journal))
    app.run()


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "--out", "out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Output folder (created; files there are replaced atomically).")
@config_options
@click.option("--fail-on", type=click.Choice(["info", "warning", "error"]),
              help="Policy 'clean' drops unreviewed examples with findings at or above this (default: error).")
@click.option("--policy", type=click.Choice(["accepted", "clean", "not-rejected"]), default="clean", show_default=True,
              help="Which examples to keep (see README).")
@click.option("--split", "split_spec", help="Held-out test share, e.g. test=0.1.")
@click.option("--test-size", type=click.IntRange(min=1), help="Held-out test size in examples.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the split.")
@click.option("--stratify", type=click.Choice(["system"]), help="Keep each system prompt's share on both sides.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "parquet", "hf"]), default="jsonl", show_default=True)
@click.option("--journal", type=click.Path(path_type=Path, dir_okay=False),
              help="Review decisions (default: <file>.sftlint-journal next to each file).")
@click.option("--push-to-hub", "push_to_hub", metavar="REPO", help="Also upload to a Hugging Face dataset repo.")
@click.option("--public", is_flag=True, help="With --push-to-hub: make the repository public.")
@click.option("--license", "license_", default="other", show_default=True, help="License for the dataset card.")
@click.option("--dedupe", type=click.Choice(["near", "exact"]), default="near", show_default=True,
              help="near: leave out exact and near-duplicates except each cluster's keeper; exact: only exact copies.")
def export(paths, out, config_path, policy, split_spec, test_size, seed, stratify, fmt, journal, push_to_hub, public,
           license_, dedupe, jobs, **flags):
    """Write the clean set, what was dropped and why, a held-out split, a manifest and a card."""
    from sftlint.config import ConfigError
    from sftlint.export import ExportError, ExportOptions, plan, test_ratio_from_split
    from sftlint.export.writers import write_export
    from sftlint.tokens import TokenizerError

    files, errors = _check_paths(paths)
    for e in errors:
        _fail(e)
    try:
        settings = _settings(list(paths), config_path, **flags)
        options = ExportOptions(out=out, policy=policy, seed=seed, stratify=stratify, format=fmt,
                                test_ratio=test_ratio_from_split(split_spec) if split_spec else None,
                                test_size=test_size, push_to_hub=push_to_hub, private=not public, license=license_,
                                dedupe=dedupe)
        result = plan(files, settings, options, journal, jobs=jobs)
        written = write_export(result)
    except (ConfigError, TokenizerError, ExportError) as exc:
        _fail(str(exc))
    s = result.summary()
    click.echo(f"{s['in']:,} records in: {s['train']:,} train, {s['test']:,} test, {s['dropped']:,} left out"
               + (" (" + ", ".join(f"{k} {v:,}" for k, v in s["dropped_by_reason"].items()) + ")" if s["dropped"] else ""))
    for path in written:
        click.echo(f"  wrote {path}")
    if push_to_hub:
        click.echo(f"  pushed to https://huggingface.co/datasets/{push_to_hub}")


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("-o", "--output", "--out", "out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Output file: .jsonl (default) or .parquet.")
@click.option("--to", "target", type=click.Choice(["messages"]), default="messages", show_default=True)
@config_options
def convert(path, out, target, config_path, jobs, **flags):
    """Convert ShareGPT, Alpaca or prompt/answer data to OpenAI `messages` format."""
    from sftlint.config import ConfigError
    from sftlint.export import ExportError
    from sftlint.export.convert import convert as run_convert
    from sftlint.lint import FileResult, LintResult
    from sftlint.report import render
    from sftlint.tokens import TokenizerError

    _, errors = _check_paths((path,))
    for e in errors:
        _fail(e)
    try:
        settings = _settings([path], config_path, **flags)
        done = run_convert(path, out, settings, jobs=jobs)
    except (ConfigError, TokenizerError, ExportError) as exc:
        _fail(str(exc))
    click.echo(f"converted {done.converted:,} of {done.records:,} record(s) from {done.format or 'unknown format'}"
               f" to messages: {out}")
    if done.unconvertible:
        shown = FileResult(str(path), records=done.records, findings=done.left_out)
        click.echo(render("text", LintResult([shown], [], None), statistics=False, color=sys.stdout.isatty()))
        click.echo(f"{done.unconvertible:,} record(s) could not be converted and were left out.", err=True)
        sys.exit(EXIT_FINDINGS)


@main.command()
@click.argument("data", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--model", help="Base model: folder, hub id or .gguf file (or `model` in [tool.sftlint.train]).")
@click.option("--eval", "eval_data", type=click.Path(path_type=Path, dir_okay=False), help="Held-out examples.")
@click.option("-o", "--output", "--output-dir", "output_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Where the adapter and report go (default: adapter/).")
@click.option("--4bit/--no-4bit", "load_in_4bit", default=None, help="NF4 base weights (default: with CUDA only).")
@click.option("--dtype", type=click.Choice(list(DTYPES)), help="Compute dtype (default: auto: bf16 on GPUs and on "
              "CPUs that run it natively, else fp32).")
@click.option("--lora-r", type=int, help="LoRA rank (16).")
@click.option("--lora-alpha", type=int, help="LoRA alpha (32).")
@click.option("--lora-dropout", type=float, help="LoRA dropout (0.05).")
@click.option("--target", type=click.Choice(["qkvo", "all-linear"]), help="LoRA targets (qkvo).")
@click.option("--epochs", type=float, help="Epochs (3).")
@click.option("--max-steps", type=int, help="Stop after N optimizer steps.")
@click.option("--lr", "learning_rate", type=float, help="Peak learning rate (2e-4).")
@click.option("--batch-size", type=int, help="Examples per device per optimizer step (16).")
@click.option("--grad-accum", type=int, help="Gradient accumulation steps (1).")
@click.option("--max-length", type=int, help="Tokens per example; longer ones are cut (2048).")
@click.option("--pack-tokens", type=int, help="Most tokens in one forward pass; bounds memory (8192).")
@click.option("--packing", type=click.Choice(["auto", "padding-free", "group", "none"]),
              help="auto (default): padding-free on CUDA with PyTorch's varlen attention, else grouped by length.")
@click.option("--liger/--no-liger", default=None, help="Liger fused kernels and loss (default: on with CUDA if installed).")
@click.option("--seed", type=int, help="Random seed (0).")
@click.option("--resume", is_flag=True, default=None, help="Continue from the last checkpoint in the output folder.")
@click.option("--strict", is_flag=True, default=None,
              help="Stop when an example has nothing to train on (default: leave it out with a warning).")
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

    quiet_dependencies(verbose)
    try:
        import peft  # noqa: F401
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError:
        _fail("training needs the train extra: pip install 'sftlint[train]' (see the README for a CPU-only torch)")
    from sftlint.catalogue import load_profile
    from sftlint.chat_template import MaskError
    from sftlint.config import ConfigError, load_settings
    from sftlint.models import ModelError
    from sftlint.train.config import TrainConfig
    from sftlint.train.trainer import run

    if gpus and gpus > 1 and "RANK" not in os.environ and not dry_run:
        sys.exit(_launch_data_parallel(gpus, data, config_path, merge, profile, verbose, flags))
    try:
        configured = load_settings(data.parent, config_path, {}).raw.train
    except ConfigError as exc:
        _fail(str(exc))
    options = {**configured, **{k: v for k, v in flags.items() if v is not None}}
    if not options.get("model"):
        _fail("no base model: pass --model, or set model in [tool.sftlint.train]")
    try:
        cfg = TrainConfig(data=data, **options)
        prof = load_profile(profile)
    except (ValueError, KeyError, TypeError) as exc:
        _fail(str(exc))
    for problem in _train_inputs_problems(cfg):
        _fail(problem)
    reporter = Reporter()
    try:
        if dry_run:
            _dry_run(cfg, prof, show, reporter)
            return
        report = run(cfg, prof, reporter=reporter)
        if os.environ.get("RANK", "0") != "0":  # other data-parallel processes: the main one reports
            return
        if merge:
            from sftlint.train.trainer import merge as merge_adapter

            merge_adapter(cfg.output_dir, cfg.model, cfg.output_dir / "merged")
    except (MaskError, ModelError) as exc:
        _fail(str(exc))
    tps = report["tokens_per_second"]
    before, after = report["eval_loss_before"], report["eval_loss_after"]
    evaluated = f"eval loss {before:.3f} -> {after:.3f}; " if before is not None and after is not None else ""
    click.echo(f"trained {report['steps']:,} steps in {_duration(report['train_seconds'])}: {evaluated}"
               f"{tps['real']:,.0f} tokens/s ({tps['supervised']:,.0f} trained tokens/s); adapter in {cfg.output_dir}")


def _duration(seconds: float) -> str:
    from sftlint.progress import duration

    return duration(seconds)


def _train_inputs_problems(cfg) -> list[str]:
    """What is wrong with the files and folders of a training run, found before any model loads."""
    from sftlint.models import missing_local

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


def _dry_run(cfg, prof, show: int, reporter) -> None:
    """`sftlint train --dry-run`: masks, counts, steps and a memory estimate; nothing trained."""
    import torch
    from rich.console import Console
    from transformers import AutoConfig

    from sftlint.models import compute_dtype, model_label
    from sftlint.train.data import prepare
    from sftlint.train.preview import checkpointing_needed, estimate_memory_gib, highlighted, steps
    from sftlint.train.trainer import load_tokenizer, skipped_message, trainable_examples

    console = Console(highlight=False, soft_wrap=True)
    with reporter.phase(f"loading the tokenizer of {model_label(cfg.model)}"):
        tok = load_tokenizer(cfg.model)
    with reporter.phase("rendering examples with the chat template", unit="examples") as phase:
        prepared, skipped = prepare(tok, cfg.data, prof, on_example=phase.advance)
    total = len(prepared) + len(skipped)
    kept, cut, empty = trainable_examples(prepared, cfg.max_length)
    skipped += empty
    for p in prepared[:show]:
        console.rule(f"line {p.line}: {len(p.input_ids):,} tokens, {p.supervised:,} trained")
        console.print(highlighted(tok, p))
    tokens = sum(len(p.input_ids) for p in kept)
    supervised = sum(p.supervised for p in kept)
    console.rule("summary")
    console.print(f"examples {len(kept):,}   tokens {tokens:,}   trained tokens {supervised:,} "
                  f"({supervised / max(1, tokens):.0%})")
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
        path = Path(cfg.model)
        mc = (AutoConfig.from_pretrained(str(path.parent), gguf_file=path.name) if path.suffix == ".gguf"
              else AutoConfig.from_pretrained(cfg.model))
        longest = max((len(p.input_ids) for p in kept), default=1)
        checkpointing = checkpointing_needed(mc, cfg, longest, cuda)
        mem = estimate_memory_gib(mc, cfg, longest, checkpointing)
        console.print(f"estimated peak memory {mem['total']:.1f} GiB ({mem['parameters_billion']:.2f}B "
                      f"parameters, {'4-bit' if four_bit else dtype} weights {mem['weights']:.1f} GiB, "
                      f"activations {mem['activations']:.1f}, logits {mem['logits']:.1f}; gradient checkpointing "
                      f"{'on' if checkpointing else 'off'})")
    except Exception as exc:  # no config reachable (offline hub id): say so, keep the rest
        console.print(f"memory estimate unavailable: {exc.__class__.__name__}")
    if skipped and (cfg.strict or not kept):
        sys.exit(EXIT_ERROR)


@main.command("eval")
@click.option("--adapter", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="The adapter folder `sftlint train` wrote.")
@click.option("--data", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Held-out examples (e.g. out/test.jsonl from `sftlint export`).")
@click.option("--model", help="Base model (default: the one the adapter was trained on, from its training_report.json).")
@click.option("--metric", type=click.Choice(["exact", "normalized", "numeric", "rouge-l", "json-fields"]),
              help="How an output is compared with the reference (default: rouge-l).")
@click.option("--json-keys", help="With --metric json-fields: the keys that must be equal (comma-separated; default: all).")
@click.option("--general-text", metavar="FILE_OR_DATASET",
              help="General text for the retention check: a text file, a folder of data files, or a Hugging Face "
                   "dataset NAME[:CONFIG] (online).")
@click.option("--retention-bound", type=float, help="Flag retention (base ppl / adapter ppl) below this (0.95).")
@click.option("--max-new-tokens", type=click.IntRange(min=1), help="Longest generated answer (256).")
@click.option("--batch-size", type=click.IntRange(min=1), help="Examples per generation batch (8).")
@click.option("--limit", type=click.IntRange(min=1), help="Evaluate only the first N examples.")
@click.option("--dtype", type=click.Choice(list(DTYPES)), default="auto", show_default=True,
              help="Compute dtype (auto: bf16 on GPUs and on CPUs that run it natively, else fp32).")
@click.option("-o", "--output", "--out", "out", type=click.Path(path_type=Path, file_okay=False),
              help="Where eval_report.json and eval_chart.png go (default: the adapter folder).")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Config file; default: found by walking up from the data. Flags override its [eval] table.")
@click.option("--profile", default="hf", show_default=True, help="Profile used to read the data.")
@click.option("--verbose", is_flag=True, help="Also show the warnings and log lines of transformers, peft and torch.")
def eval_command(adapter, data, model, metric, json_keys, general_text, retention_bound, max_new_tokens, batch_size,
                 limit, dtype, out, config_path, profile, verbose):
    """Base model vs fine-tuned adapter on held-out data: accuracy, format compliance, improvement over
    base with 95% intervals, and general-capability retention. Exit 1 when a metric got worse or
    general ability was lost.

    Defaults come from [tool.sftlint.eval] (or [eval] in sftlint.toml), then these flags."""
    import json

    from sftlint.config import ConfigError, load_settings
    from sftlint.evaluate.runner import EvalError, check_inputs
    from sftlint.progress import Reporter, quiet_dependencies

    try:
        settings = load_settings(data.parent, config_path, {})
    except ConfigError as exc:
        _fail(str(exc))
    conf = settings.raw.eval
    base_dir = settings.source.parent if settings.source else Path.cwd()
    general = general_text or conf.get("general-text")
    if general and not general_text and (base_dir / general).exists():
        general = str(base_dir / general)
    try:
        check_inputs(adapter, data, general)
    except EvalError as exc:
        _fail(str(exc))
    report_path = adapter / "training_report.json"
    trained_on = json.loads(report_path.read_text()).get("model") if report_path.is_file() else None
    model = model or conf.get("model") or trained_on
    if not model:
        _fail(f"no base model: pass --model ({adapter} has no training_report.json naming one)")
    try:
        check_inputs(adapter, data, general, model)
    except EvalError as exc:
        _fail(str(exc))
    schema = None
    if conf.get("json-schema"):
        schema_path = base_dir / conf["json-schema"]
        try:
            schema = json.loads(schema_path.read_text())
        except (OSError, ValueError) as exc:
            _fail(f"json-schema {schema_path}: {exc}")
    quiet_dependencies(verbose)
    try:
        import peft  # noqa: F401
        import torch  # noqa: F401
    except ImportError:
        _fail("eval needs the train extra: pip install 'sftlint[train]' (see the README for a CPU-only torch)")
    from sftlint.evaluate.runner import EvalOptions, run, table

    keys = json_keys.split(",") if json_keys else conf.get("json-keys", [])
    opts = EvalOptions(
        model=model, adapter=adapter, data=data, out=out or adapter, metric=metric or conf.get("metric", "rouge-l"),
        json_keys=tuple(k.strip() for k in keys if k.strip()), general_text=general,
        retention_bound=retention_bound or conf.get("retention-bound", 0.95),
        max_new_tokens=max_new_tokens or conf.get("max-new-tokens", 256), batch_size=batch_size or conf.get("batch-size", 8),
        format_regex=conf.get("format-regex"), json_schema=schema, profile=profile, limit=limit, dtype=dtype,
        reporter=Reporter())
    try:
        report = run(opts)
    except EvalError as exc:
        _fail(str(exc))
    click.echo(table(report))
    click.echo(f"\n{report['examples_evaluated']} held-out examples; report {opts.out / 'eval_report.json'}, "
               f"chart {opts.out / 'eval_chart.png'}")
    worse = any(v["verdict"] == "worse" for v in report["improvement_over_base"].values())
    forgot = bool(report["general_capability_retention"] and report["general_capability_retention"]["flagged"])
    sys.exit(EXIT_FINDINGS if worse or forgot else EXIT_OK)


_FLAG_NAMES = {"load_in_4bit": ("--4bit", "--no-4bit"), "liger": ("--liger", "--no-liger"), "resume": ("--resume", None),
               "strict": ("--strict", None), "learning_rate": "--lr", "eval_data": "--eval", "output_dir": "--output"}


def _launch_data_parallel(n: int, data: Path, config_path, merge: bool, profile: str, verbose: bool,
                          flags: dict) -> int:
    """`sftlint train --gpus N`: this same command under `accelerate launch`, N processes."""
    import subprocess

    args = [str(data), "--profile", profile]
    if config_path:
        args += ["--config", str(config_path)]
    if merge:
        args.append("--merge")
    if verbose:
        args.append("--verbose")
    for key, value in flags.items():
        if value is None:
            continue
        name = _FLAG_NAMES.get(key, "--" + key.replace("_", "-"))
        if isinstance(name, tuple):
            if (chosen := name[0] if value else name[1]) is not None:
                args.append(chosen)
        else:
            args += [name, str(value)]
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", str(n),
           "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no", "-m", "sftlint", "train", *args]
    return subprocess.run(cmd).returncode


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@config_options
@click.option("--epochs", type=click.IntRange(min=1), help="Epochs for the bill estimate (default: OpenAI's heuristic).")
@click.option("--output-format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-o", "--output", "output", type=click.Path(path_type=Path, dir_okay=False), callback=_output_file,
              help="Write the statistics to this file instead of the terminal.")
def stats(paths, config_path, epochs, output_format, output, jobs, **flags):
    """Token counts, length distribution, an estimated training-token bill, and diversity."""
    import orjson

    from sftlint.config import ConfigError
    from sftlint.diversity import Diversity
    from sftlint.diversity import render as render_diversity
    from sftlint.io.reader import InputError
    from sftlint.lint import Engine, FileResult, RecordResult
    from sftlint.stats import compute, render_text
    from sftlint.tokens import TokenizerError

    files, errors = _check_paths(paths)
    for e in errors:
        _fail(e)
    try:
        settings = _settings(list(paths), config_path, **flags)
        engine = Engine(settings, jobs=jobs, stats=True, keep_records=True)
        lengths, trainable, invalid = [], [], 0
        diversity = Diversity()
        try:
            for path in files:
                result = FileResult(str(path))
                for item in engine.iter_file(path, result):
                    if isinstance(item, RecordResult) and item.summary is not None:
                        if item.summary.tokens is not None:
                            lengths.append(item.summary.tokens)
                            trainable.append(item.summary.trainable)
                        if item.record is not None:
                            diversity.add(item.record)
                invalid += result.records - result.examples
        except InputError as exc:
            _fail(str(exc))
        finally:
            engine.close()
    except (ConfigError, TokenizerError) as exc:
        _fail(str(exc))
    for notice in engine.notices:
        click.echo(f"sftlint: note: {notice}", err=True)
    tokenizer = engine.counter.describe() if engine.counter else None
    s = compute(lengths, trainable, settings.options["T001"]["max_tokens"], epochs)
    div = diversity.summary()
    if output_format == "json":
        _emit(orjson.dumps({"tokenizer": tokenizer, **s.to_dict(), "diversity": div}, option=orjson.OPT_INDENT_2).decode(),
              output)
    else:
        _emit(render_text(s, tokenizer) + render_diversity(div), output)
    if invalid:
        click.echo(f"\n{invalid:,} record(s) could not be read as examples and are not counted; run `sftlint lint`.", err=True)


@main.command()
@click.argument("code", required=False)
@click.option("--output-format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(code, output_format):
    """List every rule, or print one rule's documentation."""
    import orjson

    from sftlint.catalogue import DOC_HEADINGS, catalogue

    cat = catalogue()
    if code is None:
        if output_format == "json":
            click.echo(orjson.dumps([_rule_dict(r) for r in cat.values()],
                                    option=orjson.OPT_INDENT_2).decode())
            return
        for r in cat.values():
            click.echo(f"{r.code}  {r.name:<30} {r.severity:<8} {r.status:<8} {r.summary}")
        return
    rule = cat.get(code.upper())
    if rule is None:
        _fail(f"unknown rule code {code!r}; `sftlint rules` lists them")
    if output_format == "json":
        click.echo(orjson.dumps(_rule_dict(rule), option=orjson.OPT_INDENT_2).decode())
        return
    click.echo(f"{rule.name} ({rule.code})")
    click.echo(f"Family: {rule.family}. Default severity: {rule.severity}. Status: {rule.status}.")
    click.echo(f"\n{rule.summary}.\nFix: {rule.fix}.")
    for key, heading in DOC_HEADINGS:
        click.echo(f"\n## {heading}\n{rule.doc(key)}")


def _rule_dict(rule) -> dict:
    return {name: getattr(rule, name) for name in rule.__slots__}


@main.command()
def profiles():
    """List the target profiles."""
    from sftlint.catalogue import load_profile, profile_names

    for name in profile_names():
        p = load_profile(name)
        limit = f"{p.max_tokens:,} tokens" if p.max_tokens else "no token limit"
        click.echo(f"{name:<10} {p.description} (min {p.min_examples} examples, {limit})")


@main.command("config")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False))
def show_config(path, config_path):
    """Show the settings in force for PATH (default: the current folder) as TOML, with where each
    value came from."""
    from sftlint.config import ConfigError, as_toml, load_settings, read_config

    start = path or Path.cwd()
    try:
        settings = load_settings(start, config_path, {})
        _, written = read_config(start, config_path)
    except ConfigError as exc:
        _fail(str(exc))
    click.echo(as_toml(settings, written))


if __name__ == "__main__":
    main()
