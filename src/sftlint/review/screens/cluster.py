"""A cluster of duplicates side by side: the keeper on the left, one member on the right, and the
words that differ highlighted in both, so a reviewer sees at a glance what the copies change."""

from __future__ import annotations

import difflib
import re

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static

from sftlint.escape import displayable

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


def word_diff(left: str, right: str) -> tuple[Text, Text]:
    """Both texts with what only one of them has highlighted (deleted red, inserted green)."""
    a, b = _TOKEN.findall(left), _TOKEN.findall(right)
    lt, rt = Text(), Text()
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old, new = displayable("".join(a[i1:i2])), displayable("".join(b[j1:j2]))
        if op == "equal":
            lt.append(old)
            rt.append(new)
        else:
            lt.append(old, style="bold white on dark_red")
            rt.append(new, style="bold black on green")
    return lt, rt


class ClusterScreen(ModalScreen[tuple[str, int] | None]):
    """Members are (label, text); index 0 is the keeper. Dismisses with ("keep", keeper index)
    when the reviewer keeps one and rejects the rest, or None."""

    DEFAULT_CSS = """
    ClusterScreen { align: center middle; }
    ClusterScreen > Vertical { width: 100%; height: 100%; border: thick $accent; background: $surface; }
    ClusterScreen #title { height: 1; padding: 0 1; background: $boost; }
    ClusterScreen Horizontal { height: 1fr; }
    ClusterScreen VerticalScroll { width: 1fr; border: round $primary-background-lighten-2; padding: 0 1; }
    """
    BINDINGS = [
        Binding("right,l,n", "member(1)", "Next member"),
        Binding("left,h,p", "member(-1)", "Previous"),
        Binding("space", "make_keeper", "Keep this one instead"),
        Binding("K,enter", "keep", "Keep keeper, reject rest"),
        Binding("escape,q", "close", "Close"),
    ]

    def __init__(self, members: list[tuple[str, str]]) -> None:
        super().__init__()
        self.members = members
        self.keeper = 0
        self.other = 1 if len(members) > 1 else 0

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(id="title")
            with Horizontal():
                with VerticalScroll(id="left-pane"):
                    yield Static(id="left")
                with VerticalScroll(id="right-pane"):
                    yield Static(id="right")
            yield Footer()

    def on_mount(self) -> None:
        self.refresh_panes()

    def refresh_panes(self) -> None:
        keeper_label, keeper_text = self.members[self.keeper]
        other_label, other_text = self.members[self.other]
        left, right = word_diff(keeper_text, other_text)
        title = Text()
        title.append(f"cluster of {len(self.members)} · ", style="bold")
        title.append("keeper ")
        title.append(keeper_label, style="bold green")
        title.append(" (left) · compared with ")
        title.append(f"{other_label} ({self.other + 1}/{len(self.members)})", style="bold")
        title.append(" (right)")
        self.query_one("#title", Label).update(title)
        self.query_one("#left", Static).update(left)
        self.query_one("#right", Static).update(right)

    def action_member(self, step: int) -> None:
        n = len(self.members)
        if n < 2:
            return
        i = self.other
        for _ in range(n):
            i = (i + step) % n
            if i != self.keeper:
                break
        self.other = i
        self.refresh_panes()

    def action_make_keeper(self) -> None:
        self.keeper, self.other = self.other, self.keeper
        self.refresh_panes()

    def action_keep(self) -> None:
        self.dismiss(("keep", self.keeper))

    def action_close(self) -> None:
        self.dismiss(None)
