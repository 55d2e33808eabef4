"""`sftlint lint` stays fast as a pre-commit hook: no heavy library on the lint path."""

from __future__ import annotations

import subprocess
import sys

from rule_cases import jl, oks


def test_lint_imports_no_heavy_library(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(jl(*oks(10)))
    code = (
        "import sys, runpy\n"
        "sys.argv = ['sftlint', 'lint', 'a.jsonl', '--encoding', 'cl100k_base']\n"
        "try:\n"
        "    runpy.run_module('sftlint', run_name='__main__')\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0, e.code\n"
        "heavy = sorted(m for m in ('torch', 'transformers', 'pyarrow', 'datasets', 'peft', 'scipy', 'datasketch', 'rich', 'textual')"
        " if m in sys.modules)\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr
