"""Dataset-level checks of the article's checklist (consistent style, realistic inputs, answers of
a sensible length): P006, Q009, Q010. Each example contributes a few numbers to its corpus row
(corpus.py); the judgement is made over the whole file by the functions here."""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np

from sftlint.checks.corpus import FILE_LEVEL, CorpusHit, groups
from sftlint.checks.segments import CODE, TABLE, TEXT, layout
from sftlint.checks.text import TERMINAL

STYLE_TRAITS = (
    ("markdown", "Markdown formatting (headings, bold, tables)"),
    ("list", "lists"),
    ("code", "code blocks"),
    ("greeting", "a greeting at the start"),
    ("signoff", "a sign-off at the end"),
)
ENDS_CLEANLY = 1 << 8  # not a style trait: the answer ends with closing punctuation (for Q002)
_HEADING = re.compile(r"^#{1,6} \S|\*\*\S[^*\n]*\*\*", re.MULTILINE)
_LIST = re.compile(r"\n\s*(?:[-*+•]|\d+[.)])\s+\S")  # on "\n" + text: a line start, found faster than ^
_GREETING = re.compile(r"\A\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings)\b", re.IGNORECASE)
_SIGNOFF = re.compile(r"(?:best regards|kind regards|regards|cheers|sincerely|best wishes|thanks again|"
                      r"have a (?:great|nice) day)[,.!]?\s*(?:\n.{0,40})?\Z", re.IGNORECASE)
_SLOT = re.compile(r"\"[^\"\n]{1,80}\"|'[^'\n]{1,80}'|`[^`\n]{1,80}`|\d+(?:[.,]\d+)*|(?<=\s)[A-Z][\w-]+")


_SIGNOFF_WORDS = ("regards", "cheers", "sincerely", "wishes", "thanks again", " day")


def style_bits(answer: str) -> int:
    bits = 0
    parts = layout(answer)
    kinds = parts.kinds()
    prose = parts.text_of(TEXT)  # a Python comment is no heading, a code line no list item
    # each regex only where the cheap test says it may match
    if TABLE in kinds and "|" in answer or ("#" in prose or "**" in prose) and _HEADING.search(prose):
        bits |= 1
    if len(_LIST.findall("\n" + prose)) >= 2:
        bits |= 2
    if CODE in kinds:
        bits |= 4
    if _GREETING.search(answer):
        bits |= 8
    tail = answer[-200:]
    if any(map(tail.lower().__contains__, _SIGNOFF_WORDS)) and _SIGNOFF.search(tail):
        bits |= 16
    if answer.rstrip()[-1:] in TERMINAL:
        bits |= ENDS_CLEANLY
    return bits


def skeleton(prompt: str) -> str:
    """The prompt with its slots (numbers, quoted strings, capitalised names) replaced."""
    return _SLOT.sub("{}", " ".join(prompt.split()))[:300]


def style_outliers(bits: np.ndarray, usable: np.ndarray, min_share: float, min_examples: int
                   ) -> Iterator[tuple[int, str]]:
    """(row, message) for answers that break a trait at least `min_share` of answers agree on."""
    idx = np.flatnonzero(usable)
    if len(idx) < min_examples:
        return
    for bit, (_, label) in enumerate(STYLE_TRAITS):
        has = (bits[idx] >> bit) & 1 == 1
        share = has.mean()
        if share >= min_share:
            for i in idx[~has]:
                yield int(i), f"{share:.0%} of answers use {label}; this one does not"
        elif 1 - share >= min_share:
            for i in idx[has]:
                yield int(i), f"{1 - share:.0%} of answers use no {label}; this one does"


def _centre_spread(logs: np.ndarray) -> tuple[float, float]:
    """Median and robust spread (MAD scaled to a standard deviation) of log lengths. Floored: uniform
    lengths (MAD 0) still leave a 10% spread, so only real outliers stand out."""
    median = float(np.median(logs))
    return median, max(float(np.median(np.abs(logs - median))) * 1.4826, 0.1)


def length_outliers(answer_chars: np.ndarray, prompt_chars: np.ndarray, usable: np.ndarray, max_mad: float,
                    min_examples: int) -> Iterator[tuple[int, str]]:
    """(row, message) for answers far longer than the answers to prompts of a similar length
    (prompt length bands of powers of two; a band too small to judge is compared with all)."""
    idx = np.flatnonzero(usable & (answer_chars > 0))
    if len(idx) < min_examples:
        return
    band = np.floor(np.log2(np.maximum(prompt_chars[idx], 1))).astype(np.int64)
    values, counts = np.unique(band, return_counts=True)
    big = values[counts >= min_examples]
    band = np.where(np.isin(band, big), band, -1)
    logs = np.log(answer_chars[idx].astype(np.float64))
    for b in np.unique(band):
        members = np.flatnonzero(band == b) if b != -1 else np.arange(len(idx))
        judged = np.flatnonzero(band == b)
        median, mad = _centre_spread(logs[members])
        typical = float(np.exp(median))
        for pos in judged:
            z = (logs[pos] - median) / mad
            if z > max_mad and answer_chars[idx[pos]] >= 3 * typical:
                i = int(idx[pos])
                yield i, (f"{int(answer_chars[i]):,} characters where answers to prompts of similar length have "
                          f"a median of {typical:,.0f} ({z:.1f} robust deviations above)")


def _first_lines(table: np.ndarray, rows: np.ndarray, n: int = 3) -> str:
    lines = ", ".join(str(int(x)) for x in np.sort(table["line"][rows])[:n])
    return lines + (" …" if len(rows) > n else "")


def reasoning_hits(table: np.ndarray, options: dict, active: frozenset[str]) -> list[CorpusHit]:
    """S037 (empty reasoning among answers that reason), S038 (reasoning in part of the file, one
    finding with the split) and P007 (reasoning far longer than the file's norm)."""
    from sftlint.checks.reasoning import EMPTY, REASONED, UNREASONED

    state = table["reasoning_state"]
    reasoned = np.flatnonzero(state == REASONED)
    if not len(reasoned):
        return []
    hits: list[CorpusHit] = []
    judged = int(np.isin(state, (REASONED, EMPTY, UNREASONED)).sum())
    if "S037" in active:
        o = options["S037"]
        if len(reasoned) >= o["min_examples"] and len(reasoned) >= o["min_share"] * judged:
            share = len(reasoned) / judged
            hits += [CorpusHit("S037", int(i), f"empty reasoning where {share:.0%} of the file's answers reason")
                     for i in np.flatnonzero(state == EMPTY)]
    without = np.flatnonzero(state == UNREASONED)
    if "S038" in active and len(without):
        hits.append(CorpusHit("S038", FILE_LEVEL, (
            f"reasoning in {len(reasoned):,} of {len(reasoned) + len(without):,} examples; {len(without):,} "
            f"answer without any ({'line' if len(without) == 1 else 'lines'} {_first_lines(table, without)})")))
    if "P007" in active:
        o = options["P007"]
        if len(reasoned) >= o["min_examples"]:
            logs = np.log(table["reasoning_chars"][reasoned].astype(np.float64))
            median, mad = _centre_spread(logs)
            typical = float(np.exp(median))
            for pos in np.flatnonzero((logs - median) / mad > o["max_mad"]):
                i = int(reasoned[pos])
                chars = int(table["reasoning_chars"][i])
                if chars >= 4 * typical:
                    hits.append(CorpusHit("P007", i, f"{chars:,} characters of reasoning where the file's median is "
                                                     f"{typical:,.0f} ({(logs[pos] - median) / mad:.1f} robust deviations above)"))
    return hits


def outlier_hits(table: np.ndarray, options: dict, active: frozenset[str]) -> list[CorpusHit]:
    """P006 (answers far longer than their neighbours'), Q009 (style outliers), Q010 (templated
    prompts) and the reasoning rules over the corpus table."""
    hits: list[CorpusHit] = reasoning_hits(table, options, active)
    answered = table["answer_chars"] > 0
    if "P006" in active:
        o = options["P006"]
        hits += [CorpusHit("P006", i, msg) for i, msg in length_outliers(
            table["answer_chars"], table["prompt_chars"], answered & (table["context"] != 0), o["max_mad"],
            o["min_examples"])]
    if "Q009" in active:
        o = options["Q009"]
        hits += [CorpusHit("Q009", i, msg) for i, msg in style_outliers(table["style"], answered, o["min_share"],
                                                                   o["min_examples"])]
    if "Q010" in active:
        o = options["Q010"]
        with_prompt = np.flatnonzero(table["skeleton"] != 0)
        for members in groups(table["skeleton"], with_prompt):
            if len(members) >= o["min_count"] and len(members) >= o["min_share"] * len(with_prompt):
                first = sorted(int(table["line"][j]) for j in members[:5])
                share = len(members) / max(1, len(with_prompt))
                hits += [CorpusHit("Q010", i, f"the first prompt follows a template shared by {len(members):,} "
                             f"prompts ({share:.0%}; also lines {', '.join(map(str, first))} …)") for i in members]
    return hits
