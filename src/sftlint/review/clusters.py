"""Duplicate clusters as the reviewer sees them: an example's cluster (its keeper first), and the
decisions that keep one member and reject the rest. No Textual here."""

from __future__ import annotations

from collections.abc import Sequence

from sftlint.review.index import Item

CLUSTER_CODES = ("D001", "D002")


def cluster_of(items: Sequence[Item], by_id: dict[str, int], item: Item) -> list[Item]:
    """The item's duplicate cluster (D001/D002), keeper first; empty if it has none."""
    dup = [f for f in item.findings if f.code in CLUSTER_CODES and f.related]
    keeper_id = dup[0].related[0] if dup else item.example_id
    members = [i for i in items if any(f.code in CLUSTER_CODES and f.related[:1] == [keeper_id] for f in i.findings)]
    if not members:
        return []
    keeper_pos = by_id.get(keeper_id)
    keeper = items[keeper_pos] if keeper_pos is not None else None
    return ([keeper] if keeper is not None else []) + [m for m in members if m is not keeper]


def keep_one(members: Sequence[Item], keep: int) -> list[tuple[Item, str, str]]:
    """(member, decision, note) that keep `members[keep]` and reject the others; byte-identical
    copies of the kept one share its id (one decision), and unreadable members have none."""
    kept = members[keep]
    out = []
    for n, member in enumerate(members):
        if member.example_id is None or (n != keep and member.example_id == kept.example_id):
            continue
        if n == keep:
            out.append((member, "accept", "kept as the cluster's keeper"))
        else:
            out.append((member, "reject", f"duplicate of line {kept.line}"))
    return out
