"""Folders only their owner may enter: the data folder, the logs, the backups."""

from __future__ import annotations

from pathlib import Path


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
