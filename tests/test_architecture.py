"""The layers of DESIGN.md are a checked contract (import-linter, configured in pyproject.toml): a
module imports only from the layers below its own, and the stages never import one another."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def lint_imports(src: Path, config: Path) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(src), "PATH": str(Path(sys.executable).parent)}
    return subprocess.run([LINT_IMPORTS, "--config", str(config), "--no-cache"], capture_output=True, text=True,
                          env=env, cwd=config.parent, timeout=120)


def test_every_module_imports_only_from_the_layers_below_it():
    done = lint_imports(ROOT / "src", ROOT / "pyproject.toml")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 kept, 0 broken" in done.stdout


def test_the_contract_catches_an_upward_import_and_a_module_outside_the_layers(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "sftlint", src / "sftlint", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    text = src / "sftlint" / "checks" / "text.py"
    text.write_text(text.read_text() + "\nfrom sftlint.export.options import POLICIES  # noqa\n")
    broken = lint_imports(src, tmp_path / "pyproject.toml")
    assert broken.returncode != 0 and "sftlint.checks.text -> sftlint.export.options" in broken.stdout
    text.write_text(text.read_text().replace("from sftlint.export.options import POLICIES  # noqa\n", ""))
    (src / "sftlint" / "stray.py").write_text("X = 1\n")  # a new module must be placed in a layer
    stray = lint_imports(src, tmp_path / "pyproject.toml")
    assert stray.returncode != 0 and "sftlint.stray" in stray.stdout
