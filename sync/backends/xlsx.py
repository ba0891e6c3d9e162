"""The embedded default: the same engine on a local .xlsx workbook, through openpyxl."""

from __future__ import annotations

import errno
import hashlib
import io
import logging
import os
import re
import secrets
import sys
import tempfile
import warnings
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import NoReturn, TypeVar
from xml.etree.ElementTree import ParseError

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ..errors import BackendError, BadArgument, NotOurWorkbook, OkrsyncError, WorkbookLocked, WorkbookNotFound
from ..layout.build import Layout
from ..model import Snapshot, Tab, WritePlan, WriteResult
from ..parsing.settings import lang_of
from .xlsx_layout import render
from .xlsx_package import chart_counts, keep_cached_values
from .xlsx_read import read_sheets, sheet_parts
from .xlsx_write import restore_impossible_dates, write_plan

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

log = logging.getLogger(__name__)

#: What a file that is not a readable workbook raises somewhere inside zipfile, the XML parser or openpyxl.
_UNREADABLE = (zipfile.BadZipFile, InvalidFileException, KeyError, IndexError, ValueError, TypeError,
               ParseError, EOFError, zlib.error, NotImplementedError, StopIteration)


T = TypeVar("T")

#: openpyxl turns a number in a date-formatted cell that is no possible date into #VALUE! as it loads.
_IMPOSSIBLE_DATE = re.compile(r"Cell ([A-Z]+[0-9]+) is marked as a date but the serial value")


class XlsxBackend:
    """A workbook in a local .xlsx file: provisioned, read and written in place, one sync at a time."""

    def __init__(self, path: str | os.PathLike[str], lang: str = "en") -> None:
        self.path = Path(path).expanduser().absolute()
        self.location = str(self.path)
        #: Only for the language of error messages; the workbook's own language is in its Settings tab.
        self.lang = lang
        self._lock_depth = 0
        self._impossible_dates: list[str] = []

    # -- the Backend protocol ------------------------------------------------------------------------

    def provision(self, layout: Layout, overwrite: bool = False) -> str:
        """Create the workbook from a layout; refuse to replace an existing file unless told to."""
        if self.path.exists() and not overwrite:
            raise BadArgument("error.exists", self.lang, path=self.location)
        wb = render(layout)
        with self._hold(must_exist=False):
            self._save(wb)
        return self.location

    def read(self) -> Snapshot:
        """Every sheet's cached values, in one pass over the file: no formula is evaluated here."""
        sheets = self._from_package(read_sheets)
        return Snapshot(self.path.stem, {name: Tab(name, grid) for name, grid in sheets}, locale=None)

    def apply(self, plan: WritePlan, snapshot: Snapshot) -> WriteResult:
        """Write the plan's cells and service tabs, re-draw its charts, save once; nothing else changes."""
        if plan.empty and not self._charts_missing(plan):
            return WriteResult(cells=0, read_calls=0, write_calls=0)
        with self.lock():
            self._refuse_if_open_elsewhere()  # before the slow load, not only at the save
            wb = self._load()
            restore_impossible_dates(wb, snapshot, self._impossible_dates)
            write_plan(wb, plan, snapshot, self.lang, self.location)
            self._save(wb, snapshot)
        return WriteResult(cells=plan.cell_count(), read_calls=0, write_calls=1)

    def api_calls(self) -> tuple[int, int]:
        """A local file makes no API calls."""
        return (0, 0)

    def lock(self) -> AbstractContextManager[None]:
        """Hold the workbook for one sync: a second sync of the same file meanwhile gets WorkbookLocked.

        A person having the file open in Excel or LibreOffice does not stop a read (a dry run validates
        what they last saved); every save checks for them. Re-entrant for this backend, so that `apply`
        inside the engine's `lock()` does not lock itself out.
        """
        return self._hold(must_exist=True)

    @contextmanager
    def _hold(self, must_exist: bool) -> Iterator[None]:
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        if must_exist and not self.path.exists():
            # Said before the lock file is made, so a mistyped path leaves nothing behind.
            raise WorkbookNotFound("error.file_missing", self.lang, path=self.location)
        handle = self._acquire()
        self._lock_depth = 1
        try:
            yield
        finally:
            self._lock_depth = 0
            _release(handle)

    # -- locking -------------------------------------------------------------------------------------

    @property
    def lock_path(self) -> Path:
        """The file two syncs of this workbook lock (the workbook itself is replaced on save).

        It lives in this user's lock folder (`lock_folder`), never beside the workbook: a sync leaves
        nothing there, and a read-only folder can still be validated. Its name is a hash of the workbook's
        resolved path, so two syncs naming one file by different paths share it. It stays after the sync:
        removing it would let a third sync lock a new file while a second still holds the old one.
        """
        digest = hashlib.sha256(os.fsencode(self.path.resolve())).hexdigest()[:32]
        return lock_folder() / f"{digest}.lock"

    def owner_files(self) -> list[Path]:
        """The files LibreOffice and Excel keep next to a workbook while a person has it open."""
        return [self.path.with_name(f".~lock.{self.path.name}#"), self.path.with_name(f"~${self.path.name}")]

    def _refuse_if_open_elsewhere(self) -> None:
        if any(owner.exists() for owner in self.owner_files()):
            raise WorkbookLocked("error.locked", self.lang, path=self.location)

    def _acquire(self) -> int:
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            reason = exc.strerror or exc
            raise BackendError("error.lock_failed", self.lang, path=self.location, reason=reason) from None
        try:
            if sys.platform == "win32":
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            locked = WorkbookLocked("error.locked", self.lang, path=self.location)
            lang = self._peek_lang()
            raise (locked.in_workbook_lang(lang) if lang else locked) from None
        return fd

    def _peek_lang(self) -> str | None:
        """The workbook's language from its tab names alone (no sheet is read); None when it cannot say."""
        try:
            with zipfile.ZipFile(self.path) as archive:
                return lang_of(name for name, _part in sheet_parts(archive)[1])
        except (OSError, *_UNREADABLE):
            return None

    # -- files ---------------------------------------------------------------------------------------

    def _load(self) -> Workbook:
        """The whole workbook, formulas as formulas (not their values), so that people's formulas survive."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                with open(self.path, "rb") as stream:
                    wb = load_workbook(stream)
            except OSError as exc:
                self._raise_for(exc)
            except _UNREADABLE:
                raise NotOurWorkbook("error.not_a_workbook", self.lang, path=self.location) from None
        self._impossible_dates = []
        for warning in caught:
            found = _IMPOSSIBLE_DATE.search(str(warning.message))
            if found:
                self._impossible_dates.append(found.group(1))
                continue
            # openpyxl says what it cannot keep (e.g. Excel-only extensions); the next save drops it.
            log.warning("%s: %s", self.location, warning.message)
        return wb

    def _save(self, wb: Workbook, snapshot: Snapshot | None = None) -> None:
        """Write to a temporary file next to the workbook, then rename it over: never half a workbook."""
        self._refuse_if_open_elsewhere()
        if any(_read_only(p) for p in (self.path, self.path.parent) if p.exists()):
            # Renaming over a read-only file would succeed; a person who made it read-only means "keep it".
            raise BackendError("error.read_only", self.lang, path=self.location)
        buffer = io.BytesIO()
        wb.save(buffer)
        data = buffer.getvalue() if snapshot is None else keep_cached_values(buffer.getvalue(), snapshot)
        temp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.tmp")
        try:
            # os.open's mode goes through the umask, as a file a person saves would.
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            if self.path.exists():
                os.chmod(temp, self.path.stat().st_mode & 0o7777)
            os.replace(temp, self.path)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            raise self._write_failed(exc) from None

    def _from_package(self, reader: Callable[[zipfile.ZipFile], T]) -> T:
        """What `reader` finds in the workbook's zip package; an unreadable file says so in one sentence."""
        try:
            with zipfile.ZipFile(self.path) as archive:
                return reader(archive)
        except OSError as exc:
            self._raise_for(exc)
        except _UNREADABLE:
            raise NotOurWorkbook("error.not_a_workbook", self.lang, path=self.location) from None

    def _charts_missing(self, plan: WritePlan) -> bool:
        """Whether the file lacks a chart of the plan (a person deleted it), so saving is still needed."""
        if not plan.charts:
            return False
        found = self._from_package(chart_counts)
        wanted = Counter(spec.tab for spec in plan.charts)
        return any(found.get(tab, 0) != count for tab, count in wanted.items())

    def _write_failed(self, exc: OSError) -> BackendError:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return BackendError("error.read_only", self.lang, path=self.location)
        return BackendError("error.write_failed", self.lang, path=self.location, reason=exc.strerror or exc)

    def _raise_for(self, exc: OSError) -> NoReturn:
        """The user-facing error for a file that cannot be opened."""
        error: OkrsyncError
        if isinstance(exc, FileNotFoundError):
            error = WorkbookNotFound("error.file_missing", self.lang, path=self.location)
        elif isinstance(exc, PermissionError):
            # On Windows a workbook Excel holds open cannot be read either: a lock, not a broken file.
            error = WorkbookLocked("error.locked", self.lang, path=self.location)
        else:
            error = NotOurWorkbook("error.not_a_workbook", self.lang, path=self.location)
        raise error from None


def lock_folder() -> Path:
    """This user's folder for lock files, out of people's sight: in $XDG_RUNTIME_DIR, else the system's
    temporary folder; made private on first use."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    base = Path(runtime) if runtime and os.path.isdir(runtime) else Path(tempfile.gettempdir())
    uid = os.getuid() if hasattr(os, "getuid") else None
    folder = base / ("okrsync-locks" if uid is None else f"okrsync-locks-{uid}")
    folder.mkdir(mode=0o700, exist_ok=True)
    if uid is not None:
        held = folder.lstat()
        # In a shared temporary folder another user could have made it first: their locks are not ours.
        if not os.path.isdir(folder) or folder.is_symlink() or held.st_uid != uid:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(folder))
    return folder


def _read_only(path: Path) -> bool:
    """Whether a person made this file or folder read-only (write bits off: even an administrator's run
    respects it)."""
    return not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222


def _release(handle: int) -> None:
    try:
        if sys.platform == "win32":
            msvcrt.locking(handle, msvcrt.LK_UNLCK, 1)
        else:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)
