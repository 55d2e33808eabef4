"""The review UI's background lint: a child process streaming results as JSON lines (`main`), and
the UI's side of the pipe (`events`), which knows nothing of Textual.

Running the engine in its own process keeps its CPU off the UI's interpreter (keys stay fast
while 100k examples are linted) and lets it fork its worker pool from a single-threaded process.

    python -m sftlint.review.feed PATH [--jobs N]   (settings as JSON on stdin)

Each output line is one of {"t": "r", ...} (a record), {"t": "f", ...} (a finding outside any
record) and, last, {"t": "end", "format": ...}.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from sftlint.config import RawSettings, Settings
from sftlint.findings import Finding
from sftlint.jsonvalues import dumps
from sftlint.lint import Engine, FileResult, LateFindings, RecordResult, exit_with_parent
from sftlint.review.index import Item


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m sftlint.review.feed")
    ap.add_argument("path", type=Path)
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args(argv)
    exit_with_parent()  # the UI was killed: so is its lint
    raw = RawSettings.model_validate_json(sys.stdin.buffer.read())
    engine = Engine(Settings.resolve(raw), jobs=args.jobs, detail=True, use_journals=False)
    out = sys.stdout.buffer
    result = FileResult(str(args.path))
    try:
        for item in engine.iter_file(args.path, result):
            if isinstance(item, RecordResult):
                s = item.summary
                record = {"t": "r", "line": item.line, "offset": item.offset,
                          "id": s.example_id if s else None, "tokens": s.tokens if s else None,
                          "preview": s.preview if s else ""}
                if item.findings:
                    record["f"] = [f.to_dict() for f in item.findings]
                out.write(dumps(record) + b"\n")
            else:
                for f in item.findings if isinstance(item, LateFindings) else [item]:
                    out.write(orjson.dumps({"t": "f", **f.to_dict()}) + b"\n")
        out.write(orjson.dumps({"t": "end", "format": result.format}) + b"\n")
        out.flush()
    except BrokenPipeError:  # the UI quit before the lint finished
        pass
    finally:
        engine.close()


if __name__ == "__main__":
    main()


@dataclass
class Batch:
    """Records linted since the last batch, and how far into the file the lint is."""

    items: list[Item]
    records: int
    fraction: float


@dataclass
class End:
    format: str | None
    late: list[Finding]
    """Findings about records already sent (the corpus rules'), in one list."""
    file_findings: list[Finding]
    """Findings about the file itself (a BOM, a blank line)."""


def events(lines: Iterable[bytes], size: int, batch_items: int = 5000, batch_seconds: float = 0.25
           ) -> Iterator[Batch | End]:
    """Batches of queue items as the feed's lines arrive (by count or time, whichever first), then
    the end. Stops without an End if the feed stops early (killed, or the UI quit)."""
    import time

    batch: list[Item] = []
    late: list[Finding] = []
    file_findings: list[Finding] = []
    last = time.monotonic()
    pos = 0
    fraction = 0.0
    for line in lines:
        d = orjson.loads(line)
        kind = d.pop("t")
        if kind == "f":
            finding = Finding.from_dict(d)
            (late if finding.example_id and finding.line is not None else file_findings).append(finding)
            continue
        if kind == "end":
            if batch:
                yield Batch(batch, pos, 1.0)
            yield End(d["format"], late, file_findings)
            return
        batch.append(Item(pos, d["line"], d["offset"], d["id"], [Finding.from_dict(f) for f in d.get("f", ())],
                          d["tokens"], d["preview"]))
        pos += 1
        fraction = min(1.0, d["offset"] / max(1, size))
        now = time.monotonic()
        if len(batch) >= batch_items or now - last >= batch_seconds:
            yield Batch(batch, pos, fraction)
            batch, last = [], now
