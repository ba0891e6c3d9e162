"""Shared pieces of the service tests: a small workbook, apps on a fake clock, ID tokens signed by a test key."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jwt
import pytest
import responses
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from flask import Flask

from server import create_app
from sync.backends.google_api import GoogleGateway, RetryingHTTPClient
from sync.backends.memory import MemoryBackend
from sync.errors import BackendError
from sync.layout.build import Layout, Team, WorkbookSpec, build_layout, quarter_label
from sync.model import CellValue, Formula, Percent
from sync.service.context import Service
from sync.template import catalog
from tests.google_fake import FakeGoogle, dummy_credentials

CLIENT_ID = "1234-addon.apps.googleusercontent.com"
SERVICE_URL = "https://okrsync.example.com"
TASKS_ACCOUNT = "okrsync-tasks@okrsync-test.iam.gserviceaccount.com"
SA_EMAIL = "okrsync@okrsync-test.iam.gserviceaccount.com"
CERTS_URL = "https://www.googleapis.com/oauth2/v1/certs"
MARIE = "marie@acme.example"
#: 2025-02-14, six weeks into 2025-Q1, in the afternoon in Montréal.
START = dt.datetime(2025, 2, 14, 17, 0, tzinfo=dt.UTC).timestamp()


class FakeClock:
    """A clock that only moves when the code under test sleeps, or when the test says so."""

    def __init__(self, start: float = START) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def tiny_layout(lang: str = "en", team: str = "Sales", red: bool = True) -> Layout:
    """One team, one objective, two KRs with a check-in each: SAL-KR1 red (by confidence), SAL-KR2 green."""
    spec = WorkbookSpec("Acme", lang, quarter_label(2025, 1, lang), [Team(team, "Marie", MARIE)],
                        title=f"OKR Acme {team}")
    layout = build_layout(spec)
    tabs = {t.key: t for t in layout.tabs}
    keys = [c.key for c in catalog.columns("okrs", lang) if not c.computed]
    kind = lambda k: catalog.word("kr_types", k, lang)  # noqa: E731
    rows: list[dict[str, CellValue]] = [
        {"id": "SAL-O1", "team": team, "type": kind("objective"), "title": "Win manufacturing", "owner": "Marie"},
        {"id": "SAL-KR1", "team": team, "type": kind("increase"), "title": "Sign 40 new clients", "owner": "Marie",
         "start": 0, "target": 40, "unit": "clients"},
        {"id": "SAL-KR2", "team": team, "type": kind("increase"), "title": "Generate 125 leads", "owner": "Luc",
         "start": 0, "target": 125, "unit": "leads"},
    ]
    for row in rows:
        tabs["okrs"].grid.append([row.get(k) for k in keys])
    checkins = tabs[f"checkins:{team}"].grid
    checkins.append([dt.date(2025, 2, 10), "SAL-KR1", 5, "🔴" if red else "🟢", "blocked on pricing"])
    checkins.append([dt.date(2025, 2, 10), "SAL-KR2", 70, "🟢", ""])
    return layout


class MemoryWorkbooks:
    """The service's BACKENDS seam, in memory: workbooks by target, and targets that fail on purpose."""

    def __init__(self) -> None:
        self.books: dict[str, MemoryBackend] = {}
        self.failing: set[str] = set()

    def add(self, layout: Layout) -> str:
        target = f"/memory/okr-{len(self.books) + 1}.xlsx"
        backend = MemoryBackend(layout.title)
        backend.provision(layout)
        self.books[target] = backend
        return target

    def open(self, kind: str, target: str, lang: str) -> MemoryBackend:
        if target in self.failing or target not in self.books:
            raise BackendError("error.write_failed", lang, path=target, reason="disk on fire")
        return self.books[target]

    def provision(self, layout: Layout, share: list[str]) -> tuple[str, str]:
        return "xlsx", self.add(layout)


def fake_gateway(lang: str) -> GoogleGateway:
    """A gateway whose retries never sleep, for the Google fake."""
    return GoogleGateway(RetryingHTTPClient(dummy_credentials(), sleep=lambda s: None, random=lambda: 0.0), lang,
                         SA_EMAIL)


def make_app(tmp_path: Path, **overrides: Any) -> Flask:
    """An app on a temporary SQLite registry, a fake clock, logs captured, not on App Engine."""
    clock = overrides.pop("clock", None) or FakeClock()
    config: dict[str, Any] = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'registry.db'}",
        "DATA_DIR": str(tmp_path / "data"),
        "AUDIENCES": [CLIENT_ID],
        "ALLOWED_DOMAINS": ["acme.example"],
        "CLOCK": clock,
        "SLEEP": clock.sleep,
        "ENVIRON": {},
        "GATEWAY_FACTORY": fake_gateway,
        "LOG_STREAM": io.StringIO(),
        "NIGHTLY_WORKERS": 2,
    }
    config.update(overrides)
    return create_app(config)


def svc_of(app: Flask) -> Service:
    """The app's Service."""
    found: Service = app.extensions["okrsync"]
    return found


def seed_spreadsheet(fake: FakeGoogle, layout: Layout, editors: tuple[str, ...] = (MARIE,)) -> str:
    """A spreadsheet already holding the layout's values (no formats: fast to read), shared with `editors`."""
    sid = fake.new_spreadsheet(layout.title, locale=layout.locale, sheets=[t.name for t in layout.tabs])
    for tab in layout.tabs:
        rows = [[_typed(v) for v in row] for row in tab.grid]
        if rows:
            size = fake.sheet(sid, tab.name).properties["gridProperties"]
            size["columnCount"] = max(size["columnCount"], max(len(row) for row in rows))
            fake.set_values(sid, f"'{tab.name}'!A1", rows)
    book = fake.book(sid)
    book.permissions.append(fake.owner_permission())
    for email in editors:
        book.permissions.append({"kind": "drive#permission", "id": fake.new_permission_id(), "type": "user",
                                 "role": "writer", "emailAddress": email})
    return sid


def _typed(value: CellValue) -> Any:
    if isinstance(value, Formula):
        return "=" + value.sheets if value.sheets else None
    if isinstance(value, Percent):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()  # typed as a person would: the sheet's locale makes it a date
    return value


@cache
def _key() -> tuple[bytes, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "okrsync test signer")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2)).sign(key, hashes.SHA256()))
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return private, cert.public_bytes(serialization.Encoding.PEM).decode()


KID = "okrsync-test-key"


def certs() -> dict[str, str]:
    """Google's certificate document, as the test key's."""
    return {KID: _key()[1]}


def token(**claims: Any) -> str:
    """A Google-style ID token signed by the test key; claims set to None are left out."""
    now = int(dt.datetime.now(dt.UTC).timestamp())
    body: dict[str, Any] = {"iss": "https://accounts.google.com", "aud": CLIENT_ID, "sub": "1001",
                            "email": MARIE, "email_verified": True, "hd": "acme.example",
                            "iat": now - 10, "exp": now + 3600}
    body.update(claims)
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode(body, _key()[0], algorithm="RS256", headers={"kid": KID})


def bearer(**claims: Any) -> dict[str, str]:
    """The Authorization header of a person's token."""
    return {"Authorization": f"Bearer {token(**claims)}"}


def scheduler_bearer(email: str = TASKS_ACCOUNT, audience: str = SERVICE_URL) -> dict[str, str]:
    """The Authorization header Cloud Scheduler or Cloud Tasks sends with an OIDC token."""
    return {"Authorization": f"Bearer {token(aud=audience, email=email, hd=None, sub='2002')}"}


def serve_certs(rsps: responses.RequestsMock) -> None:
    """Answer google-auth's certificate fetch locally."""
    rsps.add(responses.GET, CERTS_URL, json=certs(), headers={"Cache-Control": "public, max-age=3600"})


@pytest.fixture
def google_certs() -> Iterator[responses.RequestsMock]:
    """A RequestsMock that serves only the signing certificates (for tests without the Google fake)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        serve_certs(rsps)
        yield rsps
