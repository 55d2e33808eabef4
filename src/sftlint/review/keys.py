"""The review UI's actions and default keys. Rebind in config: [tool.sftlint.review.keys]."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    name: str
    keys: str
    """Comma-separated Textual key names."""
    description: str
    footer: bool = False
    label: str = ""
    """Short name for the footer."""


ACTIONS: dict[str, Action] = {a.name: a for a in (
    Action("accept", "a", "Accept: keep the example", True, "Accept"),
    Action("reject", "x", "Reject: drop the example", True, "Reject"),
    Action("skip", "s", "Skip: decide later", True, "Skip"),
    Action("undo", "u", "Undo my last decision", True, "Undo"),
    Action("next_flagged", "n", "Next flagged example", True, "Next"),
    Action("prev_flagged", "p", "Previous flagged example"),
    Action("down", "j,down", "Next example"),
    Action("up", "k,up", "Previous example"),
    Action("page_down", "pagedown", "Page down the queue"),
    Action("page_up", "pageup", "Page up the queue"),
    Action("scroll_text_down", "space,ctrl+d", "Scroll the conversation down"),
    Action("scroll_text_up", "b,ctrl+u", "Scroll the conversation up"),
    Action("search", "slash", "Search the text of all examples", True, "Search"),
    Action("filter", "f", "Filter by rule code, severity or status", True, "Filter"),
    Action("clear_filter", "escape", "Clear search and filter"),
    Action("edit", "e", "Edit the example in $EDITOR (stored as a replacement)"),
    Action("note", "c", "Attach a note to the decision"),
    Action("toggle_markdown", "m", "Toggle Markdown rendering"),
    Action("toggle_raw", "r", "Toggle raw JSON"),
    Action("next_finding", "tab", "Show the next finding of this example in the text"),
    Action("prev_finding", "shift+tab", "Show the previous finding"),
    Action("cluster", "g", "Show this example's duplicate cluster side by side, differences highlighted"),
    Action("keep_keeper", "K", "Keep the duplicate cluster's keeper and reject the rest (one key; u undoes it all)"),
    Action("export", "o", "Export the clean set, what was dropped, a test split", True, "Export"),
    Action("train", "t", "Train an adapter on the export (runs as its own process)"),
    Action("help", "question_mark", "Show keys", True, "Help"),
    Action("quit", "q", "Quit (every decision is already saved)", True, "Quit"),
)}


def key_map(overrides: dict[str, str]) -> dict[str, str]:
    """Action -> keys, with the user's overrides applied."""
    return {name: overrides.get(name, action.keys) for name, action in ACTIONS.items()}
