"""Who edits a spreadsheet, from Drive's permissions."""

from __future__ import annotations

from typing import Any

import pytest

from sync.service.editors import is_editor, permissions
from tests.google_fake import FakeGoogle
from tests.google_fake import google_fake as google_fake  # the fixture, re-exported for this module
from tests.service_support import fake_gateway, seed_spreadsheet, tiny_layout


def perm(kind: str, role: str, **extra: str) -> dict[str, Any]:
    return {"type": kind, "role": role, **extra}


@pytest.mark.parametrize(("perms", "editor"), [
    ([perm("user", "writer", emailAddress="marie@acme.example")], True),
    ([perm("user", "owner", emailAddress="Marie@Acme.example")], True),
    ([perm("user", "commenter", emailAddress="marie@acme.example")], False),
    ([perm("user", "reader", emailAddress="marie@acme.example")], False),
    ([perm("user", "writer", emailAddress="luc@acme.example")], False),
    ([perm("domain", "writer", domain="acme.example")], True),
    ([perm("domain", "reader", domain="acme.example")], False),
    ([perm("domain", "writer", domain="beta.example")], False),
    ([perm("anyone", "writer")], True),
    ([perm("group", "writer", emailAddress="sales@acme.example")], False),  # membership is not visible
    ([], False),
])
def test_editors_are_writers_owners_and_organisers(perms: list[dict[str, Any]], editor: bool) -> None:
    assert is_editor(perms, "marie@acme.example", "acme.example") is editor


def test_permissions_are_read_from_drive_with_emails(google_fake: FakeGoogle) -> None:
    sid = seed_spreadsheet(google_fake, tiny_layout(), editors=("marie@acme.example",))
    found = permissions(fake_gateway("en"), sid)
    assert {(p["role"], p.get("emailAddress")) for p in found} >= {("writer", "marie@acme.example")}
    assert [c.kind for c in google_fake.read_calls()] == ["drive.permissions.list"]
