"""A smaller ICU data library for the bundle.

Qt links ICU, whose data library (libicudata) holds 31 MB of CLDR data for every language. Qt
formats numbers and dates from its own tables and uses ICU for collation (QCollator, locale-aware
sorting), case mapping, time zones and legacy text encodings. Taskforce speaks English only and
reads and writes only UTF-8, so the bundle keeps:

- every piece of data that is not tied to a language (properties, normalization, time zones,
  plural rules, likely subtags, ...);
- every collation tailoring, so that sorting follows the user's language;
- the root and English locales;

and leaves out the other languages' names and formats, transliteration, the word-break
dictionaries of Chinese, Japanese and South-East Asian scripts, and the legacy encodings.

The data sits in one exported symbol (icudt<version>_dat) in ICU's "common data" format: a
header, a table of contents sorted by name, then the items, each aligned to 16 bytes. The new
library exports the same symbol under the same soname, assembled with GNU as and ld (binutils,
which PyInstaller already needs on Linux).
"""

from __future__ import annotations

import re
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

ALIGNMENT = 16
PADDING = b"\xaa"  # what ICU's own packager fills gaps with
# Trees whose items are named after a locale (<tree>/<locale>.res), and the locales kept in them.
LOCALE_FILE = re.compile(r"^(?P<language>[a-z]{2,3}|root)(?:_[A-Za-z0-9]+)*\.res$")
KEPT_LANGUAGES = {"root", "en"}
DROPPED_TREES = {"translit"}
DROPPED_SUFFIXES = (".dict", ".cnv")
ALL_LANGUAGE_TREES = {"coll"}


@dataclass(frozen=True)
class Package:
    header: bytes
    items: list[tuple[str, bytes]]


def keep_item(name: str) -> bool:
    """Whether an item of the package (e.g. "icudt73l/coll/sv.res") stays in the bundle."""
    parts = name.split("/")[1:]
    tree, filename = (parts[0], parts[-1]) if len(parts) > 1 else ("", parts[0])
    if tree in DROPPED_TREES or filename.endswith(DROPPED_SUFFIXES):
        return False
    locale = LOCALE_FILE.match(filename)
    if locale is None or tree in ALL_LANGUAGE_TREES:
        return True
    return locale.group("language") in KEPT_LANGUAGES


def read_package(data: bytes) -> Package:
    header_size = struct.unpack_from("<H", data, 0)[0]
    if data[2:4] != b"\xda\x27" or data[12:16] != b"CmnD":
        raise ValueError("not an ICU common data package (little-endian CmnD)")
    toc = data[header_size:]
    (count,) = struct.unpack_from("<I", toc, 0)
    entries = [struct.unpack_from("<II", toc, 4 + 8 * index) for index in range(count)]
    items = []
    for index, (name_offset, data_offset) in enumerate(entries):
        name = toc[name_offset : toc.index(b"\0", name_offset)].decode("ascii")
        end = entries[index + 1][1] if index + 1 < count else len(toc)
        items.append((name, toc[data_offset:end]))
    return Package(data[:header_size], items)


def _padded(data: bytes, start: int) -> bytes:
    return data + PADDING * (-(start + len(data)) % ALIGNMENT)


def write_package(package: Package) -> bytes:
    """The package as ICU reads it; items keep their order (ICU looks names up by binary search)."""
    count = len(package.items)
    names = b"".join(name.encode("ascii") + b"\0" for name, _data in package.items)
    names_start = 4 + 8 * count
    # Items start aligned relative to the whole package, whose header size is a multiple of 16.
    data_start = names_start + len(names)
    data_start += -(len(package.header) + data_start) % ALIGNMENT
    entries, blobs = [], b""
    name_offset = names_start
    for name, item in package.items:
        entries.append(struct.pack("<II", name_offset, data_start + len(blobs)))
        name_offset += len(name) + 1
        blobs += _padded(item, len(package.header) + data_start + len(blobs))
    toc = struct.pack("<I", count) + b"".join(entries) + names
    toc += PADDING * (data_start - len(toc))
    return package.header + toc + blobs


def trimmed(data: bytes) -> bytes:
    package = read_package(data)
    return write_package(Package(package.header, [item for item in package.items if keep_item(item[0])]))


# --- the shared library --------------------------------------------------------


def _readelf(*args: str) -> str:
    return subprocess.run(["readelf", "-W", *args], capture_output=True, text=True, check=True).stdout


def data_symbol(library: Path) -> tuple[str, bytes]:
    """The exported data symbol's name and bytes."""
    symbol = re.search(
        r"^\s*\d+:\s+([0-9a-f]+)\s+(0x[0-9a-f]+|\d+)\s+OBJECT\s+GLOBAL\s+\w+\s+(\d+)\s+(icudt\d+_dat)\s*$",
        _readelf("--dyn-syms", str(library)),
        re.MULTILINE,
    )
    if symbol is None:
        raise ValueError(f"{library} exports no icudt*_dat symbol")
    value, size, section_index, name = symbol.groups()
    section = re.search(
        rf"^\s*\[\s*{section_index}\]\s+\S+\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s",
        _readelf("-S", str(library)),
        re.MULTILINE,
    )
    if section is None:
        raise ValueError(f"{library}: section {section_index} not found")
    address, offset = int(section.group(1), 16), int(section.group(2), 16)
    start = int(value, 16) - address + offset
    with library.open("rb") as handle:
        handle.seek(start)
        return name, handle.read(int(size, 0))


def soname(library: Path) -> str:
    match = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", _readelf("-d", str(library)))
    if match is None:
        raise ValueError(f"{library} has no soname")
    return match.group(1)


def build_library(symbol: str, data: bytes, library_soname: str, workdir: Path) -> Path:
    """A shared library exporting data as symbol, 16-byte aligned, under the given soname."""
    workdir.mkdir(parents=True, exist_ok=True)
    blob = workdir / f"{symbol}.dat"
    blob.write_bytes(data)
    source = workdir / f"{symbol}.s"
    source.write_text(
        "\n".join(
            [
                '\t.section .rodata,"a"',
                f"\t.balign {ALIGNMENT}",
                f"\t.globl {symbol}",
                f"\t.type {symbol}, STT_OBJECT",
                f"\t.size {symbol}, {len(data)}",
                f"{symbol}:",
                f'\t.incbin "{blob}"',
                '\t.section .note.GNU-stack,"",%progbits',
                "",
            ]
        ),
        encoding="ascii",
    )
    objectfile = workdir / f"{symbol}.o"
    library = workdir / library_soname
    subprocess.run(["as", "-o", str(objectfile), str(source)], check=True)
    link = ["ld", "-shared", "-z", "noexecstack", "-soname", library_soname, "-o", str(library)]
    subprocess.run([*link, str(objectfile)], check=True)
    return library


def trimmed_library(library: Path, workdir: Path) -> Path:
    """A copy of ICU's data library with only the data Taskforce needs (see the module docstring)."""
    symbol, data = data_symbol(library)
    return build_library(symbol, trimmed(data), soname(library), workdir)
