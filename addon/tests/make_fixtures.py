"""Writes addon/tests/fixtures/ from the service's own answers: `.venv/bin/python addon/tests/make_fixtures.py`.

layout-fr.json and layout-en.json are `POST /api/addon/layout` for two workbooks; team-fr.json is
`POST /api/addon/team` adding "Produit" to the French one, as the add-on posts it (the snapshot of the workbook
the layout makes), less the blank cells of its Settings row. Run it whenever the layout JSON or the plan JSON
changes; the node tests read these files.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sync.layout.build import Team, WorkbookSpec, build_layout  # noqa: E402
from sync.model import Snapshot, Tab  # noqa: E402
from tests.addon_support import snapshot_json  # noqa: E402
from tests.service_support import MemoryWorkbooks, make_app  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
WORKBOOKS = {
    "layout-fr.json": {"organisation": "Acme", "lang": "fr", "quarter": "2025-T1",
                       "teams": ["Marketing", "Ventes", "Finance"]},
    "layout-en.json": {"organisation": "Acme", "lang": "en", "quarter": "2025-Q1", "teams": ["Marketing", "Sales"]},
}


def answers(tmp: Path) -> dict[str, Any]:
    """Each fixture's file name and the service's answer."""
    client = make_app(tmp, AUTH="off", LOOPBACK_ONLY=True, BACKENDS=MemoryWorkbooks()).test_client()
    out: dict[str, Any] = {}
    for name, spec in WORKBOOKS.items():
        answer = client.post("/api/addon/layout", json=spec, headers={"Accept-Language": spec["lang"]})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        out[name] = answer.get_json()
    fr = WORKBOOKS["layout-fr.json"]
    layout = build_layout(WorkbookSpec(fr["organisation"], "fr", fr["quarter"], [Team(t) for t in fr["teams"]]))
    snapshot = Snapshot(layout.title, {t.name: Tab(t.name, t.grid) for t in layout.tabs}, layout.locale)
    answer = client.post("/api/addon/team", json={"snapshot": snapshot_json(snapshot), "team": {"name": "Produit"}},
                         headers={"Accept-Language": "fr"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    team = answer.get_json()
    # The Settings row's blank manager and e-mail left out, so that the add-on's writes split it in two runs.
    team["plan"]["cells"] = [c for c in team["plan"]["cells"] if c["value"] != ""]
    out["team-fr.json"] = team
    return out


def main() -> None:
    """Write every fixture, as the files have always been laid out (one space of indent, UTF-8 as is)."""
    with tempfile.TemporaryDirectory() as tmp:
        for name, body in answers(Path(tmp)).items():
            (FIXTURES / name).write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            print(FIXTURES / name)


if __name__ == "__main__":
    main()
