"""Quit means quit: `sftlint review` exits at once while its background lint still runs, and leaves
no process behind (the lint, its worker processes), whether it is told with `q`, SIGTERM or SIGHUP."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import psutil
import pytest

from conftest import started_by_the_suite
from review_helpers import Tmux, make_app

pytestmark = pytest.mark.slow

SFTLINT = str(Path(sys.executable).parent / "sftlint")


def big_file(tmp_path: Path, n: int = 60_000) -> Path:
    """Enough examples (over the size that makes lint use worker processes) that the background
    lint runs for many seconds on two cores."""
    import random

    rng = random.Random(0)
    words = [f"w{i}" for i in range(3000)]
    path = tmp_path / "big.jsonl"
    with open(path, "w") as fh:
        for i in range(n):
            answer = " ".join(rng.choice(words) for _ in range(60))
            fh.write(f'{{"messages": [{{"role": "user", "content": "question {i} {rng.choice(words)}?"}}, '
                     f'{{"role": "assistant", "content": "{answer}."}}]}}\n')
    return path


def lint_processes() -> list[psutil.Process]:
    """Processes of the suite that are part of a review (the app, its lint and the lint's workers)."""
    out = []
    for proc in started_by_the_suite():
        try:
            if "sftlint" in " ".join(proc.cmdline()) and "tmux" not in proc.name():
                out.append(proc)
        except psutil.Error:
            continue
    return out


def wait_gone(timeout: float) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while (left := lint_processes()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


async def test_q_while_the_lint_runs_exits_at_once_and_ends_the_lint_and_its_workers(tmp_path):
    app = make_app(big_file(tmp_path))
    app.jobs = 2
    async with app.run_test(size=(100, 30)) as pilot:
        deadline = time.monotonic() + 60
        while not (app.queue.items and app.feed is not None):
            assert time.monotonic() < deadline
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)
        workers = psutil.Process(app.feed.pid).children()
        assert not app.lint_done and len(workers) == 2  # the lint and its two workers are busy
        started = time.monotonic()
        await pilot.press("q")
    assert time.monotonic() - started < 1.0
    assert wait_gone(0.5) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_the_real_binary_exits_within_a_second_of_sigterm_or_sighup_and_leaves_nothing(tmp_path, sig):
    term = Tmux(tmp_path, [SFTLINT, "review", str(big_file(tmp_path)), "--encoding", "cl100k_base", "--jobs", "2"])
    try:
        term.wait_for("linting", timeout=60)
        time.sleep(1.0)
        pid = term.pid()
        assert len(lint_processes()) == 4  # the UI, its lint, two workers
        started = time.monotonic()
        os.kill(pid, sig)
        while psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() - started < 1.0, f"still running 1 s after {sig.name}"
            time.sleep(0.02)
        assert wait_gone(0.5) == []
    finally:
        term.close()
