"""Text helpers shared by the per-turn checks: words, digits, masking (a turn's parts are segments.py)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sftlint.schema import Conversation


@lru_cache(maxsize=64)
def lowered(text: str) -> str:
    return text.lower()


def mask(value: str) -> str:
    """A secret or personal value shown without revealing it: its first characters and length."""
    keep = 4 if len(value) > 12 else 1
    return f"{value[:keep]}…({len(value)} chars)"


TERMINAL = frozenset(".!?:;)]}\"'`»”’…>*_|~")
"""Characters a finished answer may end with (punctuation, brackets, quotes, Markdown)."""

_WORD = re.compile(r"\w+")
_LETTERS = re.compile(r"[^\W\d_]+")
_ASCII_NON_WORD = bytes(b if chr(b).isalnum() or b == ord("_") else ord(" ") for b in range(128)) + b" " * 128
_ASCII_NON_LETTER = bytes(b if chr(b).isalpha() else ord(" ") for b in range(128)) + b" " * 128
_ASCII_FOLDED_WORDS = _ASCII_NON_WORD.lower()  # an ASCII text's case folding is its lower case


def words(text: str, letters_only: bool = False) -> list[str] | list[bytes]:
    """The `\\w+` words of a text (runs of letters with `letters_only`). ASCII text (most turns) is
    split as bytes, several times faster than the regex; the words are the same, as bytes, and
    hash the same in WORD_HASHES."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_NON_LETTER if letters_only else _ASCII_NON_WORD).split()
    return (_LETTERS if letters_only else _WORD).findall(text)


def sort_unique(values: np.ndarray) -> np.ndarray:
    """Sorted unique values of a numpy array (np.unique hashes instead of sorting from numpy 2.3,
    slower on the short arrays of one turn)."""
    values, repeated = _sorted(values)
    return values[np.concatenate(([True], ~repeated))] if repeated.any() else values


def has_repeats(values: np.ndarray) -> bool:
    """Whether some value occurs twice."""
    return bool(_sorted(values)[1].any())


def _sorted(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A sorted copy and, for each value after the first, whether it equals the one before."""
    values = values.copy()
    values.sort()  # the method: np.sort's wrapper costs more than the sort on a turn's words
    return values, values[1:] == values[:-1]


_NO_DIGITS = str.maketrans("", "", "0123456789")


def digit_count(text: str) -> int:
    if text.isascii():
        return len(text) - len(text.encode("ascii").translate(None, b"0123456789"))
    return len(text) - len(text.translate(_NO_DIGITS))


class _WordHashes(dict):
    """word -> 64-bit xxHash of its UTF-8 bytes, remembered (natural text repeats its words;
    hashing each is the cost). A word may come as str or as bytes (from `words`): same hash."""

    def __missing__(self, word: str | bytes) -> int:
        import xxhash

        if len(self) > 1_000_000:
            self.clear()
        data = word if isinstance(word, bytes) else word.encode("utf-8", "surrogatepass")
        h = self[word] = xxhash.xxh3_64_intdigest(data)
        return h


WORD_HASHES = _WordHashes()


@lru_cache(maxsize=64)
def folded_words(text: str) -> tuple[list[str] | list[bytes], np.ndarray]:
    """The words of the NFKC-normalised, case-folded text and their WORD_HASHES, as uint64.

    Remembered for the last texts: the repetition rules read an answer's words and the corpus row
    shingles the same answer (its words are most of the cost of both)."""
    if text.isascii():  # NFKC already; one pass folds the case and blanks what is not a word
        found = text.encode("ascii").translate(_ASCII_FOLDED_WORDS).split()
    else:
        found = words(unicodedata.normalize("NFKC", text).casefold())
    return found, np.fromiter(map(WORD_HASHES.__getitem__, found), dtype=np.uint64, count=len(found))


def last_answer(conv: Conversation) -> tuple[int, str] | None:
    """(index, content) of the conversation's last assistant message, None if it has no text."""
    for index in range(len(conv.messages) - 1, -1, -1):
        m = conv.messages[index]
        if m.role == "assistant":
            return (index, m.content) if m.content else None
    return None
