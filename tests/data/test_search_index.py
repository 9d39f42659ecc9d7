"""Search from a trigram index: the index only narrows, and never loses a row the search finds."""

from __future__ import annotations

import importlib.util
import sqlite3
from contextlib import closing

import pytest
import sqlalchemy as sa
from datahelpers import task, user
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from desktop import db
from desktop.store import ENTITIES, Repository, Store
from desktop.store.search import cased_characters
from desktop.store.search_index import INDEXED_COLUMNS, sqlite_folding

# Characters whose folding the indexes read otherwise than casefold, or that sit next to them:
# sharp s, dotted and dotless i with the combining dot, long s, final sigma, ligatures, the Kelvin
# sign, Cherokee (folds to upper case), Georgian Mtavruli and Adlam (newer than SQLite's tables),
# Deseret (beyond the BMP), accented letters, and LIKE's wildcards and escape.
TRICKY = 'aAbBfFiIİıkKlLsStTnN\u0307ßẞſςσΣﬁﬀŉǰẖKÅåꭰᎠᲐა𞤀𞤢𐐀𐐨éÉ0042%_\\ "'  # noqa: RUF001

texts = st.text(alphabet=TRICKY, min_size=0, max_size=12)


def folded_matches(values: list[str], search: str) -> list[int]:
    needle = search.strip().casefold()
    return [n for n, value in enumerate(values) if needle in value.casefold()]


def indexed(store: Store) -> Store:
    if store.backend not in ("sqlite", "postgresql"):
        pytest.skip("MariaDB has no trigram index: its searches scan")
    return store


def test_the_indexes_cover_each_entitys_search_columns() -> None:
    spec = importlib.util.spec_from_file_location(
        "search_index", db.migrations_dir() / "versions/0007_search_index.py"
    )
    assert spec is not None and spec.loader is not None
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    expected = {entity.sa_table.name: entity.search_columns for entity in ENTITIES.values()}
    assert dict(INDEXED_COLUMNS) == expected
    assert revision.COLUMNS == expected


def test_sqlite_folds_only_the_characters_it_is_asked_about() -> None:
    """Every code point but NUL (never stored) through the trigram tokenizer: only cased characters
    and the two noncharacters read as U+FFFD change."""
    cased = set(cased_characters()) | {"\ufffe", "\uffff"}
    others = "".join(
        chr(code) for code in range(1, 0x110000) if not 0xD800 <= code <= 0xDFFF and chr(code) not in cased
    )
    with closing(sqlite3.connect(":memory:")) as connection:
        connection.execute("CREATE VIRTUAL TABLE probe USING fts5(text, tokenize='trigram')")
        connection.execute("CREATE VIRTUAL TABLE probe_terms USING fts5vocab(probe, 'instance')")
        connection.execute("INSERT INTO probe(rowid, text) VALUES (1, ?)", (others + "  ",))
        first = "".join(
            str(row[0])[0] for row in connection.execute("SELECT term FROM probe_terms ORDER BY offset")
        )
    assert first == others


@given(value=texts, start=st.integers(0, 12), length=st.integers(0, 12), outer=texts)
@settings(max_examples=1500, deadline=None)
@example(value="Straße", start=3, length=3, outer="")
@example(value="İstanbul", start=0, length=4, outer="")
@example(value="ΣΊΣΥΦΟΣ", start=4, length=3, outer="")
@example(value="ﬁle", start=0, length=3, outer="")
def test_every_run_the_sqlite_index_is_asked_for_is_in_every_match(
    value: str, start: int, length: int, outer: str
) -> None:
    """For a search cut out of a value's folding, the index holds each run of that value as it folds it."""
    folding = sqlite_folding()
    needle = value.casefold()[start : start + length]
    whole = outer + value + outer
    assert needle in whole.casefold()
    indexed = "".join(folding._folded.get(char, char) for char in whole)
    for run in folding.runs(needle):
        assert run in indexed, (whole, needle, run)


def test_the_search_index_follows_inserts_updates_and_deletes(store: Store) -> None:
    indexed(store)
    owner = user(store, "owner")
    first = task(store, "Quarterly invoice", owner, description="for ACME")
    second = task(store, "Groceries", owner)
    assert [row.id for row in store.tasks.list(search="invoice")] == [first.id]
    store.tasks.update(first.id, {"title": "Quarterly report"})
    store.tasks.update(second.id, {"description": "an invoice too"})
    assert [row.id for row in store.tasks.list(search="invoice")] == [second.id]
    assert [row.id for row in store.tasks.list(search="acme")] == [first.id]
    store.tasks.delete(second.id)
    assert store.tasks.count(search="invoice") == 0
    assert store.users.count(search="owner") == 1


def test_a_search_that_an_index_serves_asks_it(store: Store) -> None:
    indexed_store = indexed(store)
    sql = str(
        indexed_store.tasks._where(sa.select(sa.func.count()), "00042", {}).compile(
            indexed_store.engine, compile_kwargs={"literal_binds": True}
        )
    )
    if indexed_store.backend == "sqlite":
        assert """task_search MATCH '"000" AND "004" AND "042"'""" in sql, sql
    else:
        assert "ILIKE '%%00042%%'" in sql, sql
    short = str(
        indexed_store.tasks._where(sa.select(sa.func.count()), "42", {}).compile(indexed_store.engine)
    )
    assert "MATCH" not in short and "ILIKE" not in short, short


@given(
    values=st.lists(texts, min_size=1, max_size=8),
    pick=st.integers(0, 7),
    start=st.integers(0, 12),
    length=st.integers(1, 8),
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(values=["Straße", "STRASSE", "strasse"], pick=0, start=0, length=8)
@example(values=["İstanbul", "ISTANBUL", "i\u0307stanbul"], pick=2, start=0, length=8)
@example(values=["ΣΊΣΥΦΟΣ", "σίσυφος"], pick=1, start=0, length=7)
@example(values=["ﬁle", "file", "FILE"], pick=1, start=0, length=4)
@example(values=["\u212aelvin", "kelvin"], pick=1, start=0, length=6)
@example(values=["Ა-ᲑᲒ", "ა-ბგ"], pick=1, start=0, length=4)
@example(values=["𞤀𞤀𞤀", "𞤢𞤢𞤢"], pick=1, start=0, length=3)
@example(values=["100% _sure_ \\o/", "100x sure"], pick=0, start=0, length=9)
def test_search_through_the_index_finds_what_folding_finds(
    store: Store, values: list[str], pick: int, start: int, length: int
) -> None:
    """Against the rule itself (str.casefold) and against the scan without the index."""
    indexed(store)
    with store.tasks.transaction(write=True) as session:
        session.execute(sa.delete(ENTITIES["task"].sa_table))
    owner = store.users.list(limit=1)[0] if store.users.count() else user(store, "owner")
    titles = [f"#{n}" for n in range(len(values))]
    made = [
        task(store, title, owner, description=value).id for title, value in zip(titles, values, strict=True)
    ]
    search = values[pick % len(values)].casefold()[start : start + length] or "x"
    if not search.strip():
        search = "x" + search
    # The search looks at titles too: "0" finds the task titled "#0" as well.
    matching = set(folded_matches(values, search)) | set(folded_matches(titles, search))
    expected = [made[n] for n in sorted(matching)]
    found = [row.id for row in store.tasks.list(search=search, order_by="id", limit=100)]
    assert found == expected, search
    assert store.tasks.count(search=search) == len(expected)
    scan = Repository._indexed_candidates
    try:
        Repository._indexed_candidates = lambda *_args: None  # type: ignore[method-assign]
        assert [row.id for row in store.tasks.list(search=search, order_by="id", limit=100)] == found
    finally:
        Repository._indexed_candidates = scan  # type: ignore[method-assign]
