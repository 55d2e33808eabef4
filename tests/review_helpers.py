"""Shared helpers for the review UI tests."""

from __future__ import annotations

from pathlib import Path

import orjson

from rule_cases import SYS, A, Q, conv, jl

RECORDS = [
    conv(SYS, ("user", "How do I oil my chain? (0)"), A),
    conv(SYS, A),  # S021 error
    conv(SYS, Q, ("assistant", "   ")),  # S022 error, with a span
    conv(SYS, Q, ("assistant", "Oil it monthly."), ("user", "Thanks!")),  # S020 warning
    conv(("user", "Where is your shop? (4)"), ("assistant", "At Oudegracht 12, next to the bridge.")),  # S029 info
    *[conv(SYS, ("user", f"Question number {i} about brakes"), ("assistant", f"Answer {i}: check the pads."))
      for i in range(5, 12)],
]


def write_data(tmp_path: Path, records=RECORDS, name: str = "data.jsonl") -> Path:
    path = tmp_path / name
    path.write_bytes(jl(*records))
    return path


def make_app(path: Path, *, journal: Path | None = None, reviewer: str = "ana", config: dict | None = None, **kw):
    from sftlint.config import load_settings
    from sftlint.review.app import ReviewApp
    from sftlint.review.journal import default_path

    settings = load_settings(path, None, {"encoding": "cl100k_base", **(config or {})})
    return ReviewApp(path, settings, journal=journal or default_path(path), reviewer=reviewer, jobs=1, **kw)


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
    from sftlint.review.journal import default_path

    j = default_path(path)
    return [orjson.loads(x) for x in j.read_bytes().splitlines()] if j.exists() else []


def current_line(app) -> int:
    return app.queue.items[app.queue_list.current].line


__all__ = ["RECORDS", "write_data", "make_app", "ready", "journal_lines", "current_line", "Q", "A", "SYS",
           "conv", "jl"]
