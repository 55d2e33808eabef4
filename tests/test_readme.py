"""The README stays true: its test command is what CI runs, its rule table is the catalogue, and
every console block is executed as a newcomer would type it (conventions in the README's
Development section)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import NO_REALDATA, REALDATA, ROOT
from sftlint.catalogue import builtin_catalogue

README = (ROOT / "README.md").read_text()
NUMBER = r"[-+]?[0-9][0-9,]*\.[0-9]+"


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```sh\n(.+?)\n```", README)
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci == commands[1]


def test_rule_table_lists_every_rule_with_its_status_and_measured_precision():
    rows = {code: (name, status, precision) for code, name, status, precision in
            re.findall(r"^\| ([SDPTBQ]\d{3}) \| ([a-z0-9-]+) \| \w+ \| (\w+) \| ([^|]+) \|", README, flags=re.M)}
    assert rows == {code: (rule.name, rule.status, f"{rule.precision:.2f} ({rule.labelled})" if rule.labelled else "–")
                    for code, rule in builtin_catalogue().items()}


@dataclass
class Command:
    text: str
    shown: list[str] = field(default_factory=list)
    """The output lines the README shows after it."""


@dataclass
class Block:
    line: int
    commands: list[Command]

    @property
    def id(self) -> str:
        return f"line{self.line}-" + re.sub(r"[^a-z0-9]+", "-", self.commands[0].text.split("--")[0].lower())[:40]


def console_blocks() -> list[Block]:
    blocks = []
    for m in re.finditer(r"```console\n(.*?)```", README, re.S):
        commands: list[Command] = []
        for raw in m.group(1).splitlines():
            if raw.startswith("$ "):
                commands.append(Command(raw[2:]))
            elif commands:
                commands[-1].shown.append(raw)
        blocks.append(Block(README[:m.start()].count("\n") + 2, commands))
    return blocks


def matches(expected: str, actual: str) -> bool:
    """One output line: `…` matches anything, a decimal number any number, runs of spaces any
    spacing (columns widen with the numbers in them); the rest exactly."""
    parts = re.split(rf"(…|{NUMBER}|\s+)", expected.strip())
    pattern = "".join(".*" if p == "…" else NUMBER if re.fullmatch(NUMBER, p) else r"\s+" if p.isspace() and p
                      else re.escape(p) for p in parts)
    return re.fullmatch(pattern, actual.strip()) is not None


def check_output(shown: list[str], printed: list[str]) -> str | None:
    """The shown lines in order among the printed ones (`…` alone skips any lines; otherwise the
    lines must follow each other, as the README shows them). None if they do, else why not."""
    shown = [line for line in shown if line.strip() or not line]
    at = 0
    gap = True  # the first shown line may come anywhere
    for want in shown:
        if want.strip() == "…":
            gap = True
            continue
        while at < len(printed) and not matches(want, printed[at]):
            if not gap and want.strip():
                return f"expected {want!r}, got {printed[at]!r}"
            at += 1
        if at == len(printed):
            return f"never printed: {want!r}"
        at += 1
        gap = False
    return None


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """A newcomer's clone: the sample data (with its config), nothing else."""
    work = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "sample_data", work / "sample_data")
    if REALDATA is not None:
        (work / ".realdata").symlink_to(REALDATA)
    return work


def skip_reason(command: str) -> str | None:
    if command.startswith("pip install"):
        return "installs a package: the test environment has it (CI installs it)"
    if command.startswith("sftlint review"):
        return "interactive: the review UI is tested with Textual's Pilot and in tmux"
    if ".realdata/" in command and REALDATA is None:
        return NO_REALDATA
    return None


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.parametrize("block", console_blocks(), ids=lambda b: b.id)
def test_readme_console_block(block: Block, workspace: Path):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "PYTHONUNBUFFERED": "1", "COLUMNS": "100", "HF_HUB_OFFLINE": "1", "NO_COLOR": "1"}
    skipped = [(c.text, why) for c in block.commands if (why := skip_reason(c.text))]
    if skipped and all(why == NO_REALDATA for _, why in skipped):
        pytest.skip(NO_REALDATA)
    previous = None
    ran = 0
    for k, command in enumerate(block.commands):
        if command.text == "echo $?":
            assert previous is not None, f"README line {block.line}: `echo $?` with no command before it"
            assert [str(previous.returncode)] == [line.strip() for line in command.shown], (
                f"README line {block.line}: exit code {previous.returncode}, the README says {command.shown}")
            previous = None
            continue
        if skip_reason(command.text):
            continue
        done = subprocess.run(["bash", "-c", command.text], cwd=workspace, env=env, capture_output=False,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
        ran += 1
        printed = done.stdout.splitlines()
        problem = check_output(command.shown, printed)
        assert problem is None, (f"README line {block.line}: `{command.text}`: {problem}\n--- printed:\n"
                                 + "\n".join(printed[-60:]))
        checked_by_echo = k + 1 < len(block.commands) and block.commands[k + 1].text == "echo $?"
        if not checked_by_echo:
            assert done.returncode == 0, f"README line {block.line}: `{command.text}` exited {done.returncode}:\n" \
                                         + "\n".join(printed[-40:])
        previous = done
    assert ran or skipped, f"README line {block.line}: nothing ran"


def test_output_matching_follows_the_readme_conventions():
    assert matches("eval loss 3.628 -> 3.293; … tokens/s", "eval loss 3.601 -> 3.25; 420 tokens/s")
    assert not matches("218 records in: 177 train", "218 records in: 178 train")  # counts are exact
    assert matches("a  0.123    0.152  +0.029 [-0.024, +0.074]", "a  0.1  0.15  +0.02 [-0.03, +0.07]")
    assert check_output(["x", "…", "z"], ["w", "x", "y", "y", "z"]) is None
    assert check_output(["x", "z"], ["x", "y", "z"]) is not None  # shown together: printed together
    assert check_output(["nope"], ["x"]) == "never printed: 'nope'"
