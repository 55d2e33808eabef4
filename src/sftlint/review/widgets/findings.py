"""The findings of the current example; highlighting one shows its span in the conversation.

A Line API widget with a fixed height: changing examples repaints it without a layout pass
(an OptionList here cost ~30 ms of relayout per keypress). It never takes focus: the app steps
through findings with tab / shift+tab while the queue keeps focus, because a focus change
restyles the screen and recomposes the footer (~100 ms).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sftlint.catalogue import catalogue
from sftlint.escape import visible
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

    def show(self, findings: list[Finding]) -> None:
        self.findings = findings
        set_virtual_size(self, Size(self.size.width, max(1, len(findings))))
        self.scroll_home(animate=False)
        self.set_reactive(FindingList.highlighted, None)
        self.refresh()

    def watch_highlighted(self, index: int | None) -> None:
        self.refresh()
        if index is not None and 0 <= index < len(self.findings):
            top, height = self.scroll_offset.y, max(1, self.scrollable_content_region.height)
            if index < top:
                self.scroll_to(y=index, animate=False)
            elif index >= top + height:
                self.scroll_to(y=index - height + 1, animate=False)

    def step(self, step: int) -> Finding | None:
        """Highlight the next (or previous) finding, wrapping around, and return it."""
        if not self.findings:
            return None
        current = (-1 if step > 0 else 0) if self.highlighted is None else self.highlighted
        self.highlighted = (current + step) % len(self.findings)
        return self.findings[self.highlighted]

    def on_click(self, event) -> None:
        row = self.scroll_offset.y + event.y
        if 0 <= row < len(self.findings):
            self.highlighted = row
            self.post_message(self.Selected(self.findings[row]))

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if not self.findings:
            text = "No findings for this example." if y == 0 else ""
            return Strip([Segment(text, base + Style(dim=True))]).adjust_cell_length(width, base)
        if row >= len(self.findings):
            return Strip.blank(width, base)
        f = self.findings[row]
        if row == self.highlighted:
            base = base + self.get_component_rich_style("finding-list--cursor")
        segments = [Segment(f"{f.code} ", base + SEVERITY_STYLE[f.severity])]
        if f.message_index is not None:
            segments.append(Segment(f"messages[{f.message_index}] ", base + Style(dim=True)))
        segments.append(Segment(visible(f.message), base))
        segments.append(Segment(f"  — {catalogue()[f.code].fix}", base + Style(dim=True, italic=True)))
        return Strip(segments).crop(0, width).adjust_cell_length(width, base)
