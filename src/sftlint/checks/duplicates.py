"""Duplicates and leakage (D rules), judged over the corpus table (corpus.py) when the file ends.

A reported pair is never an estimate: LSH proposes candidates and each is verified with the exact
Jaccard of the two examples' shingle sets, re-read from the file for just those examples.
Clusters are stars around a keeper: examples are taken in keeper order (fewest findings, then
longest, then first line), each unassigned one keeps the unassigned examples verified similar to
it, so a cluster never chains examples that are not similar to its keeper.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

import numpy as np

from sftlint.checks.corpus import Column, CorpusHit, groups
from sftlint.checks.minhash import EMPTY, cross_pairs, jaccard, near_pairs

Fetch = Callable[[Iterable[int], str], dict[int, np.ndarray]]


def duplicate_hits(table: np.ndarray, options: dict, active: frozenset[str], fetch: Fetch,
                   against: np.ndarray | None = None, fetch_against: Fetch | None = None) -> list[CorpusHit]:
    """The D findings. `fetch(indices, key)` returns the shingle sets of those rows' key text
    (re-read from the file); `fetch_against` the same for the against rows."""
    n = len(table)
    line = Column(table["line"])
    findings = table["findings"]
    hits: list[CorpusHit] = []
    # keeper order: fewest findings, then longest, then first in the file
    order_arr = np.lexsort((table["offset"], table["line"], -table["length"].astype(np.int64), findings))
    rank = np.empty(n, dtype=np.int64)
    rank[order_arr] = np.arange(n)
    dropped: set[int] = set()
    if "D001" in active:
        for members in groups(table["exact"], order_arr):
            keeper = members[0]
            for i in members[1:]:
                dropped.add(i)
                hits.append(CorpusHit("D001", i, f"exact duplicate of line {line[keeper]} "
                                f"({len(members)} copies; keeping line {line[keeper]})", [keeper], 1.0))
    cluster_of: dict[int, int] = {}
    if "D002" in active:
        threshold = options["D002"]["threshold"]
        keep = np.ones(n, dtype=bool)
        keep[list(dropped)] = False
        alive = np.flatnonzero(keep)
        key = options["D002"]["key"]

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
                hits.append(CorpusHit("D002", j, f"near-duplicate of line {line[keeper]} (Jaccard {sim:.2f}); "
                                f"keeping line {line[keeper]} ({len(members) + 1} in the cluster)",
                                [keeper], round(sim, 4)))
    context, answer = Column(table["context"]), Column(table["answer"])
    answer_chars = table["answer_chars"]
    if "D003" in active:
        usable = (table["context"] != 0) & (answer_chars > 0)  # an empty answer is S022's
        if dropped:
            usable[list(dropped)] = False
        for members in groups(table["context"], order_arr[usable[order_arr]]):
            if len({answer[i] for i in members}) < 2:
                continue
            for i in members:
                others = [j for j in members if answer[j] != answer[i]
                          and cluster_of.get(j, -1) != cluster_of.get(i, -2)]
                if others:
                    lines = ", ".join(str(line[j]) for j in others[:5])
                    hits.append(CorpusHit("D003", i, f"the same prompt has a different answer on line(s) {lines}"
                                    f"{' …' if len(others) > 5 else ''}", others[:20]))
    if "D004" in active:
        min_count, min_chars = options["D004"]["min_count"], options["D004"]["min_chars"]
        usable = (answer_chars >= min_chars) & (table["context"] != 0)
        for members in groups(table["answer"], order_arr[usable[order_arr]]):
            if len(members) < min_count:
                continue
            prompts = {context[i] for i in members}
            if len(prompts) < min_count:
                continue
            by_line = sorted(members, key=lambda j: line[j])
            for i in members:
                others = [j for j in by_line if j != i]
                lines = ", ".join(str(line[j]) for j in others[:5])
                hits.append(CorpusHit("D004", i, f"the same answer is given to {len(prompts)} different prompts "
                                f"(also line(s) {lines}{' …' if len(others) > 5 else ''})", others[:20]))
    if "D005" in active and against is not None and len(against) and n:
        threshold = options["D005"]["threshold"]
        pairs = cross_pairs(table["leak"], against["leak"])
        key = options["D005"]["key"]
        left = fetch({a for a, _ in pairs}, key) if pairs else {}
        right = fetch_against({b for _, b in pairs}, key) if pairs and fetch_against else {}
        their_line = against["line"].tolist()
        best: dict[int, tuple[float, int]] = {}
        for a, b in sorted(pairs):
            sim = jaccard(left.get(a, EMPTY), right.get(b, EMPTY))
            if sim >= threshold and (a not in best or sim > best[a][0]):
                best[a] = (sim, b)
        for a, (sim, b) in best.items():
            hits.append(CorpusHit("D005", a, f"near-duplicate of an example in the --against set, line "
                            f"{their_line[b]} (Jaccard {sim:.2f}): held-out data leaks into this file",
                            [b], round(sim, 4), against=True))
    return hits
