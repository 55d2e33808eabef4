"""Dataset diversity for `sftlint stats`: how varied the answers' wording is (distinct n-grams)
and how much of the prompts a few templates cover (the checklist's realistic inputs)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

_WORD = re.compile(r"\w+")
MAX_DISTINCT = 5_000_000  # bigram hashes kept; beyond this the distinct count is a lower bound


@dataclass
class Diversity:
    words: int = 0
    bigrams: int = 0
    distinct_words: set = field(default_factory=set)
    distinct_bigrams: set = field(default_factory=set)
    templates: Counter = field(default_factory=Counter)
    prompts: int = 0

    def add(self, record: dict[str, Any]) -> None:
        from sftlint.checks.dataset import skeleton

        messages = record.get("messages") or []
        first_user = next((m.get("content") for m in messages if m.get("role") == "user"
                           and isinstance(m.get("content"), str) and m["content"].strip()), None)
        if first_user:
            self.prompts += 1
            self.templates[skeleton(first_user)] += 1
        for m in messages:
            if m.get("role") != "assistant" or not isinstance(m.get("content"), str):
                continue
            words = _WORD.findall(m["content"].lower())
            self.words += len(words)
            self.bigrams += max(0, len(words) - 1)
            if len(self.distinct_words) < MAX_DISTINCT:
                self.distinct_words.update(words)
            if len(self.distinct_bigrams) < MAX_DISTINCT:
                self.distinct_bigrams.update(hash(b) for b in zip(words, words[1:], strict=False))

    def summary(self, top: int = 5) -> dict[str, Any]:
        common = self.templates.most_common(top)
        return {
            "answer_words": self.words,
            "distinct_1": len(self.distinct_words) / self.words if self.words else None,
            "distinct_2": len(self.distinct_bigrams) / self.bigrams if self.bigrams else None,
            "prompts": self.prompts,
            "distinct_prompt_templates": len(self.templates),
            "top_templates": [{"template": t, "count": c} for t, c in common],
            "top_templates_share": sum(c for _, c in common) / self.prompts if self.prompts else None,
        }


def render(d: dict[str, Any]) -> str:
    if not d["answer_words"] and not d["prompts"]:
        return ""
    out = ["", "", "diversity"]
    if d["distinct_2"] is not None:
        out.append(f"  answers: distinct-1 {d['distinct_1']:.3f}   distinct-2 {d['distinct_2']:.3f} "
                   f"(unique words and word pairs per word; low means repetitive wording)")
    if d["prompts"]:
        out.append(f"  prompts: {d['distinct_prompt_templates']:,} distinct templates for {d['prompts']:,} first "
                   f"prompts; the top {len(d['top_templates'])} cover {d['top_templates_share']:.0%}")
        for t in d["top_templates"]:
            if t["count"] > 1:
                out.append(f"    {t['count']:>6,} × {t['template'][:90]!r}")
    return "\n".join(out)
