"""The icon files: every action icon in both variants, and the rendered application icons up to date."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ICONS = ROOT / "resources" / "icons"
ACTIONS = {
    "new",
    "edit",
    "delete",
    "undo",
    "redo",
    "refresh",
    "search",
    "open",
    "database-new",
    "sample",
    "about",
    "quit",
    "backup",
    "restore",
    "check",
}
HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_every_action_icon_has_a_light_and_a_dark_variant_on_the_24px_grid() -> None:
    assert {path.stem for path in ICONS.glob("*.svg")} == ACTIONS | {"taskforce"}
    assert {path.stem for path in (ICONS / "dark").glob("*.svg")} == ACTIONS
    for name in ACTIONS:
        light = (ICONS / f"{name}.svg").read_text(encoding="utf-8")
        dark = (ICONS / "dark" / f"{name}.svg").read_text(encoding="utf-8")
        assert 'viewBox="0 0 24 24"' in light and 'fill="none"' in light and 'stroke-width="2"' in light
        assert dark == light.replace('stroke="#3b4252"', 'stroke="#e5e9f0"')


def test_the_application_icon_is_rendered_at_each_freedesktop_size() -> None:
    for size in HICOLOR_SIZES:
        png = ICONS / "hicolor" / f"{size}x{size}" / "apps" / "taskforce.png"
        assert png_size(png.read_bytes()) == (size, size)


def test_the_windows_icon_holds_sizes_from_16_to_256() -> None:
    data = (ICONS / "taskforce.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    sizes = []
    for index in range(count):
        width, _height, _colors, _zero, _planes, _bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * index
        )
        sizes.append(width or 256)
        assert png_size(data[offset : offset + length])[0] == (width or 256)
    assert (reserved, kind, sizes) == (0, 1, [16, 24, 32, 48, 64, 128, 256])


def test_the_macos_icon_holds_sizes_from_16_to_512() -> None:
    data = (ICONS / "taskforce.icns").read_bytes()
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    position, sizes = 8, []
    while position < len(data):
        length = struct.unpack(">I", data[position + 4 : position + 8])[0]
        sizes.append(png_size(data[position + 8 : position + length])[0])
        position += length
    assert sizes == [16, 32, 64, 128, 256, 512]


def test_the_generated_files_match_their_svg_sources() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "render_icons.py"), "--check"],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert (result.returncode, result.stderr) == (0, ""), "run scripts/render_icons.py and commit its output"


def test_the_check_allows_a_step_of_antialiasing_but_not_another_picture(
    tmp_path: Path, run_offscreen: Callable[[str], str]
) -> None:
    # Qt renders antialiased edges a step differently on other CPUs; a changed icon is still stale.
    script = f"""
import sys
sys.path.insert(0, {str(ROOT / "scripts")!r})
from PySide6.QtGui import QColor, QGuiApplication, QImage
import render_icons as icons
app = QGuiApplication([])
source = icons.ICONS / "taskforce.svg"
image = icons.render(source, 64)
expected = icons.png_bytes(image)
nudged = QImage(image)
pixel = nudged.pixelColor(32, 32)
nudged.setPixelColor(32, 32, QColor(pixel.red() ^ 1, pixel.green(), pixel.blue(), pixel.alpha()))
painted = QImage(image)
painted.fill(QColor("red"))
target = {str(tmp_path / "icon.png")!r}
results = []
for candidate in (nudged, painted):
    open(target, "wb").write(icons.png_bytes(candidate))
    results.append(icons.stale([(icons.Path(target), expected)]) == [])
print(results)
"""
    assert run_offscreen(script).strip() == "[True, False]"
