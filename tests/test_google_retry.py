"""Retries within one sync's budget: shared by all its calls, never past its deadline, a hook before each attempt."""

from __future__ import annotations

from collections.abc import Iterator

import google.oauth2.credentials
import pytest
import responses

from sync.backends.google_api import GoogleGateway
from sync.backends.google_retry import RetryBudget, RetryingHTTPClient, RetryPolicy, SyncGuard
from sync.errors import BackendError
from tests.service_support import FakeClock

SID = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd"
GET_URL = f"https://sheets.googleapis.com/v4/spreadsheets/{SID}"
UPDATE_URL = f"{GET_URL}:batchUpdate"
UNAVAILABLE = {"error": {"code": 503, "message": "The service is unavailable.", "status": "UNAVAILABLE"}}


def gateway(clock: FakeClock, guard: SyncGuard | None) -> GoogleGateway:
    http = RetryingHTTPClient(google.oauth2.credentials.Credentials("t"), sleep=clock.sleep, random=lambda: 1.0,
                              clock=clock, guard=guard)
    return GoogleGateway(http, "en")


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(registry=responses.registries.OrderedRegistry) as rsps:
        yield rsps


def test_a_call_gives_up_at_once_when_its_next_wait_would_pass_the_syncs_budget(mocked):
    for _ in range(4):
        mocked.get(GET_URL, status=503, json=UNAVAILABLE)
    clock = FakeClock()
    api = gateway(clock, SyncGuard(RetryBudget(10.0, clock=clock)))
    with pytest.raises(BackendError) as caught:
        api.get_spreadsheet(SID, "spreadsheetId")
    assert clock.sleeps == [1.0, 2.0, 4.0]  # 7 s; the next 8 s would make 15 > 10
    assert len(mocked.calls) == 4
    assert caught.value.key == "error.google_gave_up"
    assert str(caught.value).startswith("Google did not answer properly after 4 attempts (last: HTTP 503)")


def test_every_call_of_one_sync_draws_on_the_same_budget(mocked):
    mocked.get(GET_URL, status=503, json=UNAVAILABLE)
    mocked.get(GET_URL, status=429, headers={"Retry-After": "100"}, json=UNAVAILABLE)
    mocked.get(GET_URL, json={"spreadsheetId": SID})
    mocked.post(UPDATE_URL, status=429, headers={"Retry-After": "30"}, json=UNAVAILABLE)
    clock = FakeClock()
    budget = RetryBudget(120.0, clock=clock)
    api = gateway(clock, SyncGuard(budget))
    api.get_spreadsheet(SID, "spreadsheetId")
    with pytest.raises(BackendError) as caught:
        api.batch_update(SID, [])
    # 1 + 100 s spent by the read; the write's first 30 s would pass 120: given up after its one attempt.
    assert clock.sleeps == [1.0, 100.0] and budget.spent == 101.0
    assert len(mocked.calls) == 4
    assert "after 1 attempts (last: HTTP 429)" in str(caught.value)


def test_no_wait_ends_past_the_syncs_deadline(mocked):
    mocked.get(GET_URL, status=503, json=UNAVAILABLE)
    mocked.get(GET_URL, json={"spreadsheetId": SID})
    mocked.get(GET_URL, status=429, headers={"Retry-After": "60"}, json=UNAVAILABLE)
    clock = FakeClock()
    api = gateway(clock, SyncGuard(RetryBudget(120.0, deadline=clock.now + 50, clock=clock)))
    api.get_spreadsheet(SID, "spreadsheetId")  # a 1 s wait ends well before the deadline
    with pytest.raises(BackendError):
        api.get_spreadsheet(SID, "spreadsheetId")  # 60 s would end 9 s past it
    assert clock.sleeps == [1.0]
    assert len(mocked.calls) == 3


def test_without_a_guard_each_call_keeps_its_own_attempts(mocked):
    for _ in range(6):
        mocked.get(GET_URL, status=429, headers={"Retry-After": "100"}, json=UNAVAILABLE)
    clock = FakeClock()
    with pytest.raises(BackendError):
        gateway(clock, None).get_spreadsheet(SID, "spreadsheetId")
    assert clock.sleeps == [100.0] * 5  # the CLI's behaviour, unchanged


def test_the_guard_hook_runs_before_every_attempt_told_whether_it_writes(mocked):
    mocked.get(GET_URL, status=503, json=UNAVAILABLE)
    mocked.get(GET_URL, json={"spreadsheetId": SID})
    mocked.post(UPDATE_URL, json={"spreadsheetId": SID, "replies": []})
    clock = FakeClock()
    seen: list[bool] = []
    api = gateway(clock, SyncGuard(RetryBudget(clock=clock), seen.append))
    api.get_spreadsheet(SID, "spreadsheetId")
    api.batch_update(SID, [])
    assert seen == [False, False, True]


def test_a_hook_that_raises_stops_the_call_before_it_is_sent(mocked):
    def refuse(writes: bool) -> None:
        if writes:
            raise RuntimeError("lease lost")

    clock = FakeClock()
    api = gateway(clock, SyncGuard(RetryBudget(clock=clock), refuse))
    with pytest.raises(RuntimeError, match="lease lost"):
        api.batch_update(SID, [])
    assert len(mocked.calls) == 0


def test_each_attempt_is_sent_with_a_timeout(mocked):
    mocked.get(GET_URL, json={"spreadsheetId": SID})
    clock = FakeClock()
    gateway(clock, None).get_spreadsheet(SID, "spreadsheetId")
    assert mocked.calls[0].request.req_kwargs["timeout"] == RetryPolicy().timeout == (10.0, 120.0)


QUOTA = {"error": {"code": 429, "message": "Quota exceeded for quota metric 'Write requests'",
                   "status": "RESOURCE_EXHAUSTED"}}


def test_a_429_in_a_sync_waits_out_googles_window_unless_retry_after_says(mocked):
    mocked.get(GET_URL, status=429, json=QUOTA)
    mocked.get(GET_URL, status=429, headers={"Retry-After": "7"}, json=QUOTA)
    mocked.get(GET_URL, status=503, json=UNAVAILABLE)
    mocked.get(GET_URL, json={"spreadsheetId": SID})
    clock = FakeClock()
    api = gateway(clock, SyncGuard(RetryBudget(120.0, clock=clock), quota_window=60.0))
    api.get_spreadsheet(SID, "spreadsheetId")
    # A whole window (an earlier retry would be refused too), Google's own figure, then backoff for a 503.
    assert clock.sleeps == [60.0, 7.0, 4.0]
    assert (api.reads, api.http.retries) == (1, 3)


def test_the_syncs_budget_holds_two_windows_not_three(mocked):
    for _ in range(3):
        mocked.post(UPDATE_URL, status=429, json=QUOTA)
    clock = FakeClock()
    api = gateway(clock, SyncGuard(RetryBudget(120.0, clock=clock), quota_window=60.0))
    with pytest.raises(BackendError) as caught:
        api.batch_update(SID, [])
    assert clock.sleeps == [60.0, 60.0] and len(mocked.calls) == 3
    assert "after 3 attempts (last: HTTP 429)" in str(caught.value)


def test_without_a_quota_window_a_429_backs_off_as_before(mocked):
    mocked.get(GET_URL, status=429, json=QUOTA)
    mocked.get(GET_URL, json={"spreadsheetId": SID})
    clock = FakeClock()
    gateway(clock, None).get_spreadsheet(SID, "spreadsheetId")  # the CLI: no guard
    assert clock.sleeps == [1.0]
