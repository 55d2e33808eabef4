"""What a training run measured, written down: tokens per second, MFU on known GPUs, peak memory,
the loss curve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

BF16_PEAK_FLOPS = {"H200": 989e12, "H100": 989e12, "A100": 312e12, "L40S": 362e12, "A10": 125e12, "4090": 165e12}


def device_peak(torch) -> float | None:
    if not torch.cuda.is_available():
        return None
    name = torch.cuda.get_device_name(0)
    return next((v for k, v in BF16_PEAK_FLOPS.items() if k in name), None)


def rss_gib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def loss_png(report: dict[str, Any], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, ax = plt.subplots(figsize=(6, 3), dpi=100)
    steps = [x["step"] for x in report["train_loss"]]
    ax.plot(steps, [x["loss"] for x in report["train_loss"]], label="train loss")
    evals = [(0, report["eval_loss_before"]), (report["steps"], report["eval_loss_after"])]
    if all(v is not None for _, v in evals):
        ax.plot([s for s, _ in evals], [v for _, v in evals], "o--", label="eval loss")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
