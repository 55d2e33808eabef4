"""Small modal screens: a one-line prompt, and the key help."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from sftlint.review.keys import ACTIONS


class Prompt(ModalScreen[str | None]):
    """Ask for one line of text; Enter returns it, Escape returns None."""

    DEFAULT_CSS = """
    Prompt { align: center middle; }
    Prompt > Vertical { width: 70; max-width: 95%; height: auto; border: thick $accent; padding: 1 2; background: $surface; }
    Prompt Label { width: 100%; margin-bottom: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, placeholder: str = "", value: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.title_text))
            yield Input(value=self.value, placeholder=self.placeholder)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class Help(ModalScreen[None]):
    DEFAULT_CSS = """
    Help { align: center middle; }
    Help > VerticalScroll { width: 80; max-width: 98%; height: auto; max-height: 100%; border: thick $accent;
                            padding: 0 2; background: $surface; }
    """
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close"),
                Binding("j,down", "scroll(1)", show=False), Binding("k,up", "scroll(-1)", show=False)]

    def __init__(self, keys: dict[str, str]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        # a grid, so a description that wraps stays in its column instead of running under the keys
        keys = Table.grid(padding=(0, 2))
        keys.add_column(justify="right", style="bold cyan", no_wrap=True)
        keys.add_column(overflow="fold")
        for name, action in ACTIONS.items():
            shown = ", ".join(k.replace("question_mark", "?").replace("slash", "/") for k in self.keys[name].split(","))
            keys.add_row(shown, action.description)
        keys.add_row("ctrl+p", "Command palette")
        title = Text.assemble(("sftlint review — keys", "bold"), ("   (j/k scroll, escape closes)\n", "dim"))
        footer = Text("\nDecisions are written to the journal the moment you press the key.\n"
                      "Rebind keys in [tool.sftlint.review.keys], e.g. accept = \"y\".", style="dim")
        with VerticalScroll():
            yield Static(Group(title, keys, footer))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, step: int) -> None:
        view = self.query_one(VerticalScroll)
        view.scroll_to(y=view.scroll_offset.y + step, animate=False)
