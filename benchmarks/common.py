"""What the Google benchmarks share: the workbook sizes, the synthetic workbook at a size, and a gateway.

Light on purpose: bench_memory's measured processes import it, and must load neither the fake nor the
gspread baselines.
"""

from __future__ import annotations

from google.oauth2.credentials import Credentials

from benchmarks.synthetic import WEEKS, synthetic_layout
from sync.backends.google_api import GoogleGateway, RetryingHTTPClient
from sync.layout.build import Layout

#: Workbooks of this many teams.
SIZES = (3, 10, 30, 100)
KRS_PER_TEAM = 10


def benchmark_layout(teams: int) -> Layout:
    """The synthetic workbook of `teams` teams × KRS_PER_TEAM KRs × WEEKS weeks of check-ins, with the template's
    layout as users get it (nothing cut)."""
    return synthetic_layout(teams, KRS_PER_TEAM, teams * KRS_PER_TEAM * WEEKS, "fr")


def gateway() -> GoogleGateway:
    """A French gateway with a fixed token that never expires, and retries that do not sleep."""
    return GoogleGateway(RetryingHTTPClient(Credentials(token="bench-token"), sleep=lambda _: None), "fr")
