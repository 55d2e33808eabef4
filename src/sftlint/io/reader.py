"""Stream examples out of a file with their positions, turning bad input into problems.

Supports JSON Lines (optionally gzip-compressed), a JSON array, a single JSON object and
Parquet. The reader never parses JSON Lines lines itself: it yields raw bytes so parsing can run
in worker processes; arrays and Parquet rows arrive already parsed. Memory is bounded by one
line (JSON Lines, Parquet batches); a JSON array is read whole, as JSON has no other way.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import orjson

BOM = b"\xef\xbb\xbf"
SNIFF_LINES = 20
JSON_WHOLE_FILE_LIMIT = 1 << 30
GZIP_RATIO = 100
"""A .gz file is read up to this many times its size (text datasets compress 3-20x) ..."""
GZIP_FLOOR_BYTES = 64 << 20
"""... or this many bytes, whichever is larger."""


@dataclass(slots=True)
class Record:
    """One example: raw JSON bytes (JSON Lines) or an already parsed value."""

    line: int
    offset: int
    raw: bytes | None = None
    value: Any = None
    last_without_newline: bool = False


@dataclass(slots=True)
class Problem:
    """Something wrong with the file itself, found while reading."""

    code: str
    message: str
    line: int | None = None
    col: int | None = None
    skipped_record: bool = False
    """A record the reader did not read (a line over the size limit): still a record of the file."""


class InputError(Exception):
    """The path cannot be read at all (missing, a directory, permission): a usage error."""


_DIGIT_MARKS = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
"""Every digit as "0" and every other byte as a space: a run of 19 digits is a plain substring
search after one translate, ten times faster than a regex scan of the line."""


def _has_long_number(raw: bytes) -> bool:
    return b"0" * 19 in raw.translate(_DIGIT_MARKS)


def _float_as_written(text: str) -> float | orjson.Fragment:
    value = float(text)
    # JSON numbers have no range: 1e999999 is valid JSON, kept as written rather than as infinity
    return value if math.isfinite(value) else orjson.Fragment(text)


def loads_exact(data: bytes | str) -> Any:
    """JSON read with every number kept as written: integers past 64 bits exactly, numbers past a
    double's range as the text they were (orjson reads the first as a float and refuses the second)."""
    return json.loads(data, parse_float=_float_as_written)


EXACT_DECODER = json.JSONDecoder(parse_float=_float_as_written)


def parse_line(raw: bytes, line: int, last_without_newline: bool) -> tuple[Any, Problem | None]:
    """Parse one JSON Lines line, or say precisely why it is not JSON."""
    try:
        value = orjson.loads(raw)
        if _has_long_number(raw):  # orjson reads an integer past 64 bits as a float: keep it as written
            value = loads_exact(raw)
        return value, None
    except orjson.JSONDecodeError as exc:
        if exc.msg.startswith("number is infinity"):
            try:
                return loads_exact(raw), None
            except (ValueError, RecursionError):
                pass
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as uexc:
            return None, Problem(
                "S002", f"invalid UTF-8 byte 0x{raw[uexc.start]:02x} at byte {uexc.start} of the line", line, uexc.start + 1
            )
        if last_without_newline:
            return None, Problem("S007", f"last line has no newline and does not parse: {exc.msg}", line, exc.colno)
        return None, Problem("S001", f"invalid JSON: {exc.msg} (column {exc.colno})", line, exc.colno)


def _check_path(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory (pass the data files, or use a glob)")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: permission denied")


def read(path: Path, max_line_bytes: int) -> Iterator[Record | Problem]:
    """Every example and every file problem in `path`, in file order."""
    _check_path(path)
    name = path.name.lower()
    if name.endswith(".parquet"):
        yield from _read_parquet(path)
        return
    opener = gzip.open if name.endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            head = fh.read(4096)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        yield Problem("S009", f"file is not a readable gzip file: {exc}", None, None)
        return
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    stripped = head[len(BOM):] if head.startswith(BOM) else head
    first = stripped.lstrip()[:1]
    if head.startswith(BOM):
        yield Problem("S003", "file starts with a UTF-8 byte-order mark", 1, 1)
    if first == b"[":
        yield from _read_json_document(path, opener)
        return
    if first == b"{" and (name.endswith(".json") or name.endswith(".json.gz")):
        if opener is open and path.stat().st_size > max_line_bytes and b"\n{" not in head:
            # one object larger than a record may be: skipped unread, as an over-long line is
            # (a 50 MB value took 2.3 GB to parse)
            yield Problem("S006", f"file is one JSON object of {path.stat().st_size:,} bytes, over the "
                                  f"{max_line_bytes:,}-byte limit; skipped", 1, 1, skipped_record=True)
            return
        single = _try_single_object(path, opener)
        if single is not None:
            yield single
            return
    yield from _read_jsonl(path, opener, max_line_bytes)


def _open_error(path: Path, exc: Exception) -> Problem:
    return Problem("S007", f"file could not be read to the end: {exc}", None, None)


def _try_single_object(path: Path, opener) -> Record | None:
    """A .json file holding one object (e.g. one ShareGPT conversation) is one example."""
    if path.stat().st_size > JSON_WHOLE_FILE_LIMIT:
        return None
    with opener(path, "rb") as fh:
        data = fh.read()
    value, problem = parse_line(data[len(BOM):] if data.startswith(BOM) else data, 1, False)
    if problem is not None:
        return None  # maybe JSON Lines saved as .json; read line by line instead
    return Record(line=1, offset=0, value=value) if isinstance(value, dict) else None


def _read_lines(fh: BinaryIO, max_line_bytes: int, first_line: int = 1, offset: int = 0,
                end: int | None = None) -> Iterator[tuple[int, int, bytes | None, int]]:
    """(line number, offset, bytes or None if too long, length) for each physical line."""
    line_no = first_line - 1
    while end is None or offset < end:
        raw = fh.readline(max_line_bytes + 1)
        if not raw:
            return
        line_no += 1
        length = len(raw)
        if length > max_line_bytes and not raw.endswith(b"\n"):
            # Skip the rest of the line without holding it in memory.
            while raw and not raw.endswith(b"\n"):
                raw = fh.readline(1 << 20)
                length += len(raw)
            yield line_no, offset, None, length
        else:
            yield line_no, offset, raw, length
        offset += length


def _read_jsonl(path: Path, opener, max_line_bytes: int) -> Iterator[Record | Problem]:
    endings = LineEndings()
    seen_any = False
    parsed_any = False
    first_error: Problem | None = None
    sniffed = 0
    pending: list[Record | Problem] = []  # held back until we know the file is JSON at all
    # a gzip file may decompress to far more than any dataset (a few KB of newlines to gigabytes):
    # stop reading past GZIP_RATIO times its size
    limit = max(GZIP_FLOOR_BYTES, GZIP_RATIO * path.stat().st_size) if opener is gzip.open else None
    try:
        with opener(path, "rb") as fh:
            lines = _read_lines(fh, max_line_bytes, end=limit)
            for item in _fold_blank_runs(_line_item(*line, max_line_bytes, endings) for line in lines):
                if sniffed < SNIFF_LINES and not parsed_any:
                    # Decide early whether this is JSON at all, so a CSV or binary file gives one
                    # finding rather than one per line.
                    if isinstance(item, Record):
                        seen_any = True
                        sniffed += 1
                        _, problem = parse_line(item.raw, item.line, item.last_without_newline)
                        if problem is None:
                            parsed_any = True
                        elif first_error is None:
                            first_error = problem
                    pending.append(item)
                    if sniffed >= SNIFF_LINES and not parsed_any:
                        yield _not_json(first_error)
                        return
                    if parsed_any:
                        yield from pending
                        pending.clear()
                    continue
                yield item
            if limit is not None and fh.read(1):
                pending.append(Problem("S006", f"file decompresses to over {GZIP_RATIO}x its size: reading "
                                                f"stopped after {limit:,} bytes", None, None))
    except (OSError, EOFError, zlib.error) as exc:
        yield from pending
        yield _open_error(path, exc)
        return
    if pending:
        if seen_any and not parsed_any and first_error is not None and first_error.code in ("S001", "S002") and sniffed > 1:
            yield _not_json(first_error)
            return
        yield from pending
    crlf = crlf_problem(endings)
    if crlf is not None:
        yield crlf


def _not_json(first_error: Problem | None) -> Problem:
    detail = f" (line {first_error.line}: {first_error.message})" if first_error else ""
    return Problem("S009", f"file is not JSON Lines: no line parses as JSON{detail}", 1, 1)


def _read_json_document(path: Path, opener) -> Iterator[Record | Problem]:
    """A JSON array of examples, streamed element by element with each element's line."""
    if path.stat().st_size > JSON_WHOLE_FILE_LIMIT:
        yield Problem("S006", f"JSON array file is over {JSON_WHOLE_FILE_LIMIT:,} bytes; convert it to JSON Lines", 1, 1)
        return
    try:
        with opener(path, "rb") as fh:
            data = fh.read()
    except (OSError, EOFError, zlib.error) as exc:
        yield _open_error(path, exc)
        return
    if data.startswith(BOM):
        data = data[len(BOM):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        yield Problem("S002", f"invalid UTF-8 byte 0x{data[exc.start]:02x} at byte offset {exc.start}", line, 1)
        return
    decoder = EXACT_DECODER
    ws = " \t\r\n"
    n = len(text)
    idx = text.index("[") + 1
    line = 1 + text.count("\n", 0, idx)
    last = idx
    while True:
        while idx < n and text[idx] in ws:
            idx += 1
        if idx < n and text[idx] == "]":
            return
        line += text.count("\n", last, idx)
        last = idx
        try:
            value, end = decoder.raw_decode(text, idx)
        except json.JSONDecodeError as exc:
            code = "S007" if exc.pos >= n - 1 else "S001"
            yield Problem(code, f"invalid JSON in array: {exc.msg}", exc.lineno, exc.colno)
            return
        except RecursionError:
            yield Problem("S001", "invalid JSON in array: nesting too deep", line, 1)
            return
        yield Record(line=line, offset=idx, value=value)  # offset in characters
        idx = end
        while idx < n and text[idx] in ws:
            idx += 1
        if idx < n and text[idx] == ",":
            idx += 1
            continue
        if idx < n and text[idx] == "]":
            return
        line_at = text.count("\n", 0, idx) + 1
        yield Problem("S007" if idx >= n else "S001", "JSON array is not closed" if idx >= n else "expected ',' or ']' in JSON array", line_at, 1)
        return


def _read_parquet(path: Path) -> Iterator[Record | Problem]:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise InputError(f"{path}: reading Parquet needs pyarrow: pip install 'sftlint[parquet]'") from exc
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        yield Problem("S009", f"file is not a readable Parquet file: {exc}", None, None)
        return
    from sftlint.io.tabular import from_row, is_sftlint_row

    row = 0
    try:
        for batch in pf.iter_batches(batch_size=1024):
            for value in batch.to_pylist():
                row += 1
                # Written by `sftlint export --format parquet`: restore the example exactly.
                yield Record(line=row, offset=row - 1, value=from_row(value) if is_sftlint_row(value) else value)
    except Exception as exc:
        yield Problem("S007", f"Parquet file could not be read past row {row}: {exc}", row + 1, None)


@dataclass(slots=True)
class Chunk:
    """A line-aligned byte range of a JSON Lines file, for a worker to read by itself."""

    path: str
    offset: int
    length: int
    first_line: int
    last: bool


@dataclass(slots=True)
class LineEndings:
    crlf_first: int | None = None
    crlf_count: int = 0


def chunks(path: Path, size: int = 4 << 20) -> Iterator[Chunk]:
    """Split a plain JSON Lines file at newlines into ~`size`-byte ranges, counting lines."""
    total = path.stat().st_size
    offset, line = 0, 1
    with open(path, "rb") as fh:
        while offset < total:
            fh.seek(offset)
            block = fh.read(size)
            cut = block.rfind(b"\n")
            while cut < 0 and offset + len(block) < total:  # a line longer than the block
                more = fh.read(size)
                found = more.find(b"\n")
                if found >= 0:
                    cut = len(block) + found
                block += more[: found + 1] if found >= 0 else more
            length = cut + 1 if cut >= 0 else len(block)
            end = offset + length
            yield Chunk(str(path), offset, length, line, end >= total)
            line += block.count(b"\n", 0, length)
            offset = end


def read_chunk(chunk: Chunk, max_line_bytes: int, endings: LineEndings) -> Iterator[Record | Problem]:
    """Records and line problems of one chunk; file-level checks are the caller's."""
    with open(chunk.path, "rb") as fh:
        fh.seek(chunk.offset)
        yield from _fold_blank_runs(_chunk_items(fh, chunk, max_line_bytes, endings))


def _chunk_items(fh: BinaryIO, chunk: Chunk, max_line_bytes: int, endings: LineEndings) -> Iterator[Record | Problem]:
    for line_no, offset, raw, length in _read_lines(fh, max_line_bytes, chunk.first_line, chunk.offset,
                                                    chunk.offset + chunk.length):
        yield _line_item(line_no, offset, raw, length, max_line_bytes, endings)


def _line_item(line_no: int, offset: int, raw: bytes | None, length: int, max_line_bytes: int,
               endings: LineEndings) -> Record | Problem:
    if raw is None:
        return Problem("S006", f"line is {length:,} bytes, over the {max_line_bytes:,}-byte limit; skipped", line_no, 1,
                       skipped_record=True)
    if line_no == 1 and raw.startswith(BOM):
        raw = raw[len(BOM):]
    if raw.endswith(b"\r\n"):
        endings.crlf_count += 1
        if endings.crlf_first is None:
            endings.crlf_first = line_no
    if not raw.strip():
        return Problem("S005", "blank line", line_no, 1)
    return Record(line_no, offset, raw=raw, last_without_newline=not raw.endswith(b"\n"))


def _fold_blank_runs(items: Iterator[Record | Problem]) -> Iterator[Record | Problem]:
    """One S005 finding per run of blank lines: a file of a million newlines is one finding, not a
    million (2 KB of gzip held 2M findings and 1.4 GB)."""
    first: Problem | None = None
    last = 0
    for item in items:
        if isinstance(item, Problem) and item.code == "S005":
            if first is None:
                first = item
            last = item.line
            continue
        if first is not None:
            yield _blank_run(first, last)
            first = None
        yield item
    if first is not None:
        yield _blank_run(first, last)


def _blank_run(first: Problem, last: int) -> Problem:
    if last == first.line:
        return first
    return Problem("S005", f"{last - first.line + 1:,} blank lines (lines {first.line:,}-{last:,})", first.line, 1)


def crlf_problem(endings: LineEndings) -> Problem | None:
    if endings.crlf_first is None:
        return None
    return Problem("S004", f"{endings.crlf_count:,} line(s) end with CRLF", endings.crlf_first, 1)


def layout(path: Path) -> str:
    """How `read` will read the file: "parquet", "array", "object" or "jsonl" (plain) / "jsonl.gz"."""
    name = path.name.lower()
    if name.endswith(".parquet"):
        return "parquet"
    gz = name.endswith(".gz")
    opener = gzip.open if gz else open
    try:
        with opener(path, "rb") as fh:
            head = fh.read(4096)
    except (OSError, EOFError, zlib.error):
        return "jsonl.gz" if gz else "jsonl"
    first = (head[len(BOM):] if head.startswith(BOM) else head).lstrip()[:1]
    if first == b"[":
        return "array"
    if first == b"{" and (name.endswith(".json") or name.endswith(".json.gz")) and _try_single_object(path, opener):
        return "object"
    return "jsonl.gz" if gz else "jsonl"
