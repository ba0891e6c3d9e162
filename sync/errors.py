"""The few failures that stop a sync; everything about a row is a Problem instead."""

from __future__ import annotations

from typing import Any

from .catalog import message


class OkrsyncError(Exception):
    """A failure with a message a person can act on, in their language.

    `key` names the message in the catalogue; the same error reads the same at every entry point.
    """

    status_code = 400

    def __init__(self, key: str, lang: str = "en", **params: Any) -> None:
        self.key = key
        self.lang = lang
        self.params = params
        super().__init__(message(key, lang, **params))

    def message_in(self, lang: str) -> str:
        """The same error, said in another language."""
        return message(self.key, lang, **self.params)

    @property
    def code(self) -> str:
        return self.key.split(".", 1)[-1]


class WorkbookNotFound(OkrsyncError):
    status_code = 404


class NotOurWorkbook(OkrsyncError):
    status_code = 422


class WorkbookLocked(OkrsyncError):
    status_code = 409


class LeaseLost(WorkbookLocked):
    """A sync outlived its lease and another sync of the workbook took it over: it writes nothing (409)."""


class BadArgument(OkrsyncError):
    status_code = 400


class BackendError(OkrsyncError):
    """The backend (a file, Google) refused or failed."""

    status_code = 502


class NotAuthenticated(OkrsyncError):
    """No token, or one that does not verify: 401."""

    status_code = 401


class NotAllowed(OkrsyncError):
    """A verified caller without access to this: 403."""

    status_code = 403


class AuthUnavailable(OkrsyncError):
    """Tokens cannot be checked right now (no audience configured, Google's certificates unreachable): 503."""

    status_code = 503


class TooLarge(OkrsyncError):
    """A request body over the service's limit: 413."""

    status_code = 413


class SyncedByAddon(OkrsyncError):
    """A workbook only its add-on can sync (the service has no access to it): 409."""

    status_code = 409
