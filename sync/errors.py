"""The few failures that stop a sync; everything about a row is a Problem instead."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .template.catalog import message


class OkrsyncError(Exception):
    """A failure with a message a person can act on, in their language.

    `key` names the message in the catalogue; the same error reads the same at every entry point.
    """

    status_code = 400

    def __init__(self, key: str, lang: str = "en", **params: Any) -> None:
        self.key = key
        self.lang = lang
        self.params = params
        #: The workbook's own language, once the failure happened where it was known (None before).
        self.workbook_lang: str | None = None
        super().__init__(message(key, lang, **params))

    def message_in(self, lang: str) -> str:
        """The same error, said in another language."""
        return message(self.key, lang, **self.params)

    def in_workbook_lang(self, lang: str) -> OkrsyncError:
        """This error, said from now on in the workbook's language (which every entry point then uses)."""
        if self.workbook_lang is None:
            self.workbook_lang = self.lang = lang
            self.args = (self.message_in(lang),)
        return self

    @property
    def code(self) -> str:
        return self.key.split(".", 1)[-1]


@contextmanager
def said_in(lang: str | None) -> Iterator[None]:
    """Failures inside are said in the workbook's language `lang`, once it is known (None: not yet)."""
    try:
        yield
    except OkrsyncError as err:
        if lang is not None:
            err.in_workbook_lang(lang)
        raise


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
