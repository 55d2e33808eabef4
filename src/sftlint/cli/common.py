"""What every command shares: exit codes, failing with a message, the data options and settings."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

import click

from sftlint.io.formats import FORMATS as INPUT_FORMATS

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SEVERITIES = ("info", "warning", "error")


def fail(message: str) -> None:
    """A usage, configuration or I/O error: one line on stderr, exit code 2."""
    click.echo(f"sftlint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _split_codes(ctx, param, values: tuple[str, ...]) -> list[str] | None:
    if not values:
        return None
    return [c.strip() for v in values for c in v.split(",") if c.strip()]


def data_options(fn):
    """Flags shared by every command that reads data; they override the config file."""
    decorators = [
        click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
                     help="Config file (pyproject.toml or sftlint.toml); default: found by walking up from the data."),
        click.option("--select", multiple=True, callback=_split_codes, help="Rule codes or prefixes to check (comma-separated)."),
        click.option("--extend-select", multiple=True, callback=_split_codes, help="Codes or prefixes to add to the selection."),
        click.option("--ignore", multiple=True, callback=_split_codes, help="Codes or prefixes to skip."),
        click.option("--preview/--no-preview", default=None,
                     help="Check preview rules too (not yet trusted by measured precision; `sftlint rules` shows which)."),
        click.option("--profile", help="Target profile (openai, together, hf, ...); see `sftlint profiles`."),
        click.option("--max-tokens", type=click.IntRange(min=1), help="Per-example token limit (overrides the profile)."),
        click.option("--tokenizer", help="Hugging Face tokenizer (folder, hub id or .gguf file) whose chat template to count."),
        click.option("--encoding", help="tiktoken encoding, e.g. cl100k_base (default: the profile model's)."),
        click.option("--input-format", type=click.Choice(["auto", *INPUT_FORMATS]),
                     help="Input format; default: detected per file (or the config's [mapping])."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes for large files (default: CPU count)."),
    ]
    for d in reversed(decorators):
        fn = d(fn)
    return fn


SETTING_FLAGS = {"select": "select", "extend_select": "extend-select", "ignore": "ignore", "preview": "preview",
                 "profile": "profile",
                 "max_tokens": "max-tokens", "tokenizer": "tokenizer", "encoding": "encoding",
                 "input_format": "input-format", "fail_on": "fail-on"}
"""The flags that are settings, and their config keys."""


def settings_for(paths: list[Path], config_path: Path | None, **flags):
    """The settings for a run on `paths`: the config file found from the first, then the flags."""
    from sftlint.config import load_settings

    overrides = {key: flags.get(name) for name, key in SETTING_FLAGS.items()}
    start = next((p for p in paths if _resolves(p)), Path.cwd())  # the config is found from a path that exists
    return load_settings(start, config_path, overrides)


def _resolves(p: Path) -> bool:
    try:
        p.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, unreadable, or a symbolic link loop
        return False
    return True


def check_paths(paths) -> tuple[list[Path], list[str]]:
    """The paths that are files, and an error for each that is missing or a folder."""
    good, errors = [], []
    for p in paths:
        try:
            p.resolve(strict=True)
        except RuntimeError:
            errors.append(f"{p}: a loop of symbolic links")
            continue
        except OSError:
            pass  # missing or unreadable: said below
        if not p.exists():
            errors.append(f"{p}: no such file")
        elif p.is_dir():
            errors.append(f"{p}: is a directory; pass data files (e.g. {p}/*.jsonl)")
        elif not p.is_file():  # a pipe or a device would be read forever
            errors.append(f"{p}: not a regular file (a pipe, socket or device); save the data to a file first")
        else:
            good.append(p)
    return good, errors


def output_file(ctx, param, value: Path | None) -> Path | None:
    """`-o/--output FILE`: where the report goes. `-o` once named the output format; a format name
    here is far likelier that habit than a file someone wants to call `json`."""
    if value is not None and str(value) in ("text", "json", "github", "sarif"):
        raise click.BadParameter(f"-o/--output names a file now; for the format use --output-format {value}")
    if value is not None:
        # checked before any work: a report that cannot be written is known at once, not after the lint
        parent = value.parent  # an existing folder is refused by click itself (dir_okay=False)
        if not parent.is_dir():
            raise click.BadParameter(f"{value}: {parent} is not a folder" if parent.exists()
                                     else f"{value}: no folder {parent}")
        if not os.access(value if value.exists() else parent, os.W_OK):
            raise click.BadParameter(f"{value}: permission denied")
    return value


def emit(text: str, output: Path | None) -> None:
    """Print a report, or write it to `output` (a file, as ruff's --output-file)."""
    emit_lines([text], output)


def emit_lines(lines: Iterable[str], output: Path | None) -> None:
    """Print a report line by line as it is made, or write it to `output`; nothing is printed
    for a report without lines (a GitHub report of a clean run)."""
    try:
        if output is None:
            for line in lines:
                click.echo(line)
            return
        with open(output, "w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(line + "\n")
    except OSError as exc:
        fail(f"{output}: cannot write the report: {exc.strerror or exc}")


def duration(seconds: float) -> str:
    from sftlint.progress import duration as fmt

    return fmt(seconds)
