"""Duplicates and leakage (D rules): corpus checks over a whole file, with bounded memory.

Each example contributes one compact row while the file streams past: hashes of its normalised
keys (for exact matches) and the LSH band hashes of a MinHash signature of its word 3-gram
shingles (for near matches), about 150 bytes whatever the text's length. When the file ends,
equal band hashes propose candidate pairs; every candidate is then verified exactly (Jaccard of
the shingle sets, the texts re-read for just those examples) against the rule's threshold, so
a reported pair is never an estimate. Clusters are stars around a keeper: examples are taken in
keeper order (fewest findings, then longest, then first line), each unassigned one keeps the
unassigned examples verified similar to it, so a cluster never chains examples that are not
similar to its keeper.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sftlint.checks.text import WORD_HASHES, sort_unique, words
from sftlint.schema import Conversation

NUM_PERM = 64
BANDS, ROWS = 16, 4  # P(candidate) = 1-(1-J^4)^16: 0.988 at J=0.7, 0.9998 at 0.8, 0.65 at 0.5
SHINGLE = 3
MAX_RUN = 1000  # an LSH bucket bigger than this pairs each member with its first members only
KEYS = ("conversation", "prompt", "response", "full")
D_CODES = frozenset({"D001", "D002", "D003", "D004", "D005"})
CORPUS_CODES = D_CODES | {"P006", "Q002", "Q009", "Q010"}  # judged over the whole file (Q002 in part)

_EMPTY = np.zeros(0, dtype=np.uint64)


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
        return _h64(norm), len(norm)
    norm_text = exact_text(text)
    return _h64(norm_text), len(norm_text)


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


def key_text(conv: Conversation, key: str) -> str:
    """What a rule compares: the conversation without its system prompt (default), the prompt
    (every turn before the last assistant answer), the answers, or everything."""
    msgs = conv.messages
    last = max((i for i, m in enumerate(msgs) if m.role == "assistant"), default=len(msgs))
    if key == "prompt":
        chosen = [m for m in msgs[:last] if m.role != "system"]
    elif key == "response":
        return "\n".join(m.content or "" for m in msgs if m.role == "assistant")
    elif key == "full":
        chosen = msgs
    else:
        chosen = [m for m in msgs if m.role != "system"]
    return "\n".join(f"{m.role}: {m.content or ''}" for m in chosen)


def _h64(text: str | bytes) -> int:
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


# One example's row: what the corpus checks keep of it (~140 bytes; +64 with --against).
FIELDS = [("line", np.int64), ("offset", np.int64), ("eid", np.uint64), ("findings", np.uint16),
          ("exact", np.uint64), ("length", np.uint32), ("context", np.uint64), ("answer", np.uint64),
          ("answer_chars", np.uint32), ("prompt_chars", np.uint32), ("style", np.uint16), ("skeleton", np.uint64),
          ("near", np.uint32, (BANDS,))]
ROW = np.dtype(FIELDS)
ROW_LEAK = np.dtype([*FIELDS, ("leak", np.uint32, (BANDS,))])
Row = tuple  # a record of ROW or ROW_LEAK, as a plain tuple until rows are stacked


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
    from sftlint.checks.dataset import skeleton, style_bits

    near_key = options["D002"]["key"]
    exact = length = 0
    near = _NO_BANDS
    if active & {"D001", "D002"}:
        near_text = key_text(conv, near_key)
        exact_key = options["D001"]["key"]
        exact, length = exact_hash(near_text)
        if exact_key != near_key:
            exact = exact_hash(key_text(conv, exact_key))[0]
        if "D002" in active:
            near = bands(shingles(near_text))
    answer = _last_answer(conv)
    # Without any user text there is no prompt to compare (a broken example): no D003/D004 group.
    asked = any(m.role == "user" and (m.content or "").strip() for m in conv.messages)
    context = (exact_hash(_context(conv))[0] if active & {"D003", "D004"} else 1) if asked else 0
    users = [m.content for m in conv.messages if m.role == "user" and m.content]
    style = style_bits(answer) if answer.strip() and active & {"Q002", "Q009"} else 0
    template = _h64(skeleton(users[0])) if users and "Q010" in active else 0
    row = (line, offset, int(eid, 16), min(findings, 65535), exact, length, context,
           exact_hash(answer)[0], len(answer.strip()), len(users[-1]) if users else 0, style, template, near)
    if "D005" in active:
        leak_key = options["D005"]["key"]
        leak = near if leak_key == near_key and "D002" in active else bands(shingles(key_text(conv, leak_key)))
        row = (*row, leak)
    return row


def stack(rows: list[Row], leak: bool) -> np.ndarray:
    """Rows as one structured array (what workers send back, and what the corpus keeps)."""
    return np.array(rows, dtype=ROW_LEAK if leak else ROW)


@dataclass
class Hit:
    """A D finding to report on the example at `index`."""

    code: str
    index: int
    message: str
    related: list[int] = field(default_factory=list)  # indices of other examples (or against rows)
    similarity: float | None = None
    against: bool = False  # related indices point into the --against rows


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
            heads = members if len(members) <= MAX_RUN else members[:100]
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
        sim = jaccard(sets.get(a, _EMPTY), sets.get(b, _EMPTY))
        if sim >= threshold:
            out[(a, b)] = sim
    return out


class Corpus:
    """Rows of one file, stacked in chunks as they arrive, then the D findings."""

    def __init__(self, options: dict[str, dict[str, Any]], active: frozenset[str]) -> None:
        self.options = options
        self.active = active
        self.leak = "D005" in active
        self._chunks: list[np.ndarray] = []
        self._pending: list[Row] = []
        self.count = 0

    def add(self, row: Row) -> None:
        self._pending.append(row)
        self.count += 1
        if len(self._pending) >= 4096:
            self._chunks.append(stack(self._pending, self.leak))
            self._pending = []

    def extend(self, rows: np.ndarray) -> None:
        self._chunks.append(rows)
        self.count += len(rows)

    @property
    def table(self) -> np.ndarray:
        if self._pending:
            self._chunks.append(stack(self._pending, self.leak))
            self._pending = []
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

    def findings(self, fetch: Callable[[Iterable[int], str], dict[int, np.ndarray]],
                 against: np.ndarray | None = None,
                 fetch_against: Callable[[Iterable[int], str], dict[int, np.ndarray]] | None = None) -> list[Hit]:
        """The D findings. `fetch(indices, key)` returns the shingle sets of those rows' key text
        (re-read from the file); `fetch_against` the same for the against rows."""
        table = self.table
        n = len(table)
        line = _Column(table["line"])
        findings = table["findings"]
        hits: list[Hit] = []
        # keeper order: fewest findings, then longest, then first in the file
        order_arr = np.lexsort((table["offset"], table["line"], -table["length"].astype(np.int64), findings))
        rank = np.empty(n, dtype=np.int64)
        rank[order_arr] = np.arange(n)
        dropped: set[int] = set()
        if "D001" in self.active:
            for members in _groups(table["exact"], order_arr):
                keeper = members[0]
                for i in members[1:]:
                    dropped.add(i)
                    hits.append(Hit("D001", i, f"exact duplicate of line {line[keeper]} "
                                    f"({len(members)} copies; keeping line {line[keeper]})", [keeper], 1.0))
        cluster_of: dict[int, int] = {}
        if "D002" in self.active:
            threshold = self.options["D002"]["threshold"]
            keep = np.ones(n, dtype=bool)
            keep[list(dropped)] = False
            alive = np.flatnonzero(keep)
            key = self.options["D002"]["key"]

            def fetch_alive(idx: set[int]) -> dict[int, np.ndarray]:
                got = fetch({int(alive[i]) for i in idx}, key)
                return {i: got[int(alive[i])] for i in idx if int(alive[i]) in got}

            local = near_pairs(table["near"][alive], fetch_alive, threshold, rank[alive])
            neighbours: dict[int, dict[int, float]] = defaultdict(dict)
            for (a, b), sim in local.items():
                ia, ib = int(alive[a]), int(alive[b])
                neighbours[ia][ib] = sim
                neighbours[ib][ia] = sim
            for keeper in sorted(neighbours, key=lambda i: rank[i]):
                if keeper in cluster_of:
                    continue
                members = [j for j in sorted(neighbours[keeper], key=lambda j: rank[j]) if j not in cluster_of]
                if not members:
                    continue
                cluster_of[keeper] = keeper
                for j in members:
                    cluster_of[j] = keeper
                    sim = neighbours[keeper][j]
                    hits.append(Hit("D002", j, f"near-duplicate of line {line[keeper]} (Jaccard {sim:.2f}); "
                                    f"keeping line {line[keeper]} ({len(members) + 1} in the cluster)",
                                    [keeper], round(sim, 4)))
        context, answer = _Column(table["context"]), _Column(table["answer"])
        answer_chars = table["answer_chars"]
        if "D003" in self.active:
            usable = (table["context"] != 0) & (answer_chars > 0)  # an empty answer is S022's
            if dropped:
                usable[list(dropped)] = False
            for members in _groups(table["context"], order_arr[usable[order_arr]]):
                if len({answer[i] for i in members}) < 2:
                    continue
                for i in members:
                    others = [j for j in members if answer[j] != answer[i]
                              and cluster_of.get(j, -1) != cluster_of.get(i, -2)]
                    if others:
                        lines = ", ".join(str(line[j]) for j in others[:5])
                        hits.append(Hit("D003", i, f"the same prompt has a different answer on line(s) {lines}"
                                        f"{' …' if len(others) > 5 else ''}", others[:20]))
        if "D004" in self.active:
            min_count, min_chars = self.options["D004"]["min_count"], self.options["D004"]["min_chars"]
            usable = (answer_chars >= min_chars) & (table["context"] != 0)
            for members in _groups(table["answer"], order_arr[usable[order_arr]]):
                if len(members) < min_count:
                    continue
                prompts = {context[i] for i in members}
                if len(prompts) < min_count:
                    continue
                by_line = sorted(members, key=lambda j: line[j])
                for i in members:
                    others = [j for j in by_line if j != i]
                    lines = ", ".join(str(line[j]) for j in others[:5])
                    hits.append(Hit("D004", i, f"the same answer is given to {len(prompts)} different prompts "
                                    f"(also line(s) {lines}{' …' if len(others) > 5 else ''})", others[:20]))
        if "D005" in self.active and against is not None and len(against) and n:
            threshold = self.options["D005"]["threshold"]
            pairs = cross_pairs(table["leak"], against["leak"])
            key = self.options["D005"]["key"]
            left = fetch({a for a, _ in pairs}, key) if pairs else {}
            right = fetch_against({b for _, b in pairs}, key) if pairs and fetch_against else {}
            their_line = against["line"].tolist()
            best: dict[int, tuple[float, int]] = {}
            for a, b in sorted(pairs):
                sim = jaccard(left.get(a, _EMPTY), right.get(b, _EMPTY))
                if sim >= threshold and (a not in best or sim > best[a][0]):
                    best[a] = (sim, b)
            for a, (sim, b) in best.items():
                hits.append(Hit("D005", a, f"near-duplicate of an example in the --against set, line "
                                f"{their_line[b]} (Jaccard {sim:.2f}): held-out data leaks into this file",
                                [b], round(sim, 4), against=True))
        hits += self._dataset_hits(table)
        hits.sort(key=lambda h: (line[h.index], int(table["offset"][h.index]), h.code))
        return hits

    def _dataset_hits(self, table: np.ndarray) -> list[Hit]:
        from sftlint.checks.dataset import ENDS_CLEANLY, length_outliers, style_outliers

        hits: list[Hit] = []
        answered = table["answer_chars"] > 0
        if "P006" in self.active:
            o = self.options["P006"]
            hits += [Hit("P006", i, msg) for i, msg in length_outliers(
                table["answer_chars"], table["prompt_chars"], answered & (table["context"] != 0), o["max_mad"],
                o["min_examples"])]
        if "Q002" in self.active and len(table) >= 20:
            # answers cut at one fixed length: many share exactly the same length
            lengths, counts = np.unique(table["answer_chars"][answered], return_counts=True)
            for length, count in zip(lengths.tolist(), counts.tolist(), strict=True):
                if length < 5 or count < max(10, 0.2 * answered.sum()):
                    continue
                same = np.flatnonzero(answered & (table["answer_chars"] == length))
                # cut text: mostly different answers (not a label set), mostly ending mid-way
                distinct = len(np.unique(table["answer"][same])) / len(same)
                clean_end = ((table["style"][same] & ENDS_CLEANLY) > 0).mean()
                if distinct >= 0.5 and clean_end <= 0.5:
                    for i in same.tolist():
                        hits.append(Hit("Q002", i, f"{count:,} answers are exactly {length:,} characters long: "
                                        "cut at a fixed length"))
        if "Q009" in self.active:
            o = self.options["Q009"]
            hits += [Hit("Q009", i, msg) for i, msg in style_outliers(table["style"], answered, o["min_share"],
                                                                       o["min_examples"])]
        if "Q010" in self.active:
            o = self.options["Q010"]
            with_prompt = np.flatnonzero(table["skeleton"] != 0)
            for members in _groups(table["skeleton"], with_prompt):
                if len(members) >= o["min_count"] and len(members) >= o["min_share"] * len(with_prompt):
                    first = sorted(int(table["line"][j]) for j in members[:5])
                    share = len(members) / max(1, len(with_prompt))
                    hits += [Hit("Q010", i, f"the first prompt follows a template shared by {len(members):,} "
                                 f"prompts ({share:.0%}; also lines {', '.join(map(str, first))} …)") for i in members]
        return hits


class _Column:
    """Index a numpy column with Python ints, getting Python ints (no 1M-element list built)."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    def __getitem__(self, i: int) -> int:
        return int(self.values[i])


def _groups(values: np.ndarray, order: np.ndarray) -> Iterator[list[int]]:
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
