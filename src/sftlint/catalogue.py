"""The rule catalogue and target profiles, read from the `rules/` data folder.

In a wheel the folder is shipped as `sftlint/rules`; in a source checkout (editable install) it
is the repository's top-level `rules/`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

SEVERITIES = ("info", "warning", "error")
SCOPES = ("reader", "example", "corpus", "model", "review", "file")
READABLE = ("prose", "list", "code", "math", "table", "output")
"""The parts of a turn a rule may read (checks/segments.py finds them)."""
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
DOC_HEADINGS = (
    ("what", "What it does"),
    ("why", "Why is this bad?"),
    ("example", "Example"),
    ("use_instead", "Use instead"),
    ("options", "Options"),
    ("known_problems", "Known problems"),
    ("references", "References"),
)


def rules_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent.parent / "rules"):
        if (candidate / "catalogue.toml").is_file():
            return candidate
    raise FileNotFoundError(f"sftlint's rules/ folder is missing (looked next to {here})")


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    family: str
    severity: str
    status: str
    summary: str
    fix: str
    scope: str = "example"
    """What a finding is about (SCOPES): a record's bytes, an example, an example against the
    file, an example scored by a model, an example against the review journal, or the file itself
    (a file finding flags no record)."""
    convention: bool = False
    """When (nearly) every example of a file breaks the rule the same way, that is how the file is
    written, not a defect of each example: one file-level finding with the count."""
    convention_share: float = 0.95
    """The share of a file's examples (at least 10) at which the same finding is a convention."""
    reads: tuple[str, ...] = ()
    """The parts of a turn a content rule reads (`checks.segments.KINDS`: prose, list, code, math,
    table, output); empty: the whole text."""
    options: dict[str, Any] = field(default_factory=dict)
    what: str = ""
    why: str = ""
    example: str = ""
    use_instead: str = ""
    known_problems: str = ""
    references: str = ""
    precision: float | None = None
    """Measured on hand-labelled findings in real public data (rules/precision.toml, written by
    benchmarks/precision.py): the share of findings a curator would act on."""
    labelled: int = 0
    """How many findings that precision was measured on."""

    @property
    def preview(self) -> bool:
        return self.status == "preview"

    def doc(self, heading: str) -> str:
        if heading == "options":
            return "\n".join(f"{k} = {v!r}" for k, v in self.options.items()) or "None."
        return getattr(self, heading) or "None."


_REGISTERED: dict[str, Rule] = {}


def catalogue() -> dict[str, Rule]:
    """Every rule: the built-in catalogue and the codes defined by user rule packs in use."""
    return {**builtin_catalogue(), **_REGISTERED} if _REGISTERED else builtin_catalogue()


@cache
def builtin_catalogue() -> dict[str, Rule]:
    with open(rules_dir() / "catalogue.toml", "rb") as fh:
        data = tomllib.load(fh)
    with open(rules_dir() / "precision.toml", "rb") as fh:
        measured = tomllib.load(fh).get("rule", {})
    rules = {}
    for entry in data["rule"]:
        m = measured.get(entry["code"], {})
        rule = Rule(**{**entry, "reads": tuple(entry.get("reads", ())),
                       "precision": m.get("precision"), "labelled": m.get("labelled", 0)})
        if rule.code in rules:
            raise ValueError(f"catalogue.toml: rule code {rule.code} is defined twice")
        if rule.severity not in SEVERITY_RANK:
            raise ValueError(f"catalogue.toml: {rule.code}.severity: {rule.severity!r}")
        if rule.scope not in SCOPES:
            raise ValueError(f"catalogue.toml: {rule.code}.scope: {rule.scope!r}")
        if not set(rule.reads) <= set(READABLE):
            raise ValueError(f"catalogue.toml: {rule.code}.reads: {list(rule.reads)} (parts: {', '.join(READABLE)})")
        rules[rule.code] = rule
    return dict(sorted(rules.items()))


def codes(scope: str | None = None, family: str | None = None) -> frozenset[str]:
    """The built-in codes of a scope or family: what the engine derives its stages from."""
    return frozenset(c for c, r in builtin_catalogue().items()
                     if (scope is None or r.scope == scope) and (family is None or r.family == family))


def register(entries) -> None:
    """Add rules defined by a user's rule pack to the catalogue of this process."""
    for entry in entries:
        if entry["code"] not in builtin_catalogue():
            _REGISTERED[entry["code"]] = Rule(**entry)


@dataclass(frozen=True, slots=True)
class Profile:
    """What a fine-tuning target accepts. Differences between targets are data, not code."""

    name: str
    description: str
    model: str
    roles: tuple[str, ...]
    message_keys: frozenset[str]
    example_keys: frozenset[str]
    content_parts: frozenset[str]
    weight_values: tuple[float, ...]
    weight_roles: frozenset[str]
    min_examples: int
    max_tokens: int | None
    tokenizer_hint: str = ""
    object_arguments: bool = False
    """Whether tool-call `arguments` may be a JSON object (Hugging Face chat templates expect one);
    otherwise it must be a JSON-encoded string, as OpenAI's API wants."""
    mapping: Any = None
    """The config's `[mapping]` (io.mapping.InputMapping): how to read records of the user's own
    shape. Carried here because every reader already gets the profile."""


def profile_names() -> list[str]:
    return sorted(p.stem for p in (rules_dir() / "profiles").glob("*.toml"))


@cache
def load_profile(name: str) -> Profile:
    path = rules_dir() / "profiles" / f"{name}.toml"
    if not path.is_file():
        raise KeyError(name)
    with open(path, "rb") as fh:
        d = tomllib.load(fh)
    return Profile(
        name=d["name"],
        description=d.get("description", ""),
        model=d["model"],
        roles=tuple(d["roles"]),
        message_keys=frozenset(d["message_keys"]),
        example_keys=frozenset(d["example_keys"]),
        content_parts=frozenset(d.get("content_parts", [])),
        weight_values=tuple(d.get("weight_values", [0, 1])),
        weight_roles=frozenset(d.get("weight_roles", ["assistant"])),
        min_examples=int(d.get("min_examples", 1)),
        object_arguments=bool(d.get("object_arguments", False)),
        max_tokens=d.get("max_tokens"),
        tokenizer_hint=d.get("tokenizer_hint", ""),
    )
