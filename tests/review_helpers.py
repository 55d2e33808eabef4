"""Shared helpers for the review UI tests."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import orjson

from rule_cases import SYS, A, Q, conv, jl

RECORDS = [
    conv(SYS, ("user", "How do I oil my chain? (0)"), A),
    conv(SYS, A),  # S021 error
    conv(SYS, Q, ("assistant", "   ")),  # S022 error, with a span
    conv(SYS, Q, ("assistant", "Oil it monthly."), ("user", "Thanks!")),  # S020 warning
    conv(SYS, ("user", "Where is your shop? (4)"), ("assistant", "At Oudegracht 12. I hope this helps!")),  # P005 info
    *[conv(SYS, ("user", f"Question number {i} about brakes"), ("assistant", f"Answer {i}: check the pads."))
      for i in range(5, 12)],
]


def write_data(tmp_path: Path, records=RECORDS, name: str = "data.jsonl") -> Path:
    path = tmp_path / name
    path.write_bytes(jl(*records))
    return path


def make_app(path: Path, *, journal: Path | None = None, reviewer: str = "ana", config: dict | None = None, **kw):
    from sftlint.config import load_settings
    from sftlint.export.exporter import Exporter
    from sftlint.journal import default_path
    from sftlint.review.app import ReviewApp

    settings = load_settings(path, None, {"encoding": "cl100k_base", **(config or {})})
    journal = journal or default_path(path)
    return ReviewApp(path, settings, journal=journal, reviewer=reviewer, jobs=1,
                     exporter=Exporter(path, settings, journal), **kw)


async def ready(app, pilot, timeout: float = 30) -> None:
    """Wait until the background lint has filled the queue and the first example is shown."""
    import asyncio
    import time

    await app.workers.wait_for_complete()
    deadline = time.monotonic() + timeout
    while not (app.lint_done and (app.shown_pos is not None or not app.queue.view)):
        assert time.monotonic() < deadline, "the review UI never became ready"
        await pilot.pause()
        await asyncio.sleep(0.01)
    await pilot.pause()


def journal_lines(path: Path) -> list[dict]:
    from sftlint.journal import default_path

    j = default_path(path)
    return [orjson.loads(x) for x in j.read_bytes().splitlines()] if j.exists() else []


def current_line(app) -> int:
    return app.queue.items[app.queue_list.current].line


class Tmux:
    def __init__(self, tmp_path: Path, command: list[str]) -> None:
        assert shutil.which("tmux"), "these tests need tmux (apt-get install tmux)"
        self.name = f"sftlint-{uuid.uuid4().hex[:8]}"
        self.socket = str(tmp_path / "tmux.sock")
        env_cmd = " ".join(["env", "TERM=xterm-256color", "COLORTERM=truecolor", *map(shlex.quote, command)])
        self.tmux("new-session", "-d", "-s", self.name, "-x", "100", "-y", "30", env_cmd)

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True, text=True, check=True).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name)

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", self.name, key)
            time.sleep(0.15)

    def wait_for(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; screen:\n{self.screen()}")

    def pid(self) -> int:
        return int(self.tmux("list-panes", "-t", self.name, "-F", "#{pane_pid}").split()[0])

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True)


__all__ = ["Tmux", "RECORDS", "write_data", "make_app", "ready", "journal_lines", "current_line", "Q", "A", "SYS",
           "conv", "jl"]
