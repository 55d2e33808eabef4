"""MinHash-LSH near-duplicate search with exact verification, and exact-match hashes.

Examples are compared by their word 3-gram shingles (case, markup and punctuation ignored):
each contributes LSH band hashes of a 64-value MinHash signature, equal bands propose candidate
pairs, and every candidate is verified with the exact Jaccard similarity of the two shingle sets.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np

from sftlint.checks.text import folded_words, sort_unique

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


# str.split's ASCII whitespace (bytes.split() leaves out \x1c-\x1f) as spaces
_WHITESPACE = bytes.maketrans(b"\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f", b" " * 9)


def exact_hash(text: str) -> tuple[int, int]:
    """Hash and length of `exact_text(text)`; ASCII text is normalised as bytes (same result, faster:
    runs of spaces are halved in place, no word is made an object)."""
    if text.isascii():
        norm = text.encode("ascii").translate(_WHITESPACE).strip(b" ")
        while b"  " in norm:
            norm = norm.replace(b"  ", b" ")
        return h64(norm), len(norm)
    norm_text = exact_text(text)
    return h64(norm_text), len(norm_text)


_P1, _P2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F)


def shingles(text: str) -> np.ndarray:
    """Word 3-grams of the case-folded text, as sorted unique 64-bit hashes; markup, punctuation
    and spacing do not count. (A text of fewer than three words is one shingle.)"""
    return shingles_of(folded_words(text)[1])


def shingles_of(ids: np.ndarray) -> np.ndarray:
    """The shingles of a text given its words' hashes (`folded_words`): a text's words are the
    words of its parts in turn wherever the parts are joined by non-word characters."""
    if len(ids) == 2:  # one shingle of both words
        return ids[:1] * _P1 + ids[1:] * _P2
    if len(ids) < 2:
        return ids.copy()
    return sort_unique(ids[:-2] * _P1 + ids[1:-1] * _P2 + ids[2:])


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two shingle sets (sorted unique arrays)."""
    if not len(a) and not len(b):
        return 1.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def h64(text: str | bytes) -> int:
    import xxhash

    return xxhash.xxh3_64_intdigest(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))


_BIN_BITS = 6  # NUM_PERM = 2**6 bins
_IN_BIN = np.uint64((1 << (64 - _BIN_BITS)) - 1)
_PROBES = np.random.RandomState(1).randint(0, NUM_PERM, size=(NUM_PERM, NUM_PERM))
"""Each bin's fixed sequence of bins to borrow from when it is empty (the same for every text)."""
_BAND_MIX = np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F], dtype=np.uint64)


_NO_VALUE = np.uint64(0xFFFFFFFFFFFFFFFF)  # above any bin value (those have 64 - _BIN_BITS bits)
_BLOCK, _BLOCK_WORDS = 512, 1 << 18
"""Texts banded together: more stop fitting the CPU's caches (2,000 took twice as long a text),
and the arrays of one block take ~50 bytes a word."""


def bands(texts: Sequence[np.ndarray]) -> np.ndarray:
    """LSH band hashes (uint32, one row of BANDS per text) of the one-permutation MinHash
    signatures of texts' shingle sets, from each text's word hashes (`folded_words`).

    One-permutation hashing (Li, Owen and Zhang, 2012): a shingle's top 6 bits choose one of
    NUM_PERM bins, and a bin's value is the least of its shingles' other bits (not NUM_PERM hash
    functions over every shingle). A text of few shingles leaves bins empty: each takes the value
    of the first non-empty bin in its own fixed random sequence of bins (optimal densification,
    Shrivastava, 2017), so two similar short texts still agree bin for bin, with the chance of
    agreeing their similarity. (Borrowing from the next bin instead made a band's four bins copy
    one shingle: templated texts sharing it filled buckets of hundreds.)
    Many texts at once: a text's signature is a dozen numpy calls, which cost more than their
    arithmetic on one text's few hundred shingles; a chunk's texts share them. Written here in a
    few numpy lines rather than taken from datasketch, whose import pulls scipy in (a third of a
    second on every pre-commit run).
    """
    n = len(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    starts = np.cumsum(lengths) - lengths
    if n > _BLOCK or (n > 1 and lengths.sum() > _BLOCK_WORDS):
        blocks, cut = [], 0
        while cut < n:  # at most _BLOCK texts and _BLOCK_WORDS words (or one longer text)
            fits = int(np.searchsorted(starts + lengths, starts[cut] + _BLOCK_WORDS, side="right"))
            upto = max(cut + 1, min(cut + _BLOCK, fits))
            blocks.append(bands(texts[cut:upto]))
            cut = upto
        return np.concatenate(blocks)
    words = np.concatenate(texts) if n else EMPTY
    text_of = np.repeat(np.arange(n), lengths)
    # each text's shingles as `shingles_of` makes them (unsorted: a bin's least is the same), with
    # the text each is of; 3-grams across two texts go to a spare text, n
    shingle = words[:-2] * _P1
    shingle += words[1:-1] * _P2
    shingle += words[2:]
    owner = np.where(text_of[:-2] == text_of[2:], text_of[:-2], n)
    short = np.flatnonzero((lengths == 1) | (lengths == 2))
    if len(short):  # a text of one or two words is one shingle: the word, or the two words' 3-gram without a third
        first, second = words[starts[short]], words[np.minimum(starts[short] + 1, len(words) - 1)]
        shingle = np.concatenate([shingle, np.where(lengths[short] == 2, first * _P1 + second * _P2, first)])
        owner = np.concatenate([owner, short])
    values = np.full((n + 1) * NUM_PERM, _NO_VALUE, dtype=np.uint64)
    np.minimum.at(values, owner * NUM_PERM + (shingle >> np.uint64(64 - _BIN_BITS)).view(np.int64), shingle & _IN_BIN)
    values = values[:-NUM_PERM].reshape(n, NUM_PERM)
    filled = values != _NO_VALUE
    if not filled.all():
        text, empty = np.nonzero(~filled)
        found = filled[text[:, None], _PROBES[empty]]
        source = _PROBES[empty, found.argmax(axis=1)]
        # every probe empty: a text of a shingle or two (its first filled bin for all)
        alone = ~found.any(axis=1)
        source[alone] = filled[text[alone]].argmax(axis=1)
        values[text, empty] = values[text, source]
    values >>= np.uint64(32 - _BIN_BITS)  # the top 32 bits of each bin's value
    values[~filled.any(axis=1)] = 0xFFFFFFFF  # a text without words
    mixed = (values.reshape(n, BANDS, ROWS) * _BAND_MIX).sum(axis=2)
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
