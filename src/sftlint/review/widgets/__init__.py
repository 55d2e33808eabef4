"""Review UI widgets. One widget per module, its CSS beside it."""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widget import Widget


def set_virtual_size(view: ScrollView, size: Size) -> None:
    """Change a Line API widget's scrollable size with a repaint only.

    Assigning `virtual_size` triggers a full layout pass (~30 ms per keypress with this screen);
    these widgets' own sizes come from CSS, never from their content, and their vertical scrollbar
    is always shown (`overflow-y: scroll`), so a repaint plus a scrollbar update is all it needs.
    """
    if view.virtual_size == size:
        return
    view.set_reactive(Widget.virtual_size, size)
    view._scroll_update(size)
    view.refresh()
