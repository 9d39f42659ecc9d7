"""Backups of a SQLite database: take, verify, keep by the retention policy, restore, and check.

Backups live in a `backups` folder beside the database, one file each, named
`<file name>-<UTC time>-<reason>.db` (`taskforce.db-20261201T093000Z-manual.db`). A new backup
is written to a temporary name, verified (it opens and passes integrity_check) and only then
renamed into place; only after that are older backups rotated out. The retention policy, newest first:

- every backup of the last 2 days;
- of older ones, the newest of each day, for the 7 most recent days that have a backup;
- then the newest of each week (ISO weeks), for the 4 most recent weeks that have one;
- then the newest of each month, for the 12 most recent months that have one.

Days, weeks and months are UTC. Nothing here imports Qt.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Engine

from desktop import db, lock
from desktop.errors import BackupError, DatabaseOpenError, TaskforceError
from desktop.folders import make_private_dir
from desktop.store.entities import ENTITIES, references_to

logger = logging.getLogger(__name__)

BACKUPS_DIRNAME = "backups"
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
KEEP_EVERY_BACKUP_FOR = timedelta(days=2)
# (period, how many of the most recent periods that have a backup keep their newest one), applied in turn
RETENTION_TIERS: tuple[tuple[str, int], ...] = (("day", 7), ("week", 4), ("month", 12))
AUTOMATIC_BACKUP_EVERY = timedelta(days=1)

# Told how far a long copy is: (pages copied, pages in all); (0, 0) while a file is checked.
Progress = Callable[[int, int], None]
COPY_STEP_PAGES = 256  # a megabyte of 4 KiB pages between two reports

# Reasons written into backup names.
AUTOMATIC = "automatic"
MANUAL = "manual"
BEFORE_RESTORE = "before-restore"


def before_upgrade(revision: str) -> str:
    return f"before-upgrade-from-{revision}"


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: datetime  # UTC, from the file name
    reason: str
    size: int

    @property
    def reason_label(self) -> str:
        if self.reason.startswith("before-upgrade"):
            return "before an upgrade"
        labels = {AUTOMATIC: "automatic", MANUAL: "made by hand", BEFORE_RESTORE: "before a restore"}
        return labels.get(self.reason.rstrip("-0123456789"), self.reason)


@dataclass
class CheckReport:
    """The outcome of a check, in words a person understands."""

    ok: bool
    summary: str
    details: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join([self.summary, *self.details])


# --- names and places --------------------------------------------------------


def backups_dir(database: Path) -> Path:
    return database.parent / BACKUPS_DIRNAME


def _pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(prefix)}-(\d{{8}}T\d{{6}}Z)-([a-z0-9-]+)\.db$")


COMPANION_ENDINGS = ("-wal", "-shm", "-journal", ".lock")


def _owns_old_names(database: Path) -> bool:
    """Whether backups named the old way, after the stem (`taskforce-<time>-<reason>.db`), are this
    database's: only when no other file in its folder has that stem (data.db beside data.sqlite)."""
    for entry in database.parent.iterdir():
        if entry.name == database.name or entry.name.endswith(COMPANION_ENDINGS):
            continue
        if entry.stem == database.stem and entry.is_file():
            return False
    return True


def list_backups(database: Path) -> list[BackupInfo]:
    """This database's backups, newest first.

    Backups are named after the whole file name (`taskforce.db-<time>-<reason>.db`), so that two
    databases with one stem in one folder never share them. Those named after the stem alone, as
    older versions did, count where they cannot be another database's (_owns_old_names).
    """
    folder = backups_dir(database)
    if not folder.is_dir():
        return []
    patterns = [_pattern(database.name)]
    if _owns_old_names(database):
        patterns.append(_pattern(database.stem))
    found = []
    for entry in folder.iterdir():
        match = next((m for m in (p.match(entry.name) for p in patterns) if m is not None), None)
        if match is None or not entry.is_file():
            continue
        created = datetime.strptime(match.group(1), STAMP_FORMAT).replace(tzinfo=UTC)
        found.append(BackupInfo(entry, created, match.group(2), entry.stat().st_size))
    return sorted(found, key=lambda info: (info.created, info.path.name), reverse=True)


def _unused_path(folder: Path, name: str, extension: str = "") -> Path:
    """folder/name+extension, or with -2, -3, … before the extension when that is taken."""
    candidate = folder / f"{name}{extension}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{name}-{number}{extension}"
        number += 1
    return candidate


def _new_backup_path(database: Path, reason: str, now: datetime) -> Path:
    stamp = now.astimezone(UTC).strftime(STAMP_FORMAT)
    return _unused_path(backups_dir(database), f"{database.name}-{stamp}-{reason}", ".db")


def _prepare_backups_dir(database: Path) -> Path:
    folder = backups_dir(database)
    make_private_dir(folder)
    return folder


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    # Makes a rename durable; not possible (nor needed) on Windows.
    if os.name == "nt":
        return
    _fsync_file(path)


@contextmanager
def live_connection(database: Path) -> Iterator[sqlite3.Connection]:
    """A connection to a healthy database we only read; being a writer it tidies the -wal away on close."""
    if not db.can_write(database):
        read_only = db.read_only_uri(database)
        with closing(sqlite3.connect(read_only, uri=True, timeout=db.BUSY_TIMEOUT_MS / 1000)) as connection:
            yield connection
        return
    with closing(sqlite3.connect(database, timeout=db.BUSY_TIMEOUT_MS / 1000)) as connection:
        yield connection


# --- verifying and counting ----------------------------------------------------


def _count_sql(table: sa.Table) -> str:
    return str(sa.select(sa.func.count()).select_from(table).compile(dialect=sqlite_dialect.dialect()))


def _counts(connection: sqlite3.Connection) -> dict[str, int]:
    """Rows per entity whose table the file holds, in the registry's order."""
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {
        name: int(connection.execute(_count_sql(entity.sa_table)).fetchone()[0])
        for name, entity in ENTITIES.items()
        if entity.sa_table.name in tables
    }


def describe_counts(counts: dict[str, int]) -> str:
    """ "6 tasks, 1 user, 0 heroes, …" """
    return ", ".join(entity.count_label(counts[name]) for name, entity in ENTITIES.items() if name in counts)


def row_counts(path: Path) -> dict[str, int]:
    """How many rows each table of a database file holds."""
    try:
        return db.read_quietly(path, _counts)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path.name} cannot be read: {error}.") from error


def verify(path: Path) -> dict[str, int]:
    """Refuse a file that is not a good Taskforce database; return its row counts when it is.

    Good means: an SQLite file that opens, passes integrity_check, holds Taskforce's tables and
    was not written by a newer Taskforce.
    """
    if path.is_dir():
        raise BackupError(f"{path} is a folder, not a backup file.")
    if not path.exists():
        raise BackupError(f"There is no file {path}.")
    if path.stat().st_size == 0:
        raise BackupError(f"{path.name} is empty.")
    try:
        db.inspect_sqlite_file(path)
        return db.read_quietly(path, lambda connection: _verified_counts(path, connection))
    except TaskforceError as error:
        raise BackupError(error.message) from error
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path.name} cannot be read as a database: {error}.") from error


def _verified_counts(path: Path, connection: sqlite3.Connection) -> dict[str, int]:
    problems = db.integrity_problems(connection, "PRAGMA integrity_check")
    if problems:
        logger.warning("%s failed its integrity check: %s", path, "; ".join(problems))
        raise BackupError(db.damaged_message(path.name, problems))
    counts = _counts(connection)
    if not counts:
        raise BackupError(f"{path.name} holds no Taskforce data.")
    return counts


def newest_good_backup(database: Path) -> BackupInfo | None:
    """The newest backup that passes verify(), or None."""
    for info in list_backups(database):
        try:
            verify(info.path)
        except BackupError as error:
            logger.warning("Backup %s is not usable: %s", info.path, error)
            continue
        return info
    return None


# --- taking backups ----------------------------------------------------------


def _copy_database(source: Path, destination: Path, progress: Progress | None = None) -> None:
    """A consistent copy through SQLite's backup API, as one self-contained file (no -wal)."""
    db.prepare_sqlite_file(destination)
    with live_connection(source) as src, closing(sqlite3.connect(destination)) as dst:
        if progress is None:
            src.backup(dst)
        else:
            # One read transaction around all the steps: they copy one committed state, and what
            # others commit meanwhile does not make the copy start over.
            src.execute("BEGIN")
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()
            src.backup(
                dst,
                pages=COPY_STEP_PAGES,
                progress=lambda _status, remaining, total: progress(total - remaining, total),
            )
            src.rollback()
        dst.execute("PRAGMA journal_mode = DELETE")
    _fsync_file(destination)


def _checking(progress: Progress | None) -> None:
    if progress is not None:
        progress(0, 0)


def _share(progress: Progress | None, part: int, parts: int) -> Progress | None:
    """Progress of one of several equal parts of a job, told as progress of the whole job."""
    if progress is None:
        return None
    report = progress
    return lambda done, total: report(part * total + done, parts * total) if total else report(0, 0)


def create_backup(
    database: Path, reason: str = MANUAL, *, now: datetime | None = None, progress: Progress | None = None
) -> BackupInfo:
    """Back up now: copy, verify, then rotate older backups out by the retention policy.

    Holds the database lock shared meanwhile, so the file is not replaced under the copy.
    """
    with _in_use(database):
        return _create_backup(database, reason, now=now, progress=progress)


@contextmanager
def _in_use(database: Path) -> Iterator[None]:
    """The database lock, shared, for as long as the block runs (none where no lock file can be made)."""
    held = lock.database_lock(database) if database.parent.is_dir() else None
    try:
        yield
    finally:
        if held is not None:
            held.release()


def _create_backup(
    database: Path, reason: str, *, now: datetime | None = None, progress: Progress | None = None
) -> BackupInfo:
    now = now or datetime.now(UTC)
    if not database.is_file():
        raise BackupError(f"There is no database at {database} to back up.")
    try:
        # Checked without writing before the copy opens it for writing: a file Taskforce refuses
        # stays byte for byte as it is, and gets no -wal or -shm beside it.
        revision = db.inspect_sqlite_file(database)
    except TaskforceError as error:
        raise BackupError(f"Not backed up: {error.message}") from error
    if revision is None:
        raise BackupError(f"Not backed up: {database.name} is empty, there is nothing to back up yet.")
    try:
        folder = _prepare_backups_dir(database)
    except OSError as error:
        raise BackupError(
            f"The backup failed: the folder for backups, {backups_dir(database)}, cannot be made "
            f"({error.strerror or error})."
        ) from error
    _check_room_for_a_copy(database, folder)
    final = _new_backup_path(database, reason, now)
    partial = folder / f".{final.name}.partial"
    try:
        partial.unlink(missing_ok=True)
        _copy_database(database, partial, progress=progress)
        _checking(progress)
        verify(partial)
        os.replace(partial, final)
        _fsync_dir(folder)
    except (OSError, sqlite3.Error, BackupError) as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"The backup failed, older backups were kept: {error}") from error
    info = BackupInfo(final, _stamp(now), reason, final.stat().st_size)
    logger.info("Backed up %s to %s", database, final)
    rotate(database, now=now, keep=final)
    return info


def _check_room_for_a_copy(database: Path, folder: Path) -> None:
    """Refuse before the copy opens the file (leaving a -wal and -shm behind) when it cannot fit."""
    wal = database.with_name(database.name + "-wal")
    needed = database.stat().st_size + (wal.stat().st_size if wal.exists() else 0) + db.SHM_BYTES
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return
    if free < needed:
        raise BackupError(
            f"The backup failed, older backups were kept: the disk is full ({free:,} bytes free, "
            f"{needed:,} needed)."
        )


def _stamp(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def _has_rows(database: Path) -> bool:
    try:
        with live_connection(database) as connection:
            return any(_counts(connection).values())
    except sqlite3.DatabaseError:
        return False


def _last_written(database: Path) -> float:
    times = [
        candidate.stat().st_mtime
        for candidate in (database, database.with_name(database.name + "-wal"))
        if candidate.exists()
    ]
    return max(times, default=0.0)


def backup_due(database: Path, *, now: datetime | None = None) -> bool:
    """True when the data changed since the newest backup and that backup is older than a day."""
    now = now or datetime.now(UTC)
    if not database.is_file() or database.stat().st_size == 0:
        return False
    backups = list_backups(database)
    if backups:
        newest = backups[0]
        if now - newest.created < AUTOMATIC_BACKUP_EVERY:
            return False
        if _last_written(database) <= newest.path.stat().st_mtime:
            return False
    return _has_rows(database)


def automatic_backup(database: Path, *, now: datetime | None = None) -> BackupInfo | None:
    """The daily backup, when one is due; never raises (it logs instead).

    Taken in the background once the window has painted (BackgroundBackup) and on close.
    """
    try:
        if backup_due(database, now=now):
            return create_backup(database, AUTOMATIC, now=now)
    except (BackupError, OSError, sqlite3.Error) as error:
        logger.warning("Automatic backup of %s failed: %s", database, error)
    return None


# --- the daily backup in the background ------------------------------------------------------------

_running_lock = threading.Lock()
_running: dict[Path, BackgroundBackup] = {}  # by the database's resolved path


class BackgroundBackup:
    """The daily automatic backup on a worker thread, so that opening a large file is not held up.

    The copy needs no Qt and shares nothing with the app's engine: create_backup opens its own
    connections, and SQLite's backup API copies in one read transaction (one step), so the copy is
    one committed state while the app goes on writing (write-ahead log); it is written under a
    temporary name and renamed into place only once verified. Whatever goes wrong is logged, never
    raised: not into the GUI, not into the crash dialog. A restore of the same file waits for it
    (see wait_for_background_backup), and so does Store.close().
    """

    def __init__(self, database: Path) -> None:
        self.database = database
        self._key = database.resolve()
        self.result: BackupInfo | None = None  # the backup made, once done; None when none was due
        self.thread = threading.Thread(target=self._run, name=f"Automatic backup of {database.name}")

    def start(self) -> BackgroundBackup:
        with _running_lock:
            _running[self._key] = self
        self.thread.start()
        return self

    @property
    def running(self) -> bool:
        return self.thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the backup is done (or timeout seconds went by); True when it is done."""
        if self.thread.ident is not None:
            self.thread.join(timeout)
        return not self.thread.is_alive()

    def _run(self) -> None:
        try:
            self.result = automatic_backup(self.database)
        except Exception:  # a bug must not reach threading.excepthook (the crash dialog) either
            logger.exception("Automatic backup of %s failed", self.database)
        finally:
            with _running_lock:
                if _running.get(self._key) is self:
                    del _running[self._key]


def wait_for_background_backup(database: Path) -> None:
    """Let a background backup of this file finish (before the file is replaced, say)."""
    with _running_lock:
        running = _running.get(database.resolve())
    if running is not None and running.running:
        logger.info("Waiting for the automatic backup of %s to finish", database)
        running.wait()


# --- retention -----------------------------------------------------------------


def _period(moment: datetime, unit: str) -> tuple[int, ...]:
    if unit == "day":
        return (moment.year, moment.month, moment.day)
    if unit == "week":
        iso = moment.isocalendar()
        return (iso.year, iso.week)
    return (moment.year, moment.month)


def retained(stamps: Iterable[datetime], now: datetime) -> set[datetime]:
    """The backup times the retention policy keeps at `now` (see the module docstring)."""
    ordered = sorted(set(stamps), reverse=True)
    keep = {stamp for stamp in ordered if now - stamp <= KEEP_EVERY_BACKUP_FOR}
    rest = [stamp for stamp in ordered if stamp not in keep]
    for unit, count in RETENTION_TIERS:
        periods: list[tuple[int, ...]] = []
        taken = 0
        for stamp in rest:
            period = _period(stamp, unit)
            if period not in periods:
                if len(periods) == count:
                    break
                periods.append(period)
                keep.add(stamp)
            taken += 1
        rest = rest[taken:]
    return keep


def rotate(database: Path, *, now: datetime | None = None, keep: Path | None = None) -> list[Path]:
    """Delete the backups the retention policy no longer keeps; return what was deleted."""
    now = now or datetime.now(UTC)
    backups = list_backups(database)
    by_stamp: dict[datetime, list[BackupInfo]] = {}
    for info in backups:
        by_stamp.setdefault(info.created, []).append(info)
    kept_stamps = retained(by_stamp, now)
    removed = []
    for stamp, infos in by_stamp.items():
        # Backups made within one second share a time: all stay while recent, then the newest name.
        if stamp not in kept_stamps:
            survivors = []
        elif now - stamp <= KEEP_EVERY_BACKUP_FOR:
            survivors = infos
        else:
            survivors = infos[:1]
        for info in infos:
            if info in survivors or info.path == keep:
                continue
            info.path.unlink(missing_ok=True)
            removed.append(info.path)
    if removed:
        logger.info("Rotated out %d old backups of %s", len(removed), database)
    return removed


# --- restoring -------------------------------------------------------------------


def set_aside(database: Path, *, now: datetime | None = None) -> Path:
    """Copy a damaged (or foreign, or newer) file, byte for byte, beside the backups; return the copy."""
    now = now or datetime.now(UTC)
    folder = _prepare_backups_dir(database)
    stamp = now.astimezone(UTC).strftime(STAMP_FORMAT)
    copy = _unused_path(folder, f"{database.name}.set-aside-{stamp}")
    db.prepare_sqlite_file(copy)
    shutil.copyfile(database, copy)
    _fsync_file(copy)
    for suffix in ("-wal", "-shm"):
        companion = database.with_name(database.name + suffix)
        if companion.exists():
            shutil.copyfile(companion, copy.with_name(copy.name + suffix))
    return copy


def _retire_write_ahead_log(database: Path, *, checkpoint: bool) -> None:
    """Fold the -wal into a healthy file, then remove it: it must never be replayed onto another file."""
    if checkpoint and database.exists():
        with closing(sqlite3.connect(database, timeout=db.BUSY_TIMEOUT_MS / 1000)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm", "-journal"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)


def restore(
    database: Path, chosen: Path, *, now: datetime | None = None, progress: Progress | None = None
) -> Path | None:
    """Replace the database with a backup, once nothing else has it open.

    Holds the database lock exclusively meanwhile: it waits up to lock.REPLACE_WAIT_SECONDS for the
    stores, backups and checks of other programs to let go of the file, and raises DatabaseInUseError
    ("close the other program first") when they do not; stores opened meanwhile wait for it. So every
    save another program was told succeeded is in the data kept before the restore, or comes after it.
    Returns where the previous data went (None when there was none).
    """
    _checking(progress)
    # Its connections must be gone before the file and its write-ahead log are replaced.
    wait_for_background_backup(database)
    verify(chosen)
    make_private_dir(database.parent)
    held = lock.database_lock(database, exclusive=True)
    try:
        return restore_locked(database, chosen, now=now, progress=progress)
    finally:
        if held is not None:
            held.release()


def restore_locked(
    database: Path, chosen: Path, *, now: datetime | None = None, progress: Progress | None = None
) -> Path | None:
    """restore() for a caller that holds the database lock exclusively.

    The chosen file is verified first; the current file is kept (as a verified backup, or copied
    aside byte for byte when it is damaged); then the new file takes its place in one atomic rename.
    """
    now = now or datetime.now(UTC)
    verify(chosen)
    incoming = database.with_name(f".{database.name}.restoring")
    incoming.unlink(missing_ok=True)
    try:
        _copy_database(chosen, incoming, progress=_share(progress, 0, 2))
        _checking(progress)
        verify(incoming)
        previous: Path | None = None
        healthy = True
        if database.exists() and database.stat().st_size > 0:
            try:
                db.inspect_sqlite_file(database)
            except DatabaseOpenError:
                healthy = False
            if healthy and _has_rows(database):
                previous = _create_backup(
                    database, BEFORE_RESTORE, now=now, progress=_share(progress, 1, 2)
                ).path
            elif not healthy:
                previous = set_aside(database, now=now)
        _retire_write_ahead_log(database, checkpoint=healthy)
        os.replace(incoming, database)
        _fsync_dir(database.parent)
    except (OSError, sqlite3.Error, BackupError) as error:
        raise BackupError(f"The restore failed and the database was left as it was: {error}") from error
    finally:
        incoming.unlink(missing_ok=True)
    logger.info("Restored %s from %s", database, chosen)
    return previous


# --- checking ------------------------------------------------------------------------


def check_file(path: Path) -> CheckReport:
    """integrity_check and foreign_key_check on a SQLite file, without writing to it."""
    try:
        with _in_use(path):
            db.inspect_sqlite_file(path)
            damage, dangling, counts = db.read_quietly(path, _check_contents)
    except DatabaseOpenError as error:
        return CheckReport(False, error.message, [_restore_hint()])
    except TaskforceError as error:  # unreadable, or a full disk: the file itself may be fine
        return CheckReport(False, error.message)
    except sqlite3.DatabaseError as error:
        return CheckReport(False, f"{path.name} cannot be read as a database: {error}.", [_restore_hint()])
    details = []
    if damage:
        logger.warning("%s failed its integrity check: %s", path, "; ".join(damage))
        details.append(f"The file is damaged ({len(damage)} problems found), for example: {damage[0]}")
    by_table: dict[tuple[str, str], list[int]] = {}
    for table, rowid, parent, _fk in dangling:
        by_table.setdefault((str(table), str(parent)), []).append(int(rowid))
    for (table, parent), ids in sorted(by_table.items()):
        details.append(_dangling_sentence(table, parent, ids))
    return _report(path.name, details, counts)


def _check_contents(connection: sqlite3.Connection) -> tuple[list[str], list[Any], dict[str, int]]:
    damage = db.integrity_problems(connection, "PRAGMA integrity_check")
    dangling = connection.execute("PRAGMA foreign_key_check").fetchall()
    return damage, dangling, _counts(connection)


def check_server(engine: Engine) -> CheckReport:
    """On PostgreSQL and MariaDB the server looks after its storage; this checks the references."""
    details = []
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        for name, entity in ENTITIES.items():
            table = entity.sa_table
            counts[name] = int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
        for entity, reference in references_to():
            table = entity.sa_table
            target = ENTITIES[reference.target].sa_table.alias("target")
            fk = table.c[reference.field]
            stmt = (
                sa.select(table.c.id)
                .outerjoin(target, fk == target.c.id)
                .where(fk.is_not(None), target.c.id.is_(None))
                .order_by(table.c.id)
            )
            ids = [int(row[0]) for row in connection.execute(stmt)]
            if ids:
                details.append(_dangling_sentence(entity.name, reference.target, ids))
    return _report(db.mask_url(engine.url), details, counts)


def _dangling_sentence(table: str, parent: str, ids: Sequence[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:10]) + (" …" if len(ids) > 10 else "")
    if len(ids) == 1:
        return f"1 {table} refers to a {parent} that does not exist (id {shown})."
    noun = next((e.plural for e in ENTITIES.values() if table in (e.name, e.sa_table.name)), table)
    return f"{len(ids)} {noun} refer to a {parent} that does not exist (ids {shown})."


def _restore_hint() -> str:
    return "Restore a backup (File → Restore from backup…) or open another database."


def _report(name: str, details: list[str], counts: dict[str, int]) -> CheckReport:
    if details:
        return CheckReport(False, f"{name} has problems:", [*details, _restore_hint()], counts)
    if not counts:
        return CheckReport(True, f"{name} is empty: it holds no Taskforce data yet.", [], counts)
    summary = f"{name} is in good order: nothing is damaged and every reference points at an existing row."
    return CheckReport(True, summary, [f"It holds {describe_counts(counts)}."], counts)
