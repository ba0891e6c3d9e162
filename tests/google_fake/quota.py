"""Google's Sheets request quotas in the fake: reads and writes per minute, per user and per project.

The figures are those of the Sheets API "Usage limits" page (https://developers.google.com/sheets/api/limits):
read requests and write requests are separate quotas, each 60 a minute per user per project and 300 a minute
per project; a request over any of them is answered 429 RESOURCE_EXHAUSTED. Google says the quotas are
"refilled every minute" without saying on which boundary; the fake models them pessimistically as a sliding
60-second window (a request is refused when the 60 seconds before it already hold the limit), which refuses
whatever any fixed minute would, and more: a client that never sees a 429 here never sees one at Google.

A refused request is not counted. Only sheets.googleapis.com is limited (Drive has quotas of its own). The
user is the credential making the call: its bearer token. Off by default; a test turns it on with a clock:

    google_fake.quota = Quota(clock)
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .errors import GoogleError, sheets_error_body
from .routes import SHEETS_HOST, Route

CONSUMER = "project_number:000000000000"


@dataclass(frozen=True)
class Limits:
    """Requests of each kind (read, write) per window, per user and per project."""

    per_user: int = 60
    per_project: int = 300
    window: float = 60.0


class Quota:
    """Sliding windows of admitted requests by (user or project, read or write), on an injected clock."""

    def __init__(self, clock: Callable[[], float], limits: Limits | None = None) -> None:
        self.clock = clock
        self.limits = limits or Limits()
        self.admitted: dict[tuple[str, str], deque[float]] = {}
        #: Every refusal: (time, user, kind, "user" or "project").
        self.refused: list[tuple[float, str, str, str]] = []
        self._lock = threading.Lock()

    def admit(self, route: Route, host: str, headers: Mapping[str, str]) -> GoogleError | None:
        """Count the request, or the 429 Google answers when it would pass a quota (then it is not counted)."""
        if host != SHEETS_HOST:
            return None
        user = str(headers.get("Authorization") or "anonymous").removeprefix("Bearer ")
        kind = "read" if route.is_read else "write"
        with self._lock:
            now = self.clock()
            windows = {"user": self._window(f"user:{user}", kind, now), "project": self._window("project", kind, now)}
            for scope, seen in windows.items():
                limit = self.limits.per_user if scope == "user" else self.limits.per_project
                if len(seen) >= limit:
                    self.refused.append((now, user, kind, scope))
                    return exhausted(kind, scope)
            for seen in windows.values():
                seen.append(now)
        return None

    def count(self, user: str, kind: str) -> int:
        """Requests of `kind` by `user` (a bearer token) in the window ending now."""
        with self._lock:
            return len(self._window(f"user:{user}", kind, self.clock()))

    def _window(self, scope: str, kind: str, now: float) -> deque[float]:
        seen = self.admitted.setdefault((scope, kind), deque())
        while seen and seen[0] + self.limits.window <= now:
            seen.popleft()
        return seen


def exhausted(kind: str, scope: str) -> GoogleError:
    """Google's 429 for one quota: 'Write requests per minute per user', or 'Write requests per minute' (project)."""
    metric = f"{kind.capitalize()} requests"
    limit = f"{metric} per minute" + (" per user" if scope == "user" else "")
    message = (f"Quota exceeded for quota metric '{metric}' and limit '{limit}' of service "
               f"'sheets.googleapis.com' for consumer '{CONSUMER}'.")
    body = sheets_error_body(429, message)
    body["error"]["details"][0]["metadata"]["quota_limit"] = f"{kind.capitalize()}RequestsPerMinutePer{scope.title()}"
    return GoogleError(429, message, body=body)
