"""Locks beside a database file, so that no program replaces the file while another one uses it.

Two lock files sit beside `taskforce.db` while it is in use, and are removed by the last one out:

- `taskforce.db.in-use.lock`, the database lock: every Store on the file holds it shared, and so does a
  backup or a check of it; a restore (anything that replaces the file) holds it exclusively. A restore
  therefore waits until no one else has the file open, and a store opened meanwhile waits for the restore.
- `taskforce.db.lock`, the window lock: one Taskforce window per file (and no window during a
  restore from the command line). It holds the process id of its owner, for the message a second
  window shows.

Both are operating-system locks on an open file (flock on Linux and macOS, LockFileEx on Windows):
they belong to the open file, not to the process, so two stores in one process are two holders, and
a process that dies lets go of its locks with it. A lock file left behind by a killed process is
therefore not a held lock; the next one to lock it takes it over. Where no lock file can be made
(a folder we may not write to), no lock is taken: nothing there can be written or replaced by us.
Nothing here imports Qt or SQLAlchemy.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from desktop.errors import DatabaseInUseError

# How long a store waits for a restore to finish, and a restore for other users of the file to close it.
OPEN_WAIT_SECONDS = 5.0
REPLACE_WAIT_SECONDS = 5.0
WINDOW_WAIT_SECONDS = 0.2
_POLL_SECONDS = 0.01

if sys.platform == "win32":
    import ctypes
    import msvcrt
    from ctypes import wintypes

    _LOCKFILE_FAIL_IMMEDIATELY = 0x1
    _LOCKFILE_EXCLUSIVE_LOCK = 0x2
    # The locked byte lies far beyond what the file holds, so that the text in it stays readable:
    # Windows locks are mandatory for the bytes they cover.
    _LOCKED_OFFSET_HIGH = 1

    class _Overlapped(ctypes.Structure):
        _fields_ = [
            ("Internal", ctypes.c_void_p),
            ("InternalHigh", ctypes.c_void_p),
            ("Offset", wintypes.DWORD),
            ("OffsetHigh", wintypes.DWORD),
            ("hEvent", wintypes.HANDLE),
        ]

    _kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)

    def _try_lock(fd: int, exclusive: bool) -> bool:
        overlapped = _Overlapped(OffsetHigh=_LOCKED_OFFSET_HIGH)
        flags = _LOCKFILE_FAIL_IMMEDIATELY | (_LOCKFILE_EXCLUSIVE_LOCK if exclusive else 0)
        handle = msvcrt.get_osfhandle(fd)
        return bool(_kernel32.LockFileEx(handle, flags, 0, 1, 0, ctypes.byref(overlapped)))

    def _unlock(fd: int) -> None:
        overlapped = _Overlapped(OffsetHigh=_LOCKED_OFFSET_HIGH)
        _kernel32.UnlockFileEx(msvcrt.get_osfhandle(fd), 0, 1, 0, ctypes.byref(overlapped))

else:
    import fcntl

    def _try_lock(fd: int, exclusive: bool) -> bool:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def window_lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def database_lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".in-use.lock")


class FileLock:
    """A held lock on one lock file; release() lets go of it (removing the file when no one else holds it)."""

    def __init__(self, path: Path, fd: int, exclusive: bool) -> None:
        self.path = path
        self.exclusive = exclusive
        self._fd: int | None = fd

    @property
    def locked(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        if sys.platform == "win32":
            # An open file cannot be removed there: close first; the removal fails while others hold it.
            _unlock(fd)
            os.close(fd)
            _remove(self.path)
            return
        # Only the last holder removes the file; one who waits on it sees it gone and opens the new one.
        if self.exclusive or _try_lock(fd, exclusive=True):
            _remove(self.path)
        os.close(fd)

    def write_note(self, text: str) -> None:
        """Replace what the lock file says (the owner's process id); best effort."""
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
            os.lseek(self._fd, 0, os.SEEK_SET)
            os.write(self._fd, text.encode())
        except OSError:
            pass  # the lock holds without the note (a full disk): the message then names no process

    def __enter__(self) -> FileLock:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass  # held by someone else (Windows) or already gone


def _open_lock_file(path: Path) -> int | None:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None


def _is_current(path: Path, fd: int) -> bool:
    """Whether the file we locked is still the one at `path` (not removed by its last holder meanwhile)."""
    try:
        on_disk = path.stat()
    except OSError:
        return False
    opened = os.fstat(fd)
    return (on_disk.st_dev, on_disk.st_ino) == (opened.st_dev, opened.st_ino)


def take(path: Path, *, exclusive: bool, wait: float) -> FileLock | bool | None:
    """Lock `path` (made when missing), trying for `wait` seconds.

    Returns the lock; False when others hold it all that time; None when the lock file cannot be made.
    """
    deadline = time.monotonic() + wait
    while True:
        fd = _open_lock_file(path)
        if fd is None:
            return None
        if _try_lock(fd, exclusive):
            if _is_current(path, fd):
                return FileLock(path, fd, exclusive)
            os.close(fd)  # its last holder removed it as we locked it: lock the new one
            continue
        os.close(fd)
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL_SECONDS)


def database_lock(database: Path, *, exclusive: bool = False, wait: float | None = None) -> FileLock | None:
    """The database lock: shared to use the file, exclusive to replace it.

    Raises DatabaseInUseError when it cannot be had within `wait` seconds (by default OPEN_WAIT_SECONDS
    for shared, REPLACE_WAIT_SECONDS for exclusive). None when no lock file can be made there.
    """
    if wait is None:
        wait = REPLACE_WAIT_SECONDS if exclusive else OPEN_WAIT_SECONDS
    held = take(database_lock_path(database), exclusive=exclusive, wait=wait)
    if held is False:
        if exclusive:
            raise DatabaseInUseError(
                f"{database.name} is open in another program (a Taskforce window or a script that uses "
                "it): close the other program first, then try again."
            )
        raise DatabaseInUseError(
            f"{database.name} is being restored or replaced by another program; try again in a moment."
        )
    return held if isinstance(held, FileLock) else None


def single_instance_lock(database: Path) -> FileLock | None:
    """The window lock of a database file; keep it until the window lets go of the file.

    Raises DatabaseInUseError when another running Taskforce holds it (a lock left by a killed one is
    taken over). Returns None when no lock file can be made (a folder we may not write to).
    """
    path = window_lock_path(database)
    held = take(path, exclusive=True, wait=WINDOW_WAIT_SECONDS)
    if isinstance(held, FileLock):
        held.write_note(f"{os.getpid()}\n")
        return held
    if held is None:
        return None
    pid = _owner(path)
    holder = f" (process {pid})" if pid else ""
    raise DatabaseInUseError(
        f"Taskforce already has {database.name} open{holder}. Switch to that window, "
        "or close it and try again."
    )


def _owner(path: Path) -> int | None:
    try:
        first = path.read_text(encoding="ascii", errors="replace").split("\n", 1)[0].strip()
    except OSError:
        return None
    return int(first) if first.isdigit() else None
