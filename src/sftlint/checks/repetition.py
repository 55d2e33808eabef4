"""Padding and repetition rules (P), per assistant turn, on prose (fenced code left out).

The measures are the web-text ones (Gopher's duplicate lines and n-grams, zlib compression), gated
for chat turns: short turns are skipped, list markers and punctuation-only lines do not count,
and code is judged separately (not at all, here), so a good answer is almost never flagged.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Iterator

from sftlint.checks import Context, Hit, check
from sftlint.checks.text import prose
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


@check("P001")
def repeated_lines(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    limit, min_lines = ctx.option("P001", "max_fraction"), ctx.option("P001", "min_lines")
    for index, text in _answers(conv):
        body = prose(text)
        lines = [s for line in body.splitlines() if len(s := line.strip()) >= _MIN_LINE and not _MARKUP.match(s)]
        if len(lines) < min_lines:
            continue
        # strip list markers so "- same" and "2. same" count as the same line
        lines = [re.sub(r"^(?:[-*+•]|\d+[.)])\s+", "", s) for s in lines]
        frac, first = _dup_fraction(lines)
        paras = [p.strip() for p in re.split(r"\n\s*\n", body) if len(p.strip()) >= _MIN_LINE]
        pfrac, pfirst = _dup_fraction(paras) if len(paras) >= 2 else (0.0, None)
        if max(frac, pfrac) >= limit:
            unit = first if frac >= pfrac else pfirst
            start = text.find(unit, text.find(unit) + 1) if unit else -1
            what = "lines" if frac >= pfrac else "paragraphs"
            yield Hit(index, f"{max(frac, pfrac):.0%} of the text is repeated {what} (limit {limit:.0%})",
                      (start, start + len(unit)) if start >= 0 else None)


def _ngram_repetition(words: list[str]) -> tuple[str, float, float] | None:
    """The first Gopher repetition measure over its limit: (what, value, limit)."""
    total = sum(len(w) for w in words)
    if not total:
        return None
    ids: dict[str, int] = {}
    seq = [ids.setdefault(w, len(ids)) for w in words]
    lengths = [len(w) for w in words]
    for n, limit in TOP_NGRAM.items():
        grams = Counter(tuple(seq[i:i + n]) for i in range(len(seq) - n + 1))
        if not grams:
            continue
        gram, count = grams.most_common(1)[0]
        if count > 1:
            start = next(i for i in range(len(seq)) if tuple(seq[i:i + n]) == gram)
            share = count * sum(lengths[start:start + n]) / total
            if share > limit:
                return f"the most frequent {n}-word phrase", share, limit
    for n, limit in DUP_NGRAM.items():
        seen: set[tuple[int, ...]] = set()
        dup = 0
        i = 0
        while i <= len(seq) - n:
            gram = tuple(seq[i:i + n])
            if gram in seen:
                dup += sum(lengths[i:i + n])
                i += n
            else:
                seen.add(gram)
                i += 1
        if not dup:
            return None  # no repeated n-gram: none of the longer ones repeats either
        if dup / total > limit:
            return f"repeated {n}-word phrases", dup / total, limit
    return None


@check("P002")
def repeated_phrases(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    min_words = ctx.option("P002", "min_words")
    for index, text in _answers(conv):
        words = _WORD.findall(prose(text).lower())
        if len(words) < min_words:
            continue
        found = _ngram_repetition(words)
        if found:
            what, value, limit = found
            yield Hit(index, f"{what} make up {value:.0%} of the text (limit {limit:.0%})")


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
        ratio = compression_ratio(body)
        if ratio > limit:
            yield Hit(index, f"compresses {ratio:.1f}x (natural text stays under {limit}x): repeated material")


_RULE_LINE = re.compile(r"^\s*(?:[-*_=]\s*){3,}$|^\s*\|?[\s:|-]+\|[\s:|-]*$")


@check("P004")
def character_run(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    n = ctx.option("P004", "min_run")
    pattern = re.compile(rf"([^\w\s])\1{{{n - 1},}}|([ \t])\2{{{n - 1},}}|(\n[ \t]*){{6,}}")
    for index, text in _answers(conv):
        body = prose(text)
        for m in pattern.finditer(body):
            line_start = body.rfind("\n", 0, m.start()) + 1
            line_end = body.find("\n", m.end())
            line = body[line_start:line_end if line_end >= 0 else len(body)]
            if m.group(1) and _RULE_LINE.match(line):
                continue  # a Markdown rule or table border
            if m.group(2) and not line[:m.start() - line_start].strip():
                continue  # indentation
            start = text.find(m.group(0))
            what = "blank lines" if m.group(3) else f"{m.group(0)[0]!r} repeated"
            yield Hit(index, f"run of {len(m.group(0))} characters ({what})",
                      (start, start + len(m.group(0))) if start >= 0 else None)
            break
