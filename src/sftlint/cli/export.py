"""`sftlint export` and `sftlint convert`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sftlint.cli.common import EXIT_FINDINGS, SEVERITIES, check_paths, data_options, emit_lines, fail, settings_for
from sftlint.export.options import DEDUPE, FORMATS, POLICIES


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "--out", "out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Output folder (created; files there are replaced atomically).")
@data_options
@click.option("--fail-on", type=click.Choice(SEVERITIES),
              help="Policy 'clean' drops unreviewed examples with findings at or above this (default: error); "
                   "a preview rule's findings only if its exact code is in --select/--extend-select.")
@click.option("--policy", type=click.Choice(POLICIES), default="clean", show_default=True,
              help="Which examples to keep (see README).")
@click.option("--split", "split_spec", help="Held-out test share, e.g. test=0.1.")
@click.option("--test-size", type=click.IntRange(min=1), help="Held-out test size in examples.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the split.")
@click.option("--stratify", type=click.Choice(["system"]), help="Keep each system prompt's share on both sides.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option("--journal", type=click.Path(path_type=Path, dir_okay=False),
              help="Review decisions (default: <file>.sftlint-journal next to each file).")
@click.option("--push-to-hub", "push_to_hub", metavar="REPO", help="Also upload to a Hugging Face dataset repo.")
@click.option("--public", is_flag=True, help="With --push-to-hub: make the repository public.")
@click.option("--license", "license_", default="other", show_default=True, help="License for the dataset card.")
@click.option("--force", is_flag=True,
              help="Replace files in the output folder that an earlier export did not write (never the inputs).")
@click.option("--dedupe", type=click.Choice(DEDUPE), default="near", show_default=True,
              help="near: leave out exact and near-duplicates except each cluster's keeper; exact: only exact copies.")
def export(paths, out, config_path, policy, split_spec, test_size, seed, stratify, fmt, journal, push_to_hub, public,
           license_, dedupe, force, jobs, **flags):
    """Write the clean set, what was dropped and why, a held-out split, a manifest and a card."""
    from sftlint.config import ConfigError
    from sftlint.export.options import ExportError, ExportOptions, test_ratio_from_split
    from sftlint.export.plan import plan
    from sftlint.export.writers import write_export
    from sftlint.tokens import TokenizerError

    files, errors = check_paths(paths)
    for e in errors:
        fail(e)
    try:
        settings = settings_for(list(paths), config_path, **flags)
        options = ExportOptions(out=out, policy=policy, seed=seed, stratify=stratify, format=fmt,
                                test_ratio=test_ratio_from_split(split_spec) if split_spec else None,
                                test_size=test_size, push_to_hub=push_to_hub, private=not public, license=license_,
                                dedupe=dedupe, force=force)
        result = plan(files, settings, options, journal, jobs=jobs)
        written = write_export(result)
    except (ConfigError, TokenizerError, ExportError) as exc:
        fail(str(exc))
    for given in result.inputs:
        if given.get("journal_warning"):
            click.echo(f"sftlint: warning: {given['journal_warning']}", err=True)
    s = result.summary()
    click.echo(f"{s['in']:,} records in: {s['train']:,} train, {s['test']:,} test, {s['dropped']:,} left out"
               + (" (" + ", ".join(f"{k} {v:,}" for k, v in s["dropped_by_reason"].items()) + ")" if s["dropped"] else ""))
    if s["dropped_by_code"]:
        from sftlint.export.plan import describe_codes

        click.echo(f"  left out by rule: {describe_codes(s['dropped_by_code'])}")
    for path in written:
        click.echo(f"  wrote {path}")
    if push_to_hub:
        click.echo(f"  pushed to https://huggingface.co/datasets/{push_to_hub}")


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("-o", "--output", "--out", "out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Output file: .jsonl (default) or .parquet.")
@click.option("--to", "target", type=click.Choice(["messages"]), default="messages", show_default=True)
@click.option("--reasoning", type=click.Choice(["keep", "inline", "field"]), default="keep", show_default=True,
              help="Where answers' reasoning goes: as read (keep), in the content as a leading <think> block "
                   "(inline), or in a `reasoning_content` field (field; an existing reasoning key is kept).")
@data_options
def convert(path, out, target, reasoning, config_path, jobs, **flags):
    """Convert ShareGPT, Alpaca or prompt/answer data to OpenAI `messages` format, and move
    reasoning between a <think> block in the content and a reasoning field."""
    from sftlint.config import ConfigError
    from sftlint.export.convert import convert as run_convert
    from sftlint.export.options import ExportError
    from sftlint.lint import FileResult, LintResult
    from sftlint.report import render
    from sftlint.tokens import TokenizerError

    _, errors = check_paths((path,))
    for e in errors:
        fail(e)
    try:
        settings = settings_for([path], config_path, **flags)
        done = run_convert(path, out, settings, jobs=jobs, reasoning=reasoning)
    except (ConfigError, TokenizerError, ExportError) as exc:
        fail(str(exc))
    click.echo(f"converted {done.converted:,} of {done.records:,} record(s) from {done.format or 'unknown format'}"
               f" to messages: {out}")
    if done.unconvertible:
        shown = FileResult(str(path), records=done.records)
        shown.findings.extend(done.left_out)
        emit_lines(render("text", LintResult([shown], [], None), statistics=False, color=sys.stdout.isatty()), None)
        click.echo(f"{done.unconvertible:,} record(s) could not be converted and were left out.", err=True)
        sys.exit(EXIT_FINDINGS)
