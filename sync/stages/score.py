"""The score stage: progress, expected, confidence and status of every check-in and key result."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..parsing.settings import Settings
from .kr_state import STATUS_NAMES, States, last_per_group, progress_of, roll_up_parents, sort_keys, status_of


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
    raw = progress_of(kind.to_numpy(dtype=object), start.to_numpy(dtype=float), target.to_numpy(dtype=float),
                      current.to_numpy(dtype=float)[:, None])
    return pd.Series(raw[:, 0], index=current.index, dtype=float)


def status(
    progress: pd.Series, expected: pd.Series | float, confidence: pd.Series, bands: Bands, quarter_over: bool
) -> pd.Series:
    """Status of each scored item: its confidence band, else its pace; `none` without progress.

    Once the quarter is over, the grade decides (Google's convention: 0.7–1.0 green, 0.4–0.6 yellow).
    """
    # Statuses as small codes until the end, then one shared text object each: a million rows stay cheap.
    # One row of items, each with its own expected share: kr_state's arrays are KRs × dates.
    n = len(progress)
    codes = status_of(progress.to_numpy(dtype=float)[None, :], np.broadcast_to(np.asarray(expected, dtype=float), n),
                      confidence.to_numpy(dtype=float)[None, :], bands, np.full(n, quarter_over))
    return pd.Series(STATUS_NAMES[codes[0]], index=progress.index, dtype=str)


def score_checkins(checkins: pd.DataFrame, krs: pd.DataFrame, settings: Settings, as_of: dt.date) -> pd.DataFrame:
    """Progress and status of each valid check-in, judged against the elapsed share on its own date."""
    df = checkins
    valid = df["valid"]
    # Each row's KR looked up once, its type, start and target taken by position (NaN: no such KR).
    at = krs.index.get_indexer(pd.Index(df["kr_id"]))

    def of_kr(column: str, dtype: type) -> pd.Series:
        return pd.Series(np.append(krs[column].to_numpy(dtype=dtype), np.nan)[at], index=df.index)

    raw = progress(of_kr("type", object), of_kr("start", float), of_kr("target", float), df["value"])
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
    groups, _ = pd.factorize(valid["kr_id"])
    rows = valid["row"].to_numpy()
    last = last_per_group(groups, sort_keys(valid["week"]), rows)
    return valid.iloc[last].set_index("kr_id")


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
    column = lambda name: krs[name].to_numpy(dtype=float).reshape(-1, 1).copy()  # noqa: E731
    last = krs["last_checkin"]
    dated = last.dtype.kind == "M"
    states = States(
        own=krs["own"].to_numpy(dtype=bool).reshape(-1, 1),
        current=column("current"),
        progress_raw=column("progress_raw"),
        progress=column("progress"),
        last=last.to_numpy().reshape(-1, 1).copy() if dated else None,
    )
    if not roll_up_parents(krs, states):
        return
    krs["current"] = states.current[:, 0]
    krs["progress_raw"] = states.progress_raw[:, 0]
    krs["progress"] = states.progress[:, 0]
    if states.last is not None:
        krs["last_checkin"] = pd.Series(states.last[:, 0], index=krs.index, dtype=last.dtype)
