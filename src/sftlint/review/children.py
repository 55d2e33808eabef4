"""The processes the review UI starts and owns (the background lint, the training preview).

Each runs in its own session, so it and everything it forks (the lint's worker processes) form one
process group that the UI ends with one signal when it quits, is closed, or is told to stop
(SIGTERM, SIGHUP). Training and evaluation runs started from the UI are not owned: they keep
running when the UI quits (their screens cancel them explicitly).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from typing import Any


class Children:
    def __init__(self) -> None:
        self._procs: set[subprocess.Popen] = set()
        self._lock = threading.Lock()
        self.closed = False

    def start(self, cmd: list[str], **kwargs: Any) -> subprocess.Popen:
        """Popen in a new session; refused once the UI is closing (a thread may still ask)."""
        with self._lock:
            if self.closed:
                raise RuntimeError("the review UI is closing")
            proc = subprocess.Popen(cmd, start_new_session=True, **kwargs)
            self._procs.add(proc)
        return proc

    def end(self, proc: subprocess.Popen) -> None:
        """Kill the process's whole group (it leads it) and reap it."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=2)
        with self._lock:
            self._procs.discard(proc)

    def end_all(self) -> None:
        with self._lock:
            self.closed = True
            procs = list(self._procs)
        for proc in procs:
            self.end(proc)
