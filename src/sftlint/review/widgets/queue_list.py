"""The queue: one row per example, virtualised (only the rows on screen are rendered)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sftlint.escape import displayable
from sftlint.review.index import Queue
from sftlint.review.widgets import set_virtual_size

STATUS_GLYPH = {"unreviewed": ("·", "dim"), "accepted": ("✓", "bold green"), "rejected": ("✗", "bold red"),
                "skipped": ("»", "yellow")}
SEVERITY_GLYPH = {2: ("E", "bold red"), 1: ("W", "bold yellow"), 0: ("I", "cyan"), -1: (" ", "")}


class QueueList(ScrollView, can_focus=True, inherit_bindings=False):
    DEFAULT_CSS = """
    QueueList {
        width: 42%;
        min-width: 30;
        border-right: solid $primary-background-lighten-2;
        scrollbar-size-vertical: 1;
        overflow-y: scroll;
        overflow-x: hidden;
    }
    QueueList > .queue-list--cursor { background: $accent 40%; text-style: bold; }
    QueueList:focus > .queue-list--cursor { background: $accent 70%; }
    """
    COMPONENT_CLASSES = {"queue-list--cursor"}

    cursor: reactive[int] = reactive(0, always_update=True)

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another example (or the view changed under it)."""

        pos: int | None

    def __init__(self, queue: Queue, **kwargs) -> None:
        super().__init__(**kwargs)
        self.queue = queue

    def refresh_view(self) -> None:
        """The queue's view changed (new items, filter, decisions): resize and repaint."""
        set_virtual_size(self, Size(self.size.width, len(self.queue.view)))
        if self.cursor >= len(self.queue.view):
            self.cursor = max(0, len(self.queue.view) - 1)
        self.refresh()

    @property
    def current(self) -> int | None:
        view = self.queue.view
        return view[self.cursor] if 0 <= self.cursor < len(view) else None

    def watch_cursor(self, old: int, new: int) -> None:
        if self.scroll_to_region_visible(new):
            self.refresh()
        else:  # only the two rows whose highlight changed
            top, width = self.scroll_offset.y, self.size.width
            self.refresh(Region(0, old - top, width, 1), Region(0, new - top, width, 1))
        self.post_message(self.Highlighted(self.current))

    def scroll_to_region_visible(self, row: int) -> bool:
        """Scroll so `row` is visible; True if it scrolled."""
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height or 1
        if row < top:
            self.scroll_to(y=row, animate=False)
            return True
        if row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False)
            return True
        return False

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        view = self.queue.view
        if row >= len(view):
            return Strip.blank(width, self.rich_style)
        item = self.queue.items[view[row]]
        status = self.queue.status(item)
        glyph, gstyle = STATUS_GLYPH[status]
        sev, sstyle = SEVERITY_GLYPH[item.worst]
        codes = ",".join(item.codes[:2]) + ("+" if len(item.codes) > 2 else "")
        tokens = f"{item.tokens:>6,}" if item.tokens is not None else "     -"
        fixed = 2 + 2 + 11 + 8
        preview_width = max(0, width - fixed)
        text = displayable(item.preview or ("(not a readable example)" if item.example_id is None else ""))
        text = text.replace("\n", " ").replace("\t", " ")[:preview_width].ljust(preview_width)
        base = self.rich_style
        if row == self.cursor:
            base = base + self.get_component_rich_style("queue-list--cursor")
        segments = [
            Segment(f"{glyph} ", base + Style.parse(gstyle)),
            Segment(f"{sev} ", base + (Style.parse(sstyle) if sstyle else Style())),
            Segment(f"{codes:<10.10} ", base + Style(dim=status != "unreviewed")),
            Segment(text, base),
            Segment(" " + tokens + " ", base + Style(dim=True)),
        ]
        return Strip(segments).adjust_cell_length(width, base)

    def on_click(self, event) -> None:
        row = self.scroll_offset.y + event.y
        if 0 <= row < len(self.queue.view):
            self.cursor = row
