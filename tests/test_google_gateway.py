"""The Google gateway: retries, call counts, error messages, credential discovery and target parsing."""

from __future__ import annotations

import errno
import json
import socket
from pathlib import Path
from typing import Any

import google.auth.exceptions
import google.oauth2.credentials
import pytest
import requests
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given, settings
from hypothesis import strategies as st
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

from sync.backends.google_api import GoogleGateway, RetryingHTTPClient, RetryPolicy, loads_narrow, parse_target
from sync.backends.google_auth import KEY_FILE_ENV, TOKEN_ENV, find_credentials
from sync.backends.gsheets import open_google
from sync.errors import BackendError, BadArgument

SID = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd"
GET_URL = f"https://sheets.googleapis.com/v4/spreadsheets/{SID}"
UPDATE_URL = f"{GET_URL}:batchUpdate"
SA_EMAIL = "okrsync@acme-okr.iam.gserviceaccount.com"
TOKEN = "ya29.test-token-never-logged"


def _error(code: int, message: str, status: str, **extra: object) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "status": status, **extra}}


class Gateway:
    """A gateway on a static token, with the sleeper and the dice under the test's control."""

    def __init__(self, lang: str = "en", sa_email: str | None = SA_EMAIL, jitter: float = 1.0,
                 **policy: float):
        self.sleeps: list[float] = []
        self.http = RetryingHTTPClient(
            google.oauth2.credentials.Credentials(TOKEN),
            policy=RetryPolicy(**policy),  # type: ignore[arg-type]
            sleep=self.sleeps.append,
            random=lambda: jitter,
            clock=lambda: 1_700_000_000.0,
        )
        self.api = GoogleGateway(self.http, lang, sa_email)


@pytest.fixture
def mocked():
    with responses.RequestsMock(registry=responses.registries.OrderedRegistry) as rsps:
        yield rsps


def test_rate_limited_call_is_retried_then_succeeds(mocked):
    mocked.get(GET_URL, status=429, json=_error(429, "Quota exceeded", "RESOURCE_EXHAUSTED"))
    mocked.get(GET_URL, json={"spreadsheetId": SID})
    gw = Gateway(jitter=0.5)
    assert gw.api.get_spreadsheet(SID, "spreadsheetId") == {"spreadsheetId": SID}
    assert gw.sleeps == [0.75]  # a 1 s step, jittered to between half and all of it
    assert (gw.api.reads, gw.api.writes, gw.http.retries) == (1, 0, 1)


def test_unavailable_backend_retried_with_growing_capped_delays(mocked):
    for _ in range(4):
        mocked.get(GET_URL, status=503, json=_error(503, "The service is unavailable.", "UNAVAILABLE"))
    mocked.get(GET_URL, json={"spreadsheetId": SID})
    gw = Gateway(base=0.5, cap=3.0)
    gw.api.get_spreadsheet(SID, "spreadsheetId")
    assert gw.sleeps == [0.5, 1.0, 2.0, 3.0]


def test_jitter_spreads_each_wait_between_half_and_all_of_its_step():
    low = RetryingHTTPClient(None, requests.Session(), random=lambda: 0.0)
    high = RetryingHTTPClient(None, requests.Session(), random=lambda: 0.999999)
    for attempt in range(1, 8):
        step = min(32.0, 2.0 ** (attempt - 1))
        assert low.delay(attempt) == pytest.approx(step / 2)
        assert high.delay(attempt) == pytest.approx(step, rel=1e-5)


def test_retry_after_header_is_honoured(mocked):
    mocked.post(UPDATE_URL, status=429, headers={"Retry-After": "7"},
                json=_error(429, "Quota exceeded", "RESOURCE_EXHAUSTED"))
    mocked.post(UPDATE_URL, status=503, headers={"Retry-After": "Tue, 14 Nov 2023 22:13:40 GMT"},
                json=_error(503, "Unavailable", "UNAVAILABLE"))
    mocked.post(UPDATE_URL, json={"spreadsheetId": SID, "replies": [{}]})
    gw = Gateway()
    gw.api.batch_update(SID, [{"deleteSheet": {"sheetId": 7}}])
    # 7 s as asked, then an HTTP date 20 s after the injected clock.
    assert gw.sleeps == [7.0, 20.0]
    assert (gw.api.reads, gw.api.writes) == (0, 1)


def test_non_json_bad_gateway_is_retried(mocked):
    mocked.get(GET_URL, status=502, body="<html>502 Bad Gateway</html>", content_type="text/html")
    mocked.get(GET_URL, json={"spreadsheetId": SID})
    gw = Gateway()
    gw.api.get_spreadsheet(SID, "spreadsheetId")
    assert gw.sleeps == [1.0]


def test_network_error_is_retried(mocked):
    mocked.get(GET_URL, body=requests.ConnectionError("connection reset"))
    mocked.get(GET_URL, json={"spreadsheetId": SID})
    gw = Gateway()
    gw.api.get_spreadsheet(SID, "spreadsheetId")
    assert gw.sleeps == [1.0]


def test_permanent_server_error_gives_up_after_the_bound(mocked):
    for _ in range(6):
        mocked.post(UPDATE_URL, status=500, json=_error(500, "Internal error encountered.", "INTERNAL"))
    gw = Gateway()
    with pytest.raises(BackendError) as caught:
        gw.api.batch_update(SID, [])
    assert len(mocked.calls) == 6
    assert gw.sleeps == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert caught.value.key == "error.google_gave_up"
    assert str(caught.value) == (
        "Google did not answer properly after 6 attempts (last: HTTP 500)"
        f" to POST /v4/spreadsheets/{SID}:batchUpdate: try again later."
    )
    assert "6 tentatives (dernière : HTTP 500)" in caught.value.message_in("fr")
    assert (gw.api.reads, gw.api.writes) == (0, 1)


def test_drive_usage_limits_403_is_retried(mocked):
    url = f"https://www.googleapis.com/drive/v3/files/{SID}/permissions"
    body = _error(403, "User rate limit exceeded.", "PERMISSION_DENIED",
                  errors=[{"domain": "usageLimits", "reason": "userRateLimitExceeded", "message": "slow"}])
    mocked.post(url, status=403, json=body)
    mocked.post(url, json={"id": "perm1"})
    gw = Gateway()
    assert gw.api.share(SID, "marie@acme.example") == {"id": "perm1"}
    assert gw.sleeps == [1.0]
    sent = json.loads(mocked.calls[-1].request.body)
    assert sent == {"type": "user", "role": "writer", "emailAddress": "marie@acme.example"}
    assert "sendNotificationEmail=false" in mocked.calls[-1].request.url


@pytest.mark.parametrize(
    ("lang", "sa_email", "expected"),
    [
        ("en", SA_EMAIL, f"Access denied to spreadsheet {SID}: share it with {SA_EMAIL} as an editor."),
        ("fr", SA_EMAIL, f"Accès refusé au classeur {SID} : partagez-le avec {SA_EMAIL} en tant qu'éditeur."),
        ("en", None, f"Access denied to spreadsheet {SID}: the Google account in use has no access to it;"
                     " share it with that account as an editor."),
        ("fr", None, f"Accès refusé au classeur {SID} : le compte Google utilisé n'y a pas accès ;"
                     " partagez-le avec ce compte en tant qu'éditeur."),
    ],
)
def test_forbidden_says_whom_to_share_with(mocked, lang, sa_email, expected):
    denied = _error(403, "The caller does not have permission", "PERMISSION_DENIED")
    mocked.get(GET_URL, status=403, json=denied)
    gw = Gateway(lang, sa_email)
    with pytest.raises(BackendError) as caught:
        gw.api.get_spreadsheet(SID, "spreadsheetId")
    assert str(caught.value) == expected
    assert gw.sleeps == []  # a refusal is not retried


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "No spreadsheet with this ID (test): check the URL or the ID."),
        ("fr", "Aucun classeur Google avec cet ID (test) : vérifiez l'adresse ou l'ID."),
    ],
)
def test_not_found_names_the_id(mocked, lang, expected):
    mocked.get("https://sheets.googleapis.com/v4/spreadsheets/test", status=404,
               json=_error(404, "Requested entity was not found.", "NOT_FOUND"))
    gw = Gateway(lang)
    with pytest.raises(BackendError) as caught:
        gw.api.get_spreadsheet("test", "spreadsheetId")
    assert str(caught.value) == expected
    assert caught.value.status_code == 502


def test_other_errors_carry_googles_message_and_the_request_never_the_token(mocked):
    message = "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), \"X\""
    mocked.post(UPDATE_URL, status=400, json=_error(400, message, "INVALID_ARGUMENT"))
    gw = Gateway()
    with pytest.raises(BackendError) as caught:
        gw.api.batch_update(SID, [])
    text = str(caught.value)
    assert text == f"Google refused POST /v4/spreadsheets/{SID}:batchUpdate (HTTP 400): {message}"
    assert TOKEN not in text and TOKEN not in caught.value.message_in("fr")
    assert mocked.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_disabled_api_403_is_not_mistaken_for_a_sharing_problem(mocked):
    body = _error(403, "Google Sheets API has not been used in project 42 before or it is disabled.",
                  "PERMISSION_DENIED", details=[{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                                 "reason": "SERVICE_DISABLED"}])
    mocked.get(GET_URL, status=403, json=body)
    with pytest.raises(BackendError) as caught:
        Gateway().api.get_spreadsheet(SID, "spreadsheetId")
    assert "has not been used in project 42" in str(caught.value)


def test_create_counts_as_a_write_and_returns_the_new_ids(mocked):
    mocked.post("https://sheets.googleapis.com/v4/spreadsheets",
                json={"spreadsheetId": SID, "sheets": [{"properties": {"sheetId": 0}}]})
    gw = Gateway()
    created = gw.api.create_spreadsheet({"title": "OKR Acme 2025-T1", "locale": "fr_CA"})
    assert created["spreadsheetId"] == SID
    assert json.loads(mocked.calls[0].request.body) == {"properties": {"title": "OKR Acme 2025-T1",
                                                                       "locale": "fr_CA"}}
    assert (gw.api.reads, gw.api.writes) == (0, 1)
    assert GoogleGateway.url(SID) == f"https://docs.google.com/spreadsheets/d/{SID}"


def test_permissions_are_listed_across_pages(mocked):
    url = f"https://www.googleapis.com/drive/v3/files/{SID}/permissions"
    mocked.get(url, json={"permissions": [{"role": "owner"}], "nextPageToken": "p2"})
    mocked.get(url, json={"permissions": [{"role": "writer"}]})
    gw = Gateway()
    assert gw.api.permissions(SID) == [{"role": "owner"}, {"role": "writer"}]
    assert "pageToken=p2" in mocked.calls[1].request.url
    assert (gw.api.reads, gw.api.writes) == (2, 0)


# Credentials -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def service_account_file(tmp_path_factory) -> Path:
    """A service-account key file with a throwaway RSA key made for this test run: no real secret."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    info = {
        "type": "service_account",
        "project_id": "acme-okr",
        "private_key_id": "0123456789abcdef",
        "private_key": pem,
        "client_email": SA_EMAIL,
        "client_id": "1234567890",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    path = tmp_path_factory.mktemp("keys") / "sa.json"
    path.write_text(json.dumps(info))
    return path


def _no_adc(**_kwargs: object) -> Any:
    raise google.auth.exceptions.DefaultCredentialsError("no ADC here")


def test_key_file_named_by_environment_comes_first(service_account_file):
    def adc(**_kwargs: object) -> Any:
        raise AssertionError("ADC must not be consulted when a key file is named")

    found = find_credentials(env={KEY_FILE_ENV: str(service_account_file), TOKEN_ENV: "tok"}, default=adc)
    assert found.source == "key_file"
    assert found.service_account_email == SA_EMAIL
    assert "https://www.googleapis.com/auth/spreadsheets" in found.credentials.scopes  # type: ignore[attr-defined]


def test_key_file_argument_wins_over_environment(service_account_file, tmp_path):
    found = find_credentials(service_account_file, env={KEY_FILE_ENV: str(tmp_path / "missing.json")})
    assert found.service_account_email == SA_EMAIL


def test_unreadable_key_file_is_an_error_not_a_fallback(tmp_path):
    with pytest.raises(BackendError) as caught:
        find_credentials(tmp_path / "nope.json", env={TOKEN_ENV: "tok"}, default=_no_adc)
    assert caught.value.key == "error.google_credentials_unreadable"
    assert "nope.json" in str(caught.value)


def test_application_default_credentials_come_second(monkeypatch):
    adc_creds = google.oauth2.credentials.Credentials("adc-token")
    seen: dict[str, object] = {}

    def fake_default(**kwargs: object) -> tuple[object, str]:
        seen.update(kwargs)
        return adc_creds, "acme-okr"

    monkeypatch.setattr("google.auth.default", fake_default)
    found = find_credentials(env={TOKEN_ENV: "tok"})
    assert found.credentials is adc_creds and found.source == "adc"
    assert found.service_account_email is None
    assert seen["scopes"] == ["https://www.googleapis.com/auth/spreadsheets",
                              "https://www.googleapis.com/auth/drive.file"]


def test_plain_token_comes_last():
    found = find_credentials(env={TOKEN_ENV: " tok-123 "}, default=_no_adc)
    assert found.source == "token"
    assert found.credentials.token == "tok-123"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_credentials_names_the_three_ways(lang):
    with pytest.raises(BackendError) as caught:
        find_credentials(env={}, default=_no_adc, lang=lang)
    text = str(caught.value)
    assert KEY_FILE_ENV in text and TOKEN_ENV in text and "gcloud auth application-default login" in text


def test_open_google_opens_a_url_on_the_key_file(service_account_file):
    backend = open_google(f"https://docs.google.com/spreadsheets/u/0/d/{SID}/edit#gid=0", "fr",
                          str(service_account_file))
    assert backend.spreadsheet_id == SID and backend.location == f"https://docs.google.com/spreadsheets/d/{SID}"
    assert backend.gateway.service_account_email == SA_EMAIL and backend.lang == "fr"


def test_connect_builds_a_gateway_that_knows_its_service_account(service_account_file, monkeypatch):
    monkeypatch.setenv(KEY_FILE_ENV, str(service_account_file))
    gw = GoogleGateway.connect(lang="fr")
    assert gw.service_account_email == SA_EMAIL and gw.lang == "fr"
    assert isinstance(gw.http, RetryingHTTPClient)


# Targets -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"gsheet:{SID}", ("gsheet", SID)),
        (f"https://docs.google.com/spreadsheets/d/{SID}/edit#gid=0", ("gsheet", SID)),
        (f"https://docs.google.com/spreadsheets/u/0/d/{SID}/edit", ("gsheet", SID)),
        (f"https://docs.google.com/spreadsheets/d/{SID}", ("gsheet", SID)),
        (f"  https://docs.google.com/spreadsheets/d/{SID}/edit?usp=sharing  ", ("gsheet", SID)),
        ("okr.xlsx", ("xlsx", "okr.xlsx")),
        ("/tmp/Acme OKR/2025-T1.XLSX", ("xlsx", "/tmp/Acme OKR/2025-T1.XLSX")),
    ],
)
def test_parse_target_accepts(text, expected):
    assert parse_target(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "okr.csv", "gsheet:", "gsheet:a/b", "https://example.com/spreadsheets/d/abc/edit",
     "https://docs.google.com/document/d/abc/edit", "https://example.com/okr.xlsx"],
)
def test_parse_target_rejects(text):
    with pytest.raises(BadArgument) as caught:
        parse_target(text, "fr")
    assert caught.value.key == "error.unknown_target"
    assert "non reconnue" in str(caught.value)


def test_every_call_asks_for_compact_gzipped_answers(mocked):
    mocked.get(GET_URL, json={"properties": {"title": "OKR"}})
    Gateway().api.get_spreadsheet(SID, "properties(title)", include_grid_data=False)
    (call,) = mocked.calls
    assert "prettyPrint=false" in call.request.url and "fields=properties" in call.request.url
    assert "gzip" in call.request.headers["User-Agent"] and "gzip" in call.request.headers["Accept-Encoding"]


def _cells(obj: dict[str, Any]) -> Any:
    """An object hook like the read's: cells become their value, rows lists of them."""
    if "effectiveValue" in obj:
        return ("cell", obj["effectiveValue"].get("stringValue"))
    return list(obj["values"]) if obj.keys() == {"values"} else obj


_texts = st.text(st.characters(codec="utf-8"), max_size=12)


@given(title=_texts, cells=st.lists(st.lists(_texts, max_size=4), max_size=4), names=st.lists(_texts, max_size=3),
       ascii_only=st.booleans())
@settings(max_examples=300, deadline=None)
def test_a_read_answer_parses_narrow_exactly_as_json_does(title, cells, names, ascii_only):
    # Any text people type (emoji, accents, quotes, backslashes, control characters), in a cell, a title or
    # a list of strings; sent raw as Google does, or escaped (then parsed the ordinary way).
    answer = {"properties": {"title": title, "names": names},
              "sheets": [{"data": [{"rowData": [{"values": [{"effectiveValue": {"stringValue": text}} for text in row]}
                                                for row in cells]}]}]}
    content = json.dumps(answer, ensure_ascii=ascii_only).encode()
    assert loads_narrow(content, _cells) == json.loads(content, object_hook=_cells)


def _no_network(kind: str) -> requests.ConnectionError:
    """What requests raises when no connection can be made, as it wraps urllib3's reason."""
    reasons: dict[str, Exception] = {
        "dns": NameResolutionError("sheets.googleapis.com", None,  # type: ignore[arg-type]
                                   socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")),
        "refused": NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused"),  # type: ignore[arg-type]
        "no route": OSError(errno.ENETUNREACH, "Network is unreachable"),
    }
    return requests.ConnectionError(MaxRetryError(None, GET_URL, reason=reasons[kind]))  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["dns", "refused", "no route"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_network_at_the_first_call_fails_at_once_in_one_sentence(mocked, kind: str, lang: str):
    mocked.get(GET_URL, body=_no_network(kind))
    gw = Gateway(lang)
    with pytest.raises(BackendError) as caught:
        gw.api.get_spreadsheet(SID, "spreadsheetId")
    assert len(mocked.calls) == 1 and gw.sleeps == []  # one attempt, no wait
    assert caught.value.key == "error.google_no_network"
    assert str(caught.value) == {
        "fr": "Pas de réseau : Google est injoignable (sheets.googleapis.com) ; vérifiez la connexion Internet "
              "et réessayez.",
        "en": "No network: Google cannot be reached (sheets.googleapis.com); check the Internet connection and "
              "try again.",
    }[lang]


def test_no_network_after_google_answered_is_retried_briefly(mocked):
    mocked.get(GET_URL, json={"spreadsheetId": SID})
    for _ in range(3):
        mocked.get(GET_URL, body=_no_network("dns"))
    gw = Gateway()
    gw.api.get_spreadsheet(SID, "spreadsheetId")
    with pytest.raises(BackendError) as caught:
        gw.api.get_spreadsheet(SID, "spreadsheetId")
    assert caught.value.key == "error.google_no_network"
    assert len(mocked.calls) == 1 + 3
    assert gw.sleeps == [1.0, 2.0] and sum(gw.sleeps) == 3.0  # not the 31 s of six attempts


def test_a_network_that_comes_back_after_a_drop_finishes_the_call(mocked):
    mocked.get(GET_URL, json={"spreadsheetId": SID})
    mocked.get(GET_URL, body=_no_network("refused"))
    mocked.get(GET_URL, json={"spreadsheetId": SID})
    gw = Gateway()
    gw.api.get_spreadsheet(SID, "spreadsheetId")
    assert gw.api.get_spreadsheet(SID, "spreadsheetId") == {"spreadsheetId": SID}
    assert gw.sleeps == [1.0]


def test_credentials_that_cannot_reach_google_to_refresh_say_no_network(mocked):
    """A key file's first call fetches a token: without network, google-auth says so through TransportError."""
    token_url = "https://oauth2.googleapis.com/token"
    mocked.post(token_url, body=_no_network("dns"))
    creds = google.oauth2.credentials.Credentials(None, refresh_token="r", token_uri=token_url, client_id="c",
                                                  client_secret="s")  # fmt: skip
    sleeps: list[float] = []
    api = GoogleGateway(RetryingHTTPClient(creds, sleep=sleeps.append), "fr")
    with pytest.raises(BackendError) as caught:
        api.get_spreadsheet(SID, "spreadsheetId")
    assert caught.value.key == "error.google_no_network" and sleeps == []
    assert len(mocked.calls) == 1
