"""Q002, truncated output: an answer that looks cut off, judged alone (an unclosed code block, a
sentence stopping mid-way, a round length) and over the file (many answers cut at one length)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np

from sftlint.checks import Context, Hit, check
from sftlint.checks.corpus import CorpusHit
from sftlint.checks.outliers import ENDS_CLEANLY
from sftlint.checks.text import TERMINAL, last_answer
from sftlint.schema import Conversation

ROUND_CUTS = frozenset({256, 512, 1000, 1024, 2000, 2048, 4000, 4096})
_LIST_OR_HEADING = re.compile(r"^\s*(?:[-*+•#>]|\d+[.)]|\|)")
_CJK_COMMA = frozenset("，、；")
"""Chinese and Japanese commas: no sentence ends on one, and none starts with one (scraped answers
cut at either end do)."""


@check("Q002")
def truncated_output(conv: Conversation, ctx: Context) -> Iterator[Hit]:
    found = last_answer(conv)
    if found is None:
        return
    index, text = found
    end = len(text.rstrip())
    fences = sum(1 for line in text.splitlines() if line.lstrip().startswith(("```", "~~~")))
    if fences % 2:
        yield Hit(index, "ends inside an unclosed code block", (max(0, end - 20), end))
        return
    body = text.rstrip()
    if len(body) >= ctx.option("Q002", "min_chars") and body[-1] in _CJK_COMMA:
        yield Hit(index, f"ends on {body[-1]!r}: cut mid-sentence", (max(0, end - 20), end))
        return
    if body and body.lstrip()[:1] in _CJK_COMMA and len(body) >= ctx.option("Q002", "min_chars"):
        start = len(text) - len(text.lstrip())
        yield Hit(index, f"starts with {body.lstrip()[0]!r}: the beginning is cut", (start, start + 20))
        return
    if len(body) < ctx.option("Q002", "min_chars") or body[-1] in TERMINAL or not body[-1].isalnum():
        return
    last_line = body.rsplit("\n", 1)[-1]
    if len(text) in ROUND_CUTS:
        yield Hit(index, f"ends without punctuation at exactly {len(text):,} characters: cut at a round length",
                  (max(0, end - 20), end))
        return
    words = last_line.split()
    if (len(words) >= 6 and not _LIST_OR_HEADING.match(last_line) and re.search(r"[.!?]\s", body)
            and words[-1][:1].islower()):
        yield Hit(index, "ends mid-sentence (no closing punctuation after a sentence in progress)",
                  (max(0, end - 20), end))


def fixed_length_hits(table: np.ndarray) -> list[CorpusHit]:
    """Answers cut at one fixed length: many distinct answers of exactly the same length, mostly
    ending mid-way (a label set shares lengths too, but repeats its answers and ends cleanly)."""
    hits: list[CorpusHit] = []
    if len(table) < 20:
        return hits
    answered = table["answer_chars"] > 0
    lengths, counts = np.unique(table["answer_chars"][answered], return_counts=True)
    for length, count in zip(lengths.tolist(), counts.tolist(), strict=True):
        if length < 5 or count < max(10, 0.2 * answered.sum()):
            continue
        same = np.flatnonzero(answered & (table["answer_chars"] == length))
        distinct = len(np.unique(table["answer"][same])) / len(same)
        clean_end = ((table["style"][same] & ENDS_CLEANLY) > 0).mean()
        if distinct >= 0.5 and clean_end <= 0.5:
            hits += [CorpusHit("Q002", i, f"{count:,} answers are exactly {length:,} characters long: cut at a fixed length")
                     for i in same.tolist()]
    return hits
