"""[tool.sftlint.eval]: the defaults of `sftlint eval`, checked when the settings are read."""

from __future__ import annotations

import re
from typing import Any

from sftlint.config import register_table
from sftlint.evaluate.metrics import METRICS

EVAL_KEYS: dict[str, tuple[type, ...]] = {
    "model": (str,), "metric": (str,), "json-keys": (list,), "general-text": (str,), "retention-bound": (int, float),
    "max-new-tokens": (int,), "batch-size": (int,), "format-regex": (str,), "json-schema": (str,),
}


def check_table(table: dict[str, Any]) -> dict[str, Any]:
    for key, value in table.items():
        if key not in EVAL_KEYS:
            raise ValueError(f"{key}: unknown option (options: {', '.join(sorted(EVAL_KEYS))})")
        want = EVAL_KEYS[key]
        if not isinstance(value, want) or isinstance(value, bool):
            raise ValueError(f"{key}: expected {want[0].__name__}, got {value!r}")
        if key == "metric" and value not in METRICS:
            raise ValueError(f"metric: one of {', '.join(METRICS)}; got {value!r}")
        if key == "format-regex":
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"format-regex: not a valid regular expression: {exc}") from exc
        if key == "retention-bound" and not 0 < value <= 2:
            raise ValueError(f"retention-bound: a ratio of perplexities, e.g. 0.95; got {value!r}")
    return table


register_table("eval", check_table, "`sftlint eval` defaults, e.g. metric = \"numeric\"; flags win.")
