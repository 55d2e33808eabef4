"""What the long commands (train, eval, lint --model) show while they run.

On a terminal, each phase longer than a moment (loading a model, evaluating, training steps,
generating) gets one rich bar with its count, elapsed time and ETA, and a line when it ends.
Elsewhere (CI logs, a file, the review UI reading a pipe) the same lines are printed plainly, with
a progress line at most every `PLAIN_EVERY_S` seconds while a phase runs. The bars and warnings of
the libraries underneath (transformers, peft, bitsandbytes, torch) are silenced unless the user
asks for them (`--verbose`): they repeat, and they say nothing the user can act on.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import warnings
from collections.abc import Iterator
from typing import Any, TextIO

PLAIN_EVERY_S = 30.0
NOISY_MODULES = ("transformers", "peft", "accelerate", "bitsandbytes", "torch", "datasets", "huggingface_hub",
                 "tokenizers", "gguf", "trl")


def quiet_dependencies(verbose: bool = False) -> None:
    """Silence the warnings, log lines and progress bars of the ML libraries (not with `verbose`)."""
    if verbose:
        return
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    for category in (FutureWarning, UserWarning, DeprecationWarning):
        for module in NOISY_MODULES:
            warnings.filterwarnings("ignore", category=category, module=rf"{module}(\.|$)")
    for name in NOISY_MODULES:
        logging.getLogger(name).setLevel(logging.ERROR)
    with contextlib.suppress(ImportError):
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()


def duration(seconds: float) -> str:
    """12 s, 3 min 05 s, 1 h 02 min."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class Phase:
    """One counted phase; `advance` moves it on, `status` is shown beside the bar."""

    def __init__(self, reporter: Reporter, label: str, total: int | None, unit: str) -> None:
        self.reporter, self.label, self.total, self.unit = reporter, label, total, unit
        self.done = 0
        self.status = ""
        self.started = self.last_line = time.monotonic()
        self.task: Any = None

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def eta(self) -> float | None:
        if not self.total or not self.done:
            return None
        return self.elapsed / self.done * (self.total - self.done)

    def advance(self, n: int = 1, status: str | None = None) -> None:
        self.done += n
        if status is not None:
            self.status = status
        self.reporter._update(self)

    def set_total(self, total: int | None) -> None:
        self.total = total
        self.reporter._update(self)

    def describe(self) -> str:
        """`3/10 steps, 40 s, about 1 min 33 s left` for plain progress lines."""
        count = f"{self.done:,}/{self.total:,}" if self.total else f"{self.done:,}"
        parts = [f"{count} {self.unit}".strip(), duration(self.elapsed)]
        if (eta := self.eta()) is not None:
            parts.append(f"about {duration(eta)} left")
        if self.status:
            parts.append(self.status)
        return ", ".join(parts)


class Reporter:
    """Phases and lines on stderr (or `stream`); `live` forces the terminal or plain mode."""

    def __init__(self, stream: TextIO | None = None, live: bool | None = None) -> None:
        from rich.console import Console

        self.console = Console(file=stream, stderr=stream is None, highlight=False, soft_wrap=True)
        self.live = self.console.is_terminal if live is None else live
        self._bar: Any = None

    def line(self, text: str) -> None:
        """A line of output (above the bar, if one is showing); `text` is plain, never markup."""
        (self._bar.console if self._bar is not None else self.console).print(text, markup=False)

    @contextlib.contextmanager
    def phase(self, label: str, total: int | None = None, unit: str = "") -> Iterator[Phase]:
        phase = Phase(self, label, total, unit)
        if self.live:
            from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            if self._bar is None:
                self._bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), _CountColumn(),
                                     TimeElapsedColumn(), _EtaColumn(), TextColumn("{task.fields[status]}"),
                                     console=self.console, transient=True)
                self._bar.start()
            phase.task = self._bar.add_task(label, total=total, status="")
        try:
            yield phase
        finally:
            if phase.task is not None and self._bar is not None:
                self._bar.remove_task(phase.task)
                if not self._bar.tasks:
                    self._bar.stop()
                    self._bar = None

    def _update(self, phase: Phase) -> None:
        if phase.task is not None and self._bar is not None:
            self._bar.update(phase.task, completed=phase.done, total=phase.total, status=phase.status)
            return
        now = time.monotonic()
        if not self.live and now - phase.last_line >= PLAIN_EVERY_S:
            phase.last_line = now
            self.line(f"  {phase.label}: {phase.describe()}")

    @contextlib.contextmanager
    def loading(self, label: str) -> Iterator[Phase]:
        """A phase for loading a model: the loaders' own bars (transformers' weight loading, GGUF
        de-quantisation) count into it instead of printing their own."""
        with self.phase(label, unit="tensors") as phase, _bridged_bars(phase):
            yield phase


def _count_column():
    from rich.progress import ProgressColumn
    from rich.text import Text

    class CountColumn(ProgressColumn):
        """`3/10 steps`, or nothing while the total is unknown (a model loading)."""

        def render(self, task):
            if task.total is None:
                return Text("")
            return Text(f"{int(task.completed):,}/{int(task.total):,}", style="progress.download")

    return CountColumn()


def _eta_column():
    from rich.progress import ProgressColumn
    from rich.text import Text

    class EtaColumn(ProgressColumn):
        """`eta 1:23`, once there is something to extrapolate from."""

        def render(self, task):
            remaining = task.time_remaining
            if task.total is None or remaining is None:
                return Text("")
            return Text(f"eta {duration(remaining)}", style="progress.remaining")

    return EtaColumn()


_CountColumn, _EtaColumn = _count_column, _eta_column


class _Bar:
    """Enough of tqdm's interface for the loops inside transformers' loaders."""

    def __init__(self, phase: Phase, iterable: Any = None, total: int | None = None, **_: Any) -> None:
        self.phase, self.iterable = phase, iterable
        if total is None and iterable is not None and hasattr(iterable, "__len__"):
            total = len(iterable)
        phase.done = 0
        phase.set_total(total)

    def __iter__(self):
        for item in self.iterable:
            yield item
            self.phase.advance()

    def update(self, n: int = 1) -> None:
        self.phase.advance(n)

    def __enter__(self):
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def close(self) -> None:
        return None

    def set_description(self, *args: Any, **kwargs: Any) -> None:
        return None

    set_postfix = set_description
    refresh = set_description


@contextlib.contextmanager
def _bridged_bars(phase: Phase) -> Iterator[None]:
    """Route transformers' progress bars into `phase` while a model loads."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:
        yield
        return
    patched: list[tuple[Any, Any]] = []
    previous = None
    hook = getattr(hf_logging, "set_tqdm_hook", None)
    if hook is not None:  # transformers >= 5: every logging.tqdm bar goes through the hook
        previous = hook(lambda factory, args, kwargs: _Bar(phase, *args, **kwargs))
    with contextlib.suppress(ImportError):
        # GGUF de-quantisation uses tqdm.auto directly, not transformers' wrapper
        import transformers.modeling_gguf_pytorch_utils as gguf_utils

        if hasattr(gguf_utils, "tqdm"):
            patched.append((gguf_utils, gguf_utils.tqdm))
            gguf_utils.tqdm = lambda *args, **kwargs: _Bar(phase, *args, **kwargs)
    try:
        yield
    finally:
        if hook is not None:
            hook(previous)
        for module, original in patched:
            module.tqdm = original
