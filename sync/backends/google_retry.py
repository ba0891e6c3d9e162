"""Retries for Google calls: how patiently, within what budget per sync, and the HTTP client that obeys."""

from __future__ import annotations

import email.utils
import errno
import random as _random
import socket
import time
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import google.auth.exceptions
import requests
from google.auth.credentials import Credentials
from gspread.exceptions import APIError, GSpreadException
from gspread.http_client import FileType, HTTPClient, ParamsType
from urllib3.exceptions import NewConnectionError

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
#: Drive says "slow down" with a 403 carrying one of these; every other 403 is a real refusal.
RATE_LIMIT_REASONS = frozenset(
    {"usageLimits", "rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"}
)
#: POSTs that only read, so that reads and writes are counted against the right quota.
_READ_SUFFIXES = (":getByDataFilter", ":batchGetByDataFilter", "/developerMetadata:search")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry: `attempts` in all, waits doubling from `base` up to `cap`."""

    attempts: int = 6
    base: float = 1.0
    cap: float = 32.0
    #: A Retry-After longer than this is not honoured in full: a nightly run must not hang.
    max_retry_after: float = 120.0
    #: (connect, read) seconds for one attempt: without it a silent connection would hold a sync, and its
    #: lease, forever (gspread's own default is no timeout at all).
    timeout: tuple[float, float] | None = (10.0, 120.0)
    #: Attempts in all when no connection can be made (name not resolved, refused, no route) after Google
    #: answered this client before: a network that dropped for a moment. Before any answer, one attempt:
    #: there is no network, and six patient attempts would only make the person wait to be told so.
    unreachable_attempts: int = 3


#: The most one sync waits between retries, over all its calls: far below its lease (900 s by default).
SYNC_RETRY_BUDGET = 120.0


class RetryBudget:
    """The waiting one sync may do between retries, shared by every call it makes.

    Each call has its own attempts; this bounds the sum, so that a sync ends well within its lease however
    Google behaves: a wait that would take the total past `seconds`, or end after `deadline` (a time on
    `clock`), is not taken, and the call gives up at once.
    """

    def __init__(self, seconds: float = SYNC_RETRY_BUDGET, deadline: float | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.seconds, self.deadline, self.clock = seconds, deadline, clock
        self.spent = 0.0

    def take(self, wait: float) -> bool:
        """Spend `wait` seconds of the budget if it has them (and they end before the deadline)."""
        if self.spent + wait > self.seconds:
            return False
        if self.deadline is not None and self.clock() + wait > self.deadline:
            return False
        self.spent += wait
        return True


@dataclass
class SyncGuard:
    """What every call of one sync answers to, beyond its own retries.

    `budget` is shared by all the sync's calls; `before_attempt` runs before each attempt, told whether the
    call writes, and may raise to stop it (the service renews the sync's lease there, and refuses a write
    whose lease was lost). With `quota_window`, a 429 that names no Retry-After waits that long: Google's
    quotas are per minute, and a retry before the window has moved past the calls that filled it is refused
    too. The sync reserved that call's quota already (a refused call is not counted), so the retry
    adds nothing to the window; `budget` bounds how many windows one sync may wait.
    """

    budget: RetryBudget
    before_attempt: Callable[[bool], None] | None = None
    quota_window: float | None = None


class RetriesExhausted(GSpreadException):
    """Google kept failing with retryable errors until the attempts ran out."""

    def __init__(self, method: str, path: str, attempts: int, last: str) -> None:
        super().__init__(f"{method} {path}: gave up after {attempts} attempts (last: {last})")
        self.method, self.path, self.attempts, self.last = method, path, attempts, last


class NoNetwork(GSpreadException):
    """No connection to Google could be made at all: no network, or a name that does not resolve."""

    def __init__(self, method: str, path: str, host: str, attempts: int) -> None:
        super().__init__(f"{method} {path}: {host} unreachable after {attempts} attempt(s)")
        self.method, self.path, self.host, self.attempts = method, path, host, attempts


#: What an OSError says when the machine has no route to the host.
_NO_ROUTE = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN})


def unreachable(err: BaseException) -> bool:
    """Whether a failure means no connection was made at all (DNS failure, refused, no route), rather than
    one that broke or timed out: requests and google-auth wrap the cause, so the whole chain is searched."""
    seen: set[int] = set()
    todo: list[BaseException] = [err]
    while todo:
        found = todo.pop()
        if id(found) in seen:
            continue
        seen.add(id(found))
        if isinstance(found, NewConnectionError | socket.gaierror | ConnectionRefusedError):
            return True
        if isinstance(found, OSError) and found.errno in _NO_ROUTE:
            return True
        linked = (*found.args, getattr(found, "reason", None), found.__cause__, found.__context__)
        todo += [item for item in linked if isinstance(item, BaseException)]
    return False


class RetryingHTTPClient(HTTPClient):
    """gspread's HTTP client with bounded, capped, jittered exponential backoff, counting reads and writes."""

    def __init__(
        self,
        auth: Credentials | None,
        session: requests.Session | None = None,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        random: Callable[[], float] = _random.random,
        clock: Callable[[], float] = time.time,
        guard: SyncGuard | None = None,
    ) -> None:
        super().__init__(auth, session)  # type: ignore[arg-type]  # gspread accepts None with a session
        self.policy = policy or RetryPolicy()
        self.set_timeout(self.policy.timeout)
        # Looked up now, not when the class was defined: a test that stubs time.sleep reaches every client.
        self.sleep, self.random, self.clock = sleep or time.sleep, random, clock
        #: One sync's budget and hook; None (the CLI) leaves each call to its own attempts.
        self.guard = guard
        self.reads = 0
        self.writes = 0
        self.retries = 0
        #: Answers Google gave this client (any status): once it has answered, the network exists.
        self.answered = 0

    def request(
        self,
        method: str,
        endpoint: str,
        params: ParamsType | None = None,
        data: bytes | None = None,
        json: Mapping[str, Any] | None = None,
        files: FileType = None,
        headers: MutableMapping[str, str] | None = None,
    ) -> requests.Response:
        """Send one API call, retrying transient failures; counts the call once, however many attempts."""
        path = urlsplit(endpoint).path
        writes = not (method.upper() == "GET" or path.endswith(_READ_SUFFIXES))
        if writes:
            self.writes += 1
        else:
            self.reads += 1
        attempts = max(1, self.policy.attempts)
        for attempt in range(1, attempts + 1):
            if self.guard is not None and self.guard.before_attempt is not None:
                self.guard.before_attempt(writes)
            try:
                response = super().request(method, endpoint, params, data, json, files, headers)
                self.answered += 1
                return response
            except APIError as err:
                self.answered += 1
                status = err.response.status_code
                if not is_retryable(status, err.error):
                    raise
                last = f"HTTP {status}"
                retry_after = self._retry_after(err.response)
                window = self.guard.quota_window if self.guard is not None and status == 429 else None
            except (requests.ConnectionError, requests.Timeout, google.auth.exceptions.TransportError) as err:
                if unreachable(err):
                    # No network: said at once the first time; after answers, a short outage gets a few tries.
                    attempts = min(attempts, max(1, self.policy.unreachable_attempts) if self.answered else 1)
                    if attempt >= attempts:
                        raise NoNetwork(method.upper(), path, urlsplit(endpoint).hostname or "", attempt) from err
                elif isinstance(err, google.auth.exceptions.TransportError):
                    raise  # the credentials' own call failed otherwise: the gateway says what Google said
                last, retry_after, window = type(err).__name__, None, None
            wait = self.delay(attempt, retry_after)
            if window and retry_after is None:
                wait = max(wait, window)
            if attempt == attempts or (self.guard is not None and not self.guard.budget.take(wait)):
                raise RetriesExhausted(method.upper(), path, attempt, last)
            self.retries += 1
            self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt `attempt` (1-based): jittered in [½, 1] of the capped step."""
        step = min(self.policy.cap, self.policy.base * 2 ** (attempt - 1))
        # Half fixed, half random: waits still grow from one attempt to the next, yet clients spread out.
        wait = step * (0.5 + 0.5 * self.random())
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.policy.max_retry_after))
        return wait

    def _retry_after(self, response: requests.Response) -> float | None:
        value = response.headers.get("Retry-After", "").strip()
        if not value:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - self.clock())


def is_retryable(status: int, error: Mapping[str, Any]) -> bool:
    """Whether a failed call is worth retrying: throttling, timeouts, server errors, Drive's rate 403."""
    if status in RETRY_STATUSES:
        return True
    return status == 403 and bool(error_tags(error, "reason", "domain") & RATE_LIMIT_REASONS)


def error_tags(error: Mapping[str, Any], *keys: str) -> set[str]:
    """The reasons (or domains) named in a Google error body: Drive's `errors`, Sheets' `details`."""
    found: set[str] = set()
    for item in list(error.get("errors") or []) + list(error.get("details") or []):
        if isinstance(item, Mapping):
            found.update(str(item[k]) for k in keys if item.get(k))
    return found
