"""Searching from an index: the trigram indexes narrow a search to candidate rows.

A search finds the rows whose folded value holds the folded search text (desktop.store.search,
str.casefold). The indexes fold text their own way: SQLite's FTS5 trigram tokenizer by its own
Unicode tables (often older than Python's), PostgreSQL's pg_trgm and ILIKE by the server's lower(),
one character to one. They agree with casefold on most characters, not all ("ß" folds to "ss",
"İ" to "i" and a combining dot, a final sigma to a plain one, and letters newer than SQLite's
tables do not fold there at all).

So the index is asked only for parts of the folded text it is sure to find in every row that
matches: runs of characters that no such character can stand for, where it stands in the text.
Those rows are a superset of the matches; the search's own comparison then decides each of them.
Text with no such run of three characters (a trigram) is searched by scanning, as before.
MariaDB has no trigram index: it always scans.
"""

from __future__ import annotations

import functools
import sqlite3
import weakref
from collections.abc import Mapping, Sequence
from contextlib import closing
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from desktop.store.search import ESCAPE, cased_characters, escape_like

TRIGRAM = 3

# The columns each table's index covers: those of Entity.search_columns when the revision
# revision 0007 made the indexes (tests/data/test_search_index.py keeps them equal).
INDEXED_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "team": ("name",),
    "hero": ("name", "power"),
    "item": ("name", "description"),
    "user": ("username", "email"),
    "task": ("title", "description"),
}


class IndexFolding:
    """Where an index's folding, character by character, and casefold disagree."""

    def __init__(self, folded: Mapping[str, str]) -> None:
        """folded: the index's folding of each character it changes (every other stays as it is)."""
        self._folded = folded
        # Characters that casefold does not turn into the one character the index reads them as,
        # by each character of their folding: a run holding such a character, where the folding
        # could stand in the text, may not be in the index as it is in the text.
        self._readings: dict[str, list[str]] = {}
        for char in {*cased_characters(), *folded}:
            reading = char.casefold()
            if reading != folded.get(char, char):
                for part in set(reading):
                    self._readings.setdefault(part, []).append(reading)

    def runs(self, needle: str) -> list[str]:
        """The longest stretches of the folded search text that every matching row holds, as the
        index reads it, in order."""
        sure = [self._folded.get(char, char) == char for char in needle]
        for reading in {reading for char in set(needle) for reading in self._readings.get(char, ())}:
            for start in range(1 - len(reading), len(needle)):
                covered = range(max(start, 0), min(start + len(reading), len(needle)))
                if all(needle[i] == reading[i - start] for i in covered):
                    for i in covered:
                        sure[i] = False
        runs: list[str] = []
        current: list[str] = []
        for char, usable in zip(needle, sure, strict=True):
            if usable:
                current.append(char)
            elif current:
                runs.append("".join(current))
                current = []
        if current:
            runs.append("".join(current))
        return [run for run in runs if len(run) >= TRIGRAM]


@functools.cache
def sqlite_folding() -> IndexFolding:
    """How this SQLite's FTS5 trigram tokenizer folds: asked of the library itself, in memory.

    Only characters that case rules change can fold, and SQLite reads the noncharacters U+FFFE
    and U+FFFF as U+FFFD (tests check every code point). The tokenizer reads a text of them all,
    and the first character of the trigram at each position is what the character there folded
    to. A few milliseconds, once per process.
    """
    chars = cased_characters() + "\ufffe\uffff"
    with closing(sqlite3.connect(":memory:")) as connection:
        connection.execute("CREATE VIRTUAL TABLE probe USING fts5(text, tokenize='trigram')")
        connection.execute("CREATE VIRTUAL TABLE probe_terms USING fts5vocab(probe, 'instance')")
        connection.execute("INSERT INTO probe(rowid, text) VALUES (1, ?)", (chars + "  ",))
        terms = [str(row[0]) for row in connection.execute("SELECT term FROM probe_terms ORDER BY offset")]
    return IndexFolding({char: term[0] for char, term in zip(chars, terms, strict=True) if term[0] != char})


def sqlite_candidates(table: str, search: str) -> sa.Select[Any] | None:
    """The rowids the table's FTS5 index finds for every trigram of every sure run of the text, or
    None: scan. The index knows which rows hold a trigram, not where (detail=none)."""
    if table not in INDEXED_COLUMNS:
        return None
    runs = sqlite_folding().runs(search.casefold())
    if not runs:
        return None
    index = f"{table}_search"
    trigrams = {run[i : i + TRIGRAM] for run in runs for i in range(len(run) - TRIGRAM + 1)}
    phrases = " AND ".join('"' + trigram.replace('"', '""') + '"' for trigram in sorted(trigrams))
    rows: sa.Select[Any] = sa.select(sa.literal_column("rowid")).select_from(sa.table(index))
    return rows.where(sa.literal_column(index).op("MATCH")(sa.literal(phrases)))


_server_foldings: weakref.WeakKeyDictionary[Engine, IndexFolding | None] = weakref.WeakKeyDictionary()


def postgresql_folding(engine: Engine) -> IndexFolding | None:
    """The server's lower() of every cased character (ILIKE and pg_trgm fold by it), asked once per
    engine; None when it is not one character for one (then nothing narrows) or cannot be asked."""
    if engine in _server_foldings:
        return _server_foldings[engine]
    cased = cased_characters()
    try:
        with engine.connect() as connection:
            lowered = str(connection.execute(sa.select(sa.func.lower(sa.literal(cased)))).scalar_one())
    except sa.exc.DBAPIError:
        return None  # asked again next time
    folding = None
    if len(lowered) == len(cased):
        folding = IndexFolding({c: low for c, low in zip(cased, lowered, strict=True) if c != low})
    _server_foldings[engine] = folding
    return folding


def index_serves(engine: Engine, table: str, search: str) -> bool | None:
    """Whether the table's trigram index narrows a search for this text, told without a statement
    or any work: None while the index's folding has not been worked out yet (the first search
    works it out, or search_prepared() does)."""
    folded = search.strip().casefold()
    if table not in INDEXED_COLUMNS or len(folded) < TRIGRAM:
        return False
    if engine.dialect.name == "sqlite":
        folding = sqlite_folding() if sqlite_folding.cache_info().currsize else None
    elif engine.dialect.name == "postgresql" and engine in _server_foldings:
        folding = _server_foldings[engine]
        if folding is None:
            return False  # the server's lower() is not one character for one: nothing narrows
    else:
        return False if engine.dialect.name != "postgresql" else None
    return None if folding is None else bool(folding.runs(folded))


def prepare_folding(engine: Engine) -> None:
    """Work out the index's folding now (SQLite: about 0.1 s, holding the GIL; PostgreSQL: one
    statement), so that index_serves() can tell."""
    if engine.dialect.name == "sqlite":
        sqlite_folding()
    elif engine.dialect.name == "postgresql":
        postgresql_folding(engine)


def postgresql_candidates(
    engine: Engine, table: str, columns: Sequence[sa.ColumnElement[Any]], search: str
) -> sa.ColumnElement[bool] | None:
    """column ILIKE '%run%' in any searched column, for the longest sure run (the trigram indexes
    serve ILIKE), or None: scan."""
    folding = postgresql_folding(engine) if table in INDEXED_COLUMNS else None
    runs = folding.runs(search.casefold()) if folding is not None else []
    if not runs:
        return None
    pattern = f"%{escape_like(max(runs, key=len))}%"
    return sa.or_(*(column.ilike(pattern, escape=ESCAPE) for column in columns))
