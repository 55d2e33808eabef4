"""Train from the review UI: a dialog to start `sftlint train` as its own process, and a screen
that follows its progress.jsonl (loss plot, eval loss, step, ETA) and can cancel it cleanly.

The run is a separate process in its own session: the UI stays responsive, and a UI crash or
quit does not stop training (cancel does, by signalling the run's process group).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Input, Label, Sparkline, Static

from sftlint.escape import displayable


def train_command(form: dict[str, str], dry_run: bool = False) -> list[str]:
    cmd = [sys.executable, "-m", "sftlint", "train", form["data"], "--model", form["model"], "-o", form["out"]]
    if form.get("eval"):
        cmd += ["--eval", form["eval"]]
    for flag in ("max_steps", "epochs", "lr", "batch_size", "max_length"):
        if form.get(flag):
            cmd += [f"--{flag.replace('_', '-')}", form[flag]]
    if dry_run:
        cmd += ["--dry-run", "--show", "1"]
    return cmd


class TrainDialog(ModalScreen[dict | None]):
    DEFAULT_CSS = """
    TrainDialog { align: center middle; }
    TrainDialog > Vertical { width: 96; max-width: 98%; height: auto; max-height: 100%; border: thick $accent;
                             padding: 0 2; background: $surface; }
    TrainDialog .row { height: 1; margin-bottom: 1; }
    TrainDialog .row Label { width: 14; }
    TrainDialog .row Input { width: 1fr; height: 1; border: none; padding: 0 1; background: $boost; }
    TrainDialog #masks { height: 1fr; min-height: 4; max-height: 14; border: round $primary-background-lighten-2; }
    TrainDialog #buttons { height: auto; align-horizontal: right; }
    TrainDialog Button { margin-left: 2; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "start", "Start")]
    FIELDS = (("model", "Base model"), ("data", "Train data"), ("eval", "Eval data"), ("out", "Output"),
              ("max_steps", "Max steps"), ("epochs", "Epochs"), ("lr", "Learning rate"), ("batch_size", "Batch size"),
              ("max_length", "Max length"), ("general", "General text"), ("eval_limit", "Eval examples"))

    def __init__(self, defaults: dict[str, str]) -> None:
        super().__init__()
        self.defaults = defaults

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Train a LoRA adapter (QLoRA defaults on a GPU, bf16 LoRA on CPU)", style="bold"))
            for key, label in self.FIELDS:
                with Horizontal(classes="row"):
                    yield Label(label)
                    yield Input(self.defaults.get(key, ""), id=f"f-{key}")
            with Horizontal(id="buttons"):
                yield Button("Preview masks", id="preview")
                yield Button("Start (ctrl+s)", variant="primary", id="start")
                yield Button("Cancel", id="cancel")
            with VerticalScroll(id="masks"):
                yield Static(Text("Preview shows the first example with its trained tokens highlighted.", style="dim"),
                             id="mask-text")

    def form(self) -> dict[str, str]:
        return {key: self.query_one(f"#f-{key}", Input).value.strip() for key, _ in self.FIELDS}

    @on(Button.Pressed, "#preview")
    def preview(self) -> None:
        self.query_one("#mask-text", Static).update(Text("Rendering with the model's chat template…", style="dim"))
        self.dry_run(self.form())

    @work(thread=True, exclusive=True, group="train-preview")
    def dry_run(self, form: dict[str, str]) -> None:
        env = {**os.environ, "COLUMNS": "88", "FORCE_COLOR": "1", "TERM": "xterm-256color"}
        try:  # owned by the UI: ended if it quits while the preview renders
            proc = self.app.owned.start(train_command(form, dry_run=True), stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, env=env)
        except RuntimeError:
            return
        stdout, stderr = proc.communicate()
        self.app.owned.end(proc)
        output = stdout if proc.returncode == 0 else (stderr.strip().splitlines() or ["failed"])[-1]
        text = Text.from_ansi(output) if proc.returncode == 0 else Text(displayable(output), style="bold red")
        self.app.call_from_thread(self.query_one("#mask-text", Static).update, text)

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        form = self.form()
        if not form["model"] or not form["data"]:
            self.query_one("#mask-text", Static).update(Text("A base model and train data are needed.", style="red"))
            return
        self.dismiss(form)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class TrainingScreen(Screen):
    """Follows one training run."""

    DEFAULT_CSS = """
    TrainingScreen { padding: 1 2; }
    TrainingScreen #status { height: auto; margin-bottom: 1; }
    TrainingScreen Sparkline { height: 8; margin-bottom: 1; }
    TrainingScreen #log { height: 1fr; border: round $primary-background-lighten-2; }
    """
    BINDINGS = [Binding("c", "cancel_run", "Cancel the run"), Binding("e", "evaluate", "Evaluate vs base"),
                Binding("escape", "back", "Back to review (keeps running)")]

    def __init__(self, form: dict[str, str]) -> None:
        super().__init__()
        self.form = form
        self.out = Path(form["out"])
        self.events = self.out / "progress.jsonl"
        # a run starts its own progress.jsonl (the last run's becomes progress.jsonl.prev): until it
        # has, the file there is the old run's and is not read
        self.stale = self.events.stat().st_ino if self.events.exists() else None
        self.read_at = 0
        self.losses: list[float] = []
        self.eval_losses: list[tuple[int, float]] = []
        self.step = 0
        self.max_steps = 0
        self.started = time.monotonic()
        self.step_times: list[float] = []
        self.state = "starting"
        self.proc: subprocess.Popen | None = None
        self.lines: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        yield Sparkline([], id="loss")
        yield VerticalScroll(Static(id="log-text"), id="log")
        yield Footer()

    def on_mount(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        with open(self.out / "train.log", "ab") as log:  # the child keeps its own copy of the fd
            self.proc = subprocess.Popen(train_command(self.form), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        self.state = "running"
        self.set_interval(0.3, self.poll)
        self.render_status()

    def poll(self) -> None:
        if self.events.exists() and self.events.stat().st_ino != self.stale:
            with open(self.events, "rb") as fh:
                fh.seek(self.read_at)
                data = fh.read()
            complete = data[: data.rfind(b"\n") + 1]
            self.read_at += len(complete)
            for raw in complete.splitlines():
                self.handle(json.loads(raw))
        if self.proc is not None and self.proc.poll() is not None and self.state == "running":
            code = self.proc.returncode
            self.state = "finished" if code == 0 else "failed"
            if code != 0:
                tail = (self.out / "train.log").read_text(errors="replace").strip().splitlines()[-1:]
                self.lines.append(f"failed (exit {code}): {tail[0] if tail else ''}")
        self.render_status()

    def handle(self, event: dict) -> None:
        kind = event.get("event")
        if kind == "step":
            self.step, self.max_steps = event["step"], event.get("max_steps") or self.max_steps
            self.losses.append(event["loss"])
            self.step_times.append(time.monotonic())
            self.query_one(Sparkline).data = list(self.losses)
        elif kind == "eval" and event.get("eval_loss") is not None:
            self.eval_losses.append((event["step"], event["eval_loss"]))
        elif kind == "done":
            self.report = json.loads(Path(event["report"]).read_text())
        self.lines.append(_describe(event))

    def render_status(self) -> None:
        t = Text()
        t.append("Training ", style="bold")
        t.append(displayable(self.form["model"]), style="cyan")
        t.append(f" → {displayable(str(self.out))}\n")
        style = {"running": "bold yellow", "finished": "bold green", "failed": "bold red", "cancelled": "bold red"}
        t.append(self.state, style=style.get(self.state, ""))
        t.append(" ")
        elapsed = time.monotonic() - self.started
        t.append(f"   step {self.step}/{self.max_steps or '?'}   elapsed {elapsed:,.0f} s")
        if len(self.step_times) >= 2 and self.max_steps:
            per = (self.step_times[-1] - self.step_times[0]) / (len(self.step_times) - 1)
            t.append(f"   ETA {per * (self.max_steps - self.step):,.0f} s")
        if self.losses:
            t.append(f"   loss {self.losses[-1]:.4f}")
        if self.eval_losses:
            t.append("   eval loss " + " → ".join(f"{v:.4f}" for _, v in self.eval_losses))
        report = getattr(self, "report", None)
        if report:
            tps = report["tokens_per_second"]
            t.append(f"\n{tps['real']:,.0f} tokens/s ({tps['supervised']:,.0f} supervised), peak memory "
                     f"{report['peak_memory_gib']:.2f} GiB, wall {report['wall_seconds']:.0f} s")
            if self.state == "finished" and self.form.get("eval"):
                t.append("\npress e to evaluate the adapter against its base model on the held-out data",
                         style="bold cyan")
        self.query_one("#status", Static).update(t)
        self.query_one("#log-text", Static).update(Text("\n".join(self.lines[-200:])))

    def action_cancel_run(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            self.state = "cancelled"
            self.lines.append("cancelled: the run was stopped; checkpoints so far are kept (resume with --resume)")
            self.render_status()

    def action_evaluate(self) -> None:
        """`sftlint eval` of the finished adapter on the held-out data (the export's test split)."""
        from sftlint.review.screens.evaluate import EvalScreen, eval_command

        if self.state != "finished":
            self.app.notify("Evaluate when the run has finished.", severity="warning")
            return
        if not self.form.get("eval"):
            self.app.notify("No held-out data: set Eval data (the export's test.jsonl) when starting the run.",
                            severity="warning")
            return
        self.evaluation = EvalScreen(self.out, eval_command(self.form))
        self.app.push_screen(self.evaluation)

    def action_back(self) -> None:
        self.app.pop_screen()


def _describe(event: dict) -> str:
    kind = event.get("event")
    if kind == "step":
        return f"step {event['step']}: loss {event['loss']:.4f}"
    if kind == "eval":
        value = event["eval_loss"]
        return f"eval loss at step {event['step']}: {value:.4f}" if value is not None else "no eval data"
    if kind == "done":
        return f"done: report in {event['report']}"
    return displayable(str(event.get("message") or kind))
