"""The score stage: progress, expected, confidence and status of every check-in and key result."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .workbook import Settings

STATUS_RANK = {"green": 0, "none": 1, "yellow": 2, "red": 3}


@dataclass(frozen=True)
class Bands:
    """The thresholds a status is judged by, from Settings."""

    green: float = 0.8
    yellow: float = 0.5
    pace_green: float = -0.10
    pace_yellow: float = -0.25

    @classmethod
    def of(cls, settings: Settings) -> Bands:
        return cls(settings.green, settings.yellow, settings.pace_green, settings.pace_yellow)


def elapsed(start: dt.date, end: dt.date, on: dt.date) -> float:
    """Share of the quarter elapsed at the end of day `on`, 0–1."""
    total = (end - start).days + 1
    return float(min(max(((on - start).days + 1) / total, 0.0), 1.0))


def elapsed_series(start: dt.date, end: dt.date, dates: pd.Series) -> pd.Series:
    """`elapsed` for a column of dates."""
    total = (end - start).days + 1
    days = (dates - pd.Timestamp(start)).dt.days + 1
    return (days / total).clip(0.0, 1.0)


def progress(kind: pd.Series, start: pd.Series, target: pd.Series, current: pd.Series) -> pd.Series:
    """Raw progress (not clamped) of each value against its KR; NaN where there is no value."""
    base = start.where(start.notna() | (kind != "increase"), 0.0)
    span = (target - base).replace(0.0, np.nan)
    linear = (current - base) / span
    out = pd.Series(np.nan, index=current.index, dtype=float)
    out = out.mask(kind.isin(["increase", "decrease"]), linear)
    out = out.mask(kind.eq("at_least"), (current >= target).astype(float))
    out = out.mask(kind.eq("at_most"), (current <= target).astype(float))
    out = out.mask(kind.eq("milestone"), current)
    return out.where(current.notna())


def status(
    progress: pd.Series, expected: pd.Series | float, confidence: pd.Series, bands: Bands, quarter_over: bool
) -> pd.Series:
    """Status of each scored item: its confidence band, else its pace; `none` without progress.

    Once the quarter is over, the grade decides (Google's convention: 0.7–1.0 green, 0.4–0.6 yellow).
    """
    if quarter_over:
        # Grades are read to one decimal: 0.65 already counts as 0.7, 0.35 as 0.4.
        grade = progress.clip(0, 1)
        out = np.select([grade >= 0.65 - 1e-9, grade >= 0.35 - 1e-9], ["green", "yellow"], "red")
    else:
        gap = progress.clip(0, 1) - expected
        pace = np.select([gap >= bands.pace_green - 1e-9, gap >= bands.pace_yellow - 1e-9], ["green", "yellow"], "red")
        band = np.select(
            [confidence >= bands.green - 1e-9, confidence >= bands.yellow - 1e-9], ["green", "yellow"], "red"
        )
        out = np.where(confidence.notna(), band, pace)
    return pd.Series(np.where(progress.notna(), out, "none"), index=progress.index)


def score_checkins(checkins: pd.DataFrame, krs: pd.DataFrame, settings: Settings, as_of: dt.date) -> pd.DataFrame:
    """Progress and status of each valid check-in, judged against the elapsed share on its own date."""
    df = checkins
    valid = df["valid"]
    kind = df["kr_id"].map(krs["type"])
    raw = progress(kind, df["kr_id"].map(krs["start"]), df["kr_id"].map(krs["target"]), df["value"])
    raw = raw.where(valid)
    expected = elapsed_series(settings.start, settings.end, df["date"])
    out = df.assign(progress=raw.clip(0, 1))
    quarter_over = as_of >= settings.end
    out["status"] = status(out["progress"], expected, df["confidence"], Bands.of(settings), quarter_over)
    out.loc[~valid, "status"] = None
    return out


def latest(checkins: pd.DataFrame) -> pd.DataFrame:
    """Each KR's latest valid check-in: latest week, and in the same week the lower row."""
    valid = checkins[checkins["valid"]]
    ordered = valid.sort_values(["kr_id", "week", "row"], kind="stable")
    return ordered.groupby("kr_id", sort=False).tail(1).set_index("kr_id")


def score_krs(krs: pd.DataFrame, checkins: pd.DataFrame, settings: Settings, as_of: dt.date) -> pd.DataFrame:
    """Every KR's current value, progress, expected, confidence, status and last check-in as of a date."""
    last = latest(checkins)
    out = krs.copy()
    out["current"] = last["value"].reindex(out.index).astype(float)
    out["confidence"] = last["confidence"].reindex(out.index).astype(float)
    out["last_checkin"] = last["date"].reindex(out.index)
    out["comment"] = last["comment"].reindex(out.index) if "comment" in last else None
    # Where that check-in is, so the add-on's dashboard can take people to it.
    out["checkin_tab"] = last["tab"].reindex(out.index) if "tab" in last else None
    out["checkin_row"] = last["row"].reindex(out.index)
    out["expected"] = elapsed(settings.start, settings.end, as_of)
    out["own"] = out["current"].notna()
    raw = progress(out["type"], out["start"], out["target"], out["current"])
    out["progress_raw"] = raw.where(~out["error"].astype(bool))
    out["progress"] = out["progress_raw"].clip(0, 1)
    _roll_up_parents(out)
    bands, quarter_over = Bands.of(settings), as_of >= settings.end
    out["status"] = status(out["progress"], out["expected"], out["confidence"], bands, quarter_over)
    return out


def _roll_up_parents(krs: pd.DataFrame) -> None:
    """A parent KR without check-ins of its own takes the sum of its children (same unit) or their mean progress."""
    children: dict[str, list[str]] = {}
    for kr_id, parent, error in zip(krs.index, krs["parent"], krs["error"], strict=True):
        if parent and parent in krs.index and parent != kr_id and not error:
            children.setdefault(parent, []).append(kr_id)
    done: set[str] = set()

    def visit(kr_id: str, path: tuple[str, ...]) -> None:
        if kr_id in done or kr_id in path:
            return
        for child in children.get(kr_id, []):
            visit(child, (*path, kr_id))
        done.add(kr_id)
        kids = children.get(kr_id, [])
        if krs.at[kr_id, "own"] or not kids or bool(krs.at[kr_id, "error"]):
            return
        sub = krs.loc[kids]
        if sub["progress"].isna().all():
            return
        unit = str(krs.at[kr_id, "unit"]).strip().casefold()
        if (
            unit
            and all(str(u).strip().casefold() == unit for u in sub["unit"])
            and krs.at[kr_id, "type"] != "milestone"
        ):
            current = float(sub["current"].fillna(0).sum())
            krs.at[kr_id, "current"] = current
            one = progress(
                krs.loc[[kr_id], "type"],
                krs.loc[[kr_id], "start"],
                krs.loc[[kr_id], "target"],
                pd.Series([current], index=[kr_id]),
            )
            raw = float(one.iloc[0])
        else:
            weights = sub["weight"].where(sub["weight"] > 0)
            raw = float((sub["progress"].fillna(0) * weights).sum() / weights.sum()) if weights.sum() else np.nan
        krs.at[kr_id, "progress_raw"] = raw
        krs.at[kr_id, "progress"] = min(max(raw, 0.0), 1.0) if not np.isnan(raw) else np.nan
        krs.at[kr_id, "last_checkin"] = sub["last_checkin"].max()

    for kr_id in children:
        visit(kr_id, ())
