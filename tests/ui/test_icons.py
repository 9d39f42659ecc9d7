"""Icons follow the palette: dark strokes on light windows, light strokes on dark ones."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from desktop.ui.icons import app_icon, icon


@pytest.fixture
def dark_palette(qapp: QApplication) -> Iterator[None]:
    before = qapp.palette()
    palette = QPalette(before)
    palette.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    qapp.setPalette(palette)
    yield
    qapp.setPalette(before)


def stroke_lightness(name: str) -> int:
    image = icon(name).pixmap(48, 48).toImage()
    colors = [image.pixelColor(x, y) for x in range(48) for y in range(48)]
    opaque = [color for color in colors if color.alpha() == 255]
    assert opaque, f"the {name} icon draws nothing"
    return max(color.lightness() for color in opaque)


@pytest.mark.parametrize("name", ["new", "delete", "undo", "backup"])
def test_on_a_light_palette_the_strokes_are_dark(qapp: QApplication, name: str) -> None:
    assert stroke_lightness(name) < 100


@pytest.mark.parametrize("name", ["new", "delete", "undo", "backup"])
def test_on_a_dark_palette_the_strokes_are_light(dark_palette: None, name: str) -> None:
    assert stroke_lightness(name) > 200


def test_the_application_icon_draws_at_every_size(qapp: QApplication) -> None:
    for size in (16, 32, 64, 256):
        assert not app_icon().pixmap(size, size).isNull()
