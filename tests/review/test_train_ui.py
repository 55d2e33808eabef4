"""Training from the review UI: a tiny real run shows progress as it arrives; another is cancelled."""

from __future__ import annotations

import asyncio
import time

import pytest

from conftest import ROOT, run_cli, started_by_the_suite
from review_helpers import make_app, ready

pytestmark = [pytest.mark.model, pytest.mark.slow]


async def wait_until(pilot, condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause()
        await asyncio.sleep(0.2)


async def start_run(app, pilot, form: dict[str, str]):
    await pilot.press("t")
    await pilot.pause()
    dialog = app.screen
    assert type(dialog).__name__ == "TrainDialog"
    for key, value in form.items():
        dialog.query_one(f"#f-{key}").value = value
    await pilot.click("#start")
    await pilot.pause()
    screen = app.screen
    assert type(screen).__name__ == "TrainingScreen"
    return screen


async def test_train_from_the_ui_then_cancel_another_run(tmp_path, smollm2_model_dir, realdata):
    data = tmp_path / "export"
    assert run_cli("export", str(ROOT / "sample_data" / "bike_shop.jsonl"), "-o", str(data), "--split", "test=0.1",
                   "--encoding", "cl100k_base").exit_code == 0
    sample = tmp_path / "bike_shop.jsonl"
    sample.write_bytes((ROOT / "sample_data" / "bike_shop.jsonl").read_bytes())
    app = make_app(sample)
    form = {"model": str(smollm2_model_dir), "data": str(data / "train.jsonl"), "eval": str(data / "test.jsonl"),
            "max_length": "128", "lr": "1e-3", "batch_size": "4", "eval_limit": "2",
            "general": str(realdata / "gutenberg" / "pg11.txt")}
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        run = await start_run(app, pilot, {**form, "out": str(tmp_path / "a1"), "max_steps": "3"})
        await wait_until(pilot, lambda: run.state != "running", 240)
        assert run.state == "finished", run.lines
        assert len(run.losses) == 3 and len(run.eval_losses) == 2
        assert run.report["steps"] == 3
        assert (tmp_path / "a1" / "adapter_model.safetensors").exists()
        assert "finished" in str(run.query_one("#status").render())

        await pilot.press("e")  # evaluate the adapter against its base on the held-out split
        await pilot.pause()
        evaluation = app.screen
        assert type(evaluation).__name__ == "EvalScreen"
        await wait_until(pilot, lambda: evaluation.state != "running", 400)
        assert evaluation.state == "finished", (tmp_path / "a1" / "eval.log").read_text()[-2000:]
        summary = str(evaluation.query_one("#summary").render())
        assert "format compliance" in summary and "general text perplexity" in summary
        assert len(evaluation.query(".example")) == 2 and len(evaluation.query(".pair")) == 2
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is run
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main  # back to reviewing while nothing runs

        run2 = await start_run(app, pilot, {**form, "out": str(tmp_path / "a2"), "max_steps": "500"})
        await wait_until(pilot, lambda: len(run2.losses) >= 1, 240)
        started = time.monotonic()
        await pilot.press("c")
        await pilot.pause()
        assert time.monotonic() - started < 1.0  # the run and everything it started end at once
        assert run2.state == "cancelled"
        assert run2.proc.returncode is not None and run2.proc.returncode != 0
        assert not [p for p in started_by_the_suite() if str(tmp_path / "a2") in " ".join(p.cmdline())]
        assert not (tmp_path / "a2" / "training_report.json").exists()
