"""What the fake records about traffic (calls, exchanges) and the faults a test injects."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import unquote

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class Call(NamedTuple):
    """One request the fake received: HTTP method, decoded path, discovery method id (the kind)."""

    method: str
    path: str
    kind: str


@dataclass
class Exchange:
    """A request and the answer the fake gave, for asserting on bodies and statuses."""

    call: Call
    params: dict[str, list[str]]
    body: Any
    #: 0 when no answer came back (an injected network error).
    status: int
    text: str
    is_read: bool

    @property
    def response(self) -> Any:
        """The JSON the fake answered (None for an empty 204)."""
        return json.loads(self.text) if self.text else None


@dataclass
class Fault:
    """An injected failure: `pattern` is an HTTP method, "read"/"write", or a regex on "METHOD url".

    It answers with `status` and Google's error body, or raises `exception` (a network error: no answer at
    all). With `after_apply` the request is first applied, then its answer replaced: the write went through.
    """

    pattern: str = ".*"
    status: int = 0
    remaining: int | None = 1
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    exception: type[Exception] | None = None
    after_apply: bool = False

    def describe(self) -> str:
        """What this fault does, e.g. "ReadTimeout after applying"."""
        what = self.exception.__name__ if self.exception else f"HTTP {self.status}"
        return f"{what} {'after' if self.after_apply else 'before'} applying"

    def take(self, method: str, url: str, is_read: bool) -> bool:
        """Whether this fault answers the request (and count it down)."""
        if self.remaining == 0 or not self._matches(method, url, is_read):
            return False
        if self.remaining is not None:
            self.remaining -= 1
        return True

    def _matches(self, method: str, url: str, is_read: bool) -> bool:
        if self.pattern.upper() in HTTP_METHODS:
            return method == self.pattern.upper()
        if self.pattern in ("read", "write"):
            return is_read == (self.pattern == "read")
        return re.search(self.pattern, f"{method} {unquote(url)}") is not None


def sample(data: Any, limit: int = 3) -> Any:
    """A copy with every list cut to its first `limit` items: checks a big response's shape cheaply."""
    if isinstance(data, list):
        return [sample(item, limit) for item in data[:limit]]
    if isinstance(data, dict):
        return {key: sample(value, limit) for key, value in data.items()}
    return data


def strip_nulls(data: Any) -> Any:
    """Drop null members of objects (Google reads them as unset); nulls in lists stay (values skip them)."""
    if isinstance(data, dict):
        return {k: strip_nulls(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [strip_nulls(v) for v in data]
    return data
