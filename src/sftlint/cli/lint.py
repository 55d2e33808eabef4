"""`sftlint lint`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sftlint.cli.common import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    SEVERITIES,
    check_paths,
    data_options,
    emit_lines,
    fail,
    output_file,
    settings_for,
)
from sftlint.models import DTYPES
from sftlint.report import FORMATS as REPORT_FORMATS


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@data_options
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Lowest severity that fails the run (default: error).")
@click.option("--output-format", "output_format", type=click.Choice(REPORT_FORMATS), default="text",
              show_default=True, help="How to print findings.")
@click.option("-o", "--output", "--output-file", "output", type=click.Path(path_type=Path, dir_okay=False),
              callback=output_file, help="Write the report to this file instead of the terminal.")
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
    from sftlint.catalogue import SEVERITY_RANK
    from sftlint.config import ConfigError
    from sftlint.lint import Engine
    from sftlint.lint.records import INTERNAL_ERROR
    from sftlint.models import ModelError
    from sftlint.report import render
    from sftlint.tokens import TokenizerError

    files, errors = check_paths(paths)
    if output is not None and any(output.resolve() == f.resolve() for f in files):
        fail(f"{output}: the report would overwrite an input file (-o/--output)")
    if regenerate and not model:
        fail("--regenerate needs --model")
    scorer = None
    try:
        settings = settings_for(list(paths), config_path, **flags)
        if model:
            scorer = _scorer(model, regenerate, cache_dir, settings, dtype, verbose)
        result = Engine(settings, jobs=jobs, journal=journal, use_journals=not no_journal,
                        against=list(against), scorer=scorer).run(files)
    except (ConfigError, TokenizerError, ModelError) as exc:
        fail(str(exc))
    finally:
        if scorer is not None:
            scorer.close()
    result.errors[:0] = errors  # paths that could not be read belong in the report's summary too
    for notice in result.notices:
        click.echo(f"sftlint: note: {notice}", err=True)
    color = output_format == "text" and output is None and sys.stdout.isatty()
    emit_lines(render(output_format, result, statistics=statistics, color=color, show_waived=show_waived), output)
    for e in result.errors:
        click.echo(f"sftlint: error: {e}", err=True)
    counts = result.counts
    if result.errors or INTERNAL_ERROR in counts.by_code:
        sys.exit(EXIT_ERROR)  # sftlint failed somewhere: never exit 1, which means findings
    failing = counts.worst >= SEVERITY_RANK[settings.raw.fail_on]
    sys.exit(EXIT_FINDINGS if failing and not exit_zero else EXIT_OK)


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
