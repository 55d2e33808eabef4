"""Export: the clean set, what was dropped and why, a leakage-free held-out split.

`plan()` decides where every record goes (plan.py); `write_export()` writes it (writers.py);
`convert()` rewrites another format as OpenAI `messages` (convert.py).
"""

from __future__ import annotations

from sftlint.export.plan import (
    FORMATS,
    POLICIES,
    Candidate,
    ExportError,
    ExportOptions,
    Plan,
    collect,
    plan,
    test_ratio_from_split,
)
from sftlint.export.writers import Staging, write_export

__all__ = ["FORMATS", "POLICIES", "Candidate", "ExportError", "ExportOptions", "Plan", "Staging", "collect", "plan",
           "test_ratio_from_split", "write_export"]
