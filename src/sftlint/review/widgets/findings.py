"""The findings of the current example; highlighting one shows its span in the conversation."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from sftlint.catalogue import catalogue
from sftlint.escape import visible
from sftlint.findings import Finding

SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "cyan"}


class FindingList(OptionList):
    DEFAULT_CSS = """
    FindingList { height: auto; max-height: 9; border-top: solid $primary-background-lighten-2; }
    """

    @dataclass
    class Selected(Message):
        finding: Finding

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.findings: list[Finding] = []

    def show(self, findings: list[Finding]) -> None:
        self.findings = findings
        self.clear_options()
        rules = catalogue()
        options = []
        for i, f in enumerate(findings):
            prompt = Text()
            prompt.append(f"{f.code} ", style=SEVERITY_STYLE[f.severity])
            if f.message_index is not None:
                prompt.append(f"messages[{f.message_index}] ", style="dim")
            prompt.append(visible(f.message))
            prompt.append(f"  — {rules[f.code].fix}", style="dim italic")
            options.append(Option(prompt, id=str(i)))
        if not options:
            options.append(Option(Text("No findings for this example.", style="dim"), disabled=True))
        self.add_options(options)
        if self.has_focus and findings:
            self.highlighted = 0

    def on_focus(self) -> None:
        if self.highlighted is None and self.findings:
            self.highlighted = 0

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Selected(self.findings[int(event.option.id)]))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Selected(self.findings[int(event.option.id)]))
