"""Tool calls against the tools an example declares (S033): the function exists, and its
arguments satisfy the function's JSON Schema (`parameters`), validated with `jsonschema`.

A call the schema rejects teaches the model to call the tool wrongly: a required argument left
out, an argument the function does not take, a string where a number is wanted, a value outside
an enum. An argument the schema does not list counts as unknown unless the schema allows extra
properties explicitly (`additionalProperties: true`), as OpenAI's strict mode reads schemas.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import orjson


def declared(tools: Any) -> dict[str, Any]:
    """Function name -> its `parameters` schema (None when it declares none), from OpenAI-style
    `tools` (`{"type": "function", "function": {...}}`) or bare function objects."""
    out: dict[str, Any] = {}
    if not isinstance(tools, list):
        return out
    for tool in tools:
        fn = tool.get("function", tool) if isinstance(tool, dict) else None
        if isinstance(fn, dict) and isinstance(fn.get("name"), str):
            params = fn.get("parameters")
            out[fn["name"]] = params if isinstance(params, dict) else None
    return out


@lru_cache(maxsize=256)
def _validator(schema_json: bytes):
    """One compiled validator per distinct schema (a file repeats the same tools on every line);
    None when the schema itself is invalid (not the call's fault)."""
    from jsonschema import exceptions, validators

    schema = orjson.loads(schema_json)
    cls = validators.validator_for(schema)
    try:
        cls.check_schema(schema)
    except exceptions.SchemaError:
        return None
    return cls(schema)


def problems(schema: dict, arguments: Any) -> Iterator[str]:
    """What is wrong with these arguments under this schema, each naming the argument."""
    validator = _validator(orjson.dumps(schema, option=orjson.OPT_SORT_KEYS))
    if validator is None:
        return
    for error in sorted(validator.iter_errors(arguments), key=lambda e: list(e.absolute_path)):
        where = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "required":
            missing = [r for r in error.validator_value if isinstance(error.instance, dict) and r not in error.instance]
            yield from (f"missing required argument '{_at(where, r)}'" for r in missing)
        elif error.validator == "additionalProperties":
            extra = sorted(k for k in error.instance if k not in schema_properties(error.schema))
            yield from (f"unknown argument '{_at(where, k)}'" for k in extra)
        elif error.validator == "type":
            yield f"argument '{where or '(all)'}' is {_json_type(error.instance)}, not {_types(error.validator_value)}"
        elif error.validator == "enum":
            allowed = ", ".join(orjson.dumps(v).decode() for v in error.validator_value[:8])
            yield f"argument '{where}' is {orjson.dumps(error.instance).decode()[:40]}, not one of {allowed}"
        else:
            yield f"argument '{where or '(all)'}': {error.message[:120]}"
    if isinstance(arguments, dict) and schema.get("type", "object") == "object" \
            and "additionalProperties" not in schema and isinstance(schema.get("properties"), dict):
        yield from (f"unknown argument '{k}'" for k in sorted(arguments) if k not in schema["properties"])


def schema_properties(schema: Any) -> dict:
    return schema.get("properties", {}) if isinstance(schema, dict) else {}


def _at(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


_A = {"string": "a string", "number": "a number", "integer": "an integer", "boolean": "a boolean",
      "array": "an array", "object": "an object", "null": "null"}


def _types(value: Any) -> str:
    return " or ".join(_A.get(v, str(v)) for v in (value if isinstance(value, list) else [value]))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"
