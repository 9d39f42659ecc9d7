"""Which of PySide6's files the bundle keeps: the Qt modules, libraries and plugins Taskforce uses."""

from __future__ import annotations

import re
import sys
from pathlib import Path

QT_MODULES = {"QtCore", "QtGui", "QtWidgets", "QtSvg", "QtCharts"}
# The Qt libraries behind those modules and behind the plugins kept below (ICU comes with QtCore).
# QtCharts links QtOpenGL and QtOpenGLWidgets (its optional accelerated line series), so they come too.
QT_LIBRARIES = {
    "Core",
    "Gui",
    "Widgets",
    "Svg",
    "DBus",
    "XcbQpa",
    "WaylandClient",
    "Charts",
    "OpenGL",
    "OpenGLWidgets",
}
# Plugins by folder and name (without "lib" and the suffix); folders not listed are left out.
QT_PLUGINS = {
    # X11, Wayland, offscreen (tests, --self-test); Windows and macOS each have their own.
    "platforms": {"qxcb", "qwayland", "qwayland-generic", "qoffscreen", "qwindows", "qcocoa"},
    "xcbglintegrations": {"qxcb-glx-integration", "qxcb-egl-integration"},
    "wayland-shell-integration": {"xdg-shell"},
    "wayland-decoration-client": {"bradient", "adwaita"},
    # Compose keys and input methods, so that every language can be typed.
    "platforminputcontexts": {"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"},
    # File dialogs through the desktop portal; the GTK theme would drag all of GTK along.
    "platformthemes": {"qxdgdesktopportal"},
    "styles": {"qmodernwindowsstyle", "qwindowsvistastyle", "qmacstyle"},
    # The icons are SVG files.
    "iconengines": {"qsvgicon"},
    "imageformats": {"qsvg", "qico"},
}


def unused_qt_modules(pyside_dir: Path) -> list[str]:
    """Every PySide6 module but the five Taskforce imports, as names for PyInstaller's excludes."""
    modules = {path.stem for path in pyside_dir.glob("Qt*.pyi")}
    return sorted(f"PySide6.{module}" for module in modules - QT_MODULES)


def qt_part(destination: str) -> tuple[str, ...] | None:
    """The path below PySide6/Qt/ (PySide6/ on Windows) of a Qt file; None for any other file."""
    parts = Path(destination).parts
    if parts[:1] != ("PySide6",):
        return None
    return parts[2:] if parts[1:2] == ("Qt",) else parts[1:]


def plugin_name(filename: str, platform: str = sys.platform) -> str:
    stem = filename.split(".")[0]
    return stem[3:] if stem.startswith("lib") and platform != "win32" else stem


def qt_library(part: tuple[str, ...]) -> str | None:
    """ "Widgets" for libQt6Widgets.so.6, Qt6Widgets.dll or QtWidgets.framework; None for other files."""
    for name in part:
        match = re.match(r"^(?:lib)?Qt6([A-Za-z]+)\.(?:so|dll|dylib)", name) or re.match(
            r"^Qt([A-Za-z]+)\.framework$", name
        )
        if match:
            return match.group(1)
    return None


def keep(destination: str, platform: str = sys.platform) -> bool:
    """Whether a file at this place in the bundle stays: everything but the parts of Qt not used."""
    part = qt_part(destination)
    if part is None:
        return True
    if "translations" in part:  # Taskforce speaks English only
        return False
    if "plugins" in part:
        folder, filename = part[part.index("plugins") + 1], part[-1]
        return plugin_name(filename, platform) in QT_PLUGINS.get(folder, set())
    library = qt_library(part)
    return library is None or library in QT_LIBRARIES
