"""JSON text of any value the reader accepted: orjson, and the standard library where orjson
stops (nesting deeper than its 254 levels, integers beyond 64 bits, lone surrogates), so a record
that parsed can always be hashed and written back."""

from __future__ import annotations

import json
import sys
from typing import Any

import orjson

DEEPEST = 20_000
"""Recursion limit while the standard library writes a deeply nested value (the reader allows 1,024 levels)."""


def dumps(value: Any, sort_keys: bool = False) -> bytes:
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS if sort_keys else 0)
    except TypeError:  # orjson.JSONEncodeError is one
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, DEEPEST))
        try:
            # ensure_ascii: a lone surrogate is written as its \\u escape, valid JSON text
            return json.dumps(value, sort_keys=sort_keys, separators=(",", ":")).encode("ascii")
        finally:
            sys.setrecursionlimit(limit)
