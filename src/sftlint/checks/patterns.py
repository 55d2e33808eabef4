"""Pattern rules from rule packs (filler, template artefacts, placeholders, secrets, glossaries,
and the user's own): one check per rule code, running every pattern of every pack for that code.

Most turns contain none of the phrases, so each rule's literal prefilter is what decides: one
Aho-Corasick pass over a turn finds every prefilter literal of every rule at once (shared by all
codes through a small cache), and a rule's regex runs only on turns where one of its literals is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache

from sftlint.checks import Context, ExampleCheck, Hit, reads
from sftlint.checks.segments import layout
from sftlint.checks.text import lowered as lower
from sftlint.checks.text import mask
from sftlint.escape import visible
from sftlint.jsonvalues import dumps
from sftlint.packs import BUDGET_S, Pack, PatternRule, PatternTimeout, matches
from sftlint.schema import Conversation


def _message(rule: PatternRule, found: str) -> str:
    shown = mask(found) if rule.mask else visible(found[:80])
    if "{match" in rule.message:
        return rule.message.format(match=shown)
    return f"{rule.message}: {shown!r}" if rule.message else repr(shown)


class Prefilter:
    """Which rules may match a text: those without a prefilter, and those with one of theirs in it."""

    def __init__(self, rules: list[PatternRule]) -> None:
        import ahocorasick_rs

        literals = sorted({p for r in rules for p in r.prefilter})
        index = {p: i for i, p in enumerate(literals)}
        self._owners: list[set[int]] = [set() for _ in literals]
        for n, rule in enumerate(rules):
            for p in rule.prefilter:
                self._owners[index[p]].add(n)
        self._always = frozenset(n for n, r in enumerate(rules) if not r.prefilter)
        # a DFA: twice as fast as the NFA the library picks past 100 literals, built in ~2 ms for 1,000
        self._find = (ahocorasick_rs.AhoCorasick(literals, matchkind=ahocorasick_rs.MatchKind.Standard,
                                                 implementation=ahocorasick_rs.Implementation.DFA)
                      .find_matches_as_indexes if literals else None)
        self.candidates = lru_cache(maxsize=64)(self._candidates)  # every code asks about the same turns

    def _candidates(self, text: str) -> frozenset[int]:
        if self._find is None:
            return self._always
        found = {i for i, _, _ in self._find(lower(text), overlapping=True)}
        return self._always.union(*(self._owners[i] for i in found)) if found else self._always


def _asked(conv: Conversation, index: int, question) -> bool:
    """Whether the user turn this message answers, or a system prompt, matches `question`."""
    asked = next((m.content for m in reversed(conv.messages[:index]) if m.role == "user"), None)
    if asked and question.search(asked):
        return True
    return any(m.is_system and m.content and question.search(m.content) for m in conv.messages[:index])


def _readable(rule: PatternRule, found: Iterable[tuple[int, int, str]], text: str) -> Iterator[tuple[int, int, str]]:
    """The matches in the parts of the turn the rule reads (catalogue `reads`): code quotes
    templates, maths writes \\text{{J}}. The turn is split only when something matched."""
    for start, end, match in found:
        if layout(text).reads(reads(rule.code), start, end):
            yield start, end, match


def _check(rules: list[tuple[int, PatternRule]], prefilter: Prefilter) -> ExampleCheck:
    timed_out: set[int] = set()  # user pattern rules (by number) that ran past their budget in this run
    masking = [rule for _, rule in rules if rule.mask]

    def run(conv: Conversation, ctx: Context) -> Iterator[Hit]:
        for index, m in enumerate(conv.messages):
            text = m.content
            if not text:
                continue
            candidates = prefilter.candidates(text)
            if not candidates:
                continue
            for n, rule in rules:
                if n not in candidates or m.role not in rule.roles or n in timed_out:
                    continue
                try:
                    found_all = list(matches(rule, text))
                except PatternTimeout:
                    timed_out.add(n)
                    yield Hit(index, f"the pattern of rule {rule.message or rule.code!r} ran past {BUDGET_S:g} s on "
                                     f"this message and is skipped from here on: simplify it (nested repeats such as "
                                     f"(a+)+ backtrack without end)")
                    continue
                # what was asked is read only for a match (most candidates have none)
                if found_all and rule.unless_asked is not None and _asked(conv, index, rule.unless_asked):
                    continue
                for start, end, found in _readable(rule, found_all, text):
                    yield Hit(index, _message(rule, found), (start, end))
        if masking:
            yield from _outside_content(conv, masking)

    return run


def _outside_content(conv: Conversation, masking: list[PatternRule]) -> Iterator[Hit]:
    """The secret and personal-data rules (those that mask) also read what is not content: tool
    calls' names and arguments, the reasoning, and the message's other fields. A key in tool arguments is
    trained on, and exported, like one in the text."""
    for index, m in enumerate(conv.messages):
        if not (m.tool_calls or m.extra or m.reasoning):  # (most messages are all content)
            continue
        fields = [(f"tool call {c} arguments", call.arguments_text) for c, call in enumerate(m.tool_calls or ())]
        fields += [(f"tool call {c} name", call.name or "") for c, call in enumerate(m.tool_calls or ())]
        fields += [(f"`{k}`", v if isinstance(v, str) else dumps(v).decode()) for k, v in (m.extra or {}).items()]
        if m.reasoning:  # trained and exported like the answer
            fields.append(("the reasoning", m.reasoning))
        yield from _secrets_in(masking, index, fields)
    top = [(f"`{k}`", v if isinstance(v, str) else dumps(v).decode()) for k, v in conv.extra.items()]
    yield from _secrets_in(masking, None, top)


def _secrets_in(masking: list[PatternRule], index: int | None, fields: list[tuple[str, str]]) -> Iterator[Hit]:
    for where, text in fields:
        if not text:
            continue
        for rule in masking:
            for _start, _end, found in matches(rule, text):
                yield Hit(index, f"{_message(rule, found)} in {where}")
                break


@lru_cache(maxsize=1)
def _secret_rules() -> tuple[PatternRule, ...]:
    from sftlint.packs import builtin_packs

    return tuple(r for p in builtin_packs() for r in p.rules if r.mask and r.code == "Q007")


def mask_secrets(message: str) -> str:
    """A finding's message with any secret in it masked, whichever rule wrote it (a placeholder
    `{{AKIA…}}`, a key name, a tool_call_id can quote one)."""
    low = message.lower()
    for rule in _secret_rules():
        if not rule.prefilter or any(p in low for p in rule.prefilter):
            message = rule.regex.sub(lambda m: mask(m.group(0)), message)
    return message


def rule_matches(rules: Iterable[PatternRule], text: str, role: str | None) -> Iterator[tuple[PatternRule, str]]:
    """Each (rule, matched text) in one message, as the rules read it (their parts of the turn,
    their roles): what `stats` lists, the same matches lint reports."""
    for rule in rules:
        if role in rule.roles:
            yield from ((rule, found) for _start, _end, found in _readable(rule, matches(rule, text), text))


def pack_checks(packs: Iterable[Pack]) -> dict[str, ExampleCheck]:
    rules = [rule for pack in packs for rule in pack.rules]
    prefilter = Prefilter(rules)
    by_code: dict[str, list[tuple[int, PatternRule]]] = defaultdict(list)
    for n, rule in enumerate(rules):
        by_code[rule.code].append((n, rule))
    return {code: _check(numbered, prefilter) for code, numbered in by_code.items()}
