"""`sftlint stats`."""

from __future__ import annotations

from pathlib import Path

import click

from sftlint.cli.common import check_paths, data_options, emit, fail, output_file, settings_for


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@data_options
@click.option("--epochs", type=click.IntRange(min=1), help="Epochs for the bill estimate (default: OpenAI's heuristic).")
@click.option("--output-format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-o", "--output", "output", type=click.Path(path_type=Path, dir_okay=False), callback=output_file,
              help="Write the statistics to this file instead of the terminal.")
def stats(paths, config_path, epochs, output_format, output, jobs, **flags):
    """Token counts, length distribution, an estimated training-token bill, and diversity."""
    import orjson

    from sftlint.config import ConfigError
    from sftlint.io.reader import InputError
    from sftlint.stats import collect
    from sftlint.tokens import TokenizerError

    files, errors = check_paths(paths)
    for e in errors:
        fail(e)
    try:
        report = collect(files, settings_for(list(paths), config_path, **flags), epochs, jobs)
    except (ConfigError, TokenizerError, InputError) as exc:
        fail(str(exc))
    for notice in report.notices:
        click.echo(f"sftlint: note: {notice}", err=True)
    if output_format == "json":
        emit(orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2).decode(), output)
    else:
        emit(report.text(), output)
    if report.invalid:
        click.echo(f"\n{report.invalid:,} record(s) could not be read as examples and are not counted; run `sftlint lint`.",
                   err=True)
