"""Every text field, and search, with hostile text: it round-trips exactly or is refused with a reason."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from desktop.models import NAME_MAX, POWER_MAX, TITLE_MAX, USERNAME_MAX
from desktop.store import Store

# (entity, field, longest allowed, the other values a valid row needs)
TEXT_FIELDS: list[tuple[str, str, int, dict[str, Any]]] = [
    ("team", "name", NAME_MAX, {}),
    ("hero", "name", NAME_MAX, {"power": "flight"}),
    ("hero", "power", POWER_MAX, {"name": "Thor"}),
    ("item", "name", NAME_MAX, {"price": 1}),
    ("item", "description", 20_000, {"name": "Widget", "price": 1}),
    ("user", "username", USERNAME_MAX, {"email": "someone@example.com"}),
    ("task", "title", TITLE_MAX, {}),
    ("task", "description", 20_000, {"title": "Plan"}),
]
HOSTILE = [
    "😀🎉👩‍👩‍👧",  # emoji, with zero-width joiners
    "שלום עולם",  # right to left
    "\u202eevil\u202c",  # a right-to-left override
    "e\u0301\u0302\u0303",  # stacked combining marks
    "ﬁ ǅ ß İ",  # ligatures, title case, letters whose case maps change length
    'O\'Brien "quoted" `back` ',
    "'; DROP TABLE task; --",
    "% _ \\ %% \\% \\_",  # LIKE metacharacters and the escape character
    "x\x01y\x7fz\u2028w\ufeff",  # control characters, line separator, BOM
    "１２３ｱｲｳ",  # full-width and half-width forms
]
LONG = "Lorem ipsum dolor sit amet 😀 " * 345  # 10,005 characters

characters = st.characters(codec="utf-8", exclude_categories=("Cs",))
texts = st.text(characters, min_size=1, max_size=60).map(str.strip).filter(bool)


def field_values(entity: str, field: str, value: str, others: dict[str, Any], store: Store) -> dict[str, Any]:
    values = {**others, field: value}
    if entity == "task":
        owners = store.users.names()
        values["owner_id"] = (
            owners[0][0]
            if owners
            else store.users.create({"username": "owner", "email": "owner@example.com"}).id
        )
    return values


def round_trip(store: Store, entity: str, field: str, limit: int, others: dict[str, Any], value: str) -> None:
    repository = store.repository(entity)
    values = field_values(entity, field, value, others, store)
    if field == "description" and not value.strip():  # optional: blank is stored as nothing
        created = repository.create(values)
        assert getattr(repository.get(created.id), field) is None
        repository.delete(created.id)
        return
    if "\x00" in value or len(value.strip()) > limit or not value.strip():
        with pytest.raises(ValidationError) as refused:
            repository.create(values)
        reason = str(refused.value)
        assert field in reason
        assert "NUL" in reason or "at most" in reason or "blank" in reason or "required" in reason
        return
    created = repository.create(values)
    try:
        assert getattr(created, field) == value.strip()
        again = repository.get(created.id)
        assert getattr(again, field) == value.strip()
        found = [row.id for row in repository.list(search=value, limit=100)]
        assert created.id in found, (entity, field, value)
        assert repository.count(search=value) >= 1
        if len(value.strip()) < limit:
            updated = repository.update(created.id, {field: value.strip() + "!"})
            assert getattr(repository.get(updated.id), field) == value.strip() + "!"
    finally:
        repository.delete(created.id)


@pytest.mark.parametrize(("entity", "field", "limit", "others"), TEXT_FIELDS)
def test_hostile_text_round_trips_in_every_field(
    store: Store, entity: str, field: str, limit: int, others: dict[str, Any]
) -> None:
    samples = [*HOSTILE, "nul\x00byte", "   ", "x" * (limit + 1)]
    if limit >= len(LONG):
        samples.append(LONG)
    for value in samples:
        round_trip(store, entity, field, limit, others, value)


def test_random_text_round_trips_and_is_found(store: Store) -> None:
    @settings(
        max_examples=60 if store.backend == "sqlite" else 30,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.sampled_from(TEXT_FIELDS), texts)
    @example(TEXT_FIELDS[4], LONG)
    def check(spec: tuple[str, str, int, dict[str, Any]], value: str) -> None:
        entity, field, limit, others = spec
        round_trip(store, entity, field, limit, others, value)

    check()


def test_search_for_text_no_row_can_hold_finds_nothing(store: Store) -> None:
    store.teams.create({"name": "Avengers"})
    for search in ("\x00", "Aven\x00gers", "a\ud800", "\udfff"):
        assert store.teams.list(search=search) == []
        assert store.teams.count(search=search) == 0
        assert store.teams.page(0, 10, search=search) == []
    with pytest.raises(ValidationError, match=r"unicode"):
        store.teams.create({"name": "lone \ud800 surrogate"})
