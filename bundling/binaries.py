"""Passes over PyInstaller's list of collected files: (place in the bundle, source, kind) entries."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from bundling import icu

Entry = tuple[str, str, str]
LinkedNames = Callable[[str], Iterable[str]]


def pyinstaller_linked_names(source: str) -> set[str]:
    """The file names of the libraries a binary links to, as PyInstaller resolves them."""
    from PyInstaller.depend.bindepend import get_imports

    return {Path(name).name for name, _path in get_imports(source)}


def without_unused(
    entries: list[Entry], keep: Callable[[str], bool], linked_names: LinkedNames = pyinstaller_linked_names
) -> list[Entry]:
    """Leave out what keep() refuses, and the libraries that only those files linked to.

    A library that a kept file also links to stays; so does anything PyInstaller collected for
    another reason (a hook, ctypes). Links (SYMLINK entries) to files left out go too.
    """
    files = {dest: (source, kind) for dest, source, kind in entries}
    by_name = {Path(dest).name: dest for dest in files}

    def resolve(dest: str) -> str:
        source, kind = files[dest]
        return source if kind == "SYMLINK" and source in files else dest

    def closure(roots: Iterable[str]) -> set[str]:
        seen: set[str] = set()
        queue = [resolve(dest) for dest in roots]
        while queue:
            dest = queue.pop()
            if dest in seen:
                continue
            seen.add(dest)
            source, kind = files[dest]
            if kind in ("BINARY", "EXTENSION"):
                queue += [resolve(by_name[name]) for name in linked_names(source) if name in by_name]
        return seen

    dropped = {dest for dest in files if not keep(dest)}
    only_for_dropped = closure(dropped) - dropped
    needed = closure(dest for dest in files if dest not in dropped | only_for_dropped)
    unused = dropped | (only_for_dropped - needed)
    return [
        (dest, source, kind)
        for dest, source, kind in entries
        if dest not in unused and not (kind == "SYMLINK" and source in unused)
    ]


def without_dangling_links(entries: list[Entry], collected: set[str]) -> list[Entry]:
    """Leave out links whose target is no longer collected."""
    return [entry for entry in entries if entry[2] != "SYMLINK" or entry[1] in collected]


def _linux_binutils() -> bool:
    """True on Linux, where binutils must be installed (PyInstaller needs them there too)."""
    if not sys.platform.startswith("linux"):
        return False
    missing = [tool for tool in ("strip", "readelf", "as", "ld") if shutil.which(tool) is None]
    if missing:
        raise SystemExit(f"build.spec: {', '.join(missing)} not found; install binutils and build again.")
    return True


def has_symbol_table(source: str) -> bool:
    sections = subprocess.run(["readelf", "-S", "-W", source], capture_output=True, text=True, check=False)
    return ".symtab" in sections.stdout


def without_symbol_tables(entries: list[Entry], workdir: Path) -> list[Entry]:
    """CPython's libraries, ICU's and SQLAlchemy's extensions carry debugging data and a full symbol table.

    `strip --strip-unneeded` removes both, as distributions do for their libraries; the dynamic
    symbols, which is what loading and linking use, stay. The copies go to workdir. Linux only.
    """
    if not _linux_binutils():
        return entries
    result = []
    for dest, source, kind in entries:
        if kind in ("BINARY", "EXTENSION") and has_symbol_table(source):
            stripped = workdir / dest
            stripped.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["strip", "--strip-unneeded", "-o", str(stripped), source], check=True)
            source = str(stripped)
        result.append((dest, source, kind))
    return result


# --- one OpenSSL -------------------------------------------------------------------------------

# A wheel's own copy of OpenSSL 3, renamed by auditwheel (psycopg-binary: libcrypto-3a0647ea.so.3).
PRIVATE_OPENSSL = re.compile(r"^(?P<library>libssl|libcrypto)-[0-9a-f]{8}\.so\.3$")
VersionsNeeded = Callable[[str], dict[str, set[str]]]
VersionsDefined = Callable[[str], set[str]]


def _readelf_versions(source: str) -> str:
    return subprocess.run(["readelf", "-V", "-W", source], capture_output=True, text=True, check=True).stdout


def versions_needed(source: str) -> dict[str, set[str]]:
    """The symbol versions a binary needs, by the file name of the library that must define them."""
    needed: dict[str, set[str]] = {}
    library = None
    for line in _readelf_versions(source).splitlines():
        if file := re.search(r"\bFile: (\S+)", line):
            library = file.group(1)
        elif (name := re.search(r"\bName: (\S+)\s+Flags:", line)) and library is not None:
            needed.setdefault(library, set()).add(name.group(1))
        elif "Version definition section" in line:
            library = None
    return needed


def versions_defined(source: str) -> set[str]:
    """The symbol versions a library defines."""
    return set(re.findall(r"\bRev: \d+\s+Flags: .*?Name: (\S+)", _readelf_versions(source)))


def with_one_openssl(
    entries: list[Entry],
    needed: VersionsNeeded = versions_needed,
    defined: VersionsDefined = versions_defined,
) -> list[Entry]:
    """A wheel's own OpenSSL becomes a link to the one CPython's ssl and hashlib use, where that fits.

    psycopg-binary brings 6.9 MB of OpenSSL 3 (libssl-<hash>.so.3, libcrypto-<hash>.so.3) beside
    the libssl.so.3 and libcrypto.so.3 that CPython links. OpenSSL 3 keeps its binary interface
    across minor versions and marks every symbol with the version that introduced it, so a copy
    stands in for another when it defines every symbol version that the files linking it need;
    otherwise the wheel keeps its own. Linux only.
    """
    if not _linux_binutils():
        return entries
    sources = {dest: source for dest, source, kind in entries if kind in ("BINARY", "EXTENSION")}
    needs = {dest: needed(source) for dest, source in sources.items()}
    linked: dict[str, str] = {}  # private copy -> CPython's

    def replaceable(dest: str) -> str | None:
        private = PRIVATE_OPENSSL.match(Path(dest).name)
        target = f"{private.group('library')}.so.3" if private else None
        if target is None or target not in sources or dest in linked:
            return None
        users = [versions for user, versions in needs.items() if user not in linked]
        required = set().union(*(versions.get(Path(dest).name, set()) for versions in users))
        return target if required <= defined(sources[target]) else None

    # libssl's copy needs newer versions of libcrypto's copy: once it goes, libcrypto's may follow.
    while replacements := {dest: target for dest in sources if (target := replaceable(dest))}:
        linked.update(replacements)
    # A link's target is relative to the link's folder.
    return [
        (dest, os.path.relpath(linked[dest], os.path.dirname(dest) or "."), "SYMLINK")
        if dest in linked
        else (dest, source, kind)
        for dest, source, kind in entries
    ]


def with_trimmed_icu(entries: list[Entry], workdir: Path) -> list[Entry]:
    """ICU's data library replaced by one holding only what Taskforce needs (bundling.icu). Linux only."""
    if not _linux_binutils():
        return entries
    result = []
    for dest, source, kind in entries:
        if kind == "BINARY" and Path(dest).name.startswith("libicudata.so"):
            source = str(icu.trimmed_library(Path(source), workdir))
        result.append((dest, source, kind))
    return result
