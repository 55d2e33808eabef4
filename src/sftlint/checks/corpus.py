"""The corpus row: what each example leaves behind for the checks over the whole file.

Each example contributes one compact row while the file streams past (about 150 bytes whatever
its length): hashes of its normalised keys, LSH band hashes, its answer's length and style, its
prompt's template. Rows are stacked in chunks (until then a row holds its texts' word hashes, of
which the chunk's bands are computed at once); the duplicate rules (duplicates.py), the dataset
outliers (outliers.py) and the fixed-length cut (truncation.py) read the table at the end.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sftlint.checks.minhash import BANDS, EMPTY, bands, exact_hash, h64, shingles_of
from sftlint.checks.text import folded_words
from sftlint.schema import Conversation

KEYS = ("conversation", "prompt", "response", "full")
SALIENT = "salient"
"""A fetch key of its own: the numbers and names of the prompt (`salient`), not shingles of a text."""

def key_text(conv: Conversation, key: str) -> str:
    """What a rule compares: the conversation without its system prompt (default), the prompt
    (every turn before the last assistant answer), the answers, or everything."""
    turns, with_role = _key_turns(conv, key)
    if isinstance(turns, str):
        return turns
    return "\n".join(f"{m.role}: {_said(m)}" if with_role else _said(m) for m in turns)


def key_shingles(conv: Conversation, key: str) -> np.ndarray:
    """`shingles(key_text(conv, key))`."""
    return shingles_of(key_words(conv, key))


def key_words(conv: Conversation, key: str) -> np.ndarray:
    """The word hashes of `key_text(conv, key)`, from the words of each turn (remembered: the
    repetition rules have read the answers' words already); the parts of the key text are
    joined by non-word characters, so its words are theirs in turn."""
    turns, with_role = _key_turns(conv, key)
    if isinstance(turns, str):
        return folded_words(turns)[1]
    parts = []
    for m in turns:
        if with_role:
            parts.append(f"{m.role}")
        if m.reasoning:
            parts.append(m.reasoning)
        parts.append(m.content or "")
    return np.concatenate([folded_words(p)[1] for p in parts]) if parts else EMPTY


def _key_turns(conv: Conversation, key: str) -> tuple[list | str, bool]:
    """The turns a key reads and whether their roles are part of it (or the key's one text)."""
    msgs = conv.messages
    last = max((i for i, m in enumerate(msgs) if m.role == "assistant"), default=len(msgs))
    if key == "asked":  # internal: the user turn the last answer replies to
        return next((m.content or "" for m in reversed(msgs[:last]) if m.role == "user"), ""), False
    if key == "answer":  # internal: the last answer
        return _last_answer(conv), False
    if key == "prompt":
        return [m for m in msgs[:last] if not m.is_system], True
    if key == "response":
        return [m for m in msgs if m.role == "assistant"], False
    if key == "full":
        return list(msgs), True
    return [m for m in msgs if not m.is_system], True


def _said(m) -> str:
    """A turn's text with its reasoning: two examples that reach one answer by different
    reasoning are two examples (sampled traces), not duplicates."""
    return f"{m.reasoning}\n{m.content or ''}" if m.reasoning else (m.content or "")


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<=[\w,;:)] )[A-Z][\w-]*")  # capitalised, not the first word of a sentence or line


def salient(conv: Conversation) -> np.ndarray:
    """The numbers and names in the user turns, as sorted unique hashes: what makes two prompts
    built from one template (784 or 1225, London or Los Angeles, IBM or OpenAI) different questions."""
    text = "\n".join(m.content or "" for m in conv.messages if m.role == "user")
    found = {h64(t) for t in _NUMBER.findall(text)} | {h64(t.casefold()) for t in _NAME.findall(text)}
    return np.array(sorted(found), dtype=np.uint64)


# One example's row: what the corpus checks keep of it (~140 bytes; +64 with --against).
FIELDS = [("line", np.int64), ("offset", np.int64), ("eid", np.uint64), ("findings", np.uint16),
          ("exact", np.uint64), ("length", np.uint32), ("context", np.uint64), ("answer", np.uint64),
          ("answer_chars", np.uint32), ("prompt_chars", np.uint32), ("style", np.uint16), ("skeleton", np.uint64),
          ("reasoning_state", np.uint8), ("reasoning_chars", np.uint32), ("near", np.uint32, (BANDS,))]
ROW = np.dtype(FIELDS)
ROW_LEAK = np.dtype([*FIELDS, ("leak", np.uint32, (BANDS,)), ("leak_answer", np.uint32, (BANDS,))])
LEAK_ANSWER_CHARS = 40
"""An answer this long or longer is compared with the held-out answers too (D005): shorter ones
("Yes", "Paris") are shared by unrelated examples."""
REASONING_CODES = frozenset({"S037", "S038", "P007"})
Row = tuple
"""A record of ROW or ROW_LEAK as a plain tuple until rows are stacked; until then its band
fields hold the word hashes of their texts (None: no text), made bands by `with_bands`."""
_BANDED = len(FIELDS) - 1  # the band fields are the last ones


def _last_answer(conv: Conversation) -> str:
    for m in reversed(conv.messages):
        if m.role == "assistant":
            return m.content or ""
    return ""


def _context(conv: Conversation) -> str:
    msgs = conv.messages
    last = max((i for i, m in enumerate(msgs) if m.role == "assistant"), default=len(msgs))
    return "\n".join(f"{m.role}: {m.content or ''}" for m in msgs[:last])


_NO_BANDS = np.zeros(BANDS, dtype=np.uint32)


def make_row(conv: Conversation, line: int, offset: int, eid: str, findings: int, options: dict[str, dict[str, Any]],
             active: frozenset[str]) -> Row:
    """The example's row; each part is computed only when a selected rule reads it."""
    # here, not at the top: importing a check module registers its checks, and their order is
    # the order of an example's findings (load_all's)
    from sftlint.checks.reasoning import NO_ANSWER, reasoning_state

    near_key = options["D002"]["key"]
    exact = length = 0
    near = None
    if active & {"D001", "D002"}:
        near_text = key_text(conv, near_key)
        exact_key = options["D001"]["key"]
        exact, length = exact_hash(near_text)
        if exact_key != near_key:
            exact = exact_hash(key_text(conv, exact_key))[0]
        if "D002" in active:
            near = key_words(conv, near_key)
    answer = _last_answer(conv)
    # Without any user text there is no prompt to compare (a broken example): no D003/D004 group.
    asked = any(m.role == "user" and (m.content or "").strip() for m in conv.messages)
    context = (exact_hash(_context(conv))[0] if active & {"D003", "D004"} else 1) if asked else 0
    users = [m.content for m in conv.messages if m.role == "user" and m.content]
    style = template = 0
    if active & {"Q002", "Q009", "Q010"}:
        from sftlint.checks.outliers import skeleton, style_bits  # (outliers reads the table this module makes)

        style = style_bits(answer) if answer.strip() and active & {"Q002", "Q009"} else 0
        template = h64(skeleton(users[0])) if users and "Q010" in active else 0
    state, reasoned = reasoning_state(conv) if active & REASONING_CODES else (NO_ANSWER, 0)
    answer_hash = exact_hash(answer)[0] if active & {"D003", "D004", "Q002"} else 0
    row = (line, offset, int(eid, 16), min(findings, 65535), exact, length, context,
           answer_hash, len(answer.strip()), len(users[-1]) if users else 0, style, template,
           state, min(reasoned, 0xFFFFFFFF), near)
    if "D005" in active:
        leak_key = options["D005"]["key"]
        leak = near if leak_key == near_key and "D002" in active else key_words(conv, leak_key)
        # a split made after augmenting the prompts ("Customer asked: …") leaks its answers
        said = len(answer.strip()) >= LEAK_ANSWER_CHARS
        row = (*row, leak, key_words(conv, "answer") if said else None)
    return row


def stack(rows: list[Row], leak: bool) -> np.ndarray:
    """Rows as one structured array (what workers send back, and what the corpus keeps)."""
    return np.array(with_bands(rows), dtype=ROW_LEAK if leak else ROW)


def with_bands(rows: list[Row]) -> list[Row]:
    """The rows with their texts' LSH bands in place of the texts' words, computed for all the
    rows at once (a chunk's worth: one text's bands cost a dozen numpy calls). Rows banded
    already are kept as they are."""
    texts: dict[int, np.ndarray] = {}  # one text may stand in several fields (D002's and D005's key)
    for row in rows:
        for words in row[_BANDED:]:
            if words is not None and words.dtype != np.uint32:
                texts[id(words)] = words
    banded = dict(zip(texts, bands(list(texts.values())), strict=True))
    return [row[:_BANDED] + tuple(_NO_BANDS if b is None else banded.get(id(b), b) for b in row[_BANDED:])
            for row in rows]

FILE_LEVEL = -1


@dataclass
class CorpusHit:
    """A corpus finding to report on the example at `index` (FILE_LEVEL: on the file)."""

    code: str
    index: int
    message: str
    related: list[int] = field(default_factory=list)  # indices of other examples (or against rows)
    similarity: float | None = None
    against: bool = False  # related indices point into the --against rows


STACK_ROWS, STACK_WORDS = 512, 1 << 20
"""Rows are stacked when this many are waiting, or their texts hold this many words: until then
each holds its texts' word hashes (8 bytes a word; a long example's are megabytes)."""


class Corpus:
    """Rows of one file, stacked in chunks as they arrive; `table` is all of them."""

    def __init__(self, options: dict[str, dict[str, Any]], active: frozenset[str]) -> None:
        self.options = options
        self.active = active
        self.leak = "D005" in active
        self._chunks: list[np.ndarray] = []
        self._pending: list[Row] = []
        self._words = 0  # in the pending rows' texts
        self.count = 0

    def add(self, row: Row) -> None:
        self._pending.append(row)
        self.count += 1
        self._words += sum(len(w) for w in row[_BANDED:] if w is not None)
        if len(self._pending) >= STACK_ROWS or self._words >= STACK_WORDS:
            self._stack_pending()

    def _stack_pending(self) -> None:
        self._chunks.append(stack(self._pending, self.leak))
        self._pending, self._words = [], 0

    def extend(self, rows: np.ndarray) -> None:
        self._chunks.append(rows)
        self.count += len(rows)

    @property
    def table(self) -> np.ndarray:
        if self._pending:
            self._stack_pending()
        if len(self._chunks) > 1:  # copy chunk by chunk, freeing each: peak is the table plus one chunk
            table = np.empty(sum(len(c) for c in self._chunks), dtype=self._chunks[0].dtype)
            at = 0
            self._chunks.reverse()
            while self._chunks:
                chunk = self._chunks.pop()
                table[at:at + len(chunk)] = chunk
                at += len(chunk)
            self._chunks = [table]
        return self._chunks[0] if self._chunks else np.zeros(0, dtype=ROW_LEAK if self.leak else ROW)

class Column:
    """Index a numpy column with Python ints, getting Python ints (no 1M-element list built)."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    def __getitem__(self, i: int) -> int:
        return int(self.values[i])


def groups(values: np.ndarray, order: np.ndarray) -> Iterator[list[int]]:
    """Groups (of 2 or more) of rows with equal values, each in `order`; only duplicated values
    are materialised as Python lists."""
    vals = values[order]
    by_value = np.argsort(vals, kind="stable")  # stable: keeps `order` within a value
    sorted_vals = vals[by_value]
    starts = np.flatnonzero(np.r_[True, sorted_vals[1:] != sorted_vals[:-1]])
    ends = np.r_[starts[1:], len(sorted_vals)]
    for s, e in zip(starts, ends, strict=True):
        if e - s >= 2:
            yield order[by_value[s:e]].tolist()
