"""What build.spec keeps of Qt, and the smaller ICU data library it builds (bundling/)."""

from __future__ import annotations

import shutil
import struct
from importlib.util import find_spec
from pathlib import Path

import PySide6
import pytest

from bundling import binaries, icu, qt

ICU_DATA = Path(PySide6.__file__).parent / "Qt" / "lib" / "libicudata.so.73"
needs_binutils = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("readelf", "as", "ld")), reason="binutils are not installed"
)


# --- Qt ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "destination",
    [
        "PySide6/QtWidgets.abi3.so",
        "PySide6/Qt/lib/libQt6Widgets.so.6",
        "PySide6/Qt/lib/libQt6Svg.so.6",
        "PySide6/Qt/lib/libicui18n.so.73",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
        "PySide6/Qt/plugins/imageformats/libqsvg.so",
        "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
        "PySide6/Qt/lib/libQt6Charts.so.6",
        "PySide6/Qt/lib/libQt6OpenGL.so.6",  # QtCharts links it
        "PySide6/QtCharts.abi3.so",
        "sqlalchemy/engine/_row_cy.cpython-311-x86_64-linux-gnu.so",
        "libpython3.11.so.1.0",
    ],
)
def test_what_taskforce_uses_is_kept(destination: str) -> None:
    assert qt.keep(destination, platform="linux")


@pytest.mark.parametrize(
    "destination",
    [
        "PySide6/Qt/lib/libQt6Network.so.6",
        "PySide6/Qt/lib/libQt6Qml.so.6",
        "PySide6/Qt/lib/libQt6Sql.so.6",
        "PySide6/Qt/lib/libQt6ChartsQml.so.6",
        "PySide6/Qt/lib/libQt6Graphs.so.6",
        "PySide6/Qt/translations/qtbase_de.qm",
        "PySide6/Qt/plugins/platforms/libqeglfs.so",
        "PySide6/Qt/plugins/platforms/libqvnc.so",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6/Qt/plugins/sqldrivers/libqsqlite.so",
        "PySide6/Qt/plugins/tls/libqopensslbackend.so",
        "PySide6/Qt/plugins/egldeviceintegrations/libqeglfs-kms-integration.so",
    ],
)
def test_what_taskforce_does_not_use_is_left_out(destination: str) -> None:
    assert not qt.keep(destination, platform="linux")


def test_windows_names_follow_the_same_rules() -> None:
    assert qt.keep("PySide6/Qt6Widgets.dll", platform="win32")
    assert qt.keep("PySide6/plugins/platforms/qwindows.dll", platform="win32")
    assert not qt.keep("PySide6/Qt6Network.dll", platform="win32")
    assert not qt.keep("PySide6/plugins/platforms/qdirect2d.dll", platform="win32")


def test_every_pyside_module_but_five_is_excluded() -> None:
    excluded = qt.unused_qt_modules(Path(PySide6.__file__).parent)

    assert "PySide6.QtSql" in excluded and "PySide6.QtWebEngineCore" in excluded
    kept = {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtSvg", "PySide6.QtCharts"}
    assert not kept & set(excluded)
    assert "PySide6.QtGraphs" in excluded and "PySide6.QtOpenGL" in excluded


def test_libraries_only_left_out_files_needed_go_too() -> None:
    entries = [
        ("PySide6/QtGui.abi3.so", "/src/QtGui.abi3.so", "EXTENSION"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/src/libQt6Gui.so.6", "BINARY"),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "/src/libqgtk3.so", "BINARY"),
        ("libgtk-3.so.0", "/usr/lib/libgtk-3.so.0", "BINARY"),
        ("libglib-2.0.so.0", "/usr/lib/libglib-2.0.so.0", "BINARY"),
        ("libffi.so.8", "/usr/lib/libffi.so.8", "BINARY"),  # collected by a hook: nobody links it
        ("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK"),
    ]
    links = {
        "/src/QtGui.abi3.so": ["libQt6Gui.so.6"],
        "/src/libQt6Gui.so.6": ["libglib-2.0.so.0"],
        "/src/libqgtk3.so": ["libgtk-3.so.0", "libQt6Gui.so.6", "libglib-2.0.so.0"],
        "/usr/lib/libgtk-3.so.0": ["libglib-2.0.so.0"],
    }

    kept = binaries.without_unused(entries, qt.keep, lambda source: links.get(source, []))

    assert [dest for dest, _source, _kind in kept] == [
        "PySide6/QtGui.abi3.so",
        "PySide6/Qt/lib/libQt6Gui.so.6",
        "libglib-2.0.so.0",
        "libffi.so.8",
        "libQt6Gui.so.6",
    ]


def test_links_to_files_left_out_go_too() -> None:
    entries = [("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"), ("a", "/a", "DATA")]

    assert binaries.without_dangling_links(entries, {"a"}) == [("a", "/a", "DATA")]


# --- one OpenSSL -------------------------------------------------------------------------------

OPENSSL_ENTRIES = [
    ("libcrypto.so.3", "/usr/lib/libcrypto.so.3", "BINARY"),
    ("libssl.so.3", "/usr/lib/libssl.so.3", "BINARY"),
    ("python3.11/lib-dynload/_ssl.so", "/py/_ssl.so", "EXTENSION"),
    ("wheel.libs/libcrypto-0123abcd.so.3", "/w/libcrypto-0123abcd.so.3", "BINARY"),
    ("wheel.libs/libssl-4567cdef.so.3", "/w/libssl-4567cdef.so.3", "BINARY"),
    ("wheel.libs/libpq-89abcdef.so.5", "/w/libpq-89abcdef.so.5", "BINARY"),
    ("libcrypto-0123abcd.so.3", "wheel.libs/libcrypto-0123abcd.so.3", "SYMLINK"),
]
CPYTHONS_OPENSSL = {"OPENSSL_3.0.0", "OPENSSL_3.0.3"}
WHEELS_OPENSSL = {"OPENSSL_3.0.0", "OPENSSL_3.0.3", "OPENSSL_3.2.0", "OPENSSL_3.5.0"}


def openssl_versions(libpq_needs: set[str]) -> tuple[binaries.VersionsNeeded, binaries.VersionsDefined]:
    needs = {
        "/py/_ssl.so": {"libssl.so.3": {"OPENSSL_3.0.0"}, "libcrypto.so.3": {"OPENSSL_3.0.0"}},
        "/usr/lib/libssl.so.3": {"libcrypto.so.3": {"OPENSSL_3.0.0"}},
        "/w/libssl-4567cdef.so.3": {"libcrypto-0123abcd.so.3": {"OPENSSL_3.0.0", "OPENSSL_3.2.0"}},
        "/w/libpq-89abcdef.so.5": {
            "libssl-4567cdef.so.3": libpq_needs,
            "libcrypto-0123abcd.so.3": libpq_needs,
        },
    }
    defined = {"/usr/lib/libcrypto.so.3": CPYTHONS_OPENSSL, "/usr/lib/libssl.so.3": CPYTHONS_OPENSSL}
    return (lambda source: needs.get(source, {})), (lambda source: defined.get(source, WHEELS_OPENSSL))


@needs_binutils
def test_a_wheels_own_openssl_becomes_a_link_to_cpythons_when_that_defines_what_its_users_need() -> None:
    needed, defined = openssl_versions({"OPENSSL_3.0.0"})

    kept = binaries.with_one_openssl(OPENSSL_ENTRIES, needed, defined)

    assert kept == [
        *OPENSSL_ENTRIES[:3],
        ("wheel.libs/libcrypto-0123abcd.so.3", "../libcrypto.so.3", "SYMLINK"),
        ("wheel.libs/libssl-4567cdef.so.3", "../libssl.so.3", "SYMLINK"),
        *OPENSSL_ENTRIES[5:],
    ]


@needs_binutils
def test_a_wheels_own_openssl_stays_when_its_users_need_newer_versions() -> None:
    needed, defined = openssl_versions({"OPENSSL_3.0.0", "OPENSSL_3.2.0"})

    assert binaries.with_one_openssl(OPENSSL_ENTRIES, needed, defined) == OPENSSL_ENTRIES


@needs_binutils
def test_the_symbol_versions_of_real_libraries_are_read() -> None:
    spec = find_spec("psycopg_binary")  # found, not imported: it must come after psycopg
    assert spec is not None and spec.origin is not None
    wheel_libs = Path(spec.origin).parent.parent / "psycopg_binary.libs"
    [libpq] = wheel_libs.glob("libpq-*.so*")
    [libcrypto] = wheel_libs.glob("libcrypto-*.so.3")

    needs = binaries.versions_needed(str(libpq))

    assert needs[libcrypto.name] == {"OPENSSL_3.0.0"}
    assert "GLIBC_2.2.5" in needs["libc.so.6"]
    assert {"OPENSSL_3.0.0", "OPENSSL_3.2.0"} <= binaries.versions_defined(str(libcrypto))
    assert not binaries.versions_defined(str(libpq)) & {"OPENSSL_3.0.0"}


# --- ICU ---------------------------------------------------------------------------------------


def package(items: list[tuple[str, bytes]]) -> icu.Package:
    info = struct.pack("<HH4B4s4B4B", 20, 0, 0, 0, 2, 0, b"CmnD", 1, 0, 0, 0, 3, 0, 0, 0)
    header = struct.pack("<H2B", 32, 0xDA, 0x27) + info
    return icu.Package(header + b"\0" * (32 - len(header)), items)


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("icudt73l/root.res", True),
        ("icudt73l/en.res", True),
        ("icudt73l/en_GB.res", True),
        ("icudt73l/de.res", False),
        ("icudt73l/zh_Hant_TW.res", False),
        ("icudt73l/supplementalData.res", True),
        ("icudt73l/zoneinfo64.res", True),
        ("icudt73l/pool.res", True),
        ("icudt73l/uts46.nrm", True),
        ("icudt73l/coll/root.res", True),
        ("icudt73l/coll/sv.res", True),
        ("icudt73l/coll/ucadata.icu", True),
        ("icudt73l/lang/fr.res", False),
        ("icudt73l/lang/pool.res", True),
        ("icudt73l/zone/en.res", True),
        ("icudt73l/brkitr/line.brk", True),
        ("icudt73l/brkitr/cjdict.dict", False),
        ("icudt73l/translit/root.res", False),
        ("icudt73l/ibm-943_P15A-2003.cnv", False),
        ("icudt73l/cnvalias.icu", True),
    ],
)
def test_icu_keeps_root_english_collation_and_everything_not_tied_to_a_language(
    name: str, kept: bool
) -> None:
    assert icu.keep_item(name) is kept


def test_an_icu_package_is_written_back_as_it_was_read() -> None:
    original = package(
        [("icudt73l/a.res", b"A" * 5), ("icudt73l/coll/b.res", b"B" * 40), ("icudt73l/c.icu", b"C")]
    )

    written = icu.write_package(original)

    assert icu.read_package(written).items == [
        ("icudt73l/a.res", b"A" * 5 + icu.PADDING * 11),
        ("icudt73l/coll/b.res", b"B" * 40 + icu.PADDING * 8),
        ("icudt73l/c.icu", b"C" + icu.PADDING * 15),
    ]
    assert icu.write_package(icu.read_package(written)) == written


def test_every_item_of_a_written_package_starts_16_byte_aligned() -> None:
    written = icu.write_package(package([("icudt73l/x.res", b"x" * n) for n in (1, 17, 3)]))
    toc = written[32:]
    offsets = [struct.unpack_from("<II", toc, 4 + 8 * index)[1] for index in range(3)]

    assert all((32 + offset) % 16 == 0 for offset in offsets)


def test_trimming_leaves_out_the_items_not_kept() -> None:
    data = icu.write_package(package([("icudt73l/de.res", b"de"), ("icudt73l/en.res", b"en")]))

    assert [name for name, _data in icu.read_package(icu.trimmed(data)).items] == ["icudt73l/en.res"]


def test_something_else_is_not_taken_for_icu_data() -> None:
    with pytest.raises(ValueError, match="not an ICU common data package"):
        icu.read_package(b"\x20\x00" + b"\0" * 60)


@needs_binutils
def test_the_real_icu_data_is_read_and_written_back_byte_for_byte() -> None:
    symbol, data = icu.data_symbol(ICU_DATA)

    assert symbol == "icudt73_dat"
    assert icu.soname(ICU_DATA) == "libicudata.so.73"
    assert icu.write_package(icu.read_package(data)) == data


@needs_binutils
def test_the_trimmed_library_exports_the_trimmed_data_under_the_same_names(tmp_path: Path) -> None:
    library = icu.trimmed_library(ICU_DATA, tmp_path)

    symbol, data = icu.data_symbol(library)
    assert (library.name, icu.soname(library), symbol) == (
        "libicudata.so.73",
        "libicudata.so.73",
        "icudt73_dat",
    )
    assert data == icu.trimmed(icu.data_symbol(ICU_DATA)[1])
    assert library.stat().st_size < ICU_DATA.stat().st_size / 3
