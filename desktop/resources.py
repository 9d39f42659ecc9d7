"""Where bundled files (icons, stylesheets, the .desktop entry) are, in a checkout, a wheel or a bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    package = Path(__file__).resolve().parent
    bundle = Path(getattr(sys, "_MEIPASS", package.parent))
    for candidate in (package / "_resources", bundle / "resources", package.parent / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("Taskforce's resources folder is missing from this installation.")


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
