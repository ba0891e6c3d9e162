"""Google's discovery documents (Sheets v4, Drive v3) turned into JSON Schema 2020-12 to check every body.

Conversion: `$ref: X` → `#/$defs/X`; every Sheets object is closed (`additionalProperties: false`) so a
misspelt field fails; every property accepts `null` (Google reads it as unset); int64/uint64 (strings in
discovery) accept a string of digits or an integer; enums are enforced; a batchUpdate `Request` must set
exactly one kind. Drive objects stay open: Drive v3 ignores unknown fields, and gspread's own
`insert_permission` sends `withLink`, which v3 no longer defines.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from . import fieldmask

_API_FILES = {"sheets": "sheets.v4.json", "drive": "drive.v3.json"}
_ONE_KIND = {"Request"}
# Field names Google gives the body in error paths (the request message field the body binds to).
_BODY_FIELD = {"ValueRange": "data", "Spreadsheet": "spreadsheet"}
_PROTO_TYPES = {
    "string": "TYPE_STRING",
    "integer": "TYPE_INT32",
    "number": "TYPE_DOUBLE",
    "boolean": "TYPE_BOOL",
    "array": "type.googleapis.com/google.protobuf.ListValue",
}


class SchemaViolation(AssertionError):
    """A body or query parameter Google would reject; `google_message`/`field` feed the 400 body."""

    def __init__(self, readable: str, google_message: str, field: str | None) -> None:
        super().__init__(readable)
        self.google_message = google_message
        self.field = field


@cache
def discovery(api: str = "sheets") -> dict[str, Any]:
    """The discovery document shipped with google-api-python-client."""
    documents = resources.files("googleapiclient.discovery_cache") / "documents"
    return json.loads((documents / _API_FILES[api]).read_text(encoding="utf-8"))


def _convert(prop: dict[str, Any], *, closed: bool, nullable: bool = True) -> dict[str, Any]:
    """One discovery property schema → JSON Schema."""
    if "$ref" in prop:
        out: dict[str, Any] = {"$ref": f"#/$defs/{prop['$ref']}"}
        return out if nullable else {**out, "not": {"type": "null"}}
    kind = prop.get("type")
    if kind == "any" or kind is None:
        return {}
    if kind == "array":
        out = {"type": "array", "items": _convert(prop.get("items", {}), closed=closed, nullable=False)}
    elif kind == "object":
        out = {"type": "object"}
        if "additionalProperties" in prop:
            out["additionalProperties"] = _convert(prop["additionalProperties"], closed=closed)
        if "properties" in prop:
            out.update(_object(prop, closed=closed))
    elif kind == "string" and prop.get("format") in ("int64", "uint64"):
        out = {"type": ["string", "integer"], "pattern": r"^-?\d+$"}
    else:
        out = {"type": kind}
        if "enum" in prop:
            out["enum"] = list(prop["enum"])
    if nullable:
        types = out.get("type")
        out["type"] = [*types, "null"] if isinstance(types, list) else [types, "null"]
        if "enum" in out:
            out["enum"].append(None)
    return out


def _object(schema: dict[str, Any], *, closed: bool) -> dict[str, Any]:
    props = {name: _convert(p, closed=closed) for name, p in schema.get("properties", {}).items()}
    out: dict[str, Any] = {"properties": props}
    if closed and "additionalProperties" not in schema:
        out["additionalProperties"] = False
    return out


@cache
def json_schema_defs(api: str = "sheets") -> dict[str, Any]:
    """All discovery schemas of one API as JSON Schema `$defs` (each def also accepts null)."""
    closed = api == "sheets"
    defs: dict[str, Any] = {}
    for name, schema in discovery(api)["schemas"].items():
        converted = {"title": name, "type": ["object", "null"], **_object(schema, closed=closed)}
        if name in _ONE_KIND:
            converted.update(minProperties=1, maxProperties=1)
        defs[name] = converted
    return defs


@cache
def _validator(api: str, schema_name: str) -> Draft202012Validator:
    defs = json_schema_defs(api)
    if schema_name not in defs:
        raise KeyError(f"{api} discovery has no schema {schema_name!r}")
    return Draft202012Validator({"$ref": f"#/$defs/{schema_name}", "$defs": defs})


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _google_path(parts: list[Any]) -> str:
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{_snake(part)}" if path else _snake(part))
    return path


def _describe(error: ValidationError, schema_name: str) -> tuple[str, str | None]:
    """Google's wording for a jsonschema error: (message, field)."""
    prefix = [_BODY_FIELD[schema_name]] if schema_name in _BODY_FIELD else []
    parts = prefix + list(error.absolute_path)
    where = _google_path(parts)
    instance = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        known = error.schema.get("properties", {})
        unknown = next(iter(k for k in instance if k not in known))
        at = f" at '{where}'" if where else ""
        return (
            f'Invalid JSON payload received. Unknown name "{unknown}"{at}: Cannot find field.',
            where or None,
        )
    if error.validator in ("minProperties", "maxProperties"):
        kinds = ", ".join(sorted(instance)) if isinstance(instance, dict) else ""
        if error.validator == "minProperties":
            return f"Invalid {where}: No request set.", where
        return (
            f"Invalid JSON payload received. Oneof field 'kind' is already set at '{where}' "
            f"({kinds}): a Request sets exactly one kind.",
            where,
        )
    proto = error.schema.get("title")
    if proto:
        proto = f"type.googleapis.com/google.apps.sheets.v4.{proto}"
    else:
        expected = error.schema.get("type")
        first = expected[0] if isinstance(expected, list) else expected
        proto = "TYPE_ENUM" if "enum" in error.schema else _PROTO_TYPES.get(str(first), "TYPE_MESSAGE")
        if "pattern" in error.schema:
            proto = "TYPE_INT64"
    return f"Invalid value at '{where}' ({proto}), {json.dumps(instance, ensure_ascii=False)}", where


def validate(schema_name: str, body: Any, api: str = "sheets") -> None:
    """Check `body` against discovery schema `schema_name`; raise SchemaViolation (an AssertionError)."""
    if not isinstance(body, dict):
        message = f"Invalid JSON payload received. Expected an object, got {type(body).__name__}."
        raise SchemaViolation(f"{schema_name}: {message}", message, None)
    error = best_match(_validator(api, schema_name).iter_errors(body))
    if error is None:
        return
    google_message, field = _describe(error, schema_name)
    location = "/".join(str(p) for p in error.absolute_path) or "<root>"
    readable = f"{api} {schema_name} body invalid at {location}: {error.message}\n  Google: {google_message}"
    raise SchemaViolation(readable, google_message, field)


@cache
def _methods(api: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}

    def walk(node: dict[str, Any]) -> None:
        for method in node.get("methods", {}).values():
            found[method["id"]] = method
        for child in node.get("resources", {}).values():
            walk(child)

    walk(discovery(api))
    return found


def method(method_id: str) -> dict[str, Any]:
    """A discovery method by id, e.g. `sheets.spreadsheets.values.batchGet`."""
    api = method_id.split(".", 1)[0]
    return _methods(api)[method_id]


def validate_params(method_id: str, params: dict[str, list[str]]) -> None:
    """Check query parameters against the method's discovery parameters: known names, enums, booleans."""
    api = method_id.split(".", 1)[0]
    declared = {**discovery(api)["parameters"], **method(method_id).get("parameters", {})}
    for name, values in params.items():
        spec = declared.get(name)
        if spec is None or spec.get("location") == "path":
            if api == "drive":
                continue  # Drive v3 ignores unknown query parameters.
            message = (
                f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query parameter. '
                f"Field '{name}' could not be found in request message."
            )
            raise SchemaViolation(f"{method_id}: unknown query parameter {name!r}", message, None)
        if len(values) > 1 and not spec.get("repeated"):
            message = f"Invalid value at '{_snake(name)}': repeated {len(values)} times."
            raise SchemaViolation(f"{method_id}: {name} repeated", message, _snake(name))
        for value in values:
            _check_param(method_id, name, spec, value)


def _check_param(method_id: str, name: str, spec: dict[str, Any], value: str) -> None:
    ok = True
    proto = "TYPE_STRING"
    if "enum" in spec:
        ok, proto = (
            value in spec["enum"],
            f"type.googleapis.com/google.apps.sheets.v4.{name[0].upper()}{name[1:]}",
        )
    elif spec.get("type") == "boolean":
        ok, proto = value.lower() in ("true", "false", "1", "0"), "TYPE_BOOL"
    elif spec.get("type") == "integer":
        ok, proto = bool(re.fullmatch(r"-?\d+", value)), "TYPE_INT32"
    if not ok:
        field = _snake(name)
        message = f"Invalid value at '{field}' ({proto}), \"{value}\""
        raise SchemaViolation(
            f"{method_id}: {name}={value!r} is not valid ({spec.get('enum', spec.get('type'))})",
            message,
            field,
        )


def check_mask(schema_name: str, mask: str, api: str = "sheets", where: str = "fields") -> None:
    """Check a field mask (a `fields` parameter or an update request's `fields`) names real fields."""
    try:
        tree = fieldmask.parse(mask)
    except ValueError:
        message = f"Invalid field mask {mask!r} in '{where}'."
        raise SchemaViolation(message, message, where) from None
    _check_tree(api, schema_name, tree, [], where)


def _check_tree(api: str, name: str, tree: dict[str, Any] | None, path: list[str], where: str) -> None:
    if tree is None or "*" in tree:
        return
    properties = discovery(api)["schemas"][name].get("properties", {})
    for key, subtree in tree.items():
        prop = properties.get(key)
        if prop is None:
            dotted = ".".join([*path, key])
            message = f"Invalid field mask path '{dotted}' in '{where}': {name} has no field '{key}'."
            raise SchemaViolation(f"{api} {message}", message, where)
        while prop.get("type") == "array":
            prop = prop.get("items", {})
        if "$ref" in prop:
            _check_tree(api, prop["$ref"], subtree, [*path, key], where)
        elif subtree and "additionalProperties" not in prop:
            message = (
                f"Invalid field mask path '{'.'.join([*path, key])}' in '{where}': '{key}' has no fields."
            )
            raise SchemaViolation(f"{api} {message}", message, where)
