"""`sftlint review`."""

from __future__ import annotations

from pathlib import Path

import click

from sftlint.cli.common import _split_codes, check_paths, data_options, fail, settings_for


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@data_options
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
    from sftlint.lint import TOKEN_CODES, make_counter
    from sftlint.tokens import TokenizerError

    _, errors = check_paths((path,))
    for e in errors:
        fail(e)
    try:
        settings = settings_for([path], config_path, **flags)
        if settings.selected & TOKEN_CODES:
            counter = make_counter(settings)  # fail here, not in the UI, if the tokenizer cannot load
            if hasattr(counter, "load"):
                counter.load()
    except (ConfigError, TokenizerError) as exc:
        fail(str(exc))
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        fail(f"{path}: cannot read: {exc.strerror or exc}")
    from sftlint.export.exporter import Exporter
    from sftlint.review.app import ReviewApp

    journal = journal or default_path(path)
    if (why := _not_a_journal(journal, path)) is not None:
        fail(why)
    app = ReviewApp(path, settings, journal=journal, reviewer=reviewer, order="file" if all_in_order else "flagged",
                    only_flagged=only_flagged, rules=rules or (), jobs=jobs, exporter=Exporter(path, settings, journal))
    app.run()


def _not_a_journal(journal, data) -> str | None:
    """Why `--journal` must not be written to: it is the data file, or a file that holds something
    else (review appends to it)."""
    import orjson

    from sftlint.journal import Entry

    if journal.resolve() == data.resolve():
        return f"--journal {journal}: is the data file; decisions go to a file of their own"
    if not journal.is_file() or journal.stat().st_size == 0:
        return None
    with open(journal, "rb") as fh:
        first = fh.readline(1 << 20)
    try:
        if Entry.from_json(orjson.loads(first)) is not None:
            return None
    except orjson.JSONDecodeError:
        pass
    return f"--journal {journal}: holds something other than review decisions; choose another file"
