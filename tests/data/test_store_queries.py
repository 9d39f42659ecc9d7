"""Searching, filtering, ordering, counting and paging through the repositories."""

from __future__ import annotations

import re
import sys
from random import Random
from typing import Any

import pytest
import sqlalchemy as sa
from datahelpers import hero, task, team, user

from desktop import db
from desktop.models import TaskStatus
from desktop.store import ENTITIES, MAX_PAGE_LIMIT, Repository, Store
from desktop.store.search import folds_to_ascii


def ids(rows: list[Any]) -> list[int]:
    return [Repository.row_id(getattr(row, "read", row)) for row in rows]


def add_items(store: Store, *names: str, **values: Any) -> list[int]:
    return [store.items.create({"name": name, "price": 1.0, **values}).id for name in names]


# --- search -----------------------------------------------------------------


def test_search_is_a_case_insensitive_substring_over_the_search_columns(store: Store) -> None:
    widget, gadget, sprocket = add_items(store, "Widget", "Big GADGET", "Sprocket")
    store.items.update(sprocket, {"description": "Fits any widget"})

    assert ids(store.items.list(search="widget", order_by="id")) == [widget, sprocket]
    assert ids(store.items.list(search="WiDg", order_by="id")) == [widget, sprocket]
    assert ids(store.items.list(search="gadget")) == [gadget]
    # Trimmed, and ordered by name: "Big GADGET", "Sprocket" (its description), "Widget".
    assert ids(store.items.list(search="  dget ")) == [gadget, sprocket, widget]
    assert store.items.list(search="nothing like it") == []
    assert store.items.count(search="WIDGET") == 2


WILDCARD_SEARCHES = [
    ("50%", ["50% off"]),
    ("%", ["50% off"]),
    ("_", ["under_score"]),
    ("r_s", ["under_score"]),
    ("\\", ["back\\slash"]),
    ("k\\s", ["back\\slash"]),
    ("\\%", []),
]


def test_search_wildcards_are_literal(store: Store) -> None:
    add_items(
        store, "50% off", "50 off", "150 percent", "under_score", "underscore", "back\\slash", "backslash"
    )

    for text, expected in WILDCARD_SEARCHES:
        assert [item.name for item in store.items.list(search=text)] == expected, text
        assert store.items.count(search=text) == len(expected), text
        assert [record.read.name for record in store.items.page(0, 10, search=text)] == expected, text


def test_search_covers_each_entitys_columns(store: Store) -> None:
    avengers = team(store, "Avengers")
    team(store, "Defenders")
    thor = hero(store, "Thor", avengers, power="Thunder")
    hero(store, "Vision", power="density")
    alice = user(store, "alice", "alice@Wonder.land")
    bob = user(store, "bob")
    plan = task(store, "Plan the launch", alice)
    review = task(store, "Review", bob, description="Check the LAUNCH plan")

    assert ids(store.teams.list(search="aveng")) == [avengers.id]
    assert ids(store.heroes.list(search="thunder")) == [thor.id]  # power
    assert ids(store.heroes.list(search="THOR")) == [thor.id]  # name
    assert ids(store.users.list(search="wonder")) == [alice.id]  # e-mail
    assert ids(store.users.list(search="BOB")) == [bob.id]  # username
    assert ids(store.tasks.list(search="launch")) == [plan.id, review.id]  # title and description
    assert ids(store.tasks.page(0, 10, search="check")) == [review.id]


def test_search_folds_case_beyond_ascii(store: Store) -> None:
    eclair, cafe, elodie = add_items(store, "Éclair", "Café au lait", "Élodie")

    assert ids(store.items.list(search="éCLAIR")) == [eclair]
    assert ids(store.items.list(search="CAFÉ")) == [cafe]
    assert store.items.count(search="ÉCL") == 1
    assert ids(store.items.list(search="élodie")) == [elodie]
    assert ids(store.items.page(0, 10, search="ÉLODIE")) == [elodie]


# Titles and descriptions whose lower case is tricky: accents, ß, the Turkish dotted İ (lower case
# "i" and a combining dot), the Kelvin sign (lower case "k"), final sigma, an emoji, wildcards.
TRICKY_TEXTS = [
    ("INVOICE 42", None),
    ("Invoice", "paid"),
    ("invoice", "INVOICE"),
    ("in voice", "inv oice"),
    ("\u212aelvin", None),
    ("KELVIN", "kelvin"),
    ("Alarm", "at 3 \u212a below"),
    ("a\u212ab", "İstanbul"),
    ("İSTANBUL", "ISTANBUL"),
    ("taxİ", "TAXI rank"),
    ("Straße", "STRASSE"),
    ("Élodie", "élodie"),
    ("ΣΊΣΥΦΟΣ", "σίσυφος"),
    ("😀 Invoice", "😀"),
    ("50% off", "under_score"),
    ("back\\slash", "backslash"),
    ("ﬁle", "file"),
]
TRICKY_SEARCHES = [
    "invoice", "INVOICE", "Invoice 4", "voice", "kelvin", "KELVIN", "k", "3 k", "akb", "ab", "i", "I",
    "istanbul", "stanbul", "taxi", "axi", "xi rank", "strasse", "ss", "lodie", "élodie", "ÉLODIE", "ß",
    "σίσυφος", "😀", "file", "fi", "%", "_", "\\", "50%", "r_s", "k\\s", "\\%", "e",
]  # fmt: skip


def database_lower(backend: str, text: str) -> str:
    """Case as every database ignores it: Unicode case folding (str.casefold), the one rule.

    "İ" folds to "i" and a combining dot, "ß" to "ss", a final sigma to a plain one.
    """
    return text.casefold()


def test_search_finds_what_lower_case_finds(store: Store) -> None:
    """Searches (ASCII ones take SQLite's own LIKE) find exactly the rows a brute-force filter finds."""
    owner = user(store, "owner")
    for title, description in TRICKY_TEXTS:
        task(store, title, owner, description=description)
    rows = store.tasks.page(0, 100, order_by="id")

    def brute_force(search: str) -> list[int]:
        needle = database_lower(store.backend, search.strip())
        return [
            record.read.id
            for record in rows
            if any(
                needle in database_lower(store.backend, text or "")
                for text in (record.read.title, record.read.description)
            )
        ]

    for search in TRICKY_SEARCHES:
        expected = brute_force(search)
        assert ids(store.tasks.list(search=search, limit=100, order_by="id")) == expected, search
        assert ids(store.tasks.page(0, 100, search=search, order_by="id")) == expected, search
        assert store.tasks.count(search=search) == len(expected), search
    # The rows the Kelvin sign and the mixed cases hide from a plain ASCII LIKE.
    assert ids(store.tasks.list(search="kelvin", order_by="id")) == [rows[4].read.id, rows[5].read.id]
    assert ids(store.tasks.list(search="invoice", order_by="id")) == [
        r.read.id for r in (*rows[:3], rows[13])
    ]
    assert store.tasks.count(search="3 k") == 1
    assert store.tasks.count(search="invoices") == 0


def test_ascii_search_matches_python_lower_case_exactly_on_sqlite(sqlite_store: Store) -> None:
    """Random text and searches from letters whose lower case is tricky, against a brute-force filter."""
    random = Random(20_260_525)
    owner = user(sqlite_store, "owner")
    letters = "aAiIkK\u212a\u0130\u0131\u0307\u017fé_%\\"
    for n in range(120):
        words = ["".join(random.choices(letters, k=random.randint(1, 5))) for _ in range(2)]
        task(sqlite_store, f"{n} {words[0]}", owner, description=words[1] if n % 3 else None)
    rows = [record.read for record in sqlite_store.tasks.page(0, 200, order_by="id")]
    searches = {"".join(random.choices("aikAIK_%\\", k=random.randint(1, 3))) for _ in range(150)}

    for search in sorted(searches):
        expected = [
            row.id
            for row in rows
            if any(search.lower() in (text or "").lower() for text in (row.title, row.description))
        ]
        assert sqlite_store.tasks.count(search=search) == len(expected), search
        assert ids(sqlite_store.tasks.page(0, 200, search=search, order_by="id")) == expected, search


def test_folds_to_ascii_is_every_such_character() -> None:
    every = (chr(code) for code in range(sys.maxunicode + 1))
    expected = "".join(c for c in every if not c.isascii() and any(ch.isascii() for ch in c.casefold()))
    assert folds_to_ascii() == expected
    assert {"\u0130", "\u212a", "ß", "\ufb01"} <= set(folds_to_ascii())


def search_sql(store: Store, search: str) -> str:
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", record)
    try:
        store.tasks.count(search=search)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", record)
    return next(statement for statement in sent if "count(" in statement)


def test_ascii_search_on_sqlite_calls_no_python_lower_for_plain_text(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ASCII search uses SQLite's LIKE in C; casefold() (Python, holding the GIL) only for special rows."""
    calls: list[object] = []

    def counting_casefold(value: object) -> object:
        calls.append(value)
        return value.casefold() if isinstance(value, str) else value

    monkeypatch.setattr(db, "_casefold", counting_casefold)
    store = Store.open(sqlite_url)
    try:
        owner = user(store, "owner")
        for n in range(30):
            task(store, f"Invoice {n}", owner, description="Pay the invoice")
        task(store, "\u212aelvin", owner, description="İstanbul")

        # No character folds to part of "voice" ("invoice" could start in the "fi" of the ligature "ﬁ").
        sql = search_sql(store, "voice")
        assert "casefold(" not in sql.lower(), sql
        assert "task.title LIKE ? ESCAPE" in sql and "task.description LIKE ? ESCAPE" in sql, sql
        # Only the Kelvin sign can hide a "k": casefold() only behind instr() finding one.
        sql = search_sql(store, "kelvin")
        guarded = re.findall(r"instr\(task\.(\w+), \?\) > \? AND casefold\(task\.(\w+)\)", sql)
        assert guarded == [("title", "title"), ("description", "description")], sql
        assert sql.count("casefold(") == 2, sql

        calls.clear()
        assert store.tasks.count(search="invoice") == 30
        assert store.tasks.count(search="INVOICE 1") == 11
        assert calls == []
        assert store.tasks.count(search="kelvin") == 1
        assert calls == ["\u212aelvin"]
        calls.clear()
        assert store.tasks.count(search="él") == 0  # not ASCII, no trigram: casefold() on every row
        assert len(calls) >= 31
        calls.clear()
        assert store.tasks.count(search="élodie") == 0  # the trigram index finds no candidate to fold
        assert calls == []
    finally:
        store.close()


# --- filters ----------------------------------------------------------------


def test_task_filters(store: Store) -> None:
    alice, bob = user(store, "alice"), user(store, "bob")
    a1 = task(store, "A1", alice, TaskStatus.todo)
    a2 = task(store, "A2", alice, TaskStatus.done)
    b1 = task(store, "B1", bob, TaskStatus.todo)
    b2 = task(store, "B2", bob, TaskStatus.in_progress)

    assert ids(store.tasks.list(status=TaskStatus.todo)) == [a1.id, b1.id]
    assert ids(store.tasks.list(status="done")) == [a2.id]
    assert ids(store.tasks.list(owner_id=bob.id)) == [b1.id, b2.id]
    assert ids(store.tasks.list(owner_id=alice.id, status="todo")) == [a1.id]
    assert ids(store.tasks.list(owner_id=None, status=None)) == [
        a1.id,
        a2.id,
        b1.id,
        b2.id,
    ]  # None: no filter
    assert store.tasks.count(owner_id=bob.id) == 2
    assert store.tasks.count(status="in_progress", search="b") == 1
    assert store.tasks.count(owner_id=alice.id, search="2") == 1
    assert ids(store.tasks.page(0, 10, status="todo", owner_id=bob.id)) == [b1.id]
    with pytest.raises(ValueError):
        store.tasks.list(status="started")


def test_hero_filters(store: Store) -> None:
    avengers, defenders = team(store, "Avengers"), team(store, "Defenders")
    thor = hero(store, "Thor", avengers)
    daredevil = hero(store, "Daredevil", defenders)
    loner = hero(store, "Loner")

    assert ids(store.heroes.list(team_id=avengers.id)) == [thor.id]
    assert ids(store.heroes.list(has_team=True)) == [thor.id, daredevil.id]
    assert ids(store.heroes.list(has_team=False)) == [loner.id]
    assert store.heroes.count(has_team=False) == 1
    assert store.heroes.count(team_id=defenders.id) == 1
    assert ids(store.heroes.page(0, 10, has_team=True, search="dare")) == [daredevil.id]


def test_item_filters(store: Store) -> None:
    cheap = store.items.create({"name": "Cheap", "price": 0.0, "in_stock": False}).id
    mid = store.items.create({"name": "Mid", "price": 10.0}).id
    dear = store.items.create({"name": "Dear", "price": 99.5}).id

    assert ids(store.items.list(min_price=10.0)) == [dear, mid]
    assert ids(store.items.list(min_price=0)) == [cheap, dear, mid]
    assert ids(store.items.list(in_stock=False)) == [cheap]
    assert ids(store.items.list(in_stock=True, min_price=50)) == [dear]
    assert store.items.count(in_stock=True) == 2


@pytest.mark.parametrize("entity", sorted(ENTITIES))
def test_unknown_filter_or_column_is_a_value_error(store: Store, entity: str) -> None:
    repository = store.repository(entity)
    for call in (
        lambda: repository.list(colour="red"),
        lambda: repository.count(colour="red"),
        lambda: repository.page(0, 10, colour="red"),
        lambda: repository.list(order_by="colour"),
        lambda: repository.page(0, 10, order_by="colour"),
    ):
        with pytest.raises(ValueError, match="colour"):
            call()


def test_page_refuses_out_of_range_windows(store: Store) -> None:
    for offset, limit in ((-1, 10), (0, 0), (0, MAX_PAGE_LIMIT + 1)):
        with pytest.raises(ValueError):
            store.items.page(offset, limit)


# --- ordering and paging -------------------------------------------------------

TASK_ROWS = [  # title, status, owner; equal titles and statuses on purpose
    ("Beta", TaskStatus.todo, "bob"),
    ("Alpha", TaskStatus.done, "alice"),
    ("Beta", TaskStatus.done, "alice"),
    ("Gamma", TaskStatus.in_progress, "bob"),
    ("Alpha", TaskStatus.todo, "bob"),
    ("Delta", TaskStatus.todo, "alice"),
    ("Beta", TaskStatus.in_progress, "bob"),
]


def make_tasks(store: Store) -> None:
    owners = {"alice": user(store, "alice"), "bob": user(store, "bob")}
    for title, status, owner in TASK_ROWS:
        task(store, title, owners[owner], status)


def expected_task_ids(order_by: str, descending: bool) -> list[int]:
    columns = {"title": 0, "status": 1}
    rows = [
        (row[columns[order_by]] if order_by in columns else row_id, row_id)
        for row_id, row in enumerate(TASK_ROWS, start=1)
    ]
    return [row_id for _, row_id in sorted(rows, reverse=descending)]


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
def test_equal_values_are_ordered_by_id_so_pages_are_stable(store: Store, descending: bool) -> None:
    make_tasks(store)
    total = len(TASK_ROWS)
    for order_by in ("title", "status", "id"):
        expected = expected_task_ids(order_by, descending)
        listed = ids(store.tasks.list(limit=100, order_by=order_by, descending=descending))
        assert listed == expected, order_by
        for offset in range(total + 1):
            forwards = store.tasks.page(offset, 3, order_by=order_by, descending=descending)
            backwards = store.tasks.page(offset, 3, order_by=order_by, descending=descending, total=total)
            assert ids(forwards) == expected[offset : offset + 3], (order_by, offset)
            assert backwards == forwards, (order_by, offset)
        paged = [
            row_id
            for skip in range(0, total, 2)
            for row_id in ids(store.tasks.list(skip=skip, limit=2, order_by=order_by, descending=descending))
        ]
        assert paged == expected


def test_every_column_can_order_every_entity(store: Store) -> None:
    """Each column, both ways: ids follow the values, ties by id; backwards pages agree with forwards ones."""
    make_tasks(store)
    avengers = team(store, "Avengers")
    team(store, "Defenders")
    for name, level in (("Thor", 5), ("Loki", 5), ("Hulk", 9)):
        hero(store, name, avengers if name != "Loki" else None, level=level)
    add_items(store, "Widget", "Gadget", in_stock=True)
    add_items(store, "Sprocket", description="Small", in_stock=False)

    for entity in ENTITIES.values():
        repository = store.repository(entity.name)
        rows = [record.read.model_dump() for record in repository.page(0, 100)]
        total = len(rows)
        assert total >= 2, entity.name
        for column in entity.sa_table.c.keys():
            values = [row[column] for row in rows]
            if None in values:
                continue  # NULLs sort first on some databases and last on others
            for descending in (False, True):
                expected = [
                    row["id"] for row in sorted(rows, key=lambda r: (r[column], r["id"]), reverse=descending)
                ]
                page = repository.page(0, 100, order_by=column, descending=descending)
                assert ids(page) == expected, (entity.name, column, descending)
                tail = repository.page(total - 2, 2, order_by=column, descending=descending, total=total)
                assert ids(tail) == expected[-2:], (entity.name, column, descending)


def test_nullable_columns_order_consistently_forwards_and_backwards(store: Store) -> None:
    avengers = team(store, "Avengers")
    for name in ("Thor", "Loki", "Hulk", "Vision"):
        hero(store, name, avengers if name in ("Thor", "Hulk") else None)
    add_items(store, "Widget", "Gadget")
    add_items(store, "Sprocket", "Bolt", description="Small")

    for repository, column, total in ((store.heroes, "team_id", 4), (store.items, "description", 4)):
        for descending in (False, True):
            everything = ids(repository.page(0, total, order_by=column, descending=descending))
            for offset in range(total):
                window = repository.page(offset, 2, order_by=column, descending=descending, total=total)
                assert ids(window) == everything[offset : offset + 2], (column, descending, offset)


def test_page_carries_the_names_of_referenced_rows(store: Store) -> None:
    make_tasks(store)
    avengers = team(store, "Avengers")
    thor = hero(store, "Thor", avengers)
    loner = hero(store, "Loner")

    owners = {record.read.id: record.refs for record in store.tasks.page(0, 10)}
    assert [refs["owner"] for refs in owners.values()] == [owner for _, _, owner in TASK_ROWS]
    near_the_end = store.tasks.page(5, 5, total=len(TASK_ROWS))
    assert [record.refs for record in near_the_end] == [{"owner": "alice"}, {"owner": "bob"}]

    heroes = store.heroes.page(0, 10)
    assert [(record.read.id, record.refs) for record in heroes] == [
        (thor.id, {"team": "Avengers"}),
        (loner.id, {"team": None}),
    ]
    assert [record.refs for record in store.heroes.page(1, 5, total=2)] == [{"team": None}]
    assert [record.refs for record in store.items.page(0, 10)] == []
    assert all(record.refs == {} for record in store.users.page(0, 10))


def test_page_reads_are_what_get_validates(store: Store) -> None:
    # page() builds its Read objects without validating them again: they must be the same objects.
    make_tasks(store)
    thor = hero(store, "Thor", team(store, "Avengers"))
    add_items(store, "Widget")
    for name, entity in ENTITIES.items():
        repository = store.repository(name)
        for record in repository.page(0, MAX_PAGE_LIMIT):
            read = record.read
            validated = repository.get(Repository.row_id(read))
            assert type(read) is entity.read
            assert read == validated and repr(read) == repr(validated)
            assert read.model_dump() == validated.model_dump()
            assert read.model_fields_set == set(entity.read.model_fields)
            read.model_fields_set.add("checked")  # each object has its own set
            assert "checked" not in validated.model_fields_set
    assert store.heroes.page(0, 1)[0].read.team_id == thor.team_id


def test_page_past_the_end_is_empty(store: Store) -> None:
    make_tasks(store)
    total = len(TASK_ROWS)
    assert store.tasks.page(total, 5) == []
    assert store.tasks.page(total, 5, total=total) == []
    assert store.tasks.page(total + 3, 5, total=total) == []


def test_page_backwards_with_a_filter_and_its_count(store: Store) -> None:
    make_tasks(store)
    total = store.tasks.count(status="todo")
    assert total == 3
    forwards = store.tasks.page(0, 10, status="todo", order_by="title", descending=True)
    assert [record.read.title for record in forwards] == ["Delta", "Beta", "Alpha"]
    for offset in range(total):
        window = store.tasks.page(offset, 2, status="todo", order_by="title", descending=True, total=total)
        assert window == forwards[offset : offset + 2]


def test_names_are_every_row_sorted_by_name_then_id(store: Store) -> None:
    first_beta = team(store, "Beta")
    alpha = team(store, "Alpha")
    second_beta = team(store, "Beta")
    assert store.teams.names() == [(alpha.id, "Alpha"), (first_beta.id, "Beta"), (second_beta.id, "Beta")]

    carol, alice = user(store, "carol"), user(store, "alice")
    assert store.users.names() == [(alice.id, "alice"), (carol.id, "carol")]
    task(store, "Write", alice)
    assert store.tasks.names() == [(1, "Write")]
    assert store.items.names() == []
