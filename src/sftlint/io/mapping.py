"""A user's own record shape, declared in config, as LLaMA-Factory's `dataset_info.json` maps
columns: which key holds the turns and how a turn names its role and text, or which keys hold
the prompt and the answer.

    [tool.sftlint.mapping]
    turns = "dialogue"                      # the list of turns
    role = "speaker"                        # each turn's role key ...
    content = "text"                        # ... and text key
    roles = { customer = "user", agent = "assistant" }
    system = "persona"                      # optional top-level system prompt

    [tool.sftlint.mapping]                  # or turns that hold a pair each (Firefly's shape)
    turns = "conversation"
    user = "human"
    assistant = "assistant"

    [tool.sftlint.mapping]                  # or one exchange per record ({prompt, chosen} files)
    prompt = "prompt"
    answer = "chosen"
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

KEYS = ("turns", "role", "content", "roles", "user", "assistant", "prompt", "answer", "system")
ROLES = ("system", "user", "assistant", "tool")


@dataclass(frozen=True)
class InputMapping:
    turns: str | None = None
    role: str = "role"
    content: str = "content"
    roles: tuple[tuple[str, str], ...] = ()
    user: str | None = None
    assistant: str | None = None
    prompt: str | None = None
    answer: str | None = None
    system: str | None = None
    also: tuple[str, ...] = ()
    """Other top-level keys the shape has (not reported as unrecognised)."""

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> InputMapping:
        """Checked: raises ValueError naming the key."""
        for key, value in table.items():
            if key not in KEYS:
                raise ValueError(f"{key}: unknown key (keys: {', '.join(KEYS)})")
            if key == "roles":
                if not isinstance(value, dict) or not all(isinstance(v, str) and v in ROLES for v in value.values()):
                    raise ValueError(f"roles: a table of the data's role names to {', '.join(ROLES)}")
            elif not isinstance(value, str) or not value:
                raise ValueError(f"{key}: expected a key name (a string)")
        turns, pair = table.get("turns"), (table.get("prompt"), table.get("answer"))
        if turns is None and None in pair:
            raise ValueError("needs `turns` (a list of turns), or `prompt` and `answer`")
        if turns is not None and (table.get("prompt") or table.get("answer")):
            raise ValueError("`turns` or `prompt`/`answer`, not both")
        if ("user" in table) != ("assistant" in table):
            raise ValueError("`user` and `assistant` go together (turns that each hold a pair)")
        return cls(turns=turns, role=table.get("role", "role"), content=table.get("content", "content"),
                   roles=tuple(sorted(table.get("roles", {}).items())), user=table.get("user"),
                   assistant=table.get("assistant"), prompt=table.get("prompt"), answer=table.get("answer"),
                   system=table.get("system"))

    @property
    def anchor(self) -> str:
        """The key every mapped record must have."""
        return self.turns or self.prompt or ""

    def role_of(self, name: Any) -> Any:
        return dict(self.roles).get(name, name)

    def known_keys(self) -> set[str]:
        return {k for k in (self.turns, self.prompt, self.answer, self.system, *self.also) if k}
