"""Hostile and huge content at 80x24: no crash, no markup or escape sequence interpreted from data."""

from __future__ import annotations

import time

import pytest

from review_helpers import SYS, A, conv, make_app, ready, write_data

HOSTILE = [
    conv(SYS, ("user", "\x1b[2J\x1b[31mred\x1b[0m \x1b]8;;http://evil\x07click\x1b]8;;\x07 \x1b]0;title\x07 \x9b1m"), A),
    conv(SYS, ("user", "[bold red]not bold[/] [/] [link=http://x]y[/link] [@click=app.quit]q[/]"), A),
    conv(SYS, ("user", "مرحبا بالعالم — שלום עולם \u202eevil\u202c"), ("assistant", "😀👍🏽👨‍👩‍👧 中文字符测试 日本語のテキスト 한국어")),
    conv(SYS, ("user", "long"), ("assistant", ("A 1 MB answer. " * 70_000)[:1_000_000])),
    {"messages": [{"role": "user" if i % 2 == 0 else "assistant", "content": f"turn {i}"} for i in range(10_000)]},
]


@pytest.mark.parametrize("index", range(len(HOSTILE)), ids=["ansi-osc", "markup", "rtl-emoji-cjk", "1mb", "10k-messages"])
async def test_hostile_content_renders_safely(tmp_path, index):
    app = make_app(write_data(tmp_path, [HOSTILE[index]]), order="file")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        started = time.perf_counter()
        app.show_item(0)
        await pilot.pause()
        opened = time.perf_counter() - started
        view = app.conversation
        view.scroll_end(animate=False)
        await pilot.pause()
        view.scroll_home(animate=False)
        await pilot.pause()
        lines = [view.render_line(y).text for y in range(view.size.height)]
        screen = "\n".join(lines)
        assert "\x1b" not in screen and "\x07" not in screen and "\x9b" not in screen
        if index == 0:
            assert "␛[31mred" in screen
        if index == 1:
            assert "[bold red]not bold[/] [/]" in screen
        if index == 2:
            assert "\u202e" not in screen
        assert opened < 5, f"showing the example took {opened:.1f}s"
        assert app.is_running


async def test_huge_message_is_rendered_lazily(tmp_path):
    app = make_app(write_data(tmp_path, [HOSTILE[3]]), order="file")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        view = app.conversation
        assert len(view.units) > 200  # the 1 MB answer is cut into blocks...
        assert len(view.rendered) < 20  # ...and only those on screen were rendered
