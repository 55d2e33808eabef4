"""Export: apply review decisions and a policy, drop exact duplicates, split without leakage.

`plan()` decides, for every record of the inputs, whether it goes to train, to test or to
rejected.jsonl (with why); `write_export()` (writers.py) writes the result. Nothing
here touches the input files.

Policies (`--policy`):
  accepted      only examples accepted in the journal
  clean         accepted, plus unreviewed or skipped examples with no finding at or above
                `--fail-on` (default)
  not-rejected  every readable example not rejected in the journal
An accepted example with an edited replacement in the journal is exported as the replacement.
Under every policy, an example with nothing to train on (no trainable assistant token before
the token limit) is left out as `untrainable`: a trainer could only skip it.

The held-out split is made per group, never per example: examples that share a first user
message (whitespace and case folded), or that the duplicate rules link as near-duplicates,
always land on the same side. Groups are ordered by a seeded hash, so a seed gives the same
split on every machine; `--stratify system` splits each system prompt's examples separately so
every system prompt keeps its share on both sides.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sftlint.catalogue import SEVERITY_RANK
from sftlint.config import Settings
from sftlint.export.options import ExportError, ExportOptions
from sftlint.findings import Finding
from sftlint.journal import Entry, Journal, default_path, unmatched_warning
from sftlint.jsonvalues import dumps
from sftlint.lint import Engine, FileResult, LateFindings, RecordResult
from sftlint.lint.records import lint_replacement
from sftlint.schema import SYSTEM_ROLES


@dataclass
class Candidate:
    """One input record and everything known about it."""

    path: str
    line: int
    example_id: str | None
    record: dict[str, Any] | None
    """The example in OpenAI format (normalised), or None if the record is not a usable example."""
    raw: str | None = None
    """The record's text when it could not be read as an example."""
    findings: list[Finding] = field(default_factory=list)
    decision: Entry | None = None
    tokens: int | None = None
    trainable: int | None = None
    trainable_within_limit: int | None = None
    edited: RecordResult | None = None
    """The accepted edit from the journal, linted (lint_replacement), when there is one."""

    @property
    def first_user(self) -> str:
        for m in (self.record or {}).get("messages", ()):
            if isinstance(m, dict) and m.get("role") == "user":
                content = m.get("content")
                text = content if isinstance(content, str) else str(content)
                return re.sub(r"\s+", " ", text).strip().casefold()
        return ""

    @property
    def system(self) -> str:
        for m in (self.record or {}).get("messages", ()):
            if isinstance(m, dict) and m.get("role") in SYSTEM_ROLES:
                return str(m.get("content"))
        return ""


@dataclass
class Plan:
    options: ExportOptions
    settings: Settings
    inputs: list[dict[str, Any]]
    train: list[Candidate]
    test: list[Candidate]
    rejected: list[tuple[Candidate, dict[str, Any]]]
    records_in: int

    def reasons(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for _, why in self.rejected:
            counts[why["reason"]] = counts.get(why["reason"], 0) + 1
        return dict(sorted(counts.items()))

    def summary(self) -> dict[str, Any]:
        return {"in": self.records_in, "train": len(self.train), "test": len(self.test),
                "dropped": len(self.rejected), "dropped_by_reason": self.reasons(),
                "dropped_by_code": left_out_by_code(self.rejected)}


def left_out_by_code(dropped: list[tuple[Candidate, dict[str, Any]]]) -> dict[str, int]:
    """How many examples each rule code left out (an example with two such codes counts for both),
    most first: the figure that shows a rule is removing more than it should."""
    counts: dict[str, int] = {}
    for _, why in dropped:
        for code in why.get("because", ()):
            counts[code] = counts.get(code, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def describe_codes(counts: dict[str, int], most: int = 20) -> str:
    """'S031 500, S014 500, …' for a message."""
    shown = [f"{code} {n:,}" for code, n in list(counts.items())[:most]]
    return ", ".join(shown) + (f", and {len(counts) - most} more codes" if len(counts) > most else "")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def collect(paths: list[Path], settings: Settings, journal: Path | None = None, jobs: int | None = None
            ) -> tuple[list[Candidate], list[dict]]:
    """Every record of every input, with its findings, normalised form and review decision, from
    one pass of the engine over each file."""
    engine = Engine(settings, jobs=jobs, stats=True, use_journals=False, keep_records=True,
                    group_conventions=False)
    candidates: list[Candidate] = []
    inputs = []
    try:
        for path in paths:
            result = FileResult(str(path))
            jpath = journal or default_path(path)
            loaded = Journal(jpath) if jpath.is_file() else None
            loose: list[Finding] = []
            late: dict = {}
            for item in engine.iter_file(path, result):
                if isinstance(item, LateFindings):
                    late = item.by_record()
                    continue
                if not isinstance(item, RecordResult):
                    loose.append(item)
                    continue
                s = item.summary
                if s is None:
                    candidates.append(Candidate(str(path), item.line, None, None, raw=item.raw, findings=item.findings))
                    continue
                candidates.append(Candidate(str(path), item.line, s.example_id, item.record, findings=item.findings,
                                            decision=loaded.state(s.example_id) if loaded else None,
                                            tokens=s.tokens, trainable=s.trainable,
                                            trainable_within_limit=s.trainable_within_limit))
            # what the whole file was needed for (duplicates, outliers) joins its example's findings
            for c in candidates:
                if c.path == str(path):
                    c.findings += late.pop((c.line, c.example_id), [])
                    if c.decision is not None and c.decision.decision == "accept" and c.decision.replacement is not None:
                        c.edited = lint_replacement(engine.processor, c.decision.replacement, c.line, str(path),
                                                    settings.selected)
            loose += [f for found in late.values() for f in found]
            decided = len(loaded.decisions()) if loaded is not None else 0
            matched = any(c.decision is not None for c in candidates if c.path == str(path))
            unmatched = unmatched_warning(jpath, decided, str(path)) if decided and not matched else None
            inputs.append({"path": str(path), "sha256": _sha256(path), "records": result.records,
                           "format": result.format, "journal": str(jpath) if loaded else None,
                           "journal_warning": unmatched,
                           "findings_outside_examples": sorted({f.code for f in loose})})
    finally:
        engine.close()
    return candidates, inputs


def _why(c: Candidate, reason: str, detail: str, because: list[str] | None = None) -> dict[str, Any]:
    """`because`: the rule codes that decided it (the policy's blocking findings)."""
    d: dict[str, Any] = {"reason": reason, "detail": detail, "because": because or [],
                         "codes": sorted({f.code for f in c.findings}),
                         "findings": [{"code": f.code, "severity": f.severity, "message": f.message,
                                       "message_index": f.message_index} for f in c.findings]}
    if c.decision is not None:
        d.update(decision=c.decision.decision, reviewer=c.decision.reviewer, time=c.decision.time,
                 note=c.decision.note)
    return d


def select(candidates: list[Candidate], settings: Settings, options: ExportOptions
           ) -> tuple[list[Candidate], list[tuple[Candidate, dict]]]:
    """Apply decisions and the policy, then drop exact duplicates (first copy kept)."""
    threshold = SEVERITY_RANK[settings.raw.fail_on]
    keep: list[Candidate] = []
    dropped: list[tuple[Candidate, dict]] = []
    limit = settings.options["T001"]["max_tokens"]

    def untrainable(c: Candidate) -> dict | None:
        """Why a kept example would train nothing; checked under every policy, since a trainer
        could only skip it. An accepted edit is judged as edited, by training."""
        if c.trainable_within_limit != 0 or (c.decision is not None and c.decision.replacement is not None):
            return None
        detail = ("no assistant turn with weight 1 and content" if not c.trainable else
                  f"every trainable token lies past the {limit:,}-token limit")
        return _why(c, "untrainable", f"nothing to train on: {detail}")

    for c in candidates:
        decision = c.decision.decision if c.decision else None
        if c.record is None:
            dropped.append((c, _why(c, "unreadable", "not a usable example; see the findings",
                                    sorted({f.code for f in c.findings if f.severity == "error"}))))
        elif decision == "reject":
            dropped.append((c, _why(c, "rejected", "rejected in review")))
        elif decision != "accept" and options.policy == "accepted":
            dropped.append((c, _why(c, "not-accepted", "policy 'accepted' keeps only examples accepted in review")))
        elif decision != "accept" and options.policy == "clean" and (blocking := [
                f for f in c.findings if f.rank >= threshold and settings.may_leave_out(f.code)]):
            worst = max(blocking, key=lambda f: f.rank).severity
            dropped.append((c, _why(c, "findings", f"policy 'clean': unreviewed with a finding of severity {worst}",
                                    sorted({f.code for f in blocking}))))
        elif (why := untrainable(c)) is not None:
            dropped.append((c, why))
        elif decision == "accept" and c.edited is not None:
            errors = [f for f in c.edited.findings if f.severity == "error"]
            if errors or c.edited.summary is None or c.edited.record is None:
                what = "; ".join(f"{f.code} {f.message}" for f in errors) or "not a conversation"
                dropped.append((c, _why(c, "bad-replacement", f"the edited version in the journal is not a usable "
                                        f"example: {what}", sorted({f.code for f in errors}))))
            else:
                c.record = c.edited.record
                keep.append(c)
        else:
            keep.append(c)
    if options.dedupe == "near":
        keep = _drop_cluster_members(keep, dropped)
    unique: list[Candidate] = []
    first: dict[str, Candidate] = {}
    for c in keep:
        key = hashlib.blake2b(_canonical(c.record), digest_size=16).hexdigest()
        if key in first:
            original = first[key]
            dropped.append((c, _why(c, "duplicate", f"exact duplicate of {original.path}:{original.line}")))
        else:
            first[key] = c
            unique.append(c)
    return unique, dropped


def _drop_cluster_members(keep: list[Candidate], dropped: list[tuple[Candidate, dict]]) -> list[Candidate]:
    """Leave out each duplicate cluster's members whose keeper is kept (a member stays when its
    keeper went for another reason, or when a reviewer accepted the member itself)."""
    kept_ids = {c.example_id for c in keep}
    out = []
    for c in keep:
        dup = next((f for f in c.findings if f.code in ("D001", "D002") and f.related), None)
        accepted = c.decision is not None and c.decision.decision == "accept"
        if dup is not None and not accepted and dup.related[0] in kept_ids and dup.related[0] != c.example_id:
            dropped.append((c, _why(c, "duplicate", dup.message)))
        else:
            out.append(c)
    return out


def _canonical(record: dict) -> bytes:

    return dumps(record, sort_keys=True)


class _Groups:
    """Union-find over candidates: linked examples must stay on one side of the split."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def split(keep: list[Candidate], options: ExportOptions) -> tuple[list[Candidate], list[Candidate]]:
    """Train and test sides; linked examples (same first user message, near-duplicates) together."""
    if not options.splitting or not keep:
        return list(keep), []
    groups = _Groups(len(keep))
    by_prompt: dict[str, int] = {}
    by_id = {c.example_id: i for i, c in enumerate(keep)}
    for i, c in enumerate(keep):
        prompt = c.first_user
        if prompt:
            if prompt in by_prompt:
                groups.union(by_prompt[prompt], i)
            else:
                by_prompt[prompt] = i
        for f in c.findings:  # near-duplicate rules name the examples they link
            if f.code.startswith("D"):
                for other in f.related:
                    if other in by_id:
                        groups.union(by_id[other], i)
    members: dict[int, list[int]] = {}
    for i in range(len(keep)):
        members.setdefault(groups.find(i), []).append(i)
    strata: dict[str, list[list[int]]] = {}
    for group in members.values():
        stratum = keep[group[0]].system if options.stratify == "system" else ""
        strata.setdefault(stratum, []).append(group)
    total = len(keep)
    test_idx: set[int] = set()
    for stratum, stratum_groups in sorted(strata.items()):
        size = sum(len(g) for g in stratum_groups)
        if options.test_ratio is not None:
            want = round(size * options.test_ratio)
        else:
            want = round(options.test_size * size / total) if options.stratify else options.test_size
        want = min(want, size - 1) if size > 1 else 0
        order = sorted(stratum_groups, key=lambda g: _rank(options.seed, keep[g[0]], stratum))
        taken = 0
        for group in order:
            if taken >= want:
                break
            if taken + len(group) > want and taken > 0 and len(group) > 1:
                continue  # a big group would overshoot; try smaller ones first
            test_idx.update(group)
            taken += len(group)
    train = [c for i, c in enumerate(keep) if i not in test_idx]
    test = [c for i, c in enumerate(keep) if i in test_idx]
    return train, test


def _rank(seed: int, c: Candidate, stratum: str) -> str:
    key = f"{seed}\x00{stratum}\x00{c.first_user or c.example_id}"
    return hashlib.sha256(key.encode()).hexdigest()


def plan(paths: list[Path], settings: Settings, options: ExportOptions, journal: Path | None = None,
         jobs: int | None = None) -> Plan:
    candidates, inputs = collect(paths, settings, journal, jobs)
    keep, dropped = select(candidates, settings, options)
    train, test = split(keep, options)
    if not train:
        by_code = left_out_by_code(dropped)
        raise ExportError("nothing to export: every example was left out"
                          + (f", by rule: {describe_codes(by_code)}" if by_code else "")
                          + " (see `sftlint lint` and the policy)")
    return Plan(options, settings, inputs, train, test, dropped, len(candidates))


def token_stats(cands: list[Candidate]) -> dict[str, Any]:
    from sftlint.numbers import percentile

    values = sorted(c.tokens for c in cands if c.tokens is not None)
    if not values:
        return {"examples": len(cands)}
    return {"examples": len(cands), "total": sum(values),
            "trainable": sum(c.trainable or 0 for c in cands),
            "min": values[0], "max": values[-1], "mean": round(sum(values) / len(values), 1),
            **{f"p{q}": round(percentile(values, q), 1) for q in (50, 90, 95, 99)}}
