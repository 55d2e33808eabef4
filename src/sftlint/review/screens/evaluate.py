"""Evaluate from the review UI: `sftlint eval` on the finished run's adapter and held-out data, as
its own process (the UI stays responsive); then the four metrics, base vs adapter, and every
held-out example's two answers side by side, so a reviewer sees which got better or worse."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from sftlint.escape import displayable


def eval_command(form: dict[str, str]) -> list[str]:
    cmd = [sys.executable, "-m", "sftlint", "eval", "--adapter", form["out"], "--data", form["eval"],
           "--model", form["model"]]
    if form.get("general"):
        cmd += ["--general-text", form["general"]]
    if form.get("eval_limit"):
        cmd += ["--limit", form["eval_limit"]]
    return cmd


class EvalScreen(Screen):
    """Runs (or, with `command` None, shows) one evaluation of an adapter folder."""

    DEFAULT_CSS = """
    EvalScreen { padding: 0 1; }
    EvalScreen #summary { height: auto; margin-bottom: 1; }
    EvalScreen #examples { height: 1fr; }
    EvalScreen .example { height: auto; margin-bottom: 1; border-top: solid $primary-background-lighten-2; }
    EvalScreen .head { height: auto; }
    EvalScreen .pair { height: auto; }
    EvalScreen .pair Static { width: 1fr; height: auto; padding: 0 1; }
    """
    BINDINGS = [Binding("escape", "back", "Back"), Binding("w", "worse_first", "Worse first")]

    def __init__(self, out: Path, command: list[str] | None = None) -> None:
        super().__init__()
        self.out = out
        self.command = command
        self.proc: subprocess.Popen | None = None
        self.state = "running" if command else "finished"
        self.report: dict | None = None
        self.worse_first = False

    def compose(self) -> ComposeResult:
        yield Static(id="summary")
        yield VerticalScroll(id="examples")
        yield Footer()

    def on_mount(self) -> None:
        if self.command:
            self.out.mkdir(parents=True, exist_ok=True)
            with open(self.out / "eval.log", "ab") as log:
                self.proc = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL, start_new_session=True)
            self.set_interval(0.5, self.poll)
        else:
            self.load()
        self.render_summary()

    def poll(self) -> None:
        if self.proc is None or self.state != "running" or self.proc.poll() is None:
            return
        # exit 1 is a verdict (a metric got worse, or general ability was lost), not a failure
        self.state = "finished" if self.proc.returncode in (0, 1) else "failed"
        if self.state == "finished":
            self.load()
        self.render_summary()

    def load(self) -> None:
        self.report = json.loads((self.out / "eval_report.json").read_text())
        self.show_examples()

    def render_summary(self) -> None:
        t = Text()
        if self.state == "running":
            t.append("Evaluating ", style="bold")
            t.append(displayable(str(self.out)), style="cyan")
            t.append(" against its base model on the held-out data… (log: eval.log)", style="dim")
        elif self.state == "failed":
            tail = (self.out / "eval.log").read_text(errors="replace").strip().splitlines()[-1:]
            t.append(f"evaluation failed (exit {self.proc.returncode}): {displayable(tail[0]) if tail else ''}",
                     style="bold red")
        elif self.report is not None:
            r = self.report
            t.append(f"{displayable(r['model_label'])}: base vs adapter on {r['examples_evaluated']} held-out examples\n\n",
                     style="bold")
            t.append(r.get("table", ""))
            ret = r["general_capability_retention"]
            if ret and ret["flagged"]:
                t.append("\n\nThe adapter lost general ability: perplexity on general text rose "
                         f"{ret['adapter_perplexity'] / ret['base_perplexity']:.1f}x.", style="bold red")
        self.query_one("#summary", Static).update(t)

    def show_examples(self) -> None:
        box = self.query_one("#examples", VerticalScroll)
        box.remove_children()
        examples = list(self.report["examples"])
        if self.worse_first:
            examples.sort(key=lambda e: (e["adapter_score"] or 0) - (e["base_score"] or 0))
        for e in examples:
            head = Text()
            head.append(f"line {e['line']}  ", style="bold")
            delta = (e["adapter_score"] or 0) - (e["base_score"] or 0)
            head.append(f"{self.report['metric']} {e['base_score']:.2f} → {e['adapter_score']:.2f} ",
                        style="green" if delta > 0 else "red" if delta < 0 else "")
            head.append(displayable(e["prompt"][:200]).replace("\n", " "), style="dim")
            head.append("\nreference: ", style="bold")
            head.append(displayable(e["reference"][:300]))
            base, ada = Text(), Text()
            base.append("base\n", style="bold")
            base.append(displayable(e["base_output"]) or "(empty)")
            ada.append("adapter\n", style="bold")
            ada.append(displayable(e["adapter_output"]) or "(empty)")
            box.mount(Vertical(Static(head, classes="head"), Horizontal(Static(base), Static(ada), classes="pair"),
                               classes="example"))

    def action_worse_first(self) -> None:
        if self.report is not None:
            self.worse_first = not self.worse_first
            self.show_examples()

    def action_back(self) -> None:
        self.app.pop_screen()
