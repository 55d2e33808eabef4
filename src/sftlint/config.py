"""Settings from `[tool.sftlint]` in pyproject.toml or a `sftlint.toml`, then CLI flags.

Two layers: `RawSettings` is what the user wrote (every default in one place, unknown keys are
errors); `Settings.resolve()` turns it into what the engine uses (selected codes, rule options
merged with the profile's, compiled per-file ignores) and adds no defaults of its own.
Precedence: catalogue defaults < profile < config file < CLI flags.
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from sftlint.catalogue import Profile, catalogue, load_profile, profile_names

CONFIG_FILES = ("sftlint.toml", "pyproject.toml")


class ConfigError(Exception):
    """Invalid configuration; the message names the file and key. Exit code 2."""


def _kebab(name: str) -> str:
    return name.replace("_", "-")


def _check_selectors(codes: list[str]) -> list[str]:
    known = catalogue()
    bad = [c for c in codes if c != "ALL" and not any(k.startswith(c) for k in known)]
    if bad:
        raise ValueError(f"unknown rule code(s) or prefix(es): {', '.join(bad)}")
    return codes


TableCheck = Callable[[dict[str, Any]], dict[str, Any]]
_TABLES: dict[str, tuple[TableCheck, str]] = {}


def register_table(name: str, check: TableCheck, doc: str) -> None:
    """A stage's own table of settings, `[tool.sftlint.<name>]`: the stage registers how to check it
    (raising ValueError naming the key) and its documentation, so this module never imports a
    stage. The CLI imports every stage's options before it reads settings; a table whose stage
    is not registered is kept as written, and the stage checks it when it runs."""
    _TABLES[name] = (check, doc)


def table_doc(name: str) -> str:
    return _TABLES[name][1] if name in _TABLES else ""


class RawSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=_kebab, populate_by_name=True, use_attribute_docstrings=True)

    # first: validators run in field order, and the codes a pack defines may be selected below
    extend_packs: list[str] = []
    """Your own rule packs (TOML, paths relative to the config file): phrase, regex and glossary rules."""
    select: list[str] | None = None
    """Rule codes or prefixes to check, e.g. ["S", "T001"]. Default: every stable rule.
    A prefix or ALL picks preview rules only with `preview`; a preview rule's exact code always does."""
    extend_select: list[str] = []
    """Codes or prefixes to check in addition to `select`, e.g. preview rules."""
    ignore: list[str] = []
    """Codes or prefixes never to report, e.g. ["S029"]."""
    preview: bool = False
    """Check preview rules too: those whose measured precision has not earned the default set yet
    (`sftlint rules` shows it). Their findings never make `export` leave an example out unless
    their exact code is in `select` or `extend-select`."""
    per_file_ignores: dict[str, list[str]] = {}
    """Glob (matched against the path as given, and its name) -> codes to ignore there."""
    profile: str = "openai"
    """Fine-tuning target: what it accepts and its limits. `sftlint profiles` lists them."""
    max_tokens: int | None = Field(default=None, gt=0)
    """Per-example token limit; overrides the profile's (same knob as T001's max-tokens)."""
    tokenizer: str | None = None
    """Hugging Face tokenizer (folder, hub id or .gguf file); counts what its chat template renders."""
    encoding: str | None = None
    """tiktoken encoding to count with, e.g. "cl100k_base"; default: the profile model's."""
    fail_on: Literal["info", "warning", "error"] = "error"
    """Lowest severity that makes `sftlint lint` exit 1."""
    input_format: Literal["auto", "messages", "sharegpt", "alpaca", "pairs", "firefly"] = "auto"
    """Input format; "auto" detects it per file."""
    mapping: dict[str, Any] = {}
    """Your own record shape, as [tool.sftlint.mapping]: `turns` (the key of the list of turns) with
    `role`, `content` and `roles` (your role names to user/assistant/system/tool), or `user` and
    `assistant` (turns that hold a pair each); or `prompt` and `answer`; optionally `system`. When
    set, every file is read with it."""
    rules: dict[str, dict[str, Any]] = {}
    """Per-rule options, e.g. [tool.sftlint.rules.S028] min-examples = 50."""
    review: dict[str, Any] = {}
    """The review UI: [tool.sftlint.review] reviewer, and [tool.sftlint.review.keys]."""
    train: dict[str, Any] = {}
    """`sftlint train` defaults, e.g. [tool.sftlint.train] model = "...", lora-r = 32; flags win."""
    eval: dict[str, Any] = {}
    """`sftlint eval` defaults, e.g. [tool.sftlint.eval] metric = "numeric"; flags win."""

    @field_validator("extend_packs")
    @classmethod
    def packs_load(cls, paths: list[str], info: ValidationInfo) -> list[str]:
        """Load (and so validate) the packs now, so their codes can be selected; paths become
        absolute, relative to the config file's folder."""
        from sftlint.catalogue import register
        from sftlint.packs import PackError, load_pack

        base = Path((info.context or {}).get("base", "."))
        out = []
        for p in paths:
            path = (base / p).resolve()
            try:
                pack = load_pack(path, catalogue())
            except PackError as exc:
                raise ValueError(str(exc)) from exc
            register(pack.new_codes)
            out.append(str(path))
        return out

    @field_validator("select", "extend_select", "ignore")
    @classmethod
    def known_codes(cls, codes: list[str] | None) -> list[str] | None:
        return None if codes is None else _check_selectors(codes)

    @field_validator("per_file_ignores")
    @classmethod
    def known_ignores(cls, table: dict[str, list[str]]) -> dict[str, list[str]]:
        for codes in table.values():
            _check_selectors(codes)
        return table

    @field_validator("review", "train", "eval")
    @classmethod
    def stage_table(cls, table: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        registered = _TABLES.get(info.field_name)
        return registered[0](table) if registered else table

    @field_validator("mapping")
    @classmethod
    def valid_mapping(cls, table: dict[str, Any]) -> dict[str, Any]:
        from sftlint.io.mapping import InputMapping

        if table:
            InputMapping.from_table(table)
        return table

    @field_validator("profile")
    @classmethod
    def known_profile(cls, name: str) -> str:
        if name not in profile_names():
            raise ValueError(f"unknown profile {name!r}; available: {', '.join(profile_names())}")
        return name

    @field_validator("rules")
    @classmethod
    def known_options(cls, table: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        rules = catalogue()
        for code, options in table.items():
            if code not in rules:
                raise ValueError(f"rules.{code}: unknown rule code")
            defaults = rules[code].options
            for key, value in options.items():
                name = key.replace("-", "_")
                if name not in defaults:
                    have = ", ".join(_kebab(k) for k in defaults) or "none"
                    raise ValueError(f"rules.{code}.{key}: unknown option (options: {have})")
                want = type(defaults[name])
                if want is float and isinstance(value, int) and not isinstance(value, bool):
                    value = float(value)
                    options[key] = value
                if not isinstance(value, want) or isinstance(value, bool) != isinstance(defaults[name], bool):
                    raise ValueError(f"rules.{code}.{key}: expected {want.__name__}, got {value!r}")
                if name == "key" and value not in ("conversation", "prompt", "response", "full"):
                    raise ValueError(f"rules.{code}.{key}: one of conversation, prompt, response, full; got {value!r}")
                if name == "threshold" and not 0 < value <= 1:
                    raise ValueError(f"rules.{code}.{key}: a Jaccard similarity in (0, 1]; got {value!r}")
        return table


def find_config(start: Path) -> tuple[Path | None, dict[str, Any]]:
    """The nearest sftlint.toml or pyproject.toml with [tool.sftlint], walking up from `start`."""
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    for directory in (here, *here.parents):
        for name in CONFIG_FILES:
            path = directory / name
            if not path.is_file():
                continue
            data = _read_toml(path)
            if name == "sftlint.toml":
                return path, data
            tool = data.get("tool", {}).get("sftlint")
            if tool is not None:
                return path, tool
    return None, {}


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc


def parse_raw(data: dict[str, Any], source: str, base: Path | None = None) -> RawSettings:
    try:
        return RawSettings.model_validate(data, context={"base": str(base or Path.cwd())})
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or "(top level)"
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown key"
            lines.append(f"{source}: {key}: {msg}")
        raise ConfigError("\n".join(lines)) from exc


def _matches(selector: str, code: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


@dataclass(frozen=True)
class Settings:
    raw: RawSettings
    source: Path | None
    profile: Profile
    selected: frozenset[str]
    options: dict[str, dict[str, Any]]

    @classmethod
    def resolve(cls, raw: RawSettings, source: Path | None = None) -> Settings:
        rules = catalogue()
        profile = load_profile(raw.profile)
        if raw.mapping:
            from dataclasses import replace

            from sftlint.io.mapping import InputMapping

            profile = replace(profile, mapping=InputMapping.from_table(raw.mapping))
        def picked(selectors: list[str], code: str) -> bool:
            """An exact code picks its rule; a prefix or ALL picks a preview rule only with preview on."""
            usable = rules[code].status == "stable" or (raw.preview and rules[code].status == "preview")
            return any(s == code or (usable and _matches(s, code)) for s in selectors)

        if raw.select is None:
            chosen = {c for c, r in rules.items() if r.status == "stable" or (raw.preview and r.status == "preview")}
        else:
            chosen = {c for c in rules if picked(raw.select, c)}
        chosen |= {c for c in rules if picked(raw.extend_select, c)}
        chosen -= {c for c in rules if any(_matches(s, c) for s in raw.ignore)}
        options = {code: dict(rule.options) for code, rule in rules.items()}
        options["S028"]["min_examples"] = profile.min_examples
        options["T001"]["max_tokens"] = profile.max_tokens
        for code, table in raw.rules.items():
            options[code].update({k.replace("-", "_"): v for k, v in table.items()})
        if raw.max_tokens is not None:
            options["T001"]["max_tokens"] = raw.max_tokens
        return cls(raw, source, profile, frozenset(chosen), options)

    def may_leave_out(self, code: str) -> bool:
        """Whether a finding of this rule may make `export` leave an example out: a preview rule
        only when its exact code was asked for (a rule not yet trusted never drops data silently)."""
        rule = catalogue().get(code)
        if rule is None or rule.status != "preview":
            return True
        return code in (self.raw.select or ()) or code in self.raw.extend_select

    def ignored_for(self, path: str) -> frozenset[str]:
        """Codes ignored for one file by `per-file-ignores`."""
        name = Path(path).name
        out: set[str] = set()
        for pattern, codes in self.raw.per_file_ignores.items():
            if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(name, pattern):
                out |= {c for c in catalogue() if any(_matches(s, c) for s in codes)}
        return frozenset(out)


def read_config(start: Path, config_path: Path | None) -> tuple[Path | None, dict[str, Any]]:
    """The config file in force (given, else found from `start`) and what it says (its
    [tool.sftlint] table for a pyproject.toml)."""
    if config_path is None:
        return find_config(start)
    if not config_path.is_file():
        raise ConfigError(f"{config_path}: no such config file")
    data = _read_toml(config_path)
    if config_path.name == "pyproject.toml":
        data = data.get("tool", {}).get("sftlint", {})
    return config_path, data


def load_settings(start: Path, config_path: Path | None, overrides: dict[str, Any]) -> Settings:
    """Settings for a run: the config file found from `start` (or given), then CLI overrides."""
    source, data = read_config(start, config_path)
    label = f"{source} [tool.sftlint]" if source and source.name == "pyproject.toml" else str(source or "settings")
    base = source.parent if source else None
    if "extend-packs" in data:  # the config's packs first, under its name: the flags may select their codes
        parse_raw({"extend-packs": data["extend-packs"]}, label, base)
    parse_raw({k: v for k, v in overrides.items() if v is not None}, "command line", base)
    merged = {**data}
    for key, value in overrides.items():
        if value is None:
            continue
        if key in ("extend-select", "ignore"):
            merged[key] = [*merged.get(key, []), *value]
        else:
            merged[key] = value
    raw = parse_raw(merged, label, base)
    return Settings.resolve(raw, source)


def _toml_value(value: Any) -> str:
    """A value as TOML: strings, numbers, booleans, arrays and inline tables."""
    import json
    import math

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON's escapes are TOML's basic-string escapes
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return _toml_value(str(value))


def _toml_key(key: str) -> str:
    import re

    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_value(key)


def as_toml(settings: Settings, written: dict[str, Any]) -> str:
    """The settings in force as a valid TOML config, each value followed by where it came from
    (`# from <file>` or `# default`) and preceded by its documentation; unset values are comments."""
    source = settings.source
    pyproject = source is not None and source.name == "pyproject.toml"
    prefix = "tool.sftlint." if pyproject else ""
    origin = f"from {source.name}" if source is not None else ""
    lines = [f"# Settings in force; config file: {source or 'none (all defaults)'}"]
    if pyproject:
        lines.append("[tool.sftlint]")
    tables: list[tuple[str, Any, Any, str]] = []

    def entry(key: str, value: Any, found: Any, doc: str | None, out: list[str]) -> None:
        if doc:
            out.extend(f"# {line}" for line in doc.splitlines())
        where = origin if found is not _MISSING else "default"
        if value is None:
            out.append(f"# {key}: unset ({where})")
        else:
            out.append(f"{_toml_key(key)} = {_toml_value(value)}  # {where}")

    for name, field in RawSettings.model_fields.items():
        key = _kebab(name)
        value = getattr(settings.raw, name)
        found = written.get(key, _MISSING)
        if name == "train":  # checked into TrainConfig's field names; shown as written
            tables.append((key, {_kebab(k): v for k, v in value.items()}, found, field.description or ""))
        elif isinstance(value, dict):
            tables.append((key, value, found, field.description or ""))
        else:
            entry(key, value, found, field.description, lines)
    for key, value, found, doc in tables:
        lines += ["", *(f"# {line}" for line in doc.splitlines()), f"[{prefix}{key}]"]
        sub = found if isinstance(found, dict) else {}
        nested = []
        for k, v in value.items():
            if isinstance(v, dict):
                nested.append((k, v))
            else:
                entry(k, v, sub.get(k, _MISSING), None, lines)
        if not value:
            lines.append(f"# empty ({origin if found is not _MISSING else 'default'})")
        for k, v in nested:
            lines.append(f"[{prefix}{key}.{_toml_key(k)}]")
            inner = sub.get(k) if isinstance(sub.get(k), dict) else {}
            for kk, vv in v.items():
                entry(kk, vv, inner.get(kk, _MISSING), None, lines)
            if not v:
                lines.append("# empty (default)")
    lines += ["", f"# rules checked: {len(settings.selected)} ({', '.join(sorted(settings.selected))})"]
    return "\n".join(lines)


_MISSING = object()
