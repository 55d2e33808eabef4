"""The real `sftlint review` binary in a real terminal (tmux): keys in, journal and screen out.

One test SIGKILLs the process mid-review: every decision made before the kill must be in the
journal, and a new session must resume with them.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from review_helpers import Tmux, journal_lines, make_app, ready, write_data

pytestmark = pytest.mark.slow

SFTLINT = str(Path(sys.executable).parent / "sftlint")


def wait_journal(path: Path, n: int, timeout: float = 10) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = journal_lines(path)
        if len(lines) >= n:
            return lines
        time.sleep(0.1)
    return journal_lines(path)


def test_accept_and_reject_in_a_real_terminal(tmp_path):
    path = write_data(tmp_path)
    term = Tmux(tmp_path, [SFTLINT, "review", str(path), "--reviewer", "tmux", "--encoding", "cl100k_base"])
    try:
        term.wait_for("3 flagged left")
        term.keys("a", "x")
        screen = term.wait_for("✓ 1 ✗ 1")
        assert "1 flagged left" in screen
        assert "✓ E S021" in screen and "✗ E S022" in screen
        term.keys("q")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "sftlint" in term.screen():
            time.sleep(0.2)
    finally:
        term.close()
    assert [(x["decision"], x["line"], x["reviewer"]) for x in journal_lines(path)] == [
        ("accept", 2, "tmux"), ("reject", 3, "tmux")]


async def test_sigkill_loses_no_decision_and_resume_shows_them(tmp_path):
    path = write_data(tmp_path)
    term = Tmux(tmp_path, [SFTLINT, "review", str(path), "--reviewer", "kill", "--encoding", "cl100k_base"])
    try:
        term.wait_for("3 flagged left")
        term.keys("x", "a", "s", "j", "x")
        lines = wait_journal(path, 4)
        os.kill(term.pid(), signal.SIGKILL)
    finally:
        term.close()
    decisions = [(x["decision"], x["line"]) for x in journal_lines(path)]
    assert decisions == [("reject", 2), ("accept", 3), ("skip", 4), ("reject", 1)]
    assert lines == journal_lines(path)

    app = make_app(path, reviewer="kill")
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(app, pilot)
        status = {app.queue.items[p].line: app.queue.status(app.queue.items[p]) for p in app.queue.view}
        assert (status[2], status[3], status[4], status[1]) == ("rejected", "accepted", "skipped", "rejected")
        # Resumes at the first example still unreviewed in queue order (line 5, passed over with j).
        assert app.queue.items[app.queue_list.current].line == 5
