"""Taskforce: tasks, users, heroes, teams and items on your desktop."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("taskforce")
except PackageNotFoundError:  # running from a bundle without metadata
    __version__ = "0.1.0"
