"""What `sftlint eval` can be asked: its options (one dataclass; the CLI's flags are made from its
fields), the [tool.sftlint.eval] table that sets their defaults, and how the two combine."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from sftlint.config import register_table
from sftlint.evaluate.metrics import METRICS
from sftlint.models import DTYPES
from sftlint.progress import Reporter


class EvalError(Exception):
    """The evaluation cannot run (a usage error: exit 2, with the reason)."""


@dataclass
class EvalOptions:
    adapter: Path = field(metadata={"help": "The adapter folder `sftlint train` wrote.", "required": True,
                                    "folder": True})
    data: Path = field(metadata={"help": "Held-out examples (e.g. out/test.jsonl from `sftlint export`).",
                                 "required": True})
    model: str | None = field(default=None, metadata={
        "help": "Base model (default: the one the adapter was trained on, from its training_report.json)."})
    out: Path | None = field(default=None, metadata={
        "help": "Where eval_report.json and eval_chart.png go (default: the adapter folder).",
        "flags": ("-o", "--output", "--out"), "folder": True})
    metric: str = field(default="rouge-l", metadata={"help": "How an output is compared with the reference.",
                                                      "choices": METRICS})
    json_keys: str | None = field(default=None, metadata={
        "help": "With --metric json-fields: the keys that must be equal (comma-separated; default: all)."})
    general_text: str | None = field(default=None, metadata={
        "help": "General text for the retention check: a text file, a folder of data files, or a Hugging Face "
                "dataset NAME[:CONFIG] (online).", "metavar": "FILE_OR_DATASET"})
    retention_bound: float = field(default=0.95, metadata={
        "help": "Flag retention (base perplexity / adapter perplexity) below this."})
    max_new_tokens: int = field(default=256, metadata={"help": "Longest generated answer, in tokens."})
    batch_size: int = field(default=8, metadata={"help": "Examples per generation batch."})
    limit: int | None = field(default=None, metadata={"help": "Evaluate only the first N examples."})
    dtype: str = field(default="auto", metadata={
        "help": "Compute dtype (auto: bf16 on GPUs and on CPUs that run it natively, else fp32).",
        "choices": tuple(DTYPES)})
    profile: str = field(default="hf", metadata={"help": "Profile used to read the data."})
    max_length: int = field(default=2048, metadata={"cli": False})
    general_tokens: int = field(default=8192, metadata={"cli": False})
    format_regex: str | None = field(default=None, metadata={"cli": False})
    json_schema: dict | None = field(default=None, metadata={"cli": False})
    device: str | None = field(default=None, metadata={"cli": False})
    reporter: Reporter = field(default_factory=lambda: Reporter(stream=io.StringIO(), live=False),
                               metadata={"cli": False})
    """Where progress goes (default: nowhere)."""

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k.strip() for k in (self.json_keys or "").split(",") if k.strip())

EVAL_KEYS: dict[str, tuple[type, ...]] = {
    "model": (str,), "metric": (str,), "json-keys": (list,), "general-text": (str,), "retention-bound": (int, float),
    "max-new-tokens": (int,), "batch-size": (int,), "format-regex": (str,), "json-schema": (str,),
}


def check_table(table: dict[str, Any]) -> dict[str, Any]:
    for key, value in table.items():
        if key not in EVAL_KEYS:
            raise ValueError(f"{key}: unknown option (options: {', '.join(sorted(EVAL_KEYS))})")
        want = EVAL_KEYS[key]
        if not isinstance(value, want) or isinstance(value, bool):
            raise ValueError(f"{key}: expected {want[0].__name__}, got {value!r}")
        if key == "metric" and value not in METRICS:
            raise ValueError(f"metric: one of {', '.join(METRICS)}; got {value!r}")
        if key == "format-regex":
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"format-regex: not a valid regular expression: {exc}") from exc
        if key == "retention-bound" and not 0 < value <= 2:
            raise ValueError(f"retention-bound: a ratio of perplexities, e.g. 0.95; got {value!r}")
    return table


register_table("eval", check_table, "`sftlint eval` defaults, e.g. metric = \"numeric\"; flags win.")


def resolve(flags: dict[str, Any], table: dict[str, Any], base: Path) -> EvalOptions:
    """The options of one run: the flags given, else the config's [eval] table (paths in it relative
    to `base`, the config file's folder), else the defaults; the base model, when neither names
    it, from the adapter's training_report.json. Raises EvalError with what is wrong."""
    given = {k: v for k, v in flags.items() if v is not None}
    known = {f.name for f in fields(EvalOptions)}
    conf = {k.replace("-", "_"): v for k, v in table.items() if k.replace("-", "_") in known}
    if isinstance(conf.get("json_keys"), list):
        conf["json_keys"] = ",".join(conf["json_keys"])
    if "general_text" in conf and "general_text" not in given and (base / conf["general_text"]).exists():
        conf["general_text"] = str(base / conf["general_text"])
    if conf.get("json_schema"):
        schema_path = base / conf["json_schema"]
        try:
            conf["json_schema"] = json.loads(schema_path.read_text())
        except (OSError, ValueError) as exc:
            raise EvalError(f"json-schema {schema_path}: {exc}") from exc
    options = EvalOptions(**{**conf, **given})
    if options.model is None:
        report = options.adapter / "training_report.json"
        options.model = json.loads(report.read_text()).get("model") if report.is_file() else None
    if options.out is None:
        options.out = options.adapter
    return options
