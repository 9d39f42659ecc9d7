"""Folders only their owner may enter: the data folder, the logs, the backups; and where they are."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from desktop.names import APP_NAME


def data_dir() -> Path:
    """Where the default database lives: $TASKFORCE_DATA_DIR or the platform's user data dir."""
    override = os.environ.get("TASKFORCE_DATA_DIR")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    override = os.environ.get("TASKFORCE_DATA_DIR")
    if override:
        return Path(override).expanduser() / "logs"
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def make_private_dir(path: Path) -> None:
    """Create `path` readable only by its owner (0700), and so every missing folder above it.

    Path.mkdir(parents=True) gives the parents it creates the default mode; a data folder given as
    --data-dir /new/place/data would then leave /new/place open to everyone.
    """
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():  # a file in the way: mkdir below says so
            break
        missing.append(folder)
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
