"""Make text taken from the data safe to print: no terminal escapes, no control characters."""

from __future__ import annotations

import re

# C0 and C1 controls (ESC starts ANSI/OSC sequences; CSI is U+009B), DEL, and bidi overrides that
# can reorder what a terminal shows.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _show(match: re.Match) -> str:
    ch = match.group()
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(ch) or f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def visible(text: str, one_line: bool = True) -> str:
    """`text` with every control character shown as an escape, e.g. ESC as \\x1b."""
    return (_UNSAFE_ONE_LINE if one_line else _UNSAFE).sub(_show, text)


def _glyph(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # control pictures: ESC -> ␛
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"  # C1 controls and bidi overrides


def displayable(text: str, one_line: bool = False) -> str:
    """`text` for a terminal widget: each control character becomes one visible glyph. Every
    widget of the review UI shows data through this one function (the CLI reports use `visible`).

    Newlines and tabs are kept, unless `one_line` (a list row, a header, a notification): then they
    are glyphs too. One character maps to one character, so finding spans (character offsets into
    the original content) still point at the right place.
    """
    return (_UNSAFE_ONE_LINE if one_line else _UNSAFE).sub(lambda m: _glyph(m.group()), text)
