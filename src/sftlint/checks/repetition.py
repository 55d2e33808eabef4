"""Padding and repetition rules (P), per assistant turn, on what each reads (prose and lists:
code, maths, tables and program output repeat by nature; see segments.py).

The measures are the web-text ones (Gopher's duplicate lines and n-grams, zlib compression), gated
for chat turns: short turns are skipped, list markers and punctuation-only lines do not count,
so a good answer is almost never flagged.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Callable, Iterator
from functools import lru_cache, partial
from itertools import islice

import numpy as np

from sftlint.checks import Context, Hit, check, reads
from sftlint.checks.segments import layout
from sftlint.checks.text import digit_count, folded_words, has_repeats
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


_SECTION = re.compile(r"^[\s(（\[【*]*(?:(?:verse|chorus|pre-chorus|bridge|hook|refrain|outro|intro|coda|stanza|"
                      r"estribillo|couplet|strophe)\b[^\n]{0,12}|[^\n]{0,6}(?:段|节|合唱|副歌|桥段|尾声|前奏|间奏|结束|主歌)"
                      r"[^\n]{0,6})[)）\]】*]*\s*[:：]?\s*$", re.IGNORECASE | re.MULTILINE)
_CHORUS = re.compile(r"chorus|refrain|hook|合唱|副歌", re.IGNORECASE)


@lru_cache(maxsize=16)
def _song(body: str) -> bool:
    """Lyrics labelled by section ("Verse 1:", "Chorus:", "合唱："), where a chorus is sung again
    by design: only a line repeated right after itself is padding there."""
    if len(body) < 200 or body.count("\n") < 8:
        return False
    labels = _SECTION.findall(body)
    return len(labels) >= 3 and any(_CHORUS.search(label) for label in labels)


def _adjacent(units: list[str], min_len: int = 0) -> float:
    """Share of characters (in units of at least `min_len`) that repeat the unit right before them
    (padding: natural text does not say the same line, sentence or paragraph twice in a row).
    Shorter units still sit between the others: they break a run, they do not count in it."""
    if len(set(units)) == len(units):
        return 0.0
    total = sum(len(u) for u in units if len(u) >= min_len)
    repeated = sum(len(b) for a, b in zip(units, units[1:], strict=False) if a == b and len(b) >= min_len)
    return repeated / total if total else 0.0


_PARAGRAPH = re.compile(r"\n\s*\n")
_WORD = re.compile(r"[^\W\d_]{2,}")


def _has_words(text: str, n: int) -> bool:
    """At least `n` words of two letters or more (stops at the n-th: paragraphs can be long)."""
    return sum(1 for _ in islice(_WORD.finditer(text), n)) >= n


_MARKER = re.compile(r"^(?:[-*+•]|\d+[.)])\s+")
_SENTENCE = re.compile(r"[.!?]\s+")  # the closing mark goes with the split (a look-behind is twice as slow)


@check("P001")
def repeated_lines(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    limit, min_lines = ctx.option("P001", "max_fraction"), ctx.option("P001", "min_lines")
    for index, text in _answers(conv):
        body = layout(text).text_of(reads("P001"))
        # (score against the limit, share of the text repeated, the repeated unit, what it is)
        found: list[tuple[float, float, str | None, str]] = []
        # list markers do not count: "- same" and "2. same" are the same line (and a turn of fewer
        # lines than min_lines has fewer units: not worth cleaning)
        lines = body.splitlines()
        every = [_MARKER.sub("", s) if s[0] in "-*+•" or s[0].isdigit() else s
                 for line in lines if (s := line.strip()) and not _MARKUP.match(s)] if len(lines) >= min_lines else []
        units = [u for u in every if len(u) >= _MIN_LINE]
        far = 0.0 if _song(body) else 1.0  # a chorus comes back; a line said twice in a row is padding still
        if len(units) >= min_lines:
            frac, first = _dup_fraction(units)
            found.append((max(frac * far, _adjacent(every, _MIN_LINE) * limit / 0.1), frac, first, "lines"))
        # a paragraph of words: a game board or a drawing repeats by nature
        parts = _PARAGRAPH.split(body)
        paras = [p for x in parts if len(p := x.strip()) >= _MIN_LINE and _has_words(p, 3)] if len(parts) >= 2 else []
        if len(paras) >= 2:
            frac, first = _dup_fraction(paras)
            # a paragraph of eight words or more said again word for word is pasted, not written:
            # reported from 10% of the text, as a repeat right after itself is
            pasted = first is not None and _has_words(first, 8)
            found.append((max(frac * far * (limit / 0.1 if pasted else 1.0), _adjacent(paras) * limit / 0.1),
                          frac, first, "paragraphs"))
        sentences = [s for x in _SENTENCE.split(body) if len(s := x.strip().rstrip(".!?")) >= 20]
        if len(sentences) >= 2:
            # A sentence repeated right after itself is padding (natural text does not do that):
            # reported from 10% of the text; repeats far apart (the same step in two sections of a
            # how-to) only from 30%.
            frac, first = _dup_fraction(sentences)
            found.append((max(_adjacent(sentences) * limit / 0.1, frac * far * limit / 0.3), frac, first, "sentences"))
        if not found:
            continue
        score, share, unit, what = max(found, key=lambda f: f[0])
        if score >= limit:
            start = text.find(unit, text.find(unit) + 1) if unit else -1
            yield Hit(index, f"{share:.0%} of the text is repeated {what}",
                      (start, start + len(unit)) if start >= 0 else None)


_FIVE_GRAM = np.array([pow(0x100000001B3, 4 - k, 1 << 64) for k in range(5)], dtype=np.uint64)
"""h = ((w0*C + w1)*C + w2)*C... written as a sum of w_k * C^(4-k) (wrapping uint64 arithmetic)."""


@lru_cache(maxsize=16)
def _phrases(body: str) -> tuple[list, np.ndarray, bool]:
    """A turn's case-folded words, their hashes, and whether some 5-word phrase is said twice
    (shared by P002 and P003; most turns say none twice, which settles both cheaply)."""
    found, ids = folded_words(body)
    n_words = len(found)
    if n_words < 5:
        return found, ids, False
    # every 5 words in a row as a row of a (n - 4) x 5 view of the word hashes (no copy), hashed
    # by one product with the weights
    phrases = np.ndarray((n_words - 4, 5), dtype=np.uint64, buffer=np.ascontiguousarray(ids), strides=(8, 8))
    return found, ids, has_repeats(phrases @ _FIVE_GRAM)


def _ngram_repetition(body: str, scale: Callable[[], float]) -> tuple[str, float, float] | None:
    """The first Gopher repetition measure over its limit (times `scale()`, asked only when
    some phrase repeats): (what, value, limit).

    Vectorised: n-grams are hashed from word ids; a duplicated n-gram's characters are those of
    the words covered by any later occurrence of an n-gram seen before."""
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
    """How much more repetition a turn may have: lists and tables repeat their structure by nature
    (open-instruct doubles its limits); the prose between equations or code restates the terms
    it works with ("the number of students who prefer basketball")."""
    if body != text:
        return 3.0
    return 2.5 if _structured(body) else 1.0


def percent(value: float, limit: float) -> str:
    """"41% (limit 38%)"; one decimal where whole percents would look equal."""
    digits = 0 if round(value * 100) != round(limit * 100) else 1
    return f"{value:.{digits}%} (limit {limit:.{digits}%})"


@check("P002")
def repeated_phrases(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    min_words = ctx.option("P002", "min_words")
    for index, text in _answers(conv):
        if text.count(" ") + text.count("\n") < min_words * 0.8:
            continue  # too short to judge (a cheap count before splitting words)
        body = layout(text).text_of(reads("P002"))
        if len(_phrases(body)[0]) < min_words or _song(body):
            continue
        found = _ngram_repetition(body, partial(_scale, body, text))
        if found:
            what, value, limit = found
            yield Hit(index, f"{what} make up {percent(value, limit)} of the text")


_NOT_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())


def _letter_share(text: str) -> float:
    if text.isascii():
        data = text.encode("ascii")
        return len(data.translate(None, _NOT_LETTERS)) / max(1, len(data))
    return sum(map(str.isalpha, text)) / max(1, len(text))


def compression_ratio(text: str) -> float:
    data = text.encode("utf-8", "surrogatepass")
    return len(data) / len(zlib.compress(data, 6)) if data else 0.0


_P003_MARGIN = 1.3
"""Text just past the limit was a list of parallel questions, URLs, box drawing or a patent's
sections on real data (5 of 5 labelled); the loops and pasted copies it is for reach 1.7 times
and more."""


@check("P003")
def low_entropy_text(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    limit, min_chars = ctx.option("P003", "max_ratio"), ctx.option("P003", "min_chars")
    for index, text in _answers(conv):
        body = layout(text).text_of(reads("P003"))
        if len(body) < min_chars or _song(body):
            continue
        if not _phrases(body)[2] and _letter_share(body) >= 0.7:
            # Prose that says no 5-word phrase twice stays under the limit (on 705 such human
            # answers in realdata: at most 0.95 of it), so zlib, the cost of this rule, is skipped.
            continue
        # longer natural text compresses better (p99 about 2.4 at 1,000 characters, 3.1 at 8,000);
        # so does the prose between equations or code, which restates its terms ("the total number
        # of marbles"): p99 1.15 times the limit on GSM8K's human solutions, where 20% padding
        # reaches a median of 1.2 (and P001/P002 find it there too)
        allowed = limit + 0.5 * max(0.0, math.log2(len(body) / 1000))
        if body != text or _structured(body):
            allowed *= 1.25
        ratio = compression_ratio(body)
        if ratio > allowed * _P003_MARGIN:
            yield Hit(index, f"compresses {ratio:.1f}x, more than {_P003_MARGIN} times what natural text of this "
                             f"length reaches ({allowed:.1f}x): repeated material")


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
        parts, readable = layout(text), reads("P004")
        for pattern in candidates:
            for m in pattern.finditer(text):
                if not parts.reads(readable, m.start(), m.end()):
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
