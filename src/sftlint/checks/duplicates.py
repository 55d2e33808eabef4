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

from sftlint.checks.corpus import LEAK_ANSWER_CHARS, SALIENT, Column, CorpusHit, groups
from sftlint.checks.minhash import EMPTY, cross_pairs, jaccard, near_pairs

Fetch = Callable[[Iterable[int], str], dict[int, np.ndarray]]


SAME_QUESTION = 0.5
"""Jaccard at which two user turns ask the same thing in other words (D004: rewordings of one
request may share an answer; D002: a near-duplicate whose answers differ is another question)."""
ALIKE_SAMPLE = 64


def _asked_alike(members: list[int], got: dict[int, np.ndarray], min_count: int) -> bool:
    """Whether a group's prompts are fewer than `min_count` different questions: the same last
    user turn after different earlier turns ("Goodbye"), or rewordings of one request. Judged on
    the first ALIKE_SAMPLE members (their "asked" shingles in `got`): enough to see `min_count`
    different ones."""
    distinct: list[np.ndarray] = []
    for i in members[:ALIKE_SAMPLE]:
        sh = got.get(i, EMPTY)
        if all(jaccard(sh, d) < SAME_QUESTION for d in distinct):
            distinct.append(sh)
            if len(distinct) >= min_count:
                return False
    return True


ANSWER_AND_NAMES = ("answer", SALIENT)


def _same_question(a: tuple | None, b: tuple | None) -> bool:
    """Whether two examples a long shared prompt makes look alike are one question: their answers
    share at least half their shingles, and their prompts name the same numbers and names (one's
    may be a subset of the other's: a rewording may drop "using Python"). A number or name each
    has and the other lacks (784 or 1225, London or Los Angeles) makes them two questions."""
    if a is None or b is None:
        return True
    (answer_a, names_a), (answer_b, names_b) = a, b
    return (jaccard(answer_a, answer_b) >= SAME_QUESTION
            and bool(np.isin(names_a, names_b).all() or np.isin(names_b, names_a).all()))


def _leaks(table: np.ndarray, against: np.ndarray, options: dict, fetch: Fetch, fetch_against: Fetch | None
           ) -> list[CorpusHit]:
    """D005: examples whose prompt (the rule's key) or whose answer (of LEAK_ANSWER_CHARS or more)
    is at least `threshold` similar to a held-out example's, verified. Keyed on the prompt alone,
    a split made after augmenting the prompts ("Question: …", "Customer asked: …") passes while
    its answers leak word for word."""
    threshold, key = options["threshold"], options["key"]
    said = (table["answer_chars"] >= LEAK_ANSWER_CHARS).nonzero()[0]
    their_said = (against["answer_chars"] >= LEAK_ANSWER_CHARS).nonzero()[0]
    by_key = cross_pairs(table["leak"], against["leak"])
    by_answer = {(int(said[a]), int(their_said[b]))
                 for a, b in cross_pairs(table["leak_answer"][said], against["leak_answer"][their_said])}
    mine = fetch({a for a, _ in by_key | by_answer}, (key, "answer")) if by_key or by_answer else {}
    theirs = (fetch_against({b for _, b in by_key | by_answer}, (key, "answer"))
              if (by_key or by_answer) and fetch_against else {})
    best: dict[int, tuple[float, int, str]] = {}
    for part, pairs in ((0, by_key), (1, by_answer)):
        for a, b in sorted(pairs):
            sim = jaccard(mine.get(a, (EMPTY, EMPTY))[part], theirs.get(b, (EMPTY, EMPTY))[part])
            if sim >= threshold and (a not in best or sim > best[a][0]):
                best[a] = (sim, b, "the answer" if part else ("the prompt" if key == "prompt" else f"the {key}"))
    their_line = against["line"].tolist()
    return [CorpusHit("D005", a, f"{what} is a near-duplicate of the --against set's line {their_line[b]} "
                      f"(Jaccard {sim:.2f}): held-out data leaks into this file", [b], round(sim, 4), against=True)
            for a, (sim, b, what) in sorted(best.items())]


def _first_unlike(members: list[int], answer: Column, value, limit: int = 200) -> list[int]:
    out = []
    for j in members:
        if answer[j] != value:
            out.append(j)
            if len(out) >= limit:
                break
    return out


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

        # A long shared prompt (a tool description, a template) makes two examples look alike
        # while they ask for different things (784 or 1225, Japan or Sweden): their answers then
        # differ, and they are two examples, not one said twice. Read with the shingles, in the
        # same pass over the file.
        gate = key == "conversation"
        asked: dict[int, tuple] = {}

        def fetch_alive(idx: set[int]) -> dict[int, np.ndarray]:
            got = fetch({int(alive[i]) for i in idx}, (key, *ANSWER_AND_NAMES) if gate else key)
            if gate:
                asked.update((j, v[1:]) for j, v in got.items())
                got = {j: v[0] for j, v in got.items()}
            return {i: got[int(alive[i])] for i in idx if int(alive[i]) in got}

        local = near_pairs(table["near"][alive], fetch_alive, threshold, rank[alive])
        if gate:
            local = {(a, b): sim for (a, b), sim in local.items()
                     if _same_question(asked.get(int(alive[a])), asked.get(int(alive[b])))}
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
            # the first members with an answer other than each one's: bounded, so a prompt asked
            # 40,000 times is not 40,000 squared comparisons
            unlike: dict[int, list[int]] = {}
            for i in members:
                if answer[i] not in unlike:
                    unlike[answer[i]] = _first_unlike(members, answer, answer[i])
                others = [j for j in unlike[answer[i]] if cluster_of.get(j, -1) != cluster_of.get(i, -2)]
                if others:
                    lines = ", ".join(str(line[j]) for j in others[:5])
                    hits.append(CorpusHit("D003", i, f"the same prompt has a different answer on line(s) {lines}"
                                    f"{' …' if len(others) > 5 else ''}", others[:20]))
    if "D004" in active:
        min_count, min_chars = options["D004"]["min_count"], options["D004"]["min_chars"]
        usable = (answer_chars >= min_chars) & (table["context"] != 0)
        candidates = [(members, prompts) for members in groups(table["answer"], order_arr[usable[order_arr]])
                      if len(members) >= min_count and len(prompts := {context[i] for i in members}) >= min_count]
        # one read of the file for every group's prompts, not one per group
        asked = fetch({i for members, _ in candidates for i in members[:ALIKE_SAMPLE]}, "asked") if candidates else {}
        for members, prompts in candidates:
            if _asked_alike(members, asked, min_count):
                continue
            first = sorted(members, key=lambda j: line[j])[:21]  # enough to name 20 others of any member
            for i in members:
                others = [j for j in first if j != i][:20]
                lines = ", ".join(str(line[j]) for j in others[:5])
                hits.append(CorpusHit("D004", i, f"the same answer is given to {len(prompts)} different prompts "
                                f"(also line(s) {lines}{' …' if len(members) > 6 else ''})", others))
    if "D005" in active and against is not None and len(against) and n:
        hits += _leaks(table, against, options["D005"], fetch, fetch_against)
    return hits
