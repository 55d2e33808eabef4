"""The findings of the current example; highlighting one shows its span in the conversation.

A Line API widget with a fixed height: each finding is wrapped to the width (never cut), and
changing examples repaints it without a layout pass
(an OptionList here cost ~30 ms of relayout per keypress). It never takes focus: the app steps
through findings with tab / shift+tab while the queue keeps focus, because a focus change
restyles the screen and recomposes the footer (~100 ms).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sftlint.catalogue import catalogue
from sftlint.escape import displayable
from sftlint.findings import Finding
from sftlint.review.widgets import set_virtual_size

SEVERITY_STYLE = {"error": Style(bold=True, color="red"), "warning": Style(bold=True, color="yellow"),
                  "info": Style(color="cyan")}


class FindingList(ScrollView, can_focus=False, inherit_bindings=False):
    DEFAULT_CSS = """
    FindingList { height: 7; border-top: solid $primary-background-lighten-2; scrollbar-size-vertical: 1;
                  overflow-y: scroll; overflow-x: hidden; }
    FindingList > .finding-list--cursor { background: $accent 60%; text-style: bold; }
    """
    COMPONENT_CLASSES = {"finding-list--cursor"}

    highlighted: reactive[int | None] = reactive(None, always_update=True)

    @dataclass
    class Selected(Message):
        finding: Finding

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.findings: list[Finding] = []
        self._rows: list[tuple[int, Text]] = []
        """(finding index, one wrapped line) for the current width; a long finding takes several."""
        self._rows_width = -1

    def show(self, findings: list[Finding]) -> None:
        self.findings = findings
        self._rows_width = -1
        self._wrap()
        self.scroll_home(animate=False)
        self.set_reactive(FindingList.highlighted, None)
        self.refresh()

    def _wrap(self) -> None:
        """Each finding as lines of at most the widget's width: code, then the message and fix,
        continuation lines indented under the message."""
        width = self.scrollable_content_region.width
        if width == self._rows_width:
            return
        self._rows_width = width
        rows: list[tuple[int, Text]] = []
        indent = 5  # "S021 "
        console = self.app.console
        for i, f in enumerate(self.findings):
            body = Text()
            if f.message_index is not None:
                body.append(f"messages[{f.message_index}] ", Style(dim=True))
            body.append(displayable(f.message, one_line=True))
            body.append(f"  — {catalogue()[f.code].fix}", Style(dim=True, italic=True))
            lines = body.wrap(console, max(10, width - indent)) if width > indent else [body]
            for k, line in enumerate(lines):
                row = Text()
                row.append(f"{f.code} " if k == 0 else " " * indent, SEVERITY_STYLE[f.severity] if k == 0 else None)
                row.append_text(line)
                rows.append((i, row))
        self._rows = rows
        set_virtual_size(self, Size(max(1, width), max(1, len(rows))))

    def on_resize(self) -> None:
        self._wrap()

    def _first_row(self, index: int) -> tuple[int, int]:
        rows = [r for r, (i, _) in enumerate(self._rows) if i == index]
        return (rows[0], rows[-1]) if rows else (0, 0)

    def watch_highlighted(self, index: int | None) -> None:
        self.refresh()
        if index is not None and 0 <= index < len(self.findings):
            first, last = self._first_row(index)
            top, height = self.scroll_offset.y, max(1, self.scrollable_content_region.height)
            if first < top:
                self.scroll_to(y=first, animate=False)
            elif last >= top + height:
                self.scroll_to(y=min(first, last - height + 1), animate=False)

    def step(self, step: int) -> Finding | None:
        """Highlight the next (or previous) finding, wrapping around, and return it."""
        if not self.findings:
            return None
        current = (-1 if step > 0 else 0) if self.highlighted is None else self.highlighted
        self.highlighted = (current + step) % len(self.findings)
        return self.findings[self.highlighted]

    def on_click(self, event) -> None:
        row = self.scroll_offset.y + event.y
        if 0 <= row < len(self._rows):
            self.highlighted = self._rows[row][0]
            self.post_message(self.Selected(self.findings[self.highlighted]))

    def render_line(self, y: int) -> Strip:
        self._wrap()
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if not self.findings:
            text = "No findings for this example." if y == 0 else ""
            return Strip([Segment(text, base + Style(dim=True))]).adjust_cell_length(width, base)
        if row >= len(self._rows):
            return Strip.blank(width, base)
        index, line = self._rows[row]
        if index == self.highlighted:
            base = base + self.get_component_rich_style("finding-list--cursor")
        segments = [Segment(seg.text, base + seg.style if seg.style else base)
                    for seg in line.render(self.app.console) if seg.text != "\n"]
        return Strip(segments).crop(0, width).adjust_cell_length(width, base)
