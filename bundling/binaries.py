"""Passes over PyInstaller's list of collected files: (place in the bundle, source, kind) entries."""

from __future__ import annotations

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


def has_debug_info(source: str) -> bool:
    sections = subprocess.run(["readelf", "-S", "-W", source], capture_output=True, text=True, check=False)
    return ".debug_info" in sections.stdout


def without_debug_info(entries: list[Entry], workdir: Path) -> list[Entry]:
    """CPython's libraries and SQLAlchemy's extensions carry debugging data: a fifth of the bundle.

    `strip --strip-debug` removes only that (symbols stay); the copies go to workdir. Linux only.
    """
    if not _linux_binutils():
        return entries
    result = []
    for dest, source, kind in entries:
        if kind in ("BINARY", "EXTENSION") and has_debug_info(source):
            stripped = workdir / dest
            stripped.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["strip", "--strip-debug", "-o", str(stripped), source], check=True)
            source = str(stripped)
        result.append((dest, source, kind))
    return result


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
