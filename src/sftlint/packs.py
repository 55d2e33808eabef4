"""Rule packs: phrase, regex and glossary rules declared in TOML (`rules/packs/*.toml`, and the
user's own through `extend-packs` in the config).

A pack holds `[[rule]]` entries (patterns that report a finding with the matched span) and
`[[glossary]]` entries (a preferred term and its forbidden variants). A pattern rule may report
under a built-in code (the catalogue has its docs) or define a new code, with its own summary,
severity and fix. Everything is validated on load; a mistake stops the run (exit 2) naming the
file and the key.

    [[rule]]
    code = "P005"                      # built-in, or a new code such as "H001" with summary/fix
    message = "filler closing"
    roles = ["assistant"]              # default: every role
    patterns = ["I hope this helps", "let me know if you have any (?:other |further )?questions"]
    regex = true                       # default false: patterns are literal phrases; ^ $ match at lines
    word-boundary = true               # default true
    case-sensitive = false             # default false
    allow = ["I hope this helps the community"]   # matches inside these are not reported
    unless-asked = ["\\bwho are you\\b"]   # regexes: not reported when the user turn answered (or a system prompt) matches one
    prefilter = ["hope", "let me know"]  # with regex: the rule runs only if one of these is in the text

    [[glossary]]
    code = "G001"
    preferred = "e-bike"
    forbidden = ["ebike", "E-bike", "electric bicycle"]
    case-sensitive = true
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CODE = re.compile(r"^[A-Z]{1,3}[0-9]{3}$")
ROLES = ("system", "user", "assistant", "tool")
SEVERITIES = ("info", "warning", "error")


class PackError(Exception):
    """A pack file is invalid; the message names the file and the key."""


@dataclass(frozen=True)
class PatternRule:
    code: str
    message: str
    roles: frozenset[str]
    regex: re.Pattern
    allow: tuple[re.Pattern, ...] = ()
    mask: bool = False
    """Mask the matched text in messages (secrets and personal data)."""
    prefilter: tuple[str, ...] = ()
    """Lower-case substrings of which one must be in the text for the rule to run (speed)."""
    unless_asked: re.Pattern | None = None
    """Not reported in an answer to a user turn (or under a system prompt) this matches: "As an AI,
    I…" answers "Are you conscious?" by content, and is boilerplate only when the question was
    about something else; a support agent's "don't hesitate to ask" is its register."""


@dataclass(frozen=True)
class Pack:
    path: str
    name: str
    rules: tuple[PatternRule, ...]
    new_codes: tuple[dict[str, Any], ...]
    """Catalogue entries for codes the pack defines itself."""


_RULE_KEYS = {"code", "message", "roles", "patterns", "regex", "word-boundary", "case-sensitive", "allow", "mask", "prefilter",
              "unless-asked",
              "summary", "severity", "fix", "name", "why"}
_GLOSSARY_KEYS = {"code", "preferred", "forbidden", "roles", "case-sensitive", "summary", "severity", "fix", "name"}


def _fail(path: Path, key: str, why: str) -> PackError:
    return PackError(f"{path}: {key}: {why}")


def _strings(path: Path, key: str, value: Any, allow_empty: bool = False) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(x, str) and x for x in value):
        raise _fail(path, key, "expected a list of non-empty strings")
    if not value and not allow_empty:
        raise _fail(path, key, "is empty")
    return value


def _bool(path: Path, key: str, entry: dict, name: str, default: bool) -> bool:
    value = entry.get(name, default)
    if not isinstance(value, bool):
        raise _fail(path, f"{key}.{name}", f"expected true or false, got {value!r}")
    return value


def _code(path: Path, key: str, entry: dict, builtin: dict, new_codes: list[dict]) -> str:
    code = entry.get("code")
    if not isinstance(code, str) or not CODE.match(code):
        raise _fail(path, f"{key}.code", f"expected a rule code like H001, got {code!r}")
    if code in builtin:
        return code
    severity = entry.get("severity", "warning")
    if severity not in SEVERITIES:
        raise _fail(path, f"{key}.severity", f"one of {', '.join(SEVERITIES)}, got {severity!r}")
    summary = entry.get("summary")
    if not isinstance(summary, str) or not summary:
        raise _fail(path, f"{key}.summary", f"a new code ({code}) needs a summary")
    if not any(c["code"] == code for c in new_codes):
        new_codes.append({"code": code, "name": entry.get("name", code.lower()), "family": "pack",
                          "severity": severity, "status": "stable", "summary": summary,
                          "fix": entry.get("fix", "See the pack that defines this rule"),
                          "what": f"Declared in the rule pack {path.name}.", "why": entry.get("why", summary)})
    return code


def _roles(path: Path, key: str, entry: dict) -> frozenset[str]:
    roles = entry.get("roles", list(ROLES))
    _strings(path, f"{key}.roles", roles)
    bad = [r for r in roles if r not in ROLES]
    if bad:
        raise _fail(path, f"{key}.roles", f"unknown role(s) {', '.join(bad)}; roles are {', '.join(ROLES)}")
    return frozenset(roles)


def _compile(path: Path, key: str, patterns: list[str], regex: bool, boundary: bool, case: bool,
             checked: bool = False) -> re.Pattern:
    """One alternation of a rule's patterns. Each pattern is first compiled alone, so a bad one is
    named (and `a)(?:b` cannot pass by closing its neighbour's group), unless `checked`: the built-in
    packs are compiled by their tests, and compiling them twice cost a tenth of a pre-commit run."""
    parts = []
    for n, p in enumerate(patterns):
        body = p if regex else re.escape(p)
        if not checked:
            try:
                re.compile(body)
            except re.error as exc:
                raise _fail(path, f"{key}.patterns[{n}]", f"invalid regular expression: {exc}") from exc
        if boundary:
            body = (r"\b" if re.match(r"\w", p) else "") + f"(?:{body})" + (r"\b" if re.search(r"\w$", p) else "")
        parts.append(f"(?:{body})")
    # ^ and $ are line anchors (a pattern for "the start of the turn" uses \A)
    return re.compile("|".join(parts), re.MULTILINE | (0 if case else re.IGNORECASE))


def _bounded(pattern: re.Pattern):
    """A user's pattern, compiled by the `regex` module so each search runs under a time budget
    (`(a+)+$` on a long line would otherwise never return); the built-in packs are linear by review."""
    import regex

    return regex.compile(pattern.pattern, regex.V0 | (pattern.flags & (re.MULTILINE | re.IGNORECASE)))


BUDGET_S = 1.0
"""Time one user pattern may take on one message."""


class PatternTimeout(Exception):
    """A user pattern ran past BUDGET_S: the rule is skipped from then on."""


def load_pack(path: Path, builtin: dict) -> Pack:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise PackError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PackError(f"{path}: invalid TOML: {exc}") from exc
    unknown = set(data) - {"pack", "rule", "glossary"}
    if unknown:
        raise _fail(path, sorted(unknown)[0], "unknown key (a pack has [pack], [[rule]] and [[glossary]])")
    rules: list[PatternRule] = []
    new_codes: list[dict] = []
    builtin_pack = path.resolve() in {p.resolve() for p in builtin_pack_paths()}
    for n, entry in enumerate(data.get("rule", [])):
        key = f"rule[{n}]"
        extra = set(entry) - _RULE_KEYS
        if extra:
            raise _fail(path, f"{key}.{sorted(extra)[0]}", "unknown key")
        code = _code(path, key, entry, builtin, new_codes)
        patterns = _strings(path, f"{key}.patterns", entry.get("patterns"))
        regex = _bool(path, key, entry, "regex", False)
        boundary = _bool(path, key, entry, "word-boundary", True)
        case = _bool(path, key, entry, "case-sensitive", False)
        allow = tuple(re.compile(re.escape(a), 0 if case else re.IGNORECASE)
                      for a in _strings(path, f"{key}.allow", entry.get("allow", []), allow_empty=True))
        message = entry.get("message", "")
        if not isinstance(message, str):
            raise _fail(path, f"{key}.message", "expected a string")
        prefilter = tuple(p.lower() for p in _strings(path, f"{key}.prefilter", entry.get("prefilter", []),
                                                      allow_empty=True))
        if not regex and not prefilter:
            prefilter = tuple(p.lower() for p in patterns)
        asked = _strings(path, f"{key}.unless-asked", entry.get("unless-asked", []), allow_empty=True)
        compiled = _compile(path, key, patterns, regex, boundary, case, checked=builtin_pack)
        if regex and not builtin_pack:
            compiled = _bounded(compiled)
        rules.append(PatternRule(code, message, _roles(path, key, entry), compiled, allow,
                                 _bool(path, key, entry, "mask", False), prefilter,
                                 _compile(path, f"{key}.unless-asked", asked, True, False, False, builtin_pack)
                                 if asked else None))
    for n, entry in enumerate(data.get("glossary", [])):
        key = f"glossary[{n}]"
        extra = set(entry) - _GLOSSARY_KEYS
        if extra:
            raise _fail(path, f"{key}.{sorted(extra)[0]}", "unknown key")
        entry = {"summary": "A term differs from the glossary's preferred form", **entry}
        code = _code(path, key, entry, builtin, new_codes)
        preferred = entry.get("preferred")
        if not isinstance(preferred, str) or not preferred:
            raise _fail(path, f"{key}.preferred", "expected the preferred term")
        forbidden = _strings(path, f"{key}.forbidden", entry.get("forbidden"))
        case = _bool(path, key, entry, "case-sensitive", True)
        rules.append(PatternRule(code, f"use {preferred!r}, not {{match!r}} (glossary)",
                                 _roles(path, key, {"roles": ["assistant"], **entry}),
                                 _compile(path, key, forbidden, False, True, case),
                                 prefilter=tuple(f.lower() for f in forbidden)))
    name = data.get("pack", {}).get("name", path.stem)
    return Pack(str(path), name, tuple(rules), tuple(new_codes))


def builtin_pack_paths() -> list[Path]:
    from sftlint.catalogue import rules_dir

    return sorted((rules_dir() / "packs").glob("*.toml"))


@cache
def builtin_packs() -> tuple[Pack, ...]:
    from sftlint.catalogue import catalogue

    return tuple(load_pack(p, catalogue()) for p in builtin_pack_paths())


def matches(rule: PatternRule, text: str):
    """(start, end, matched text) of each reportable match of a rule in a text; a user pattern
    that runs past its time budget raises PatternTimeout."""
    if isinstance(rule.regex, re.Pattern):
        found = rule.regex.finditer(text)
    else:
        try:
            found = list(rule.regex.finditer(text, timeout=BUDGET_S))
        except TimeoutError as exc:
            raise PatternTimeout(str(exc)) from None
    for m in found:
        if rule.allow and any(a.search(text, max(0, m.start() - 200), m.end() + 200) and
                              _covers(a, text, m.start(), m.end()) for a in rule.allow):
            continue
        yield m.start(), m.end(), m.group(0)


def _covers(allow: re.Pattern, text: str, start: int, end: int) -> bool:
    return any(a.start() <= start and end <= a.end() for a in allow.finditer(text, max(0, start - 200), end + 200))
