"""Request bodies: each field checked, each refusal naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from sync.errors import BadArgument
from sync.service import payloads

GOOD = {"organisation": "Acme", "lang": "fr", "quarter": "2025-Q1", "teams": ["Ventes", {"name": "Marketing"}]}


def test_a_good_request_becomes_a_workbook_spec() -> None:
    spec = payloads.workbook_spec({**GOOD, "teams": ["Ventes", {"name": "Marketing", "manager": "Luc",
                                                                "email": "Luc@Acme.example"}]}, "en")
    assert (spec.lang, spec.quarter, spec.title) == ("fr", "2025-T1", "OKR Acme 2025-T1")
    assert [(t.name, t.manager, t.email) for t in spec.teams] == [("Ventes", "", ""),
                                                                  ("Marketing", "Luc", "luc@acme.example")]


@pytest.mark.parametrize(("change", "field"), [
    ({"organisation": ""}, "organisation"),
    ({"organisation": "   "}, "organisation"),
    ({"organisation": 42}, "organisation"),
    ({"organisation": "x" * 201}, "organisation"),
    ({"organisation": "tab\there"}, "organisation"),
    ({"title": "\ud800"}, "title"),
    ({"teams": "Ventes"}, "teams"),
    ({"teams": [{"manager": "no name"}]}, "name"),
    ({"teams": [{"name": "Ventes", "email": "nope"}]}, "email"),
    ({"teams": [7]}, "teams"),
    ({"teams": ["T"] * 31}, "teams"),
])
def test_bad_fields_are_named(change: dict[str, Any], field: str) -> None:
    with pytest.raises(BadArgument) as refused:
        payloads.workbook_spec({**GOOD, **change}, "en")
    assert refused.value.params["field"] == field


@pytest.mark.parametrize(("value", "expected"), [(None, 20), ("1", 1), ("100", 100)])
def test_limit_is_between_one_and_a_hundred(value: str | None, expected: int) -> None:
    assert payloads.limit(value, "en") == expected


@pytest.mark.parametrize("value", ["0", "101", "-1", "ten", ""])
def test_a_bad_limit_is_refused(value: str) -> None:
    with pytest.raises(BadArgument):
        payloads.limit(value, "en")
