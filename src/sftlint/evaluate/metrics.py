"""The article's evaluation metrics on generated answers, pure functions: accuracy against the
reference, format compliance, and paired bootstrap intervals for base-vs-adapter differences."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

from sftlint.similarity import rouge_l

METRICS = ("exact", "normalized", "numeric", "rouge-l", "json-fields")
_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
_PUNCT = re.compile(r"[^\w\s]")


def normalize(text: str) -> str:
    """Lower case, Unicode NFKC, punctuation dropped, whitespace collapsed (SQuAD-style)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(_PUNCT.sub(" ", text).split())


def final_number(text: str) -> float | None:
    """The answer's final number: after GSM8K's `####` marker when there is one, else the last
    number in the text (thousands separators allowed)."""
    if "####" in text:
        text = text.rsplit("####", 1)[1]
    found = _NUMBER.findall(text)
    if not found:
        return None
    try:
        return float(found[-1].replace(",", ""))
    except ValueError:
        return None


def parse_json(text: str) -> Any:
    """The text as JSON (a fenced ```json block is unwrapped), or None."""
    body = text.strip()
    fenced = re.match(r"^```(?:json)?\s*\n(.*?)\n```$", body, re.S)
    if fenced:
        body = fenced.group(1)
    try:
        return json.loads(body)
    except (ValueError, TypeError):
        return None


def scorer(metric: str, json_keys: Sequence[str] = ()) -> Callable[[str, str], float]:
    """A function (output, reference) -> score in [0, 1] for one metric."""
    if metric == "exact":
        return lambda out, ref: float(out.strip() == ref.strip())
    if metric == "normalized":
        return lambda out, ref: float(normalize(out) == normalize(ref))
    if metric == "numeric":
        def numeric(out: str, ref: str) -> float:
            a, b = final_number(out), final_number(ref)
            return float(a is not None and b is not None and abs(a - b) <= 1e-6 * max(1.0, abs(b)))
        return numeric
    if metric == "rouge-l":
        return rouge_l
    if metric == "json-fields":
        def fields(out: str, ref: str) -> float:
            a, b = parse_json(out), parse_json(ref)
            if not isinstance(a, dict) or not isinstance(b, dict):
                return 0.0
            keys = list(json_keys) or sorted(b)
            return float(all(k in a and a[k] == b.get(k) for k in keys))
        return fields
    raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}")


def answer_part(output: str) -> tuple[str, bool]:
    """A reasoning model's output split: the answer after its reasoning (the whole output when it
    holds none), and whether it reasoned in form: a closed think block (or analysis channel)
    followed by an answer. A bare `</think>` counts as closed: templates that open the block in
    the generation prompt (DeepSeek-R1, Qwen3) leave only the closing tag in the output."""
    from sftlint.io.reasoning import split_content

    split = split_content(output, "assistant")
    if split.reasoning is None:
        return output, False
    return split.answer, split.blocks == 1 and bool(split.answer.strip())


def format_checks(output: str, reference: str, ended: bool, artefact: Callable[[str], bool],
                  pattern: re.Pattern | None, schema: dict | None, reasons: bool = False) -> dict[str, bool]:
    """Which format checks an output passes (those that apply to it):
    `ended` the model ended its turn within the token limit; `no_artefacts` no role markers or
    template tokens; `reasoning` a closed think block followed by an answer (only when the
    reference reasons); `json` parses as JSON (only when the reference does); `pattern` matches
    the configured regex; `schema` validates against the configured JSON schema. The checks after
    `reasoning` read the answer part of the output."""
    checks = {"ended": ended, "no_artefacts": not artefact(output)}
    answer, reasoned = answer_part(output)
    if reasons:
        checks["reasoning"] = reasoned
    output = answer
    if parse_json(reference) is not None:
        checks["json"] = parse_json(output) is not None
    if pattern is not None:
        checks["pattern"] = pattern.search(output) is not None
    if schema is not None:
        import jsonschema

        value = parse_json(output)
        checks["schema"] = value is not None and jsonschema.Draft202012Validator(schema).is_valid(value)
    return checks


def bootstrap_delta(base: Sequence[float], adapter: Sequence[float], weights: Sequence[float] | None = None,
                    resamples: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """Paired difference adapter - base of the (weighted) means, with a 95% percentile bootstrap
    interval over examples."""
    import numpy as np

    a, b = np.asarray(adapter, dtype=float), np.asarray(base, dtype=float)
    w = np.ones(len(a)) if weights is None else np.asarray(weights, dtype=float)
    if not len(a):
        return 0.0, 0.0, 0.0
    delta = float((w * (a - b)).sum() / w.sum())
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(a), size=(resamples, len(a)))
    sw = w[picks]
    samples = (sw * (a - b)[picks]).sum(1) / sw.sum(1)
    lo, hi = np.quantile(samples, [0.025, 0.975])
    return delta, float(lo), float(hi)


def verdict(delta: float, lo: float, hi: float, higher_is_better: bool = True) -> str:
    """better / worse when the 95% interval excludes zero, else no clear change."""
    if lo > 0 or hi < 0:
        return "better" if (lo > 0) == higher_is_better else "worse"
    return "no clear change"
