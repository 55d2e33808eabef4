"""The header line: file, lint progress, review counts, active filter."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widget import Widget

from sftlint.escape import displayable


class ProgressHeader(Widget):
    """One line. `update_counts` repaints it without a layout pass."""

    DEFAULT_CSS = """
    ProgressHeader { height: 1; background: $primary-background; padding: 0 1; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.text = Text()

    def render(self) -> Text:
        return self.text

    def update_counts(self, path: str, counts: dict[str, int], lint_done: bool, fraction: float,
                      filter_text: str, shown: int) -> None:
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(displayable(Path(path).name, one_line=True), style="bold cyan")
        if not lint_done:
            t.append(f" · linting {fraction:.0%}", style="bold yellow")
        reviewed = counts["accepted"] + counts["rejected"]
        t.append(f" · reviewed {reviewed:,}/{counts['total']:,}")
        t.append(f" · ✓ {counts['accepted']:,}", style="green")
        t.append(f" ✗ {counts['rejected']:,}", style="red")
        if counts["skipped"]:
            t.append(f" » {counts['skipped']:,}", style="yellow")
        t.append(f" · {counts['remaining']:,} flagged left", style="bold")
        if counts.get("unreadable"):
            t.append(f" · {counts['unreadable']:,} unreadable", style="bold red")
        if filter_text:
            t.append(f" · filter {displayable(filter_text, one_line=True)} ({shown:,})", style="bold magenta")
        self.text = t
        self.refresh()
