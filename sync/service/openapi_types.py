"""The building blocks of the OpenAPI document's schemas."""

from __future__ import annotations

from typing import Any

STATUS = {"type": "string", "enum": ["green", "yellow", "red", "none"]}
NUM = {"type": ["number", "null"]}
STR = {"type": ["string", "null"]}
INT = {"type": "integer", "minimum": 0}


def obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    """A closed object whose every listed property is required (the API always sends them all)."""
    return {"type": "object", "properties": props, "required": required if required is not None else list(props),
            "additionalProperties": False}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}
