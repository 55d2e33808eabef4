"""How the review UI looks: SVG snapshots (pytest-textual-snapshot). Update with --snapshot-update and
read the diff before committing."""

from __future__ import annotations

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
