"""Case-insensitive search, the same on every database: Unicode case folding (str.casefold).

A search finds a row when the folded search text is part of a folded searchable value. No
database folds case exactly so: SQLite's LIKE folds ASCII only, and lower() on PostgreSQL and
MariaDB maps one character to one ("İ" to "i", where folding gives "i" and a combining dot;
"ß" stays "ß", where folding gives "ss"; a final sigma stays final, where folding makes it plain).

- SQLite calls Python's str.casefold, registered as the SQL function casefold() (desktop.db).
  An ASCII search first takes SQLite's own LIKE, in C, and sends through casefold() only the rows
  holding a character whose folding holds ASCII and could take part in the match (the Kelvin
  sign for a search with a "k"): a call per row would hold the GIL.
- PostgreSQL and MariaDB compare lower() of the value, in which the characters whose lower()
  disagrees with their folding (asked of the database once per engine) and that could take part
  in the match are first replaced by their folding, with the search text lowered the same way.
"""

from __future__ import annotations

import builtins
import functools
import re
import sys
import weakref
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

ESCAPE = "\\"


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matches_nothing(search: str) -> bool:
    """Text no stored value holds: NUL (refused on input) or a lone surrogate (not valid Unicode).

    Such a search finds nothing, without reaching a database driver that would choke on it
    (SQLite's LIKE stops at a NUL and would match everything).
    """
    return "\x00" in search or any("\ud800" <= char <= "\udfff" for char in search)


def _every_character() -> str:
    """U+0000 to U+10FFFF in order, surrogates included, put together in C (map(chr): 10 times longer)."""
    count = sys.maxunicode + 1  # 17 planes of 65,536
    utf32 = bytearray(4 * count)  # little-endian: low byte, middle byte, plane, 0
    utf32[0::4] = bytes(range(256)) * (count // 256)
    utf32[1::4] = b"".join(bytes([byte]) * 256 for byte in range(256)) * (count // 65_536)
    utf32[2::4] = b"".join(bytes([plane]) * 65_536 for plane in range(count // 65_536))
    return utf32.decode("utf-32-le", "surrogatepass")


def _blocks_where(changed: Any) -> Iterable[str]:
    """Blocks of 4,096 characters for which changed(block) holds; folding and lower case work in C
    on a whole block, character by character (neither looks at a character's neighbours)."""
    everything = _every_character()
    for start in range(0, len(everything), 4096):
        block = everything[start : start + 4096]
        if changed(block):
            yield block


@functools.cache
def folds_to_ascii() -> str:
    """Every non-ASCII character whose folding holds an ASCII character ("K" → "k", "ß" → "ss").

    These are what SQLite's own LIKE misses. Computed on the first ASCII search (tens of
    milliseconds), not at import: start-up does not wait for it.
    """
    ascii_character = re.compile(r"[\x00-\x7f]")
    found: builtins.list[str] = []
    for block in _blocks_where(lambda block: ascii_character.search(block.casefold())):
        found.extend(c for c in block if not c.isascii() and any(ch.isascii() for ch in c.casefold()))
    return "".join(found)


@functools.cache
def cased_characters() -> str:
    """Every character that folding or lower case changes: all a database's lower() might get wrong."""
    found: builtins.list[str] = []
    for block in _blocks_where(lambda block: block.casefold() != block or block.lower() != block):
        found.extend(c for c in block if c.casefold() != c or c.lower() != c)
    return "".join(c for c in found if not "\ud800" <= c <= "\udfff")


def can_meet(needle: str, fragment: str) -> bool:
    """Whether an occurrence of needle in a text could take in part of fragment, where it stands."""
    if not needle or not fragment:
        return False
    if needle in fragment or fragment in needle:
        return True
    shorter = min(len(needle), len(fragment))
    return any(needle[:k] == fragment[-k:] or needle[-k:] == fragment[:k] for k in range(1, shorter))


def reachable(needle: str, fragments: Mapping[str, Sequence[str]]) -> builtins.list[str]:
    """The characters (keys) through one of whose fragments (what they read as) needle could match."""
    return [char for char, texts in fragments.items() if any(can_meet(needle, text) for text in texts)]


# --- SQLite ------------------------------------------------------------------------


@functools.cache
def _ascii_specials() -> dict[str, Sequence[str]]:
    return {char: (char.casefold(),) for char in folds_to_ascii()}


def sqlite_clause(column: sa.ColumnElement[Any], text: str) -> sa.ColumnElement[bool]:
    """The rows whose value, folded, holds the folded text (SQLite, casefold() in Python)."""
    needle = text.casefold()
    if not text.isascii():
        return sa.func.casefold(column).like(f"%{escape_like(needle)}%", escape=ESCAPE)
    # SQLite's LIKE folds ASCII case: every row it finds is found, and it misses only rows where a
    # character folding to ASCII takes part in the match, spotted by instr() in C.
    pattern = f"%{escape_like(text)}%"
    found = column.like(pattern, escape=ESCAPE)
    specials = reachable(needle, _ascii_specials())
    if not specials:
        return found
    # Characters count less than bytes only where a value holds non-ASCII: one quick pass, then
    # instr() for each special, and casefold() only for a row that holds one.
    holds_non_ascii = sa.func.length(column) != sa.func.length(sa.cast(column, sa.LargeBinary))
    holds_special = sa.or_(*(sa.func.instr(column, special) > 0 for special in specials))
    folded = sa.func.casefold(column).like(f"%{escape_like(needle)}%", escape=ESCAPE)
    either = sa.or_(found, sa.and_(holds_non_ascii, holds_special, folded))
    # Letters no special folds to come from the value's own ASCII, side by side: a row without
    # them is passed over in one scan of LIKE, as a search that no special can meet is.
    core = plain_core(needle, "".join(special.casefold() for special in specials))
    return sa.and_(column.like(f"%{escape_like(core)}%", escape=ESCAPE), either) if core else either


def plain_core(needle: str, folded_specials: str) -> str:
    """The longest run of needle's characters that none of the folded specials holds."""
    runs = re.split("|".join(map(re.escape, set(folded_specials))), needle) if folded_specials else [needle]
    return max(runs, key=len)


# --- PostgreSQL and MariaDB ---------------------------------------------------------


class ServerFolding:
    """How a server's lower() differs from folding, character by character."""

    def __init__(self, lowered: dict[str, str]) -> None:
        self._lowered = lowered  # the server's lower() of each cased character
        # The characters to replace by their folding before lower(): those for which that changes
        # what lower() gives, with both readings (folded, and lowered as they are).
        self.specials: dict[str, tuple[str, str]] = {}
        for char, low in lowered.items():
            folded = self.lower(char.casefold())
            if folded != low:
                self.specials[char] = (folded, low)

    def lower(self, text: str) -> str:
        return "".join(self._lowered.get(char, char) for char in text)

    def clause(self, column: sa.ColumnElement[Any], text: str) -> sa.ColumnElement[bool]:
        needle = self.lower(text.casefold())
        value: sa.ColumnElement[Any] = column
        for special in reachable(needle, self.specials):
            value = sa.func.replace(value, special, special.casefold())
        return sa.func.lower(value).like(f"%{escape_like(needle)}%", escape=ESCAPE)


_server_foldings: weakref.WeakKeyDictionary[Engine, ServerFolding] = weakref.WeakKeyDictionary()


def server_folding(engine: Engine) -> ServerFolding:
    """The server's lower() of every cased character, asked once per engine in one statement.

    Until the server answers (unreachable for now), Python's one-to-one lower case stands in.
    """
    folding = _server_foldings.get(engine)
    if folding is not None:
        return folding
    cased = cased_characters()
    simple = "".join(c.lower() if len(c.lower()) == 1 else c for c in cased)
    value: sa.ColumnElement[str] = sa.literal(cased)
    if engine.dialect.name in ("mysql", "mariadb"):
        value = value.collate("utf8mb4_bin")  # the tables' case rules, not the connection's
    try:
        with engine.connect() as connection:
            lowered = str(connection.execute(sa.select(sa.func.lower(value))).scalar_one())
    except sa.exc.DBAPIError:
        return ServerFolding(dict(zip(cased, simple, strict=True)))
    if len(lowered) != len(cased):  # a lower() that changes lengths: keep the one-to-one stand-in
        lowered = simple
    folding = ServerFolding(dict(zip(cased, lowered, strict=True)))
    _server_foldings[engine] = folding
    return folding
