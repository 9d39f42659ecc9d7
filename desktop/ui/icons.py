"""Action and window icons from resources/icons, with light variants for dark palettes."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QGuiApplication, QIcon, QPalette

from desktop.resources import resource_path


def is_dark() -> bool:
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return False
    return app.palette().color(QPalette.ColorRole.Window).lightness() < 128


@cache
def _load(name: str, dark: bool) -> QIcon:
    folder = resource_path("icons", "dark") if dark else resource_path("icons")
    path = folder / f"{name}.svg"
    if dark and not path.exists():
        path = resource_path("icons", f"{name}.svg")
    if not path.exists():
        raise FileNotFoundError(f"icon {name!r} is missing from {folder}")
    return QIcon(str(path))


def icon(name: str) -> QIcon:
    """The icon called name (resources/icons/<name>.svg), in the variant for the current palette."""
    return _load(name, is_dark())


def app_icon() -> QIcon:
    return icon("taskforce")
