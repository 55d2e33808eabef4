"""The current example, messages rendered by role. Virtualised for huge conversations.

A conversation is cut into units (a role header, blocks of at most BLOCK_CHARS of a message's
text, a spacer). A unit is rendered with Rich only when it scrolls into view, and cached; units
not yet rendered count with an estimated height, corrected when rendered. So a 1 MB message or a
10,000-message conversation opens as fast as a short one. Data text is sanitised and wrapped in
`rich.text.Text`; it is never parsed as markup.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

from rich.markdown import Markdown
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sftlint.escape import displayable
from sftlint.review.display import Shown
from sftlint.review.widgets import set_virtual_size

BLOCK_CHARS = 4000
EAGER_CHARS = 60_000
ROLE_STYLE = {
    "system": "bold magenta",
    "developer": "bold magenta",
    "user": "bold cyan",
    "assistant": "bold green",
    "tool": "bold yellow",
}
HIGHLIGHT = Style(reverse=True, bold=True)


@dataclass(slots=True)
class Unit:
    message_index: int | None
    kind: str  # "header" | "body" | "spacer" | "note" | "reasoning" (its blocks: no finding's span is in them)
    text: str
    start: int = 0
    """Character offset of this block in the message's content."""
    style: str = ""


def _blocks(text: str, markdown: bool) -> list[tuple[int, str]]:
    """Split text into blocks of at most BLOCK_CHARS, at paragraph or line ends where possible."""
    out = []
    start = 0
    n = len(text)
    while start < n:
        end = min(n, start + BLOCK_CHARS)
        if end < n:
            cut = text.rfind("\n\n" if markdown else "\n", start, end)
            if cut > start:
                end = cut + 1
        out.append((start, text[start:end]))
        start = end
    return out or [(0, "")]


class ConversationView(ScrollView, can_focus=False):
    DEFAULT_CSS = """
    ConversationView { height: 1fr; padding: 0 1; scrollbar-size-vertical: 1; overflow-y: scroll; overflow-x: hidden; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.units: list[Unit] = []
        self.heights: list[int] = []
        self.starts: list[int] = []
        self.rendered: dict[int, list[Strip]] = {}
        self.markdown = False
        self.fold_reasoning = True
        """Reasoning shown as one line with its length (a key unfolds it): the answer is what is judged."""
        self.highlight: tuple[int, tuple[int, int] | None] | None = None
        self._width = 0
        self._reflow_pending = False

    # -- content -------------------------------------------------------------------------

    def show(self, messages: list[Shown], note: str | None = None, raw: str | None = None) -> None:
        """Replace what is shown: a conversation, or `raw` text (the example's JSON) instead."""
        units: list[Unit] = []
        if note:  # a journal's note and reviewer name are data someone else wrote: shown, never obeyed
            units.append(Unit(None, "note", displayable(note), style="bold red"))
            units.append(Unit(None, "spacer", ""))
        if raw is not None:
            units += [Unit(None, "body", block, start) for start, block in _blocks(displayable(raw), False)]
        else:
            for i, m in enumerate(messages):
                style = ROLE_STYLE.get(m.role, "bold white on red")
                units.append(Unit(i, "header", f" {displayable(m.role) or '(no role)'} · message {i} ", style=style))
                if m.reasoning is not None:
                    units += self._reasoning_units(i, m.reasoning)
                content = displayable(m.content)
                units += [Unit(i, "body", block, start) for start, block in _blocks(content, self.markdown)]
                if m.extra:
                    units.append(Unit(i, "note", displayable(m.extra), style="dim"))
                units.append(Unit(i, "spacer", ""))
        self.units = units
        self.highlight = None
        self._relayout()
        self.scroll_home(animate=False)

    def _reasoning_units(self, index: int, reasoning: str) -> list[Unit]:
        size = len(reasoning.strip())
        words = len(reasoning.split())
        if self.fold_reasoning or not size:
            label = f"▸ reasoning · {size:,} characters, {words:,} words (z unfolds)" if size else "▸ reasoning · empty"
            return [Unit(index, "note", label, style="dim italic")]
        head = Unit(index, "note", f"▾ reasoning · {size:,} characters, {words:,} words (z folds)", style="dim italic")
        blocks = [Unit(index, "reasoning", block, start, style="italic magenta")
                  for start, block in _blocks(displayable(reasoning), False)]
        return [head, *blocks, Unit(index, "note", "▴ answer", style="dim italic")]

    def set_highlight(self, message_index: int | None, span: tuple[int, int] | None) -> None:
        """Highlight a finding's span (or its whole message) and scroll to it."""
        self.highlight = (message_index, span) if message_index is not None else None
        self.rendered.clear()
        self.refresh()
        if message_index is None:
            return
        target = None
        for u, unit in enumerate(self.units):
            if unit.message_index != message_index:
                continue
            if target is None:
                target = u  # the header
            if span and unit.kind == "body" and unit.start <= span[0] < unit.start + max(1, len(unit.text)):
                target = u
                break
        if target is not None:
            self.scroll_to(y=self.starts[target], animate=False)

    # -- layout ------------------------------------------------------------------------

    def _relayout(self) -> None:
        self.rendered.clear()
        width = self._content_width()
        self._width = width
        total = sum(len(u.text) for u in self.units)
        if total <= EAGER_CHARS:
            self.heights = [len(self._render_unit(i)) for i in range(len(self.units))]
        else:
            self.heights = [self._estimate(u, width) for u in self.units]
        self._prefix()

    def _prefix(self) -> None:
        starts, y = [], 0
        for h in self.heights:
            starts.append(y)
            y += h
        self.starts = starts
        set_virtual_size(self, Size(self._width, y))
        self.refresh()

    def _content_width(self) -> int:
        return max(10, self.scrollable_content_region.width or self.size.width or 80)

    @staticmethod
    def _estimate(unit: Unit, width: int) -> int:
        if unit.kind in ("header", "spacer"):
            return 1
        return sum(max(1, math.ceil(len(line) / width)) for line in unit.text.split("\n"))

    def on_resize(self) -> None:
        if self._content_width() != self._width and self.units:
            self._relayout()

    def _render_unit(self, index: int) -> list[Strip]:
        strips = self.rendered.get(index)
        if strips is not None:
            return strips
        unit = self.units[index]
        width = self._content_width()
        console = self.app.console
        options = console.options.update_width(width)
        if unit.kind == "spacer":
            strips = [Strip.blank(width)]
        elif unit.kind == "header":
            header = Text(unit.text, style=unit.style, no_wrap=True, overflow="ellipsis")
            if self.highlight and self.highlight[0] == unit.message_index and self.highlight[1] is None:
                header.stylize(HIGHLIGHT)
            strips = [Strip(line) for line in console.render_lines(header, options, pad=False)]
        else:
            renderable = self._body(unit)
            strips = [Strip(line) for line in console.render_lines(renderable, options, pad=False)] or [Strip.blank(width)]
        self.rendered[index] = strips
        return strips

    def _body(self, unit: Unit):
        highlight = self.highlight
        span = None
        if highlight and highlight[0] == unit.message_index and highlight[1] is not None and unit.kind == "body":
            a, b = highlight[1]
            lo, hi = max(a, unit.start), min(b, unit.start + len(unit.text))
            if lo < hi or (a == b and unit.start <= a <= unit.start + len(unit.text)):
                span = (lo - unit.start, max(hi, lo + 1) - unit.start)
        if self.markdown and unit.kind == "body" and span is None and unit.message_index is not None:
            return Markdown(unit.text)
        text = Text(unit.text, style=unit.style)
        if span:
            if span[0] >= len(unit.text):  # an empty or whitespace-only span: mark where it is
                text.append("⟨empty⟩", style=HIGHLIGHT)
            else:
                text.stylize(HIGHLIGHT, *span)
        return text

    def render_line(self, y: int) -> Strip:
        width = self._content_width()
        absolute = self.scroll_offset.y + y
        if not self.starts or absolute >= self.starts[-1] + self.heights[-1]:
            return Strip.blank(width, self.rich_style)
        index = bisect.bisect_right(self.starts, absolute) - 1
        strips = self._render_unit(index)
        if len(strips) != self.heights[index]:
            self.heights[index] = len(strips)
            if not self._reflow_pending:
                self._reflow_pending = True
                self.call_after_refresh(self._reflow)
        offset = absolute - self.starts[index]
        base = self.rich_style
        strip = strips[offset] if offset < len(strips) else Strip.blank(width)
        return strip.apply_style(base).adjust_cell_length(width, base)

    def rendered_strips(self) -> list[Strip]:
        """Every line of the current content (renders all units; for tests and screenshots)."""
        return [strip for i in range(len(self.units)) for strip in self._render_unit(i)]

    def _reflow(self) -> None:
        self._reflow_pending = False
        self._prefix()
