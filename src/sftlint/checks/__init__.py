"""The code behind non-declarative rules, one module per family.

A check is a pure function of one example that yields `Hit`s; the engine owns the loop, attaches
the rule code, severity and position, and counts. No I/O inside a check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
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
EXAMPLE_CHECKS: dict[str, ExampleCheck] = {}


def check(code: str) -> Callable[[ExampleCheck], ExampleCheck]:
    def register(fn: ExampleCheck) -> ExampleCheck:
        if code in EXAMPLE_CHECKS:
            raise ValueError(f"two checks registered for {code}")
        EXAMPLE_CHECKS[code] = fn
        return fn

    return register


def load_all() -> dict[str, ExampleCheck]:
    from sftlint.checks import quality, repetition, structure, tokens  # noqa: F401  (registration by import)

    return EXAMPLE_CHECKS
