"""The `sftlint` command: parse arguments, call one stage, print, exit.

One module per command group (lint, review, export and convert, train and eval, stats, and the
information commands); what they share is in common.py. Exit codes follow ruff: 0 no finding at
or above --fail-on, 1 findings, 2 usage, config or I/O error. Heavy libraries are imported inside
the commands that need them, so `sftlint lint` on a small file starts fast.
"""

from __future__ import annotations

import os
import sys
import traceback

import click

# Each stage's table of settings ([tool.sftlint.review], .train, .eval) is checked when any command
# reads the config: the stages register their checks here, before anything is read.
import sftlint.evaluate.options
import sftlint.review.keys
import sftlint.train.config  # noqa: F401
from sftlint import __version__
from sftlint.cli.export import convert, export
from sftlint.cli.info import profiles, rules, show_config
from sftlint.cli.lint import lint
from sftlint.cli.review import review
from sftlint.cli.stats import stats
from sftlint.cli.train import eval_command, train


class Sftlint(click.Group):
    def invoke(self, ctx: click.Context):
        """A failure of sftlint itself exits 2, never 1 (which means findings), and says it is a bug."""
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # the reader went away (`| head`): nothing more to say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except Exception as exc:
            if os.environ.get("SFTLINT_TRACEBACK"):
                traceback.print_exc()
            click.echo(f"sftlint: internal error: {type(exc).__name__}: {str(exc)[:300]} (a bug in sftlint: please "
                       "report it with the command; SFTLINT_TRACEBACK=1 shows where)", err=True)
            sys.exit(2)


@click.group(cls=Sftlint, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sftlint")
def main() -> None:
    """Lint, review and export chat fine-tuning data before you spend GPU hours on it."""


for command in (lint, review, export, convert, train, eval_command, stats, rules, profiles, show_config):
    main.add_command(command)

__all__ = ["main"]
