"""Click options made from a config dataclass's fields, as TRL's HfArgumentParser makes them from
SFTConfig: one source for a command's flags, their types, choices and help, the config file's
keys and the defaults.

Field metadata: `help`; `flags` (names, default `--field-name`; `--x/--no-x` for a pair);
`choices`; `required`; `folder` (a path that is a folder); `metavar`; `cli: False` to leave a
field out. Every flag defaults to None, so a value from the config file applies unless the flag
is given; the help says the dataclass default.
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

import click

_TYPES: dict[str, Any] = {"int": int, "float": float, "str": str}


def options_from(cls: type, exclude: tuple[str, ...] = ()):
    """A decorator adding one click option per field of `cls` (in field order)."""
    decorators = []
    for f in fields(cls):
        meta = f.metadata
        if meta.get("cli") is False or f.name in exclude:
            continue
        kind = str(f.type).replace(" | None", "")
        flag = f"--{f.name.replace('_', '-')}"
        optional_bool = str(f.type) == "bool | None"  # three states: on, off, or decided at run time
        names = meta.get("flags") or ((f"{flag}/--no-{flag[2:]}",) if optional_bool else (flag,))
        kwargs: dict[str, Any] = {"default": None, "help": meta.get("help", "")}
        default = f.default if f.default is not MISSING else None
        if default is not None and default is not False and not meta.get("required"):
            shown = default if not isinstance(default, Path) else str(default)
            kwargs["help"] += f" [default: {shown}]"
        if kind == "bool":
            if "/" in names[-1]:
                kwargs["default"] = None
            else:
                kwargs.update(is_flag=True, default=None)
        elif meta.get("choices"):
            kwargs["type"] = click.Choice(list(meta["choices"]))
        elif kind == "Path":
            kwargs["type"] = click.Path(path_type=Path, file_okay=not meta.get("folder"), dir_okay=bool(meta.get("folder")))
        else:
            kwargs["type"] = _TYPES.get(kind, str)
        if meta.get("required"):
            kwargs["required"] = True
        if meta.get("metavar"):
            kwargs["metavar"] = meta["metavar"]
        decorators.append(click.option(*names, f.name, **kwargs))

    def apply(fn):
        for d in reversed(decorators):
            fn = d(fn)
        return fn

    return apply


def given(values: dict[str, Any], cls: type) -> dict[str, Any]:
    """The values of `cls`'s fields that were given on the command line."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in values.items() if k in names and v is not None}
