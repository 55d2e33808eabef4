"""`sftlint train --gpus N`: the same command again under `accelerate launch`, one process per GPU.

The command line is passed on as the user typed it; the processes `accelerate launch` starts have
RANK set, which is how they know not to launch again.
"""

from __future__ import annotations

import os
import subprocess
import sys


def launched() -> bool:
    """Whether this process was started by a launcher (accelerate, torchrun) as one of several."""
    return "RANK" in os.environ


def relaunch(processes: int, args: list[str]) -> int:
    """Run `sftlint train ARGS` under `accelerate launch` with `processes` processes; its exit code."""
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", str(processes),
           "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no", "-m", "sftlint", "train", *args]
    return subprocess.run(cmd).returncode
