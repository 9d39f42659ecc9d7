"""One Taskforce per database file: a lock file beside it while it is open."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLockFile

from desktop.errors import DatabaseInUseError

LOCK_WAIT_MS = 200


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def single_instance_lock(database: Path) -> QLockFile | None:
    """Take the lock beside the file while it is open; keep the returned object alive until closing.

    Raises DatabaseInUseError when another running Taskforce holds it (a lock left by a crashed one
    is taken over). Returns None when no lock file can be made (a read-only folder, where nothing
    can be written anyway).
    """
    lock = QLockFile(str(lock_path(database)))
    lock.setStaleLockTime(0)  # never stale by age: only when its process is gone
    if lock.tryLock(LOCK_WAIT_MS):
        return lock
    if lock.error() != QLockFile.LockError.LockFailedError:
        return None
    pid, _host, _app = lock.getLockInfo()
    holder = f" (process {pid})" if pid > 0 else ""
    raise DatabaseInUseError(
        f"Taskforce already has {database.name} open{holder}. Switch to that window, "
        "or close it and try again."
    )
