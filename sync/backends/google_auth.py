"""Where okrsync finds Google credentials: a key file, Application Default Credentials, or a plain token."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import google.auth
import google.auth.exceptions
import google.oauth2.credentials
from google.auth.credentials import Credentials
from google.oauth2 import service_account

from ..errors import BackendError

#: Sheets to read and write; drive.file to share the spreadsheets okrsync itself created.
SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive.file",
)
KEY_FILE_ENV = "GOOGLE_APPLICATION_CREDENTIALS"
TOKEN_ENV = "OKRSYNC_GOOGLE_TOKEN"


@dataclass(frozen=True)
class FoundCredentials:
    """Credentials, the account they act as when it is a service account, and where they came from."""

    credentials: Credentials
    service_account_email: str | None
    source: str  # "key_file", "adc" or "token"


def find_credentials(
    credentials_path: str | os.PathLike[str] | None = None,
    lang: str = "en",
    env: Mapping[str, str] | None = None,
    default: Callable[..., tuple[Credentials, str | None]] | None = None,
) -> FoundCredentials:
    """The first credentials found: a key file, then Application Default Credentials, then a token."""
    env = os.environ if env is None else env
    path = credentials_path or env.get(KEY_FILE_ENV)
    if path:
        # A named file is what the person asked for: an unreadable one is an error, never a silent fallback.
        return _from_file(os.fspath(path), lang)
    try:
        creds, _project = (default or google.auth.default)(scopes=list(SCOPES))
    except google.auth.exceptions.DefaultCredentialsError:
        pass
    else:
        return FoundCredentials(creds, _service_account_email(creds), "adc")
    token = env.get(TOKEN_ENV, "").strip()
    if token:
        return FoundCredentials(google.oauth2.credentials.Credentials(token), None, "token")
    raise BackendError("error.google_no_credentials", lang, env_file=KEY_FILE_ENV, env_token=TOKEN_ENV)


def _from_file(path: str, lang: str) -> FoundCredentials:
    try:
        with open(path, encoding="utf-8") as f:
            info = json.load(f)
        kind = info.get("type") if isinstance(info, dict) else None
        # Only the two kinds a person makes by hand are loaded: a file of any other kind could make
        # google-auth run commands or call URLs it names.
        if kind == "service_account":
            creds: Credentials = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
        elif kind == "authorized_user":
            creds = google.oauth2.credentials.Credentials.from_authorized_user_info(info, scopes=SCOPES)
        else:
            raise ValueError(f"type {kind!r} is neither service_account nor authorized_user")
    except (OSError, ValueError, google.auth.exceptions.GoogleAuthError) as err:
        # The reason names what is wrong with the file, never the key itself.
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise BackendError("error.google_credentials_unreadable", lang, path=path, reason=reason) from err
    return FoundCredentials(creds, _service_account_email(creds), "key_file")


def _service_account_email(creds: Any) -> str | None:
    email = getattr(creds, "service_account_email", None)
    # Compute Engine credentials say "default" until refreshed: not an address a person can share with.
    return email if isinstance(email, str) and "@" in email else None
