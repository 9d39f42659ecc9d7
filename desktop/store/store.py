"""The Store: one database, a repository per registered entity, and the rules that span them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from desktop import backup, db, lock, opening
from desktop.errors import StorageError, StorageKind, TaskforceError
from desktop.folders import make_private_dir
from desktop.models import HeroRead, ItemRead, TaskRead, TeamRead, UserRead
from desktop.store.driver_errors import BUSY, READ_ONLY
from desktop.store.entities import ENTITIES, Entity, OnDelete, references_to
from desktop.store.events import Change, Listener
from desktop.store.repository import Deletion, Repository, heir_refused, in_use_message, storable_id
from desktop.store.search import server_folding
from desktop.store.search_index import postgresql_folding

log = logging.getLogger(__name__)
# A URL of each server kind Taskforce opens; nothing connects to them.
SERVER_DRIVER_PROBES = ("postgresql+psycopg://check@localhost/check", "mysql+pymysql://check@localhost/check")


def _use_file(path: Path) -> lock.FileLock | None:
    """The database lock of a SQLite file, shared; its folder is made first, so that the lock can be."""
    try:
        make_private_dir(path.parent)
    except OSError:
        return None  # opening says what is wrong with the folder
    return lock.database_lock(path)


class Store:
    def __init__(
        self, engine: Engine, url: str, *, read_only: bool = False, file_lock: lock.FileLock | None = None
    ) -> None:
        self.engine = engine
        self.url = url
        self.read_only = read_only  # a file or folder we may not write: shown, never changed
        self._listeners: list[Listener] = []
        self._repositories: dict[str, Repository[Any]] = {
            name: Repository(self, entity) for name, entity in ENTITIES.items()
        }
        # Typed shortcuts to the repositories of the entities the code names itself.
        self.tasks: Repository[TaskRead] = self._repositories["task"]
        self.users: Repository[UserRead] = self._repositories["user"]
        self.heroes: Repository[HeroRead] = self._repositories["hero"]
        self.teams: Repository[TeamRead] = self._repositories["team"]
        self.items: Repository[ItemRead] = self._repositories["item"]
        self._backup_guard = threading.Lock()
        self._sqlite_writer = threading.RLock()  # a write inside a write does not wait on itself
        self._background_backup: backup.BackgroundBackup | None = None
        self._closed = False
        # The database lock, shared, while this store is open: no restore replaces the file under it.
        self._file_lock = file_lock

    @classmethod
    def open(cls, url: str | None = None, *, echo: bool = False) -> Store:
        """Open (creating or migrating to head) the database at url, or the default one.

        On a SQLite file it holds the database lock (shared) until closed: it waits for a restore
        of the file to finish, and a restore waits for it to close (desktop.lock).
        """
        url = url or db.default_database_url()
        path = db.sqlite_path(url)
        held = _use_file(path) if path is not None else None
        try:
            engine = opening.open_engine(url, echo=echo)
        except BaseException:
            if held is not None:
                held.release()
            raise
        if engine.dialect.name != "sqlite":
            server_folding(engine)  # asked now rather than in the middle of the first search
        if engine.dialect.name == "postgresql":
            postgresql_folding(engine)  # the same for the trigram indexes' folding
        return cls(engine, url, read_only=db.is_read_only(engine), file_lock=held)

    def start_automatic_backup(self) -> backup.BackgroundBackup | None:
        """Take the daily automatic backup, when one is due, on a worker thread; return at once.

        Opening does not take it (a large file takes seconds to copy and verify): the window
        starts it once it has painted. It copies a consistent state while the app goes on
        writing, and logs a failure instead of raising it. None, and nothing started, on a
        server, on a read-only file, once closed, or while the one started before still runs.
        """
        path = self.path
        if path is None or self.read_only:
            return None
        with self._backup_guard:
            if self._closed or (self._background_backup is not None and self._background_backup.running):
                return None
            self._background_backup = backup.BackgroundBackup(path).start()
            return self._background_backup

    def close(self) -> None:
        """Close every connection; then back up a SQLite file when a backup is due.

        A background backup still running is waited for first, so that the file is complete
        and verified, and only then is the close-time backup decided: it finds the one just
        made, and no second backup is taken.
        """
        with self._backup_guard:
            self._closed = True
            running = self._background_backup
        if running is not None and running.running:
            log.info("Waiting for the automatic backup of %s to finish before closing", self.path)
            running.wait()
        self.engine.dispose()
        if self.path is not None and not self.read_only:
            backup.automatic_backup(self.path)
        if self._file_lock is not None:
            self._file_lock.release()
            self._file_lock = None

    def replace_with_backup(self, chosen: Path, *, progress: backup.Progress | None = None) -> Path | None:
        """Restore a backup over this store's file (backup.restore), letting go of the file meanwhile.

        Its connections are closed and its database lock released, so that the restore can hold it
        alone; the restore still refuses while another program has the file open. Afterwards this
        store holds the lock again (on the restored file); open a new store to show it.
        Returns where the previous data went, as backup.restore does.
        """
        path = self.path
        if path is None or self.read_only:
            raise StorageError("Only a SQLite file that may be written can be restored from a backup.")
        with self._backup_guard:
            running = self._background_backup
        if running is not None and running.running:
            running.wait()
        self.engine.dispose()
        if self._file_lock is not None:
            self._file_lock.release()
            self._file_lock = None
        try:
            return backup.restore(path, chosen, progress=progress)
        finally:
            try:
                self._file_lock = lock.database_lock(path)
            except TaskforceError as error:  # another restore began meanwhile
                log.warning("Could not lock %s again after a restore: %s", path, error)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Around a write transaction: on SQLite, one at a time in this process.

        SQLite has one writer at a time anyway; the others wait here and are woken in turn, rather
        than in SQLite's busy handler, which sleeps and retries (up to 100 ms a try) and lets a later
        writer go first. Waiting longer than the busy timeout is the same "busy" StorageError.
        """
        if self.backend != "sqlite":
            yield
            return
        if not self._sqlite_writer.acquire(timeout=db.BUSY_TIMEOUT_MS / 1000):
            raise StorageError(BUSY, kind=StorageKind.BUSY, retryable=True)
        try:
            yield
        finally:
            self._sqlite_writer.release()

    def ensure_writable(self) -> None:
        if self.read_only:
            raise StorageError(READ_ONLY, kind=StorageKind.READ_ONLY)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- where ---------------------------------------------------------------

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None on a server."""
        return db.sqlite_path(self.url)

    @property
    def location(self) -> str:
        """Where the data is, as it may be shown: a path, or the URL without its password."""
        return str(self.path) if self.path is not None else db.mask_url(self.url)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def schema_revision(self) -> str | None:
        """The migration the database is at, as Alembic recorded it (None before the first one)."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    @staticmethod
    def load_server_drivers() -> None:
        """Load the driver of every server kind, as a URL would; raises when one is missing.

        A driver is imported only when a server is first opened, so an installation that lacks one
        would otherwise fail only then.
        """
        for url in SERVER_DRIVER_PROBES:
            sa.create_engine(url).dispose()

    # --- repositories --------------------------------------------------------

    def repository(self, entity: str) -> Repository[Any]:
        return self._repositories[entity]

    # --- change notification -------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def notify(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)

    # --- rules spanning entities ---------------------------------------------

    def detach_children(
        self,
        session: Session,
        parent: Entity,
        ids: Sequence[int],
        reassign_to: int | None,
        deletion: Deletion,
    ) -> None:
        """Before parents go, the rows that point at them are reassigned, or else, as each reference
        declares, the delete is refused (tasks of a user) or they are left without one (heroes of a team).

        The moved rows are recorded in the deletion; the caller announces them after the commit.
        """
        for child, reference in references_to(parent.name):
            table = child.sa_table
            fk = table.c[reference.field]
            rows = session.execute(sa.select(table.c.id, fk).where(fk.in_(ids))).all()
            if not rows:
                continue
            if reassign_to is None and reference.on_delete is OnDelete.REFUSE:
                raise in_use_message(parent, len(rows), child)
            if reassign_to is not None:
                gone = reassign_to in ids
                if (
                    gone
                    or not storable_id(reassign_to, self.backend)
                    or session.get(parent.table, reassign_to) is None
                ):
                    raise heir_refused(parent, child, reference, reassign_to, being_deleted=gone)
            deletion.moved.extend((child.name, int(r[0]), reference.field, r[1]) for r in rows)
            session.execute(
                sa.update(table)
                .where(fk.in_(ids))
                .values({reference.field: reassign_to, "version": table.c.version + 1})
            )

    @staticmethod
    def put_references_back(session: Session, moved: Sequence[tuple[str, int, str, int | None]]) -> None:
        """Give rows whose references a delete moved or cleared their values from before it."""
        for entity_name, row_id, field, value in moved:
            table = ENTITIES[entity_name].sa_table
            session.execute(
                sa.update(table)
                .where(table.c.id == row_id)
                .values({field: value, "version": table.c.version + 1})
            )

    def restore(self, deletion: Deletion) -> None:
        """Undo a delete: the rows come back with their ids, and moved references go back."""
        repository = self.repository(deletion.entity)
        self.ensure_writable()
        with repository.transaction(write=True) as session:
            repository.restore_rows(session, deletion.rows)
            self.put_references_back(session, deletion.moved)
        self.notify(Change(deletion.entity, "created", tuple(Repository.row_id(r) for r in deletion.rows)))
        for entity_name in {moved[0] for moved in deletion.moved}:
            ids = tuple(m[1] for m in deletion.moved if m[0] == entity_name)
            self.notify(Change(entity_name, "updated", ids))
