"""Similarity of two answers as the metrics literature defines it (ROUGE-L on words)."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1: the longest common subsequence of the two texts' lower-cased words, as a share
    of each, combined as F1 (1.0 for equal texts, 0.0 for no word in common)."""
    a, b = _WORD.findall(candidate.lower()), _WORD.findall(reference.lower())
    if not a or not b:
        return float(a == b)
    # one row of the LCS table at a time: O(len(a) * len(b)) time, O(len(b)) memory
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    lcs = prev[-1]
    if not lcs:
        return 0.0
    precision, recall = lcs / len(a), lcs / len(b)
    return 2 * precision * recall / (precision + recall)
