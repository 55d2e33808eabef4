"""The export dialog: choose policy, split, seed, format and folder; see the counts; export."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static
from textual.worker import get_current_worker

from sftlint.escape import displayable


class ExportDialog(ModalScreen[dict | None]):
    """Returns the chosen options (the app then writes the export), or None if cancelled.
    `exporter` is what the CLI gave the app (sftlint.export.Exporter): it counts and writes."""

    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog > Vertical { width: 84; max-width: 98%; height: auto; max-height: 100%; overflow-y: auto;
                              border: thick $accent; padding: 0 2; background: $surface; }
    ExportDialog .row { height: auto; }
    ExportDialog .row Label { width: 14; padding-top: 1; }
    ExportDialog .row Input, ExportDialog .row Select { width: 1fr; }
    ExportDialog #preview { height: auto; min-height: 2; margin-bottom: 1; }
    ExportDialog #buttons { height: auto; align-horizontal: right; }
    ExportDialog Button { margin-left: 2; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, exporter, out: Path) -> None:
        super().__init__()
        self.exporter = exporter
        self.default_out = out

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Export the clean set", style="bold"))
            with Horizontal(classes="row"):
                yield Label("Policy")
                yield Select([(p, p) for p in self.exporter.policies], value="clean", allow_blank=False,
                             id="policy")
            with Horizontal(classes="row"):
                yield Label("Test share")
                yield Input("0.1", placeholder="e.g. 0.1; empty for no test split", id="ratio")
            with Horizontal(classes="row"):
                yield Label("Seed")
                yield Input("0", id="seed", type="integer")
            with Horizontal(classes="row"):
                yield Label("Format")
                yield Select([(f, f) for f in self.exporter.formats], value="jsonl", allow_blank=False,
                             id="format")
            with Horizontal(classes="row"):
                yield Label("Folder")
                yield Input(str(self.default_out), id="out")
            yield Static("", id="preview")
            with Horizontal(id="buttons"):
                yield Button("Preview", id="preview-button")
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.preview()

    def options(self) -> dict:
        ratio = self.query_one("#ratio", Input).value.strip()
        seed = self.query_one("#seed", Input).value.strip() or "0"
        return {"out": self.query_one("#out", Input).value.strip(), "policy": self.query_one("#policy", Select).value,
                "test_ratio": float(ratio) if ratio else None, "seed": int(seed),
                "format": self.query_one("#format", Select).value}

    @on(Button.Pressed, "#preview-button")
    def preview(self) -> None:
        try:
            options = self.options()
        except ValueError as exc:
            self.query_one("#preview", Static).update(Text(f"✗ {exc}", style="bold red"))
            return
        self.query_one("#preview", Static).update(Text("Counting what will be written…", style="dim"))
        self.count(options)

    @work(thread=True, exclusive=True, group="export-preview")
    def count(self, options: dict) -> None:
        worker = get_current_worker()
        try:
            s = self.exporter.summary(options)
            text = Text()
            text.append(f"{s['in']:,} records in → ", style="bold")
            text.append(f"{s['train']:,} train", style="bold green")
            text.append(f", {s['test']:,} test", style="bold cyan")
            text.append(f", {s['dropped']:,} left out")
            if s["dropped_by_reason"]:
                text.append(" (" + ", ".join(f"{k} {v:,}" for k, v in s["dropped_by_reason"].items()) + ")")
            text.append(f"\nto {displayable(options['out'], one_line=True)}/", style="dim")
        except ValueError as exc:
            text = Text(f"✗ {displayable(str(exc), one_line=True)}", style="bold red")
        if not worker.is_cancelled:
            self.app.call_from_thread(self.query_one("#preview", Static).update, text)

    @on(Button.Pressed, "#export")
    def export(self) -> None:
        try:
            self.dismiss(self.options())
        except ValueError as exc:
            self.query_one("#preview", Static).update(Text(f"✗ {exc}", style="bold red"))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
