"""Render Taskforce's icons from their SVG sources in resources/icons.

    .venv/bin/python scripts/render_icons.py                    # write every generated file
    .venv/bin/python scripts/render_icons.py --check            # exit 1 if a generated file is stale
    .venv/bin/python scripts/render_icons.py --contact-sheet icons.png

Generated (and committed) from resources/icons/*.svg:
- dark/<name>.svg: each action icon with the light stroke used on dark palettes;
- hicolor/<n>x<n>/apps/taskforce.png: the application icon at the freedesktop sizes;
- taskforce.ico (Windows) and taskforce.icns (macOS), each holding PNG images of several sizes.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QImageWriter, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
APP_ICON = "taskforce"
LIGHT_STROKE = 'stroke="#3b4252"'
DARK_STROKE = 'stroke="#e5e9f0"'
HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types holding PNG data, by pixel size.
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09"}
# Qt's raster engine picks SIMD code by CPU: antialiased edges may differ by a step between machines.
PIXEL_TOLERANCE = 2


def action_icons() -> list[Path]:
    return sorted(path for path in ICONS.glob("*.svg") if path.stem != APP_ICON)


def dark_variant(svg: str) -> str:
    if LIGHT_STROKE not in svg:
        raise ValueError(f"action icons are drawn with {LIGHT_STROKE}")
    return svg.replace(LIGHT_STROKE, DARK_STROKE)


def render(source: Path, size: int) -> QImage:
    renderer = QSvgRenderer(str(source))
    if not renderer.isValid():
        raise ValueError(f"{source} is not a valid SVG file")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"png"))
    if not writer.write(image):
        raise RuntimeError(f"Qt could not encode a PNG image: {writer.errorString()}")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico whose images are PNG-compressed (Windows Vista and later)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, images = b"", b""
    for size, png in sorted(pngs.items()):
        side = 0 if size >= 256 else size  # 0 means 256
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset + len(images))
        images += png
    return header + entries + images


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    body = b"".join(
        ICNS_TYPES[size] + struct.pack(">I", 8 + len(png)) + png for size, png in sorted(pngs.items())
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def generated_files() -> dict[Path, bytes]:
    """Every generated file and the bytes it should hold."""
    files: dict[Path, bytes] = {}
    for source in action_icons():
        files[ICONS / "dark" / source.name] = dark_variant(source.read_text(encoding="utf-8")).encode()
    app_svg = ICONS / f"{APP_ICON}.svg"
    sizes = sorted(set(HICOLOR_SIZES) | set(ICO_SIZES) | set(ICNS_TYPES))
    pngs = {size: png_bytes(render(app_svg, size)) for size in sizes}
    for size in HICOLOR_SIZES:
        files[ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ICON}.png"] = pngs[size]
    files[ICONS / f"{APP_ICON}.ico"] = ico_bytes({size: pngs[size] for size in ICO_SIZES})
    files[ICONS / f"{APP_ICON}.icns"] = icns_bytes({size: pngs[size] for size in ICNS_TYPES})
    return files


def contact_sheet(destination: Path) -> None:
    """Every icon on a light and a dark background at 16, 24 and 48 pixels, and the application icon."""
    sizes = (16, 24, 48)
    names = [path.stem for path in action_icons()]
    columns, cell_w, cell_h = 5, 150, 76
    rows = -(-len(names) // columns)
    backgrounds: list[tuple[QColor, QColor, Callable[[str], Path]]] = [
        (QColor("#f5f5f5"), QColor("#555555"), lambda name: ICONS / f"{name}.svg"),
        (QColor("#2b2b2b"), QColor("#bbbbbb"), lambda name: ICONS / "dark" / f"{name}.svg"),
    ]
    panel_h = rows * cell_h
    sheet = QImage(columns * cell_w, 2 * panel_h + 270, QImage.Format.Format_ARGB32)
    sheet.fill(QColor("#ffffff"))
    painter = QPainter(sheet)
    painter.setFont(QFont("sans", 9))
    for panel, (background, ink, path_of) in enumerate(backgrounds):
        top = panel * panel_h
        painter.fillRect(0, top, sheet.width(), panel_h, background)
        painter.setPen(ink)
        for index, name in enumerate(names):
            left, cell_top = (index % columns) * cell_w + 8, top + (index // columns) * cell_h + 6
            x = left
            for size in sizes:
                painter.drawImage(x, cell_top + (48 - size) // 2, render(path_of(name), size))
                x += size + 10
            painter.drawText(left, cell_top + 64, name)
    x, top = 8, 2 * panel_h + 8
    for size in HICOLOR_SIZES:
        png = ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ICON}.png"
        painter.drawImage(x, top, QImage(str(png)))
        x += size + 8
    painter.end()
    sheet.save(str(destination))


def png_payloads(suffix: str, data: bytes) -> list[bytes]:
    """The PNG images inside a .png, .ico or .icns file (struct.error when it is malformed)."""
    if suffix == ".png":
        return [data]
    payloads = []
    if suffix == ".ico":
        for entry in range(struct.unpack_from("<H", data, 4)[0]):
            length, offset = struct.unpack_from("<II", data, 6 + 16 * entry + 8)
            payloads.append(data[offset : offset + length])
    elif suffix == ".icns":
        position = 8
        while position < len(data):
            length = struct.unpack_from(">I", data, position + 4)[0]
            payloads.append(data[position + 8 : position + length])
            position += length
    return payloads


def same_pixels(first: bytes, second: bytes) -> bool:
    a, b = (QImage.fromData(data).convertToFormat(QImage.Format.Format_ARGB32) for data in (first, second))
    if a.isNull() or a.size() != b.size():
        return False
    pixels = zip(bytes(a.constBits()), bytes(b.constBits()), strict=True)
    return all(abs(x - y) <= PIXEL_TOLERANCE for x, y in pixels)


def up_to_date(path: Path, expected: bytes) -> bool:
    if not path.exists():
        return False
    actual = path.read_bytes()
    if actual == expected or path.suffix not in (".png", ".ico", ".icns"):
        return actual == expected
    try:
        pairs = list(zip(png_payloads(path.suffix, actual), png_payloads(path.suffix, expected), strict=True))
    except (struct.error, ValueError):
        return False
    return all(same_pixels(mine, theirs) for mine, theirs in pairs)


def stale(files: Iterable[tuple[Path, bytes]]) -> list[Path]:
    return [path for path, data in files if not up_to_date(path, data)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="only report generated files that are stale")
    parser.add_argument("--contact-sheet", type=Path, help="also draw every icon into this PNG file")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication.instance() or QGuiApplication([])
    files = generated_files()
    outdated = stale(files.items())
    if args.check:
        for path in outdated:
            sys.stderr.write(f"stale: {path.relative_to(ICONS.parent.parent)}\n")
        return 1 if outdated else 0
    for path in outdated:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[path])
        sys.stdout.write(f"wrote {path.relative_to(ICONS.parent.parent)}\n")
    if args.contact_sheet:
        contact_sheet(args.contact_sheet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
