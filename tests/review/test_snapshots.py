"""How the review UI looks: SVG snapshots (pytest-textual-snapshot). Update with --snapshot-update and
read the diff before committing."""

from __future__ import annotations

import pytest

from review_helpers import make_app, ready, write_data

SIZE = (100, 30)


def app_for(tmp_path):
    # A fixed folder name: the path is not shown, but keep snapshots independent of tmp names anyway.
    folder = tmp_path / "snap"
    folder.mkdir()
    return make_app(write_data(folder))


def test_main_screen(snap_compare, tmp_path):
    async def settle(pilot):
        await ready(pilot.app, pilot)
        await pilot.pause(0.3)  # let deferred style refreshes (focus) land before the screenshot

    assert snap_compare(app_for(tmp_path), terminal_size=SIZE, run_before=settle)


def test_help_screen(snap_compare, tmp_path):
    async def settle(pilot):
        await ready(pilot.app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app_for(tmp_path), terminal_size=SIZE, run_before=settle)


def test_finding_highlighted(snap_compare, tmp_path):
    async def settle(pilot):
        await ready(pilot.app, pilot)
        await pilot.press("j", "tab")
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(app_for(tmp_path), terminal_size=SIZE, run_before=settle)


def test_duplicate_cluster_side_by_side(snap_compare, tmp_path):
    from review_helpers import RECORDS, SYS, Q, conv

    answer = ("Wipe the chain with a cloth, put one drop of oil on each roller, spin the pedals backwards for a "
              "minute so it gets into the links, then wipe off the excess so it does not collect grit.")
    folder = tmp_path / "snap"
    folder.mkdir()
    app = make_app(write_data(folder, [*RECORDS, conv(SYS, Q, ("assistant", answer)),
                                       conv(SYS, Q, ("assistant", answer.replace("a cloth", "an old rag")))]))

    async def settle(pilot):
        await ready(pilot.app, pilot)
        await pilot.press("f", *"D002", "enter")
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_evaluation_side_by_side(snap_compare, tmp_path):
    """The evaluation screen on a finished run's report: the four metrics, then each held-out
    example's base and adapter answers side by side."""
    import json

    from sftlint.review.screens.evaluate import EvalScreen

    out = tmp_path / "snap" / "adapter"
    out.mkdir(parents=True)
    delta = {"delta": 0.2, "ci95": [0.05, 0.35], "verdict": "better"}
    report = {
        "model_label": "SmolLM2-135M-Instruct", "examples_evaluated": 2, "metric": "rouge-l",
        "accuracy": {"metric": "rouge-l", "base": 0.21, "adapter": 0.41,
                     "held_out_loss": {"base": 3.6, "adapter": 3.26}, "held_out_perplexity": {"base": 36.6, "adapter": 26.0}},
        "format_compliance": {"base": 0.5, "adapter": 1.0, "checks": {}},
        "improvement_over_base": {"accuracy": delta, "format_compliance": {**delta, "delta": 0.5},
                                  "held_out_loss": {"delta": -0.34, "ci95": [-0.39, -0.3], "verdict": "better"}},
        "general_capability_retention": {"text": "pg11.txt", "tokens": 8192, "base_perplexity": 23.86,
                                         "adapter_perplexity": 23.71, "retention": 1.006, "bound": 0.95,
                                         "flagged": False, "verdict": "kept"},
        "examples": [
            {"line": 3, "prompt": "How often should I oil my chain?", "reference": "Every 150-300 km, or after rain.",
             "base_output": "Oil your chain regularly, for example every month, and whenever it squeaks.",
             "adapter_output": "Every 150-300 km, and after riding in the rain.", "base_score": 0.12, "adapter_score": 0.8},
            {"line": 9, "prompt": "Do you service e-bikes?", "reference": "Yes: motors and batteries from Bosch and Shimano.",
             "base_output": "Yes, we service e-bikes of all brands.", "adapter_output": "I am not sure.",
             "base_score": 0.3, "adapter_score": 0.02},
        ],
    }
    from sftlint.evaluate.runner import table

    report["table"] = table(report)  # as `sftlint eval` writes it
    (out / "eval_report.json").write_text(json.dumps(report))
    app = make_app(write_data(tmp_path / "snap"))

    async def settle(pilot):
        await ready(pilot.app, pilot)
        pilot.app.push_screen(EvalScreen(out))
        await pilot.pause()
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=(110, 34), run_before=settle)


def sample_app(tmp_path):
    """The bundled sample data, as a newcomer first reviews it."""
    from conftest import ROOT

    folder = tmp_path / "snap"
    folder.mkdir()
    for name in ("bike_shop.jsonl", "sftlint.toml"):
        (folder / name).write_bytes((ROOT / "sample_data" / name).read_bytes())
    return make_app(folder / "bike_shop.jsonl")


@pytest.mark.parametrize("size", [(130, 40), (80, 24)], ids=["130x40", "80x24"])
@pytest.mark.parametrize("keys", [(), ("f",), ("question_mark",)], ids=["main", "filter", "help"])
def test_sample_data_at_common_terminal_sizes(snap_compare, tmp_path, size, keys):
    """At 130x40 and 80x24: the header counts what lint counts (flagged records, unreadable ones
    apart), the finding under the conversation wraps instead of being cut, the filter prompt is
    shown whole, and wrapped help lines stay in their column."""

    async def settle(pilot):
        await ready(pilot.app, pilot)
        await pilot.press(*keys)
        await pilot.pause()
        await pilot.pause(0.3)

    assert snap_compare(sample_app(tmp_path), terminal_size=size, run_before=settle)
