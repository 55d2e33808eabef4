"""What an export can be asked to do: policies, formats, the options, and their checks. Light to
import (the CLI reads its choices from here)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

POLICIES = ("accepted", "clean", "not-rejected")
FORMATS = ("jsonl", "parquet", "hf")
DEDUPE = ("near", "exact")


class ExportError(Exception):
    """The export cannot be done as asked (exit code 2); the message says why."""


@dataclass
class ExportOptions:
    out: Path
    policy: Literal["accepted", "clean", "not-rejected"] = "clean"
    test_ratio: float | None = None
    test_size: int | None = None
    seed: int = 0
    stratify: str | None = None
    format: Literal["jsonl", "parquet", "hf"] = "jsonl"
    push_to_hub: str | None = None
    private: bool = True
    license: str = "other"
    force: bool = False
    """Replace files in the output folder that an earlier export did not write."""
    dedupe: Literal["near", "exact"] = "near"
    """near: leave out exact copies and near-duplicates (D001, D002) other than each cluster's keeper,
    unless accepted in review; exact: only byte-for-byte copies."""

    def __post_init__(self) -> None:
        if self.policy not in POLICIES:
            raise ExportError(f"--policy must be one of {', '.join(POLICIES)}")
        if self.format not in FORMATS:
            raise ExportError(f"--format must be one of {', '.join(FORMATS)}")
        if self.test_ratio is not None and self.test_size is not None:
            raise ExportError("--split and --test-size both set the test size; give one")
        if self.test_ratio is not None and not 0 < self.test_ratio < 1:
            raise ExportError("--split test=R needs 0 < R < 1")
        if self.test_size is not None and self.test_size < 1:
            raise ExportError("--test-size must be at least 1")
        if self.stratify not in (None, "system"):
            raise ExportError("--stratify accepts only 'system'")

    @property
    def splitting(self) -> bool:
        return self.test_ratio is not None or self.test_size is not None


def test_ratio_from_split(text: str) -> float:
    """`--split test=0.1` -> 0.1"""
    m = re.fullmatch(r"\s*test\s*=\s*([0-9.]+)\s*", text)
    if not m:
        raise ExportError(f"--split expects test=RATIO, e.g. test=0.1 (got {text!r})")
    return float(m.group(1))
