"""The review UI's actions and default keys. Rebind in config: [tool.sftlint.review.keys]."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sftlint.config import register_table


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
    Action("toggle_reasoning", "z", "Fold or unfold answers' reasoning"),
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


def check_table(table: dict[str, Any]) -> dict[str, Any]:
    """[tool.sftlint.review]: `reviewer` (a name) and `keys` (action -> keys); a key may serve one
    action only, the defaults of the actions left alone included."""
    unknown = sorted(set(table) - {"reviewer", "keys"})
    if unknown:
        raise ValueError(f"{', '.join(unknown)}: unknown option (options: keys, reviewer)")
    reviewer = table.get("reviewer")
    if reviewer is not None and (not isinstance(reviewer, str) or not reviewer.strip()):
        raise ValueError(f"reviewer: expected a name, got {reviewer!r}")
    keys = table.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise ValueError("keys: expected a table of action = \"key\"")
    unknown = sorted(set(keys) - set(ACTIONS))
    if unknown:
        raise ValueError(f"keys: unknown action(s) {', '.join(unknown)}; actions: {', '.join(ACTIONS)}")
    empty = [k for k, v in keys.items() if not v.strip()]
    if empty:
        raise ValueError(f"keys: empty key for {', '.join(empty)}")
    bound: dict[str, str] = {}
    for action, spec in key_map(keys).items():
        for key in (k.strip() for k in spec.split(",")):
            if key in bound:
                raise ValueError(f"keys: {key!r} is bound to both {bound[key]} and {action}")
            bound[key] = action
    return {"reviewer": reviewer, "keys": keys}


register_table("review", check_table, "The review UI: reviewer, and [tool.sftlint.review.keys].")
