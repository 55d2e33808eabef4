"""`sftlint convert`: another format's examples rewritten as OpenAI `messages`, one file out.

Records that are not examples are left out and reported with their findings; the input is only
read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sftlint.config import Settings
from sftlint.export.plan import ExportError, collect
from sftlint.export.writers import Staging, write_parquet
from sftlint.findings import Finding


@dataclass
class Converted:
    out: Path
    converted: int
    records: int
    format: str | None
    left_out: list[Finding]
    """The findings of the records that could not be converted."""
    unconvertible: int


def convert(path: Path, out: Path, settings: Settings, jobs: int | None = None) -> Converted:
    if out.resolve() == path.resolve():
        raise ExportError("--output must not be the input file (inputs are never modified)")
    candidates, inputs = collect([path], settings, jobs=jobs)
    good = [c.record for c in candidates if c.record is not None]
    bad = [c for c in candidates if c.record is None]
    staging = Staging(out.parent if str(out.parent) else Path("."))
    if out.name.endswith(".parquet"):
        write_parquet(staging, out.name, good)
    else:
        staging.write_lines(out.name, good)
    staging.commit()
    return Converted(out, len(good), len(candidates), inputs[0]["format"], [f for c in bad for f in c.findings], len(bad))
