"""`sftlint rules`, `sftlint profiles` and `sftlint config`: what sftlint knows and what is in force."""

from __future__ import annotations

from pathlib import Path

import click

from sftlint.cli.common import fail


@click.command()
@click.argument("code", required=False)
@click.option("--output-format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(code, output_format):
    """List every rule, or print one rule's documentation."""
    import orjson

    from sftlint.catalogue import DOC_HEADINGS, catalogue

    cat = catalogue()
    if code is None:
        if output_format == "json":
            click.echo(orjson.dumps([_rule_dict(r) for r in cat.values()], option=orjson.OPT_INDENT_2).decode())
            return
        click.echo(f"code  {'name':<30} {'severity':<8} {'status':<8} {'precision':<11} summary")
        for r in cat.values():
            click.echo(f"{r.code}  {r.name:<30} {r.severity:<8} {r.status:<8} {_precision(r):<11} {r.summary}")
        click.echo("\nprecision: the share of a rule's findings a curator would act on, from hand-labelled findings in\n"
                   "real public data (labelled count in brackets; benchmarks/precision.py). Preview rules run with --preview.")
        return
    rule = cat.get(code.upper())
    if rule is None:
        fail(f"unknown rule code {code!r}; `sftlint rules` lists them")
    if output_format == "json":
        click.echo(orjson.dumps(_rule_dict(rule), option=orjson.OPT_INDENT_2).decode())
        return
    click.echo(f"{rule.name} ({rule.code})")
    click.echo(f"Family: {rule.family}. Default severity: {rule.severity}. Status: {rule.status}."
               + (f" Measured precision: {rule.precision:.2f} on {rule.labelled} labelled findings." if rule.labelled else ""))
    if rule.preview:
        click.echo("Preview: checked with --preview (or `preview = true`), or when its exact code is selected.")
    click.echo(f"\n{rule.summary}.\nFix: {rule.fix}.")
    for key, heading in DOC_HEADINGS:
        click.echo(f"\n## {heading}\n{rule.doc(key)}")


def _precision(rule) -> str:
    return f"{rule.precision:.2f} ({rule.labelled})" if rule.labelled else "-"


def _rule_dict(rule) -> dict:
    return {name: getattr(rule, name) for name in rule.__slots__}


@click.command()
def profiles():
    """List the target profiles."""
    from sftlint.catalogue import load_profile, profile_names

    for name in profile_names():
        p = load_profile(name)
        limit = f"{p.max_tokens:,} tokens" if p.max_tokens else "no token limit"
        click.echo(f"{name:<10} {p.description} (min {p.min_examples} examples, {limit})")


@click.command("config")
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
        fail(str(exc))
    click.echo(as_toml(settings, written))
