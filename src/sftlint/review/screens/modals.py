"""Small modal screens: a one-line prompt, and the key help."""

from __future__ import annotations

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
    Prompt Label { margin-bottom: 1; }
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
        t = Text()
        t.append("sftlint review — keys", style="bold")
        t.append("   (j/k scroll, escape closes)\n\n", style="dim")
        for name, action in ACTIONS.items():
            shown = ", ".join(k.replace("question_mark", "?").replace("slash", "/") for k in self.keys[name].split(","))
            t.append(f"{shown:>14}  ", style="bold cyan")
            t.append(action.description + "\n")
        t.append(f"{'ctrl+p':>14}  ", style="bold cyan")
        t.append("Command palette\n")
        t.append("\nDecisions are written to the journal the moment you press the key.\n"
                 "Rebind keys in [tool.sftlint.review.keys], e.g. accept = \"y\".", style="dim")
        with VerticalScroll():
            yield Static(t)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, step: int) -> None:
        view = self.query_one(VerticalScroll)
        view.scroll_to(y=view.scroll_offset.y + step, animate=False)
