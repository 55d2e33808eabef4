"""Pattern rules from rule packs (filler, template artefacts, placeholders, secrets, glossaries,
and the user's own): one check per rule code, running every pattern of every pack for that code."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from sftlint.checks import Context, ExampleCheck, Hit
from sftlint.checks.text import code_ranges, inside, mask
from sftlint.checks.text import lowered as lower
from sftlint.escape import visible
from sftlint.packs import Pack, PatternRule, matches
from sftlint.schema import Conversation


def _message(rule: PatternRule, found: str) -> str:
    shown = mask(found) if rule.mask else visible(found[:80])
    if "{match" in rule.message:
        return rule.message.format(match=shown)
    return f"{rule.message}: {shown!r}" if rule.message else repr(shown)


def _check(rules: list[PatternRule]) -> ExampleCheck:
    def run(conv: Conversation, ctx: Context) -> Iterator[Hit]:
        for index, m in enumerate(conv.messages):
            text = m.content
            if not text:
                continue
            code = None
            lowered = None
            for rule in rules:
                if m.role not in rule.roles:
                    continue
                if rule.prefilter:
                    lowered = lower(text) if lowered is None else lowered
                    if not any(map(lowered.__contains__, rule.prefilter)):
                        continue
                for start, end, found in matches(rule, text):
                    if not rule.mask:  # code samples may quote templates; a secret in code is still a secret
                        code = code_ranges(text) if code is None else code
                        if inside(code, start, end):
                            continue
                    yield Hit(index, _message(rule, found), (start, end))

    return run


def pack_checks(packs: Iterable[Pack]) -> dict[str, ExampleCheck]:
    by_code: dict[str, list[PatternRule]] = defaultdict(list)
    for pack in packs:
        for rule in pack.rules:
            by_code[rule.code].append(rule)
    return {code: _check(rules) for code, rules in by_code.items()}
