"""The registry: workbooks, their sync runs and per-workbook leases, in SQLite or PostgreSQL (SQLAlchemy 2)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    event,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

UTC = dt.UTC
#: Workbooks synced by their add-on: the service holds their runs, never any access to the spreadsheet.
ADDON = "addon"


class Base(DeclarativeBase):
    """The registry's tables."""


class WorkbookRecord(Base):
    """A registered workbook: where it lives, its language, who registered it, whether nightly syncs it."""

    __tablename__ = "workbooks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    backend: Mapped[str] = mapped_column(String(16))  # "gsheet", "xlsx" or "addon"
    #: spreadsheet ID, file path, or for "addon" `<spreadsheet ID>@<caller's domain or e-mail>`
    target: Mapped[str] = mapped_column(String(1000), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    lang: Mapped[str] = mapped_column(String(8))
    registered_by: Mapped[str] = mapped_column(String(320))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    #: A fixed "today" for this workbook's syncs (the demo lives in 2025-Q1 forever); None: the real date.
    as_of: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class SyncRun(Base):
    """One attempt to sync one workbook, whatever its outcome."""

    __tablename__ = "sync_runs"

    #: Increasing in insertion order, so that "newest first" holds even when two runs start the same second.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workbook_id: Mapped[str] = mapped_column(ForeignKey("workbooks.id"), index=True)
    trigger: Mapped[str] = mapped_column(String(16))  # api, nightly, task, provision, register, serve, menu, page
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))  # running, ok, failed, skipped
    api_reads: Mapped[int] = mapped_column(Integer, default=0)
    api_writes: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    invalid_rows: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[int] = mapped_column(Integer, default=0)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)


class Lease(Base):
    """Who holds a workbook's sync, until when (epoch seconds); taken with a conditional UPDATE."""

    __tablename__ = "leases"

    workbook_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64), nullable=True)
    expires_at: Mapped[float] = mapped_column(Float, default=0.0)


def database_url(url: str) -> str:
    """The URL with the psycopg 3 driver for PostgreSQL (`postgres://` as Heroku and Cloud SQL docs write it)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    """An engine for the registry; SQLite is shared across threads and waits for its write lock."""
    url = database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:
            # WAL lets page reads go on while a sync records its run.
            cursor = conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives datetimes back without their zone: they were stored in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class Registry:
    """Workbooks and runs; every method is one short transaction, safe to call from many threads."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        Base.metadata.create_all(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success, rolled back on failure."""
        with self.sessions.begin() as s:
            yield s

    def ping(self) -> bool:
        """Whether the database answers."""
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT 1")).scalar() == 1

    # -- workbooks ---------------------------------------------------------------------------------------
    def add_workbook(self, backend: str, target: str, title: str, lang: str, registered_by: str,
                     now: dt.datetime, as_of: dt.date | None = None) -> WorkbookRecord:
        """Register a workbook; its ID is short and unguessable, as it appears in URLs."""
        record = WorkbookRecord(id=secrets.token_hex(6), backend=backend, target=target, title=title[:300],
                                lang=lang, registered_by=registered_by, active=True, created_at=now,
                                as_of=as_of)
        with self.session() as s:
            s.add(record)
        return record

    def workbook(self, workbook_id: str) -> WorkbookRecord | None:
        """The workbook with this ID."""
        with self.session() as s:
            return s.get(WorkbookRecord, workbook_id)

    def workbook_by_target(self, target: str) -> WorkbookRecord | None:
        """The workbook registered for this spreadsheet ID or path."""
        with self.session() as s:
            return s.scalars(select(WorkbookRecord).where(WorkbookRecord.target == target)).first()

    def workbooks(self, active_only: bool = False) -> list[WorkbookRecord]:
        """Every workbook, oldest first."""
        query = select(WorkbookRecord).order_by(WorkbookRecord.created_at, WorkbookRecord.id)
        if active_only:
            query = query.where(WorkbookRecord.active.is_(True))
        with self.session() as s:
            return list(s.scalars(query))

    def describe(self, workbook_id: str, title: str, lang: str) -> None:
        """Update a workbook's title and language, as its latest snapshot says them."""
        with self.session() as s:
            record = s.get(WorkbookRecord, workbook_id)
            if record is not None:
                record.title, record.lang = title[:300], lang

    def set_active(self, workbook_id: str, active: bool) -> None:
        """Include a workbook in the nightly run, or leave it out."""
        with self.session() as s:
            record = s.get(WorkbookRecord, workbook_id)
            if record is not None:
                record.active = active

    # -- runs ----------------------------------------------------------------------------------------------
    def start_run(self, workbook_id: str, trigger: str, now: dt.datetime) -> SyncRun:
        """Record that a sync started."""
        run = SyncRun(workbook_id=workbook_id, trigger=trigger, started_at=now,
                      outcome="running", api_reads=0, api_writes=0, rows=0, invalid_rows=0, problems=0)
        with self.session() as s:
            s.add(run)
        return run

    def finish_run(self, run_id: int, now: dt.datetime, outcome: str, report: dict[str, Any] | None = None,
                   error_code: str | None = None, error: str | None = None) -> SyncRun:
        """Record how a sync ended: its counts from the report, or what went wrong."""
        with self.session() as s:
            run = s.get_one(SyncRun, run_id)
            run.finished_at, run.outcome = now, outcome
            run.error_code, run.error = error_code, error
            if report is not None:
                run.report = report
                run.api_reads = int(report["writes"]["api_calls"]["read"])
                run.api_writes = int(report["writes"]["api_calls"]["write"])
                run.rows = int(report["checkins"]["rows"])
                run.invalid_rows = int(report["checkins"]["invalid"])
                run.problems = len(report["problems"])
        return run

    def runs(self, workbook_id: str, limit: int = 20) -> list[SyncRun]:
        """A workbook's runs, newest first."""
        query = (select(SyncRun).where(SyncRun.workbook_id == workbook_id)
                 .order_by(SyncRun.id.desc()).limit(limit))
        with self.session() as s:
            return list(s.scalars(query))

    def latest_run(self, workbook_id: str) -> SyncRun | None:
        """The newest run of a workbook, whatever its outcome."""
        found = self.runs(workbook_id, limit=1)
        return found[0] if found else None

    def latest_report(self, workbook_id: str) -> tuple[SyncRun, dict[str, Any]] | None:
        """The newest successful run and its report."""
        query = (select(SyncRun).where(SyncRun.workbook_id == workbook_id, SyncRun.outcome == "ok",
                                       SyncRun.report.is_not(None))
                 .order_by(SyncRun.id.desc()).limit(1))
        with self.session() as s:
            run = s.scalars(query).first()
        if run is None or run.report is None:
            return None
        return run, run.report


def as_date(value: dt.date | dt.datetime | None) -> dt.date | None:
    """A stored date as a date (some drivers hand back a datetime)."""
    if isinstance(value, dt.datetime):
        return value.date()
    return value
