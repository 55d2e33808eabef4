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
