"""The real pre-commit client runs the hook from this repository (`pre-commit try-repo`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from rule_cases import SYS, A, conv, jl, oks

pytestmark = pytest.mark.slow


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t"})


def pre_commit() -> list[str]:
    exe = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
    assert exe, "pre-commit is a test dependency"
    return [exe]


def try_repo(repo: Path, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*pre_commit(), "try-repo", str(ROOT), "sftlint", "--all-files"], cwd=repo,
                          capture_output=True, text=True, timeout=900,
                          env={**os.environ, "PRE_COMMIT_HOME": str(home), "PIP_DISABLE_PIP_VERSION_CHECK": "1"})


def test_hook_fails_on_bad_data_and_passes_on_good(tmp_path):
    """try-repo installs sftlint from this repository as a wheel, as users get it, then runs the hook."""
    repo = tmp_path / "data-repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "train.jsonl").write_bytes(jl(*oks(9), conv(SYS, A)))
    (repo / "notes.txt").write_text("not data\n")
    git(repo, "add", ".")
    home = tmp_path / "pre-commit-home"
    bad = try_repo(repo, home)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "S021" in bad.stdout and "train.jsonl:10:1" in bad.stdout

    (repo / "train.jsonl").write_bytes(jl(*oks(10)))
    git(repo, "add", ".")
    good = try_repo(repo, home)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
