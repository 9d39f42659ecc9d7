"""Keep PySide6 from reading the source of every module imported after it.

PySide6 replaces `__import__`, and after each import reads the new module's whole source file
(`inspect.getsource`) to find out whether it might select a `from __feature__ import …`
(snake_case, true_property). Taskforce selects none. Imported after PySide6 — as the data layer
is, since the window shows first — SQLAlchemy, SQLModel and pydantic had their ~300 files read
and kept in `linecache`: a fifth of their import time.
"""

from __future__ import annotations

import sys
from types import ModuleType

import PySide6.QtCore  # noqa: F401  (loads PySide6's import hook, which this then tells)


def stop_reading_sources() -> None:
    """From now on, PySide6 takes every module imported as selecting no feature, unread."""
    feature = sys.modules.get("PySide6.support.feature")
    if feature is not None and callable(getattr(feature, "_mod_uses_pyside", None)):
        feature._mod_uses_pyside = _selects_no_feature  # type: ignore[attr-defined]


def _selects_no_feature(module: ModuleType) -> bool:
    return False
