"""A stateful fake of Google Sheets v4 and Drive v3 for tests, served through `responses`.

Use the fixture from your conftest::

    from tests.google_fake import google_fake  # noqa: F401  (re-exported fixture)

    def test_sync(google_fake):
        book = google_fake.new_spreadsheet("OKR", locale="fr_CA", sheets=["OKR", "Check-ins Ventes"])
        client = gspread.Client(auth=dummy_credentials())
        ...
        assert len(google_fake.write_calls()) == 1
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses
from google.oauth2.credentials import Credentials

from .batch import NotFaked
from .errors import GoogleError, sheets_error_body
from .quota import Limits, Quota
from .schema import SchemaViolation, validate, validate_params
from .sheets import Call, Exchange, FakeGoogle
from .traffic import Fault

__all__ = [
    "Call",
    "Exchange",
    "FakeGoogle",
    "Fault",
    "GoogleError",
    "Limits",
    "NotFaked",
    "Quota",
    "SchemaViolation",
    "dummy_credentials",
    "google_fake",
    "sheets_error_body",
    "validate",
    "validate_params",
]


def dummy_credentials() -> Credentials:
    """OAuth credentials with a fixed token and no expiry: google-auth never tries to refresh them."""
    return Credentials(token="fake-token")


@pytest.fixture
def google_fake() -> Iterator[FakeGoogle]:
    """A FakeGoogle installed on a fresh RequestsMock; fails the test if any request was invalid.

    Other hosts are not faked: `google_fake.rsps` is the RequestsMock, add your own routes to it.
    A test that provokes a 400 on purpose calls `google_fake.take_errors()` to acknowledge it.
    """
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake = FakeGoogle()
        fake.install(rsps)
        yield fake
    fake.assert_clean()
