"""Gateways on the Google fake whose every exchange takes simulated time on a FakeClock, seen by the test.

A sync's time passes in its calls and in its retries' waits: here both move the test's clock, so that a
test can make a sync outlive its lease, or act between its read and its write, without any real waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from google.auth.transport.requests import AuthorizedSession

from sync.backends.google_api import GoogleGateway, RetryingHTTPClient
from tests.google_fake import dummy_credentials
from tests.service_support import SA_EMAIL, FakeClock

_READ_POSTS = (":getByDataFilter", ":batchGetByDataFilter", "/developerMetadata:search")


@dataclass(frozen=True)
class Exchange:
    """One HTTP exchange with the fake: which gateway (1 for the first made), what, and its status."""

    gateway: int
    method: str
    path: str
    status: int

    @property
    def writes(self) -> bool:
        """Whether the call changes the spreadsheet: anything but a GET or a POST that only reads."""
        return not (self.method == "GET" or self.path.endswith(_READ_POSTS))


class SlowGoogle:
    """A GATEWAY_FACTORY: each gateway's exchanges take `seconds` of `clock`, and its retries sleep on it."""

    def __init__(self, clock: FakeClock, seconds: float = 0.0) -> None:
        self.clock = clock
        self.seconds = seconds
        self.exchanges: list[Exchange] = []
        #: Called after each exchange, once the clock has moved: where a test acts "during" a sync.
        self.on_exchange: Callable[[Exchange], None] | None = None
        self.made = 0

    def __call__(self, lang: str) -> GoogleGateway:
        self.made += 1
        session = _TimedSession(self, self.made)
        http = RetryingHTTPClient(None, session, sleep=self.clock.sleep, random=lambda: 0.0, clock=self.clock)
        return GoogleGateway(http, lang, SA_EMAIL)

    def writes(self, gateway: int | None = None) -> list[Exchange]:
        """The write exchanges the fake answered without error (of one gateway, or all)."""
        return [e for e in self.exchanges if e.writes and e.status < 400 and gateway in (None, e.gateway)]


class _TimedSession(AuthorizedSession):
    def __init__(self, owner: SlowGoogle, number: int) -> None:
        super().__init__(dummy_credentials())
        self.owner, self.number = owner, number

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        response = super().request(method, url, *args, **kwargs)
        self.owner.clock.now += self.owner.seconds
        exchange = Exchange(self.number, method.upper(), urlsplit(url).path, response.status_code)
        self.owner.exchanges.append(exchange)
        if self.owner.on_exchange is not None:
            self.owner.on_exchange(exchange)
        return response
