"""MinHash-LSH near-duplicate search with exact verification, and exact-match hashes.

Examples are compared by their word 3-gram shingles (case, markup and punctuation ignored):
each contributes LSH band hashes of a 64-value MinHash signature, equal bands propose candidate
pairs, and every candidate is verified with the exact Jaccard similarity of the two shingle sets.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable

import numpy as np

from sftlint.checks.text import WORD_HASHES, sort_unique, words

NUM_PERM = 64
BANDS, ROWS = 16, 4  # P(candidate) = 1-(1-J^4)^16: 0.988 at J=0.7, 0.9998 at 0.8, 0.65 at 0.5
SHINGLE = 3
MAX_RUN = 64  # an LSH bucket bigger than this pairs each member with its HEADS best-ranked members only
HEADS = 4
"""Enough for the star clusters (each member is judged against its keeper, the best-ranked), and
linear in the bucket."""

EMPTY = np.zeros(0, dtype=np.uint64)


def exact_text(text: str) -> str:
    """Whitespace and Unicode normalised; case and punctuation kept (an exact match)."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split())


_SEPARATORS = bytes.maketrans(b"\x1c\x1d\x1e\x1f", b"    ")  # whitespace to str.split, not to bytes.split


def exact_hash(text: str) -> tuple[int, int]:
    """Hash and length of `exact_text(text)`; ASCII text is normalised as bytes (same result, faster)."""
    if text.isascii():
        norm = b" ".join(text.encode("ascii").translate(_SEPARATORS).split())
        return h64(norm), len(norm)
    norm_text = exact_text(text)
    return h64(norm_text), len(norm_text)


_P1, _P2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F)


def shingles(text: str) -> np.ndarray:
    """Word 3-grams of the case-folded text, as sorted unique 64-bit hashes; markup, punctuation
    and spacing do not count. (A text of fewer than three words is one shingle.)"""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    found = words(text.casefold())
    if len(found) < SHINGLE:
        joined = (b" " if found and isinstance(found[0], bytes) else " ").join(found)
        return np.array([WORD_HASHES[joined]] if found else [], dtype=np.uint64)
    w = np.fromiter(map(WORD_HASHES.__getitem__, found), dtype=np.uint64, count=len(found))
    return sort_unique(w[:-2] * _P1 + w[1:-1] * _P2 + w[2:])


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two shingle sets (sorted unique arrays)."""
    if not len(a) and not len(b):
        return 1.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def h64(text: str | bytes) -> int:
    import xxhash

    return xxhash.xxh3_64_intdigest(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))


_PERMS: tuple[np.ndarray, np.ndarray] | None = None


def bands(sh: np.ndarray) -> np.ndarray:
    """LSH band hashes (uint32 x BANDS) of the MinHash signature of a shingle set.

    Each of the NUM_PERM hash functions is multiply-shift universal hashing of the shingle's
    high 32 bits, h(x) = (a*x + b) >> 32 with random odd 64-bit a; the signature is the minimum
    of each over the shingles. Written here in a few numpy lines rather than taken from
    datasketch, whose import pulls scipy in (a third of a second on every pre-commit run).
    """
    global _PERMS
    if _PERMS is None:
        rng = np.random.RandomState(1)
        _PERMS = (rng.randint(1, 1 << 62, size=NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1),
                  rng.randint(0, 1 << 62, size=NUM_PERM, dtype=np.uint64))
    a, b = _PERMS
    if len(sh):
        hashed = np.multiply.outer(sh >> np.uint64(32), a)
        hashed += b
        values = hashed.min(axis=0) >> np.uint64(32)  # the shift is monotonic: take it after the min
    else:
        values = np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint64)
    mixed = (values.reshape(BANDS, ROWS) * np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F],
                                                     dtype=np.uint64)).sum(axis=1)
    return (mixed ^ (mixed >> np.uint64(32))).astype(np.uint32)


def candidate_pairs(sigs: np.ndarray, order: np.ndarray | None = None) -> set[tuple[int, int]]:
    """Pairs (i < j) that share at least one LSH band. `order` ranks rows (keeper order) so an
    oversized bucket pairs each member with the bucket's best-ranked members."""
    pairs: set[tuple[int, int]] = set()
    n = len(sigs)
    if n < 2:
        return pairs
    rank = order if order is not None else np.arange(n)
    for band in range(sigs.shape[1]):
        col = sigs[:, band]
        idx = np.argsort(col, kind="stable")
        vals = col[idx]
        starts = np.flatnonzero(np.r_[True, vals[1:] != vals[:-1]])
        ends = np.r_[starts[1:], n]
        for s, e in zip(starts, ends, strict=True):
            if e - s < 2:
                continue
            members = sorted(idx[s:e].tolist(), key=lambda i: rank[i])
            heads = members if len(members) <= MAX_RUN else members[:HEADS]
            for a_pos, a in enumerate(heads):
                for b in members[a_pos + 1:]:
                    pairs.add((a, b) if a < b else (b, a))
    return pairs


def cross_pairs(left: np.ndarray, right: np.ndarray) -> set[tuple[int, int]]:
    """(i, j) with row i of `left` and row j of `right` sharing a band."""
    pairs: set[tuple[int, int]] = set()
    if not len(left) or not len(right):
        return pairs
    for band in range(left.shape[1]):
        buckets: dict[int, list[int]] = defaultdict(list)
        for j, v in enumerate(right[:, band].tolist()):
            buckets[v].append(j)
        for i, v in enumerate(left[:, band].tolist()):
            for j in buckets.get(v, ()):
                pairs.add((i, j))
    return pairs


def near_pairs(sigs: np.ndarray, fetch: Callable[[set[int]], dict[int, np.ndarray]], threshold: float,
               order: np.ndarray | None = None) -> dict[tuple[int, int], float]:
    """Pairs of rows at or above `threshold`: LSH candidates from the band hashes, each verified
    by the exact Jaccard of the shingle sets that `fetch` returns for the candidates only."""
    pairs = candidate_pairs(sigs, order)
    if not pairs:
        return {}
    sets = fetch({i for p in pairs for i in p})
    out = {}
    for a, b in pairs:
        sim = jaccard(sets.get(a, EMPTY), sets.get(b, EMPTY))
        if sim >= threshold:
            out[(a, b)] = sim
    return out
