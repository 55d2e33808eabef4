"""The code behind non-declarative rules: pure functions, no I/O, no models, no UI.

An example check is a function of one conversation that yields `Hit`s, registered with
`@check(CODE)`; the engine owns the loop, attaches the rule code, severity and position, and
counts. Corpus checks (corpus.py, duplicates.py, outliers.py, truncation.py) are functions of
the corpus table. Every module in this package is imported by `load_all()` (nothing is listed by
hand), and a check registered under a code the catalogue does not have fails at import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sftlint.catalogue import Profile
    from sftlint.schema import Conversation
    from sftlint.tokens import TokenCount


@dataclass(slots=True)
class Hit:
    message_index: int | None = None
    message: str | None = None
    """Specific message; the catalogue summary is used when None."""
    span: tuple[int, int] | None = None


@dataclass(slots=True)
class Context:
    """What a check may read besides the example: the profile, options, token counts."""

    profile: Profile
    options: dict[str, dict[str, Any]]
    counter: Any = None
    _tokens: TokenCount | None = None
    _conv: Conversation | None = None
    _bound: TokenCount | None = None
    _bound_conv: Conversation | None = None

    def option(self, code: str, name: str) -> Any:
        return self.options[code][name]

    def tokens(self, conv: Conversation) -> TokenCount | None:
        if self.counter is None:
            return None
        if self._conv is not conv:
            self._conv, self._tokens = conv, self.counter.count(conv)
        return self._tokens

    def tokens_over(self, conv: Conversation, limit: int | None) -> TokenCount | None:
        """The exact counts when the example is over `limit` tokens, else None; examples whose
        bound is under the limit are not encoded at all (most of them)."""
        bound = self.token_bound(conv)
        if limit is None or bound is None or bound.total <= limit:
            return None
        counts = self.tokens(conv)
        return counts if counts.total > limit else None

    def token_bound(self, conv: Conversation) -> TokenCount | None:
        """Counts that are upper bounds of `tokens` (exact where no cheap bound exists) and zero
        exactly where they are: what a check needs to rule an example out without encoding it."""
        if self.counter is None:
            return None
        if self._conv is conv:
            return self._tokens
        if self._bound_conv is not conv:
            self._bound_conv, self._bound = conv, self.counter.bound(conv)
        return self._bound


ExampleCheck = Callable[["Conversation", Context], Iterator[Hit]]


@cache
def reads(code: str) -> frozenset[str]:
    """The parts of a turn rule `code` reads (catalogue `reads`; every part when it names none)."""
    from sftlint.catalogue import READABLE, catalogue

    rule = catalogue().get(code)
    return frozenset(rule.reads) if rule is not None and rule.reads else frozenset(READABLE)
EXAMPLE_CHECKS: dict[str, ExampleCheck] = {}


def check(code: str) -> Callable[[ExampleCheck], ExampleCheck]:
    """Register an example check for `code`, a rule of the catalogue that an example alone can
    show (scope example, or corpus with a per-example part)."""
    from sftlint.catalogue import builtin_catalogue

    rule = builtin_catalogue().get(code)
    if rule is None:
        raise ValueError(f"@check({code!r}): no such rule in rules/catalogue.toml")
    if rule.scope not in ("example", "corpus"):
        raise ValueError(f"@check({code!r}): a {rule.scope} rule is not found one example at a time")

    def register(fn: ExampleCheck) -> ExampleCheck:
        if code in EXAMPLE_CHECKS:
            raise ValueError(f"two checks registered for {code}")
        EXAMPLE_CHECKS[code] = fn
        return fn

    return register


def load_all() -> dict[str, ExampleCheck]:
    """Every example check: each module of this package imported once (registration by import)."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return EXAMPLE_CHECKS
