"""Dataset diversity for `sftlint stats`: how varied the answers' wording is (distinct n-grams)
and how much of the prompts a few templates cover (the checklist's realistic inputs)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sftlint.checks.patterns import rule_matches

_WORD = re.compile(r"\w+")
MAX_DISTINCT = 5_000_000  # bigram hashes kept; beyond this the distinct count is a lower bound


def style_words() -> dict[str, dict[str, float]]:
    import tomllib

    from sftlint.catalogue import rules_dir

    with open(rules_dir() / "style_words.toml", "rb") as fh:
        return tomllib.load(fh)["words"]


MAX_SLOTS = 200


def _placeholder_rules() -> tuple:
    """Q004's placeholder patterns from the built-in pack (not its work-in-progress-marker rule)."""
    from sftlint.packs import builtin_packs

    return tuple(r for p in builtin_packs() for r in p.rules if r.code == "Q004" and "placeholder" in r.message)


@dataclass
class Diversity:
    words: int = 0
    bigrams: int = 0
    distinct_words: set = field(default_factory=set)
    distinct_bigrams: set = field(default_factory=set)
    templates: Counter = field(default_factory=Counter)
    prompts: int = 0
    answers: int = 0
    style: Counter = field(default_factory=Counter)
    """Answers containing each model-style word."""
    _words: dict = field(default_factory=style_words)
    slots: Counter = field(default_factory=Counter)
    """Unfilled placeholders (Q004's slot patterns), by name."""
    slotted: int = 0
    """Examples holding one."""
    _slot_rules: tuple = field(default_factory=lambda: _placeholder_rules())

    def add(self, record: dict[str, Any]) -> None:
        from sftlint.checks.outliers import skeleton

        messages = record.get("messages") or []
        first_user = next((m.get("content") for m in messages if m.get("role") == "user"
                           and isinstance(m.get("content"), str) and m["content"].strip()), None)
        if first_user:
            self.prompts += 1
            self.templates[skeleton(first_user)] += 1
        found = Counter(found for m in messages if isinstance(m.get("content"), str)
                        for _, found in rule_matches(self._slot_rules, m["content"], m.get("role")))
        self.slots.update(found)
        self.slotted += bool(found)
        for m in messages:
            if m.get("role") != "assistant" or not isinstance(m.get("content"), str):
                continue
            words = _WORD.findall(m["content"].lower())
            self.answers += 1
            self.style.update(set(words) & self._words.keys())
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
            "model_style_words": self.overused(),
            "placeholders": {"examples": self.slotted, "distinct": len(self.slots),
                             "slots": [{"slot": s, "count": c} for s, c in self.slots.most_common(MAX_SLOTS)]},
        }

    def overused(self) -> list[dict[str, Any]]:
        """Model-style words used at least 3 times as often as in human text (per 1,000 answers),
        most over-used first: a dataset-level hint, for ordering review, never a failure."""
        out = []
        for word, count in self.style.items():
            rate = 1000 * count / self.answers
            human = self._words[word]["human"]
            if count >= 3 and rate >= 3 * max(human, 1.0):
                out.append({"word": word, "answers": count, "per_1000": round(rate, 1), "human_per_1000": human,
                            "model_per_1000": self._words[word]["model"]})
        return sorted(out, key=lambda w: -w["per_1000"] / max(w["human_per_1000"], 1.0))


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
    slots = d.get("placeholders") or {}
    if slots.get("distinct"):
        shown = ", ".join(f"{s['slot']} {s['count']:,}" for s in slots["slots"][:20])
        more = f" (and {slots['distinct'] - 20:,} more)" if slots["distinct"] > 20 else ""
        out.append(f"  unfilled placeholders (Q004): {slots['distinct']:,} distinct slot name(s) in "
                   f"{slots['examples']:,} example(s): {shown}{more}")
    if d.get("model_style_words"):
        out.append("  words chat models over-use, per 1,000 answers (human text, chat models):")
        for w in d["model_style_words"][:8]:
            out.append(f"    {w['word']:<14} {w['per_1000']:>7,.1f}   ({w['human_per_1000']:g}, {w['model_per_1000']:g})")
    return "\n".join(out)
