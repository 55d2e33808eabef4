"""Every key path of `sftlint review`, driven with Textual's Pilot, checked against files and state."""

from __future__ import annotations

import stat
import sys

import orjson
import pytest

from review_helpers import (
    RECORDS,
    SYS,
    A,
    Q,
    conv,
    current_line,
    journal_lines,
    make_app,
    ready,
    write_data,
)
from rule_cases import eid

SIZE = (100, 30)


async def test_opens_on_the_worst_flagged_example_first(tmp_path):
    app = make_app(write_data(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        order = [app.queue.items[p].line for p in app.queue.view]
        assert order[:4] == [2, 3, 4, 5]  # errors in file order, then the warning, then the info
        assert len(order) == len(RECORDS)
        assert current_line(app) == 2
        assert [f.code for f in app.findings_list.findings] == ["S021"]


async def test_accept_reject_skip_are_journaled_before_the_cursor_moves(tmp_path):
    path = write_data(tmp_path)
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("a")
        assert journal_lines(path)[-1]["decision"] == "accept"
        assert current_line(app) == 3
        await pilot.press("x", "s")
        await pilot.pause()
    lines = journal_lines(path)
    assert [(x["line"], x["decision"], x["reviewer"], x["codes"]) for x in lines] == [
        (2, "accept", "ana", ["S021"]), (3, "reject", "ana", ["S022"]), (4, "skip", "ana", ["S020"])]
    assert lines[0]["id"] == eid(RECORDS[1])


async def test_undo_within_a_session_and_after_a_restart(tmp_path):
    path = write_data(tmp_path)
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("a", "x", "x")
        await pilot.press("u")
        await pilot.pause()
        assert current_line(app) == 4  # back on the example whose decision was undone
        assert app.queue.status(app.queue.items[app.queue_list.current]) == "unreviewed"
    again = make_app(path)
    async with again.run_test(size=SIZE) as pilot:
        await ready(again, pilot)
        assert current_line(again) == 4  # resumes at the first example still to review
        await pilot.press("u")
        await pilot.pause()
        assert current_line(again) == 3
        await pilot.press("u", "u")
        await pilot.pause()
    assert [x["decision"] for x in journal_lines(path)] == ["accept", "reject", "reject", "undo", "undo", "undo"]
    from sftlint.journal import Journal, default_path

    assert Journal(default_path(path)).decisions() == {}


async def test_resume_shows_earlier_decisions(tmp_path):
    path = write_data(tmp_path)
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("x", "a")
    again = make_app(path)
    async with again.run_test(size=SIZE) as pilot:
        await ready(again, pilot)
        statuses = [again.queue.status(again.queue.items[p]) for p in again.queue.view[:3]]
        assert statuses == ["rejected", "accepted", "unreviewed"]
        assert again.queue.counts()["accepted"] == 1 and again.queue.counts()["rejected"] == 1


async def test_moving_with_j_k_and_flagged_with_n_p(tmp_path):
    app = make_app(write_data(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("j", "j")
        assert current_line(app) == 4
        await pilot.press("k")
        assert current_line(app) == 3
        await pilot.press("n", "n")  # 4, then no more flagged: line 5 has only a note, which flags nothing
        assert current_line(app) == 4
        await pilot.press("j")
        assert current_line(app) == 5  # notes come after warnings, before examples without findings
        await pilot.press("j")
        assert current_line(app) == 1  # first without findings
        await pilot.press("p")
        assert current_line(app) == 4
        await pilot.press("down", "up", "pagedown")
        assert current_line(app) == app.queue.items[app.queue.view[-1]].line


async def test_filter_by_code_severity_and_status_then_clear(tmp_path):
    app = make_app(write_data(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("x")
        await pilot.press("f")
        await pilot.press(*"S02", "enter")
        await pilot.pause()
        assert sorted(app.queue.items[p].line for p in app.queue.view) == [2, 3, 4]
        await pilot.press("f", *["backspace"] * 3, *"P005", "enter")
        await pilot.pause()
        assert sorted(app.queue.items[p].line for p in app.queue.view) == [5]
        await pilot.press("f", *["backspace"] * 4, *"warning", "enter")
        await pilot.pause()
        assert sorted(app.queue.items[p].line for p in app.queue.view) == [2, 3, 4]
        await pilot.press("f", *["backspace"] * 10, *"rejected", "enter")
        await pilot.pause()
        assert [app.queue.items[p].line for p in app.queue.view] == [2]
        await pilot.press("f", *["backspace"] * 10, *"nonsense", "enter")
        await pilot.pause()
        assert [app.queue.items[p].line for p in app.queue.view] == [2]  # bad filter: told, nothing changes
        await pilot.press("escape")
        await pilot.pause()
        assert len(app.queue.view) == len(RECORDS)


async def test_search_finds_text_even_when_escaped_in_json(tmp_path):
    records = [*RECORDS, conv(SYS, ("user", 'He said "pump it" café\nnow'), A)]
    app = make_app(write_data(tmp_path, records))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("slash", *"brakes", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert sorted(app.queue.items[p].line for p in app.queue.view) == list(range(6, 13))
        await pilot.press("slash", *["backspace"] * 6, *'"pump it" CAF', "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [app.queue.items[p].line for p in app.queue.view] == [13]
        assert "filter" in str(app.screen.query_one("#progress").render())
        await pilot.press("escape")
        await pilot.pause()
        assert len(app.queue.view) == len(records)


async def test_edit_stores_a_replacement_and_never_touches_the_file(tmp_path, monkeypatch):
    path = write_data(tmp_path)
    before = path.read_bytes()
    editor = tmp_path / "editor.py"
    editor.write_text("import json, sys\np = sys.argv[1]\nd = json.load(open(p))\n"
                      "d['messages'].insert(1, {'role': 'user', 'content': 'Any tips?'})\n"
                      "json.dump(d, open(p, 'w'))\n")
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        assert app.findings_list.findings == []  # the edited version has no user-less turn any more
        assert [m.role for m in app.conversation_messages] == ["system", "user", "assistant"]
    entry = journal_lines(path)[-1]
    assert entry["decision"] == "accept" and entry["line"] == 2
    assert entry["replacement"]["messages"][1] == {"role": "user", "content": "Any tips?"}
    assert path.read_bytes() == before


async def test_edit_with_invalid_json_saves_nothing(tmp_path, monkeypatch):
    path = write_data(tmp_path)
    monkeypatch.setenv("VISUAL", f"{sys.executable} -c \"import sys; open(sys.argv[1], 'w').write('{{oops')\"")
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("e")
        await pilot.pause()
    assert journal_lines(path) == []


async def test_note_is_attached_to_the_decision(tmp_path):
    path = write_data(tmp_path)
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("c", *"no question", "enter", "x")
        await pilot.press("k", "c", *"second look", "enter")
        await pilot.pause()
    lines = journal_lines(path)
    assert [(x["decision"], x.get("note")) for x in lines] == [("reject", "no question"), ("reject", "second look")]


async def test_markdown_and_raw_toggles(tmp_path):
    records = [conv(SYS, A), conv(SYS, Q, ("assistant", "**Bold** and `code`\n\n- item"))]
    app = make_app(write_data(tmp_path, records))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("j", "m")
        await pilot.pause()
        assert app.conversation.markdown
        text = "\n".join(s.text for s in app.conversation.rendered_strips())
        assert "**Bold**" not in text and "Bold" in text and "•" in text
        await pilot.press("r")
        await pilot.pause()
        text = "\n".join(s.text for s in app.conversation.rendered_strips())
        assert '"role": "assistant"' in text
        await pilot.press("r", "m")
        await pilot.pause()
        assert "**Bold**" in "\n".join(s.text for s in app.conversation.rendered_strips())


async def test_selecting_a_finding_highlights_its_span(tmp_path):
    app = make_app(write_data(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("j", "tab")
        await pilot.pause()
        await pilot.pause()
        assert app.conversation.highlight == (2, (0, 3))
        text = "\n".join(s.text for s in app.conversation.rendered_strips())
        assert "assistant · message 2" in text


async def test_help_and_command_palette(tmp_path):
    path = write_data(tmp_path)
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "Help"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+p", *"Reject", "enter")
        await pilot.pause()
        await pilot.pause()
    assert [x["decision"] for x in journal_lines(path)] == ["reject"]


async def test_quit_key_exits(tmp_path):
    app = make_app(write_data(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_keys_can_be_rebound_in_config(tmp_path):
    path = write_data(tmp_path)
    (tmp_path / "sftlint.toml").write_text('[review]\nreviewer = "cfg"\n[review.keys]\naccept = "y"\nreject = "n"\n'
                                           'next_flagged = "N"\n')
    app = make_app(path, reviewer=None)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("a", "y", "n")
        await pilot.pause()
    assert [(x["decision"], x["reviewer"]) for x in journal_lines(path)] == [("accept", "cfg"), ("reject", "cfg")]


@pytest.mark.parametrize("kwargs, lines", [
    ({"only_flagged": True}, [2, 3, 4]),  # line 5 has only a note: it is not flagged
    ({"rules": ["S022"]}, [3]),
    ({"order": "file"}, list(range(1, 13))),
])
async def test_queue_options(tmp_path, kwargs, lines):
    app = make_app(write_data(tmp_path), **kwargs)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert [app.queue.items[p].line for p in app.queue.view] == lines


async def test_unreadable_records_are_listed_but_not_decidable(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_bytes(b'{"messages": [}\n' + b"\n".join(__import__("orjson").dumps(r) for r in RECORDS) + b"\n")
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert current_line(app) == 1
        await pilot.press("a")
        await pilot.pause()
        assert journal_lines(path) == []
        text = "\n".join(s.text for s in app.conversation.rendered_strips())
        assert "Cannot show as a conversation" in text


async def test_shown_example_follows_the_cursor_as_results_stream_in(tmp_path):
    """The first result can be a clean example that flagged ones later sort above: the UI must then
    show the example under the cursor, not the one that arrived first."""
    app = make_app(write_data(tmp_path))
    app.batch_items = 1
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert current_line(app) == 2
        assert app.shown_pos == app.queue_list.current
        assert [f.code for f in app.findings_list.findings] == ["S021"]


async def test_scroll_keys_and_stepping_back_through_findings(tmp_path):
    long_answer = "\n".join(f"Step {i}: tighten the bolt a quarter turn." for i in range(80))
    records = [conv(SYS, ("user", "How?"), ("assistant", long_answer), ("user", "ok")),  # S020
               conv(SYS, ("bot", "hi"), ("assistant", "x"))]  # S015 and S021
    app = make_app(write_data(tmp_path, records), order="file")
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("space")
        assert app.conversation.scroll_offset.y > 0
        await pilot.press("b")
        assert app.conversation.scroll_offset.y == 0
        await pilot.press("j", "shift+tab")
        assert app.findings_list.highlighted == len(app.findings_list.findings) - 1
        await pilot.press("tab")
        assert app.findings_list.highlighted == 0
        at = next(i for i, f in enumerate(app.findings_list.findings) if f.code == "S015")
        await pilot.press(*["tab"] * at)
        assert app.conversation.highlight[0] == 1  # the message with the role `bot`


async def test_export_from_the_ui_writes_what_the_cli_writes(tmp_path):
    import hashlib

    from conftest import run_cli

    path = write_data(tmp_path)
    app = make_app(path)
    async with app.run_test(size=(110, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("x", "a")  # decisions the export must honour
        await pilot.press("o")
        await pilot.pause()
        dialog = app.screen
        assert type(dialog).__name__ == "ExportDialog"
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "records in" in str(dialog.query_one("#preview").render())
        dialog.query_one("#ratio").value = "0.25"
        dialog.query_one("#seed").value = "5"
        dialog.query_one("#out").value = str(tmp_path / "ui-out")
        await pilot.click("#export")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.last_export
    cli = run_cli("export", str(path), "-o", str(tmp_path / "cli-out"), "--split", "test=0.25", "--seed", "5",
                  "--encoding", "cl100k_base")
    assert cli.exit_code == 0, cli.output

    def digests(folder):
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}

    ui, expected = digests(tmp_path / "ui-out"), digests(tmp_path / "cli-out")
    assert set(ui) == {"train.jsonl", "test.jsonl", "rejected.jsonl", "manifest.json", "README.md", "token_lengths.png"}
    assert ui == expected
    rejected = [orjson.loads(x) for x in (tmp_path / "ui-out" / "rejected.jsonl").read_bytes().splitlines()]
    assert [r["line"] for r in rejected if r["reason"] == "rejected"] == [2]


async def test_duplicate_cluster_side_by_side_then_keep_one_and_undo(tmp_path):
    from sftlint.review.screens.cluster import ClusterScreen

    long_answer = ("Wipe the chain with a cloth, put one drop of oil on each roller, spin the pedals backwards for a "
                   "minute so it gets into the links, then wipe off the excess so it does not collect grit.")
    records = [*RECORDS, conv(SYS, Q, ("assistant", long_answer)),
               conv(SYS, Q, ("assistant", long_answer.replace("cloth", "rag"))),
               conv(SYS, Q, ("assistant", long_answer.replace("grit", "dirt")))]
    path = write_data(tmp_path, records)
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("f", *"D002", "enter")
        await pilot.pause()
        assert sorted(app.queue.items[p].line for p in app.queue.view) == [14, 15]  # line 13 is the keeper
        await pilot.press("g")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ClusterScreen) and len(screen.members) == 3
        assert screen.members[0][0] == "line 13"
        left = screen.query_one("#left").render()
        assert any("cloth" in left.plain[s.start:s.end] for s in left.spans)  # the changed word is marked
        await pilot.press("K")
        await pilot.pause()
        decisions = {(x["line"], x["decision"]) for x in journal_lines(path)}
        assert decisions == {(13, "accept"), (14, "reject"), (15, "reject")}
        await pilot.press("u")
        await pilot.pause()
        assert [x["decision"] for x in journal_lines(path)][-3:] == ["undo"] * 3


async def test_reasoning_is_folded_with_its_length_and_a_key_unfolds_it(tmp_path):
    reasoning = "Pads 18 plus fitting 10: 18 + 10 = 28 euros."
    record = conv(SYS, Q, ("assistant", {"content": "You pay 26 euros.", "reasoning_content": reasoning}))
    app = make_app(write_data(tmp_path, records=[record]), config={"profile": "hf", "preview": True})
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)

        def screen() -> str:
            return "\n".join(strip.text for strip in app.conversation.rendered_strips())

        folded = screen()
        assert f"▸ reasoning · {len(reasoning)} characters, 11 words (z unfolds)" in folded
        assert reasoning not in folded and "You pay 26 euros." in folded
        await pilot.press("z")
        await pilot.pause()
        unfolded = screen()
        assert reasoning in unfolded and "▾ reasoning" in unfolded and "You pay 26 euros." in unfolded
        assert [f.code for f in app.findings_list.findings] == ["Q011"]
        await pilot.press("z")
        await pilot.pause()
        assert reasoning not in screen()
