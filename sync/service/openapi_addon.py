"""The schemas of the add-on's endpoints (addon/PROTOCOL.md) in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from .openapi_types import INT, NUM, STATUS, STR, obj, ref

#: A cell as the RAW encoding writes it (dates as serials, empty as "").
VALUE = {"type": ["string", "number", "boolean"]}
A1 = {"type": "string", "pattern": "^[A-Z]+[0-9]+:[A-Z]+[0-9]+$"}
POS = {"type": "integer", "minimum": 1}
LAYOUT_TAB = obj({
    "key": {"type": "string"}, "name": {"type": "string"}, "after": STR, "rows": POS, "cols": POS,
    "hidden": {"type": "boolean"},
    "tab_colour": STR, "frozen_rows": INT, "widths": {"type": "array", "items": INT},
    "values": {"type": "array", "items": {"type": "array", "items": VALUE}},
    "cell_formats": {"type": "array", "items": obj({"row": POS, "col": POS, "pattern": {"type": "string"}})},
    "bold": {"type": "array", "items": {"type": "array", "items": POS, "minItems": 2, "maxItems": 2}},
    "header_fills": {"type": "array", "items": obj({"row": POS, "col": POS, "colour": {"type": "string"}})},
    "right": {"type": "array", "items": A1}, "wrap": {"type": "array", "items": A1},
    "hidden_cols": {"type": "array", "items": POS},
    "formats": {"type": "array", "items": obj({"range": A1, "pattern": {"type": "string"}})},
    "dropdowns": {"type": "array", "items": obj({
        "range": A1, "values": {"type": ["array", "null"], "items": {"type": "string"}}, "source": STR,
        "strict": {"type": "boolean"}, "help": STR})},
    "colour_rules": {"type": "array", "items": obj({"range": A1, "formula": STR, "text": STR,
                                                     "colour": {"type": "string"}})},
    "protections": {"type": "array", "items": obj({"range": {"oneOf": [{"type": "null"}, A1]},
                                                    "description": {"type": "string"}})},
})
CHART = obj({"tab": {"type": "string"}, "title": {"type": "string"}, "labels": A1,
             "series": {"type": "array", "items": obj({"range": A1, "colour": {"type": "string"},
                                                       "line": {"type": "boolean"}})},
             "row": POS, "col": POS})
ADDON_PLAN = obj({
    "cells": {"type": "array", "items": obj({"tab": {"type": "string"}, "row": POS, "col": POS, "value": VALUE})},
    "computed": {"type": "object", "additionalProperties": {"type": "array", "items": POS}},
    "tabs": {"type": "array", "items": obj({"name": {"type": "string"},
                                             "values": {"type": "array", "items": {"type": "array", "items": VALUE}}})},
    "charts": {"type": "array", "items": CHART},
    "new_tabs": {"type": "array", "items": ref("LayoutTab")},
})
NEW_TEAM = {"type": "object", "required": ["name"], "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 80},
    "manager": {"type": "string", "maxLength": 200},
    "email": {"type": "string", "format": "email"}}}
SNAPSHOT = {
    "type": "object", "required": ["spreadsheet", "tabs"],
    "description": "The okrsync tabs as the add-on reads them (addon/PROTOCOL.md).",
    "properties": {
        "spreadsheet": {"type": "object", "required": ["id"], "properties": {
            "id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,200}$"}, "title": {"type": "string"},
            "locale": {"type": "string", "maxLength": 40}, "time_zone": {"type": "string", "maxLength": 100}}},
        "tabs": {"type": "array", "maxItems": 200, "items": {"type": "object", "required": ["name", "values"],
                                                            "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 100},
            "values": {"type": "array", "items": {"type": "array", "items": {"oneOf": [
                {"type": ["null", "string", "number", "boolean"]},
                {"type": "object", "required": ["date"], "additionalProperties": False,
                 "properties": {"date": {"type": "string", "format": "date"}}}]}}},
            "formats": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}}}}},
    },
}
ADDON_SCHEMAS: dict[str, Any] = {
    "AddonSnapshot": SNAPSHOT,
    "AddonSyncRequest": {"type": "object", "required": ["snapshot"], "properties": {
        "snapshot": ref("AddonSnapshot"), "write": {"type": "boolean"},
        "trigger": {"type": "string", "enum": ["menu", "nightly"]}, "as_of": {"type": "string", "format": "date"}}},
    "AddonTeamRequest": {"type": "object", "required": ["snapshot", "team"], "properties": {
        "snapshot": ref("AddonSnapshot"), "team": NEW_TEAM}},
    "TeamRequest": {"type": "object", "required": ["team"], "properties": {"team": NEW_TEAM}},
    "TeamAdded": obj({"team": {"type": "string"}, "tab": {"type": "string"}}),
    "AddonPlan": ADDON_PLAN,
    "Dashboard": obj({
        "focus": {"type": "array", "items": obj({
            "id": {"type": "string"}, "team": STR, "title": STR, "owner": STR, "status": STATUS, "progress": NUM,
            "confidence": NUM, "comment": STR, "tab": STR, "row": {"type": ["integer", "null"]}})},
        "missing": {"type": "array", "items": obj({
            "id": {"type": "string"}, "team": STR, "owner": STR,
            "last_checkin": {"type": ["string", "null"], "format": "date"}, "days": {"type": ["integer", "null"]},
            "missed": INT})}}),
    "AddonSyncResult": obj({"report": ref("Report"), "dashboard": ref("Dashboard"),
                             "plan": {"oneOf": [{"type": "null"}, ref("AddonPlan")]},
                             "run": {"oneOf": [{"type": "null"}, ref("Run")]}}),
    "LayoutTab": LAYOUT_TAB,
    "Layout": obj({
        "title": {"type": "string"}, "lang": {"type": "string", "enum": ["fr", "en"]}, "locale": {"type": "string"},
        "time_zone": {"type": "string"}, "tabs": {"type": "array", "items": ref("LayoutTab")},
        "charts": {"type": "array", "items": CHART}}),
    "AddonLayoutResult": obj({"layout": ref("Layout")}),
    "AddonTeamResult": obj({"tabs": {"type": "array", "items": ref("LayoutTab")}, "plan": ref("AddonPlan")}),
}
