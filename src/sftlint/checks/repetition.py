"""Padding and repetition rules (P), per assistant turn, on prose (fenced code left out).

The measures are the web-text ones (Gopher's duplicate lines and n-grams, zlib compression), gated
for chat turns: short turns are skipped, list markers and punctuation-only lines do not count,
and code is judged separately (not at all, here), so a good answer is almost never flagged.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Callable, Iterator
from functools import lru_cache, partial

from sftlint.checks import Context, Hit, check
from sftlint.checks.text import code_ranges, digit_count, prose, sort_unique, words
from sftlint.schema import Conversation

_WORD = re.compile(r"\w+")
_MIN_LINE = 10
_MARKUP = re.compile(r"^[\W_]*$")
TOP_NGRAM = {2: 0.20, 3: 0.18, 4: 0.16}
DUP_NGRAM = {5: 0.15, 6: 0.14, 7: 0.13, 8: 0.12, 9: 0.11, 10: 0.10}


def _answers(conv: Conversation) -> Iterator[tuple[int, str]]:
    for index, m in enumerate(conv.messages):
        if m.role == "assistant" and m.content:
            yield index, m.content


def _dup_fraction(units: list[str]) -> tuple[float, str | None]:
    """Share of characters in units that already appeared, and the first repeated unit."""
    if len(set(units)) == len(units):
        return 0.0, None  # the usual case, found without a loop
    seen: set[str] = set()
    total = dup = 0
    first = None
    for u in units:
        total += len(u)
        if u in seen:
            dup += len(u)
            first = first or u
        else:
            seen.add(u)
    return (dup / total if total else 0.0), first


def _digit_share(text: str) -> float:
    return digit_count(text) / max(1, len(text))


_STRUCTURE = re.compile(r"\n\s*(?:[-*+•|]|\d+[.)])\s")  # on "\n" + text: line starts, found faster than ^


@lru_cache(maxsize=16)
def _structured(body: str) -> bool:
    """Lists, tables and math: text that repeats its structure by nature (P002 and P003 allow more)."""
    return _digit_share(body) > 0.08 or len(_STRUCTURE.findall("\n" + body)) >= 3

def _adjacent(units: list[str]) -> float:
    """Share of characters in units that repeat the unit right before them (padding: natural
    text does not say the same line, sentence or paragraph twice in a row)."""
    if len(set(units)) == len(units):
        return 0.0
    total = sum(len(u) for u in units)
    return sum(len(b) for a, b in zip(units, units[1:], strict=False) if a == b) / total if total else 0.0


_MARKER = re.compile(r"^(?:[-*+•]|\d+[.)])\s+")
_SENTENCE = re.compile(r"[.!?]\s+")  # the closing mark goes with the split (a look-behind is twice as slow)


@check("P001")
def repeated_lines(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    limit, min_lines = ctx.option("P001", "max_fraction"), ctx.option("P001", "min_lines")
    for index, text in _answers(conv):
        body = prose(text)
        # (score against the limit, share of the text repeated, the repeated unit, what it is)
        found: list[tuple[float, float, str | None, str]] = []
        lines = [s for line in body.splitlines() if len(s := line.strip()) >= _MIN_LINE and not _MARKUP.match(s)]
        if len(lines) >= min_lines:
            # list markers do not count: "- same" and "2. same" are the same line
            units = [_MARKER.sub("", s) if s[0] in "-*+•" or s[0].isdigit() else s for s in lines]
            frac, first = _dup_fraction(units)
            found.append((max(frac, _adjacent(units) * limit / 0.1), frac, first, "lines"))
        paras = [p.strip() for p in re.split(r"\n\s*\n", body) if len(p.strip()) >= _MIN_LINE]
        if len(paras) >= 2:
            frac, first = _dup_fraction(paras)
            found.append((max(frac, _adjacent(paras) * limit / 0.1), frac, first, "paragraphs"))
        sentences = [s for x in _SENTENCE.split(body) if len(s := x.strip().rstrip(".!?")) >= 20]
        if len(sentences) >= 2:
            # A sentence repeated right after itself is padding (natural text does not do that):
            # reported from 10% of the text; repeats far apart (the same step in two sections of a
            # how-to) only from 30%.
            frac, first = _dup_fraction(sentences)
            found.append((max(_adjacent(sentences) * limit / 0.1, frac * limit / 0.3), frac, first, "sentences"))
        if not found:
            continue
        score, share, unit, what = max(found, key=lambda f: f[0])
        if score >= limit:
            start = text.find(unit, text.find(unit) + 1) if unit else -1
            yield Hit(index, f"{share:.0%} of the text is repeated {what}",
                      (start, start + len(unit)) if start >= 0 else None)


@lru_cache(maxsize=16)
def _phrases(body: str) -> tuple[list, object, bool]:
    """A turn's lower-cased words, their hashes, and whether some 5-word phrase is said twice
    (shared by P002 and P003; most turns say none twice, which settles both cheaply)."""
    import numpy as np

    found = words(body.lower())
    # Python's own hash: only which n-grams of this one text are equal matters here
    ids = np.fromiter(map(hash, found), dtype=np.int64, count=len(found)).view(np.uint64)
    n_words = len(found)
    if n_words < 5:
        return found, ids, False
    h = ids[:n_words - 4].copy()
    for k in range(1, 5):
        h = h * np.uint64(0x100000001B3) + ids[k:k + n_words - 4]
    return found, ids, len(sort_unique(h)) != len(h)


def _ngram_repetition(body: str, scale: Callable[[], float]) -> tuple[str, float, float] | None:
    """The first Gopher repetition measure over its limit (times `scale()`, asked only when
    some phrase repeats): (what, value, limit).

    Vectorised: n-grams are hashed from word ids; a duplicated n-gram's characters are those of
    the words covered by any later occurrence of an n-gram seen before."""
    import numpy as np

    tokens, ids, repeats = _phrases(body)
    if not repeats:  # no 5-word phrase said twice: no measure can pass its limit (the usual case)
        return None
    n_words = len(tokens)
    lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=n_words)
    total = int(lengths.sum())
    if not total:
        return None
    ends = np.concatenate(([0], np.cumsum(lengths)))  # characters before each word
    scale = scale()
    for n in range(2, 11):
        if n_words < n:
            break
        count = n_words - n + 1
        h = ids[:count].copy()
        for k in range(1, n):
            h = h * np.uint64(0x100000001B3) + ids[k:k + count]
        uniq, first, inverse, counts = np.unique(h, return_index=True, return_inverse=True, return_counts=True)
        if n in TOP_NGRAM:
            top = int(counts.max())
            if top > 1:
                # of phrases tied for most frequent, the longest (a choice that does not hang on hashes)
                starts = first[counts == top]
                share = top * int((ends[starts + n] - ends[starts]).max()) / total
                if share > TOP_NGRAM[n] * scale:
                    return f"the most frequent {n}-word phrase", share, TOP_NGRAM[n] * scale
            continue
        repeat = np.flatnonzero(first[inverse] != np.arange(count))
        if not len(repeat):
            return None  # no repeated n-gram: none of the longer ones repeats either
        covered = np.zeros(n_words + 1, dtype=np.int64)
        np.add.at(covered, repeat, 1)
        np.add.at(covered, repeat + n, -1)
        dup = int(lengths[np.cumsum(covered[:-1]) > 0].sum())
        if dup / total > DUP_NGRAM[n] * scale:
            return f"repeated {n}-word phrases", dup / total, DUP_NGRAM[n] * scale
    return None


def _scale(body: str, text: str) -> float:
    return 2.5 if body != text or _structured(body) else 1.0


@check("P002")
def repeated_phrases(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    min_words = ctx.option("P002", "min_words")
    for index, text in _answers(conv):
        if text.count(" ") + text.count("\n") < min_words * 0.8:
            continue  # too short to judge (a cheap count before splitting words)
        body = prose(text)
        if len(_phrases(body)[0]) < min_words:
            continue
        # lists, tables, math and code repeat their structure by nature (open-instruct doubles its limits)
        found = _ngram_repetition(body, partial(_scale, body, text))
        if found:
            what, value, limit = found
            yield Hit(index, f"{what} make up {value:.0%} of the text (limit {limit:.0%})")


_NOT_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())


def _letter_share(text: str) -> float:
    if text.isascii():
        data = text.encode("ascii")
        return len(data.translate(None, _NOT_LETTERS)) / max(1, len(data))
    return sum(map(str.isalpha, text)) / max(1, len(text))


def compression_ratio(text: str) -> float:
    data = text.encode("utf-8", "surrogatepass")
    return len(data) / len(zlib.compress(data, 6)) if data else 0.0


@check("P003")
def low_entropy_text(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    limit, min_chars = ctx.option("P003", "max_ratio"), ctx.option("P003", "min_chars")
    for index, text in _answers(conv):
        body = prose(text)
        if len(body) < min_chars:
            continue
        if not _phrases(body)[2] and _letter_share(body) >= 0.7:
            # Prose that says no 5-word phrase twice stays under the limit (on 705 such human
            # answers in realdata: at most 0.95 of it), so zlib, the cost of this rule, is skipped.
            continue
        # longer natural text compresses better (p99 about 2.4 at 1,000 characters, 3.1 at 8,000);
        # so do math and tables (digits and separators repeat)
        allowed = limit + 0.5 * max(0.0, math.log2(len(body) / 1000))
        if _structured(body):
            allowed += 0.3
        ratio = compression_ratio(body)
        if ratio > allowed:
            yield Hit(index, f"compresses {ratio:.1f}x (natural text of this length stays under {allowed:.1f}x): "
                             "repeated material")


_RULE_LINE = re.compile(r"^\s*(?:[-*_=]\s*){3,}$|^\s*\|?[\s:|-]+\|[\s:|-]*$")


_PUNCT_RUN = re.compile(r"([^\w\s])\1{9,}")


_WORD_OR_SPACE = bytes(b for b in range(128) if chr(b).isalnum() or chr(b) in "_ \t\n\r\x0b\x0c")


def _may_have_punct_run(text: str, n: int) -> bool:
    """False when no punctuation character of the text occurs n times in a row (on ASCII text: the
    few distinct punctuation bytes are found with a fast bytes deletion, then each run looked up)."""
    if not text.isascii():
        return True
    data = text.encode("ascii")
    return any(bytes((c,)) * n in data for c in set(data.translate(None, _WORD_OR_SPACE)))


@check("P004")
def character_run(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    n = ctx.option("P004", "min_run")
    punct = _PUNCT_RUN if n == 10 else re.compile(rf"([^\w\s])\1{{{n - 1},}}")
    spaces, tabs = " " * n, "\t" * n
    for index, text in _answers(conv):
        # cheap tests first: most turns have no run at all
        candidates = []
        if spaces in text or tabs in text:
            candidates.append(re.compile(rf"([ \t])\1{{{n - 1},}}"))
        if text.count("\n") >= 6 and "\n\n\n\n\n" in text.replace(" ", "").replace("\t", ""):
            candidates.append(re.compile(r"(?:\n[ \t]*){6,}"))
        if _may_have_punct_run(text, n):
            candidates.append(punct)
        code = None
        for pattern in candidates:
            for m in pattern.finditer(text):
                code = code_ranges(text) if code is None else code
                if any(a < m.end() and m.start() < b for a, b in code):
                    continue
                line_start = text.rfind("\n", 0, m.start()) + 1
                line_end = text.find("\n", m.end())
                line = text[line_start:line_end if line_end >= 0 else len(text)]
                run = m.group(0)
                if run[0] not in " \t\n" and _RULE_LINE.match(line):
                    continue  # a Markdown rule or table border
                if run[0] in " \t" and (not line[:m.start() - line_start].strip() or line.startswith(("    ", "\t", "|"))
                                         or text[m.end():m.end() + 2] in ("//", "# ", "--")):
                    continue  # indentation, an indented code line, or comments aligned in code
                what = "blank lines" if run[0] == "\n" else f"{run[0]!r} repeated"
                yield Hit(index, f"run of {len(run)} characters ({what})", (m.start(), m.end()))
                break
            else:
                continue
            break
