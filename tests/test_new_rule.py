"""scripts/new_rule.py starts a rule in every place a rule lives, and the result is consistent."""

from __future__ import annotations

import shutil
import subprocess
import sys

from conftest import ROOT

SCRIPT = ROOT / "scripts" / "new_rule.py"


def copy_of_the_project(tmp_path):
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    (tmp_path / "tests").mkdir()
    shutil.copy(ROOT / "tests" / "rule_cases.py", tmp_path / "tests" / "rule_cases.py")
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    return tmp_path


def test_a_new_rule_is_in_the_catalogue_the_checks_the_cases_and_the_readme(tmp_path):
    root = copy_of_the_project(tmp_path)
    done = subprocess.run([sys.executable, str(SCRIPT), "Q099", "unclosed-table", "--summary",
                           "Answer ends inside a Markdown table", "--root", str(root)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    check = (
        "import re, sys; sys.path[:0] = [sys.argv[1] + '/src', sys.argv[1] + '/tests']\n"
        "from sftlint.catalogue import builtin_catalogue\n"
        "from sftlint.checks import load_all\n"
        "from rule_cases import CASES\n"
        "rule = builtin_catalogue()['Q099']\n"
        "assert (rule.name, rule.status, rule.severity, rule.scope) == ('unclosed-table', 'preview', 'warning', 'example')\n"
        "assert 'Q099' in load_all() and 'Q099' in CASES\n"
        "readme = open(sys.argv[1] + '/README.md').read()\n"
        "rows = re.findall(r'^\\| ([SDPTBQ]\\d{3}) \\| ([a-z0-9-]+) \\|', readme, flags=re.M)\n"
        "assert dict(rows) == {c: r.name for c, r in builtin_catalogue().items()}\n"
        "assert [c for c, _ in rows] == sorted(c for c, _ in rows)\n"
        "print('consistent')\n"
    )
    out = subprocess.run([sys.executable, "-c", check, str(root)], capture_output=True, text=True)
    assert out.stdout.strip() == "consistent", out.stderr
    again = subprocess.run([sys.executable, str(SCRIPT), "Q099", "other", "--summary", "x", "--root", str(root)],
                           capture_output=True, text=True)
    assert again.returncode != 0 and "never reused" in again.stderr
