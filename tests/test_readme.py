"""The README stays true: its test command is what CI runs, and its rule table is the catalogue."""

from __future__ import annotations

import re

from conftest import ROOT
from sftlint.catalogue import builtin_catalogue

README = (ROOT / "README.md").read_text()


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```sh\n(.+?)\n```", README)
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci == commands[1]


def test_rule_table_lists_every_rule():
    rows = dict(re.findall(r"^\| ([SDPTBQ]\d{3}) \| ([a-z0-9-]+) \|", README, flags=re.M))
    assert rows == {code: rule.name for code, rule in builtin_catalogue().items()}
