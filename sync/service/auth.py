"""Who is calling: people with a Google ID token, App Engine cron and Cloud Tasks, Cloud Scheduler OIDC."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import google.auth.exceptions
import google.auth.transport
from google.oauth2 import id_token as google_id_token
from werkzeug.datastructures import Headers as WerkzeugHeaders

from ..errors import AuthUnavailable, NotAllowed, NotAuthenticated
from . import editors
from .context import Service
from .local import is_loopback
from .registry import WorkbookRecord

#: Google's own consumer domains: an account there has no `hd` claim, yet its domain is real.
CONSUMER_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
LOCAL_CALLER_EMAIL = "local"
_MAX_AGE = re.compile(r"max-age=(\d+)")
_SEGMENT = re.compile(r"[A-Za-z0-9_-]+={0,2}")
#: A Google ID token is a few KB; anything far longer is not one, and is not worth decoding.
_MAX_TOKEN_CHARS = 16 * 1024
#: Request headers: Flask's, or a plain mapping in tests and jobs.
Headers = Mapping[str, str] | WerkzeugHeaders


@dataclass(frozen=True)
class Caller:
    """A verified person (or the local user when auth is off)."""

    email: str
    domain: str | None
    local: bool = False


class CachingRequest:
    """A google-auth transport that keeps Google's signing certificates for as long as Google says."""

    def __init__(self, inner: google.auth.transport.Request, clock: Callable[[], float],
                 default_max_age: float = 300.0) -> None:
        self.inner = inner
        self.clock = clock
        self.default_max_age = default_max_age
        self._cache: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def __call__(self, url: str, method: str = "GET", **kwargs: Any) -> Any:
        """Answer a GET of certificates from the cache while it is fresh; everything else goes through."""
        if method != "GET":
            return self.inner(url, method=method, **kwargs)
        with self._lock:
            hit = self._cache.get(url)
            if hit and hit[0] > self.clock():
                return hit[1]
        response = self.inner(url, method=method, **kwargs)
        if response.status == 200:
            found = _MAX_AGE.search(str(response.headers.get("cache-control", "")))
            max_age = float(found.group(1)) if found else self.default_max_age
            with self._lock:
                self._cache[url] = (self.clock() + max_age, response)
        return response


def request_lang(headers: Headers, default: str = "en") -> str:
    """The caller's language from Accept-Language, for errors said before any workbook is known."""
    accept = headers.get("Accept-Language", "").lower()
    for part in accept.split(","):
        tag = part.split(";")[0].strip()
        if tag.startswith("fr"):
            return "fr"
        if tag.startswith("en"):
            return "en"
    return default


def bearer_token(headers: Headers) -> str | None:
    """The token of an `Authorization: Bearer …` header, if any."""
    value = headers.get("Authorization", "")
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def shaped_like_id_token(token: str) -> bool:
    """Whether `token` can be a Google ID token at all: three base64url segments, a JSON header naming
    RS256 and a key ID. Checked before anything costs a certificate fetch."""
    parts = token.split(".")
    if len(token) > _MAX_TOKEN_CHARS or len(parts) != 3 or not all(_SEGMENT.fullmatch(p) for p in parts):
        return False
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except (binascii.Error, ValueError, RecursionError):
        return False
    return (isinstance(header, dict) and header.get("alg") == "RS256"
            and isinstance(header.get("kid"), str) and bool(header["kid"]))


def verify_token(svc: Service, token: str, audiences: list[str], lang: str) -> Mapping[str, Any]:
    """The claims of a Google-signed ID token for one of `audiences`; NotAuthenticated when it is not."""
    if not audiences:
        raise AuthUnavailable("service.auth_not_configured", lang)
    if not shaped_like_id_token(token):
        raise NotAuthenticated("service.token_invalid", lang)
    try:
        # A few seconds of leeway: the add-on's token is minted on Google's clock, checked on ours.
        return google_id_token.verify_oauth2_token(token, svc.token_request(), audience=audiences,
                                                   clock_skew_in_seconds=10)
    except google.auth.exceptions.TransportError:
        raise AuthUnavailable("service.certs_unavailable", lang) from None
    except (ValueError, google.auth.exceptions.GoogleAuthError) as err:
        reason = str(err).lower()
        key = ("service.token_expired" if "expired" in reason
               else "service.token_wrong_audience" if "audience" in reason else "service.token_invalid")
        raise NotAuthenticated(key, lang) from None


def caller_domain(claims: Mapping[str, Any]) -> str | None:
    """The domain that vouches for the account: Workspace's `hd`, or gmail.com for consumer accounts.

    An e-mail's own domain is not enough: anyone can make a Google account with a verified address at any
    domain, but only the domain's Workspace admin can make one with that `hd`.
    """
    hd = claims.get("hd")
    if hd:
        return str(hd).lower()
    domain = str(claims.get("email", "")).rpartition("@")[2].lower()
    return domain if domain in CONSUMER_DOMAINS else None


def authenticate(svc: Service, headers: Headers) -> Caller:
    """The verified person calling, from an allowed domain; 401 or 403 otherwise."""
    lang = request_lang(headers)
    if not svc.auth_enabled:
        return Caller(LOCAL_CALLER_EMAIL, None, local=True)
    token = bearer_token(headers)
    if token is None:
        raise NotAuthenticated("service.token_missing", lang)
    claims = verify_token(svc, token, svc.setting_list("AUDIENCES"), lang)
    email = str(claims.get("email") or "")
    if not email or claims.get("email_verified") is not True:
        raise NotAuthenticated("service.token_no_email", lang)
    domain = caller_domain(claims)
    allowed = [d.lower() for d in svc.setting_list("ALLOWED_DOMAINS")]
    if allowed and domain not in allowed:
        raise NotAllowed("service.domain_not_allowed", lang, email=email)
    return Caller(email.lower(), domain)


def may_see(caller: Caller, wb: WorkbookRecord) -> bool:
    """Whether a workbook shows in the caller's list: theirs, or registered by someone of their domain."""
    if caller.local:
        return True
    owner = wb.registered_by.lower()
    return owner == caller.email or (caller.domain is not None and owner.endswith("@" + caller.domain))


def require_editor(svc: Service, caller: Caller, wb: WorkbookRecord, lang: str) -> None:
    """403 unless the caller edits the workbook (Drive's sharing for a spreadsheet; its registrant's for a file)."""
    if caller.local:
        return
    if wb.backend == "gsheet":
        allowed = editors.is_editor(editors.permissions(svc.gateway(lang), wb.target), caller.email,
                                    caller.domain)
    else:
        allowed = may_see(caller, wb)
    if not allowed:
        raise NotAllowed("service.not_editor", lang, email=caller.email, title=wb.title)


def require_own_form(svc: Service, headers: Headers, token: str, lang: str) -> None:
    """403 unless a form posted without sign-in came from one of this service's own pages.

    Without sign-in nothing identifies the person, so any web page they visit could post to the service on
    127.0.0.1: our pages carry a token no other site can read, and the post must name a loopback host (a page
    that points its own domain at 127.0.0.1 names that domain). A signed-in call carries a bearer token, which
    a browser never adds on its own: nothing to forge there.
    """
    if svc.auth_enabled:
        return
    if not addressed_to_loopback(headers) or not hmac.compare_digest(token.encode(), svc.form_token.encode()):
        raise NotAllowed("service.form_forged", lang)


def addressed_to_loopback(headers: Headers) -> bool:
    """Whether a request names this machine in its Host header (127.0.0.1, ::1, localhost)."""
    try:
        host = urlsplit("//" + str(headers.get("Host") or "")).hostname or ""
    except ValueError:
        host = ""
    return is_loopback(host)


def require_loopback_host(svc: Service, headers: Headers) -> None:
    """Without sign-in, 403 for any request that does not name this machine as its host.

    A web page can point a name of its own at 127.0.0.1 (DNS rebinding); the browser then sends it our way
    as that page's own origin, free to read our answers and call the API. It still names its domain in Host.
    """
    if not svc.auth_enabled and not addressed_to_loopback(headers):
        raise NotAllowed("service.host_not_local", request_lang(headers))


def require_scheduler(svc: Service, headers: Headers, kind: str) -> str:
    """Trust a cron (`kind="cron"`) or task (`"task"`) request, or refuse it; returns how it was trusted.

    App Engine strips X-Appengine-* headers from outside requests, so they prove something only when this
    process really runs on App Engine; anywhere else they are forgeable and ignored.
    """
    lang = request_lang(headers)
    if not svc.auth_enabled:
        return "local"
    header = "X-Appengine-Cron" if kind == "cron" else "X-AppEngine-QueueName"
    value = str(headers.get(header) or "")
    if svc.on_app_engine and value and (kind == "task" or value.lower() == "true"):
        return "app_engine"
    token = bearer_token(headers)
    refusal = "service.not_cron" if kind == "cron" else "service.not_task"
    if token is None:
        raise NotAllowed(refusal, lang)
    audience = str(svc.config.get("TASKS_AUDIENCE") or svc.config.get("TASKS_BASE_URL") or "")
    accounts = {a.lower() for a in svc.setting_list("CRON_SERVICE_ACCOUNT") + svc.setting_list("TASKS_SERVICE_ACCOUNT")}
    if not audience or not accounts:
        raise NotAllowed(refusal, lang)
    claims = verify_token(svc, token, [audience], lang)
    email = str(claims.get("email") or "").lower()
    if claims.get("email_verified") is not True or email not in accounts:
        raise NotAllowed(refusal, lang)
    return "oidc"
