"""The add-on sidebar's dashboard: the KRs that need help, and the KRs whose check-ins are missing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from ..engine import Evaluation
from ..parsing import cell_text
from ..parsing.settings import Settings
from .orgtab import focus_krs, missing_krs
from .report import iso_day, rounded


def _text(value: Any) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def focus(krs: pd.DataFrame) -> list[dict[str, Any]]:
    """Yellow and red KRs, red first, with the latest check-in's comment and where that check-in is."""
    found = focus_krs(krs)
    # As the sheet shows them, taken before to_dict turns a typed "100 %" (a Percent) into a bare 1.0.
    comments = {kr: cell_text(c) for kr, c in found["comment"].items()} if "comment" in found else {}
    rows = []
    for kr_id, kr in found.to_dict("index").items():
        row = kr.get("checkin_row")
        rows.append({
            "id": kr_id, "team": _text(kr["team"]), "title": _text(kr["title"]), "owner": _text(kr["owner"]),
            "status": kr["status"], "progress": rounded(kr["progress"]), "confidence": rounded(kr["confidence"]),
            "comment": comments.get(kr_id) or None, "tab": _text(kr.get("checkin_tab")),
            "row": None if row is None or pd.isna(row) else int(row),
        })
    return rows


def missing(krs: pd.DataFrame, settings: Settings, as_of: dt.date) -> list[dict[str, Any]]:
    """The Org tab's missing check-ins: how many days ago the latest was (None: never), how many were missed."""
    rows = []
    for kr_id, kr in missing_krs(krs, settings, as_of).to_dict("index").items():
        last = iso_day(kr["last_checkin"])
        days = (as_of - dt.date.fromisoformat(last)).days if last else None
        rows.append({"id": kr_id, "team": _text(kr["team"]), "owner": _text(kr["owner"]), "last_checkin": last,
                     "days": days, "missed": int(kr["missed"])})
    return rows


def dashboard(ev: Evaluation, as_of: dt.date) -> dict[str, Any]:
    """The dashboard object of PROTOCOL.md."""
    return {"focus": focus(ev.krs), "missing": missing(ev.krs, ev.workbook.settings, as_of)}
