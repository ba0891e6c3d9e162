"""The fake's Sheets quotas: 60 reads and 60 writes a minute per user, 300 of each per project, sliding windows."""

from __future__ import annotations

import requests

from tests.google_fake import FakeGoogle, Limits, Quota
from tests.google_fake import google_fake as google_fake  # the fixture, re-exported for this module
from tests.service_support import FakeClock

SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"


class Caller:
    """Raw calls to the fake as one user (one bearer token): a read or a write of one spreadsheet."""

    def __init__(self, fake: FakeGoogle, sid: str, user: str = "okrsync") -> None:
        self.fake, self.sid = fake, sid
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {user}"

    def read(self) -> requests.Response:
        return self.session.get(f"{SHEETS}/{self.sid}", params={"fields": "spreadsheetId"})

    def write(self) -> requests.Response:
        rename = {"updateSpreadsheetProperties": {"properties": {"title": "OKR"}, "fields": "title"}}
        return self.session.post(f"{SHEETS}/{self.sid}:batchUpdate", json={"requests": [rename]})


def statuses(responses: list[requests.Response]) -> list[int]:
    return [r.status_code for r in responses]


def test_the_61st_read_of_a_minute_is_refused_with_googles_429(google_fake: FakeGoogle) -> None:
    clock = FakeClock()
    google_fake.quota = Quota(clock)
    me = Caller(google_fake, google_fake.new_spreadsheet())
    answers = [me.read() for _ in range(61)]
    assert statuses(answers).count(200) == 60 and answers[-1].status_code == 429
    error = answers[-1].json()["error"]
    assert (error["code"], error["status"]) == (429, "RESOURCE_EXHAUSTED")
    assert "limit 'Read requests per minute per user'" in error["message"]
    assert error["details"][0]["reason"] == "RATE_LIMIT_EXCEEDED"
    assert error["details"][0]["metadata"]["quota_limit"] == "ReadRequestsPerMinutePerUser"


def test_the_window_slides_a_refused_call_is_not_counted(google_fake: FakeGoogle) -> None:
    clock = FakeClock(0.0)
    google_fake.quota = Quota(clock)
    me = Caller(google_fake, google_fake.new_spreadsheet())
    for second in range(60):  # one read a second for a minute
        clock.now = float(second)
        assert me.read().status_code == 200
    clock.now = 59.5
    assert me.read().status_code == 429 and me.read().status_code == 429
    clock.now = 60.0  # the read of second 0 has left the window: one more fits, not two
    assert statuses([me.read(), me.read()]) == [200, 429]
    assert google_fake.quota.count("okrsync", "read") == 60
    assert len(google_fake.quota.refused) == 3


def test_writes_have_a_quota_of_their_own(google_fake: FakeGoogle) -> None:
    clock = FakeClock()
    google_fake.quota = Quota(clock)
    me = Caller(google_fake, google_fake.new_spreadsheet())
    assert statuses([me.read() for _ in range(60)]) == [200] * 60
    writes = [me.write() for _ in range(61)]
    assert statuses(writes) == [200] * 60 + [429]
    assert "limit 'Write requests per minute per user'" in writes[-1].json()["error"]["message"]
    assert me.read().status_code == 429  # reads still full
    assert [kind for _, _, kind, _ in google_fake.quota.refused] == ["write", "read"]


def test_the_project_quota_holds_across_users(google_fake: FakeGoogle) -> None:
    clock = FakeClock()
    google_fake.quota = Quota(clock)
    sid = google_fake.new_spreadsheet()
    users = [Caller(google_fake, sid, f"user-{n}") for n in range(6)]
    answers = [u.read() for u in users[:5] for _ in range(60)]  # five users at their own limit: 300
    assert statuses(answers) == [200] * 300
    refused = users[5].read()  # a sixth user, far under its own quota
    assert refused.status_code == 429
    assert "limit 'Read requests per minute' of service" in refused.json()["error"]["message"]
    assert users[5].write().status_code == 200
    assert google_fake.quota.refused[-1][1:] == ("user-5", "read", "project")


def test_other_limits_and_drive_are_not_counted(google_fake: FakeGoogle) -> None:
    clock = FakeClock()
    google_fake.quota = Quota(clock, Limits(per_user=2, per_project=3))
    sid = google_fake.new_spreadsheet()
    me = Caller(google_fake, sid)
    drive = me.session.get(f"https://www.googleapis.com/drive/v3/files/{sid}", params={"fields": "id"})
    assert drive.status_code == 200
    assert statuses([me.read(), me.read(), me.read()]) == [200, 200, 429]


def test_quotas_are_off_by_default(google_fake: FakeGoogle) -> None:
    me = Caller(google_fake, google_fake.new_spreadsheet())
    assert statuses([me.read() for _ in range(100)]) == [200] * 100
