"""The review UI's background lint, as a child process streaming results as JSON lines.

Running the engine in its own process keeps its CPU off the UI's interpreter (keys stay fast
while 100k examples are linted) and lets it fork its worker pool from a single-threaded process.

    python -m sftlint.review.feed PATH [--jobs N]   (settings as JSON on stdin)

Each output line is one of {"t": "r", ...} (a record), {"t": "f", ...} (a finding outside any
record) and, last, {"t": "end", "format": ...}.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

from sftlint.config import RawSettings, Settings
from sftlint.findings import Finding
from sftlint.lint import Engine, FileResult, LateFindings, RecordResult, exit_with_parent


def finding_from(d: dict) -> Finding:
    span = d.get("span")
    return Finding(d["code"], d["severity"], d["message"], d["path"], d.get("line"), d.get("col"),
                   d.get("message_index"), tuple(span) if span else None, d.get("example_id"), d.get("related") or [], d.get("related_lines") or [],
                   d.get("similarity"))


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
                out.write(orjson.dumps(record) + b"\n")
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
