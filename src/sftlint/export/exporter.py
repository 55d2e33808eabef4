"""Export as the review UI offers it, handed to the app by the CLI."""

from __future__ import annotations

from pathlib import Path

from sftlint.export.options import FORMATS, POLICIES, ExportError, ExportOptions
from sftlint.export.plan import plan
from sftlint.export.writers import write_export


class Exporter:
    """Export as the review UI offers it: options as a plain dict (policy, test_ratio, seed,
    format, out), for one data file with its journal. The CLI hands one to the review app, so the
    review stage never imports this one."""

    policies = POLICIES
    formats = FORMATS

    def __init__(self, data, settings, journal) -> None:
        self.data, self.settings, self.journal = data, settings, journal

    def _options(self, chosen: dict) -> ExportOptions:
        return ExportOptions(out=Path(chosen["out"]).expanduser(), policy=chosen["policy"],
                             test_ratio=chosen.get("test_ratio"), seed=int(chosen.get("seed", 0)),
                             format=chosen["format"])

    def summary(self, chosen: dict) -> dict:
        """What an export would write (counts in, train, test, left out by reason); raises
        ValueError with the reason when it cannot be done."""
        try:
            return plan([self.data], self.settings, self._options(chosen), self.journal, jobs=1).summary()
        except ExportError as exc:
            raise ValueError(str(exc)) from exc

    def write(self, chosen: dict) -> tuple[dict, list]:
        """Write it: (the summary, the paths written)."""
        try:
            result = plan([self.data], self.settings, self._options(chosen), self.journal, jobs=1)
            return result.summary(), write_export(result)
        except ExportError as exc:
            raise ValueError(str(exc)) from exc
