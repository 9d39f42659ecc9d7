"""The rules declared once in desktop.models, checked on the schemas and through the store."""

from __future__ import annotations

import math
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from datahelpers import hero, table_contents, task, team, user
from pydantic import ValidationError
from sqlmodel import SQLModel

from desktop.models import (
    DESCRIPTION_MAX,
    EMAIL_MAX,
    LEVEL_MAX,
    LEVEL_MIN,
    NAME_MAX,
    POWER_MAX,
    PRICE_MAX,
    TITLE_MAX,
    USERNAME_MAX,
    HeroCreate,
    HeroUpdate,
    ItemCreate,
    ItemUpdate,
    TaskCreate,
    TaskStatus,
    TaskUpdate,
    TeamCreate,
    TeamUpdate,
    UserCreate,
    UserUpdate,
)
from desktop.store import DuplicateError, Store

VALID: dict[type[SQLModel], dict[str, Any]] = {
    TeamCreate: {"name": "Avengers"},
    HeroCreate: {"name": "Thor", "power": "thunder"},
    ItemCreate: {"name": "Widget", "price": 9.99},
    UserCreate: {"username": "alice", "email": "alice@example.com"},
    TaskCreate: {"title": "Plan", "owner_id": 1},
    TeamUpdate: {},
    HeroUpdate: {},
    ItemUpdate: {},
    UserUpdate: {},
    TaskUpdate: {},
}

# (schema, field, longest allowed) for every required text field, on Create and Update alike.
REQUIRED_TEXT = [
    (TeamCreate, "name", NAME_MAX),
    (HeroCreate, "name", NAME_MAX),
    (HeroCreate, "power", POWER_MAX),
    (ItemCreate, "name", NAME_MAX),
    (UserCreate, "username", USERNAME_MAX),
    (TaskCreate, "title", TITLE_MAX),
    (TeamUpdate, "name", NAME_MAX),
    (HeroUpdate, "name", NAME_MAX),
    (HeroUpdate, "power", POWER_MAX),
    (ItemUpdate, "name", NAME_MAX),
    (UserUpdate, "username", USERNAME_MAX),
    (TaskUpdate, "title", TITLE_MAX),
]
TEXT_IDS = [f"{schema.__name__}.{name}" for schema, name, _ in REQUIRED_TEXT]


def make(schema: type[SQLModel], **values: Any) -> SQLModel:
    return schema.model_validate({**VALID[schema], **values})


def refused(schema: type[SQLModel], **values: Any) -> str:
    """The validation message for these values (the test fails if they are accepted)."""
    with pytest.raises(ValidationError) as caught:
        make(schema, **values)
    return str(caught.value)


# --- text -------------------------------------------------------------------


@pytest.mark.parametrize(("schema", "name", "longest"), REQUIRED_TEXT, ids=TEXT_IDS)
def test_required_text_is_stripped_and_bounded(schema: type[SQLModel], name: str, longest: int) -> None:
    assert getattr(make(schema, **{name: "  Thor\t\n"}), name) == "Thor"
    # The limit applies to the stripped text.
    assert getattr(make(schema, **{name: f"  {'x' * longest}  "}), name) == "x" * longest
    assert "at most" in refused(schema, **{name: "x" * (longest + 1)})
    assert "blank" in refused(schema, **{name: " \t\n "})
    assert "blank" in refused(schema, **{name: ""})
    assert "NUL" in refused(schema, **{name: "Th\x00or"})


@pytest.mark.parametrize(
    ("schema", "name"), [(s, n) for s, n, _ in REQUIRED_TEXT if s in VALID and n in VALID[s]]
)
def test_create_requires_each_text_field(schema: type[SQLModel], name: str) -> None:
    values = {key: value for key, value in VALID[schema].items() if key != name}
    with pytest.raises(ValidationError, match=name):
        schema.model_validate(values)


@pytest.mark.parametrize("schema", [ItemCreate, ItemUpdate, TaskCreate, TaskUpdate])
def test_descriptions_are_optional_stripped_and_bounded(schema: type[SQLModel]) -> None:
    assert make(schema, description="  handy ").description == "handy"  # type: ignore[attr-defined]
    assert make(schema, description="   ").description is None  # type: ignore[attr-defined]
    assert make(schema, description=None).description is None  # type: ignore[attr-defined]
    assert len(make(schema, description="d" * DESCRIPTION_MAX).description) == DESCRIPTION_MAX  # type: ignore[attr-defined]
    assert "at most" in refused(schema, description="d" * (DESCRIPTION_MAX + 1))
    assert "NUL" in refused(schema, description="a\x00b")


# --- e-mail -----------------------------------------------------------------


@pytest.mark.parametrize("schema", [UserCreate, UserUpdate])
def test_email_is_validated_and_lower_cased(schema: type[SQLModel]) -> None:
    assert make(schema, email="  Bob.Smith@Example.COM ").email == "bob.smith@example.com"  # type: ignore[attr-defined]
    for bad in ("bob", "bob@", "@example.com", "bob@@example.com", "bob example@x.com"):
        assert "valid e-mail" in refused(schema, email=bad), bad
    assert "blank" in refused(schema, email="  ")
    assert "NUL" in refused(schema, email="bob@exa\x00mple.com")
    too_long = f"{'b' * 64}@{'.'.join(['d' * 60] * 4)}.com"
    assert len(too_long) > EMAIL_MAX
    refused(schema, email=too_long)


def test_the_email_checker_is_loaded_with_the_first_address_not_with_the_store() -> None:
    probe = (
        "import sys\n"
        "import desktop.store\n"
        "from desktop.models import UserCreate\n"
        "print('email_validator' in sys.modules)\n"
        "print(UserCreate(username='bob', email=' Bob@Example.COM ').email)\n"
        "print('email_validator' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "bob@example.com", "True"]


# --- numbers ----------------------------------------------------------------


@pytest.mark.parametrize("schema", [HeroCreate, HeroUpdate])
def test_level_range(schema: type[SQLModel]) -> None:
    assert make(schema, level=LEVEL_MIN).level == LEVEL_MIN  # type: ignore[attr-defined]
    assert make(schema, level=LEVEL_MAX).level == LEVEL_MAX  # type: ignore[attr-defined]
    for bad in (LEVEL_MIN - 1, LEVEL_MAX + 1, -5, 2.5, "high"):
        refused(schema, level=bad)


@pytest.mark.parametrize("schema", [ItemCreate, ItemUpdate])
def test_price_is_a_finite_non_negative_number(schema: type[SQLModel]) -> None:
    assert make(schema, price=0).price == 0  # type: ignore[attr-defined]
    assert make(schema, price="12.50").price == 12.5  # type: ignore[attr-defined]
    assert make(schema, price=PRICE_MAX).price == PRICE_MAX  # type: ignore[attr-defined]
    assert "greater than or equal to 0" in refused(schema, price=-0.01)
    assert "less than or equal" in refused(schema, price=PRICE_MAX * 2)
    for not_finite in (math.nan, math.inf, -math.inf, "nan", "inf", "1e400"):
        assert "finite" in refused(schema, price=not_finite), not_finite
    # An integer too large for a float is refused like any other bad price, not with an OverflowError.
    refused(schema, price=10**400)
    refused(schema, price="not-a-number")


def test_task_status_accepts_only_the_three_states() -> None:
    assert make(TaskCreate).status is TaskStatus.todo  # type: ignore[attr-defined]
    assert make(TaskCreate, status="in_progress").status is TaskStatus.in_progress  # type: ignore[attr-defined]
    refused(TaskCreate, status="started")
    refused(TaskUpdate, status="Done")


# --- Update schemas: clearing ---------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "name"),
    [
        (TeamUpdate, "name"),
        (HeroUpdate, "name"),
        (HeroUpdate, "power"),
        (HeroUpdate, "level"),
        (ItemUpdate, "name"),
        (ItemUpdate, "price"),
        (ItemUpdate, "in_stock"),
        (UserUpdate, "username"),
        (UserUpdate, "email"),
        (TaskUpdate, "title"),
        (TaskUpdate, "status"),
        (TaskUpdate, "owner_id"),
    ],
)
def test_update_refuses_clearing_a_required_column(schema: type[SQLModel], name: str) -> None:
    assert "required" in refused(schema, **{name: None})
    # Leaving it out is fine: PATCH writes only what was set.
    assert name not in make(schema).model_dump(exclude_unset=True)


@pytest.mark.parametrize(
    ("schema", "name"), [(HeroUpdate, "team_id"), (ItemUpdate, "description"), (TaskUpdate, "description")]
)
def test_update_may_clear_an_optional_column(schema: type[SQLModel], name: str) -> None:
    assert make(schema, **{name: None}).model_dump(exclude_unset=True) == {name: None}


# --- through the store ----------------------------------------------------------


def test_store_strips_text_and_keeps_every_character(store: Store) -> None:
    name = "  Zoë 東京 🦸‍♀️  "
    created = team(store, name)
    assert created.name == name.strip()
    assert store.teams.get(created.id).name == name.strip()

    longest = "é" * (NAME_MAX - 1) + "🦸"
    assert store.heroes.get(hero(store, longest, power="x" * POWER_MAX).id).name == longest
    description = ("Zoë 東京 🦸 " * DESCRIPTION_MAX)[:DESCRIPTION_MAX]
    widget = store.items.create({"name": "Widget", "price": 1, "description": description})
    assert store.items.get(widget.id).description == description
    carol = user(store, "c" * USERNAME_MAX, "Zoë@example.com")
    assert (store.users.get(carol.id).username, carol.email) == ("c" * USERNAME_MAX, "zoë@example.com")


def test_email_is_stored_lower_case_and_unique_regardless_of_case(store: Store) -> None:
    bob = user(store, "bob", "Bob@X.com")
    assert store.users.get(bob.id).email == "bob@x.com"
    before = table_contents(store)

    with pytest.raises(DuplicateError, match=r"bob@x\.com.*already taken"):
        user(store, "robert", "bob@x.com")
    with pytest.raises(DuplicateError, match="already taken"):
        user(store, "bobby", "BOB@X.COM")
    other = user(store, "carol")
    with pytest.raises(DuplicateError, match="already taken"):
        store.users.update(other.id, {"email": "BOB@x.com"})

    assert table_contents(store)["user"] == [
        *before["user"],
        (other.username, other.email, other.id, other.version),
    ]
    # Re-saving one's own address in another case is not a clash.
    assert store.users.update(bob.id, {"email": "BOB@X.COM"}).email == "bob@x.com"


def test_username_is_unique_with_a_readable_message(store: Store) -> None:
    alice = user(store, "alice")
    carol = user(store, "carol")
    before = table_contents(store)

    with pytest.raises(DuplicateError) as caught:
        user(store, "alice", "alice2@example.com")
    assert caught.value.message == "Username 'alice' is already taken by another user."
    with pytest.raises(DuplicateError, match="Username 'alice' is already taken"):
        store.users.update(carol.id, {"username": " alice "})

    assert table_contents(store) == before
    assert store.users.update(alice.id, {"username": "alice"}).username == "alice"


REFUSED_CREATES: list[tuple[str, dict[str, Any]]] = [
    ("team", {"name": "  "}),
    ("hero", {"name": "Thor", "power": "thunder", "level": LEVEL_MAX + 1}),
    ("item", {"name": "Widget", "price": math.nan}),
    ("item", {"name": "Widget", "price": -1}),
    ("user", {"username": "dave", "email": "not-an-email"}),
    ("task", {"title": "x" * (TITLE_MAX + 1), "owner_id": 1}),
    ("task", {"title": "Nul\x00", "owner_id": 1}),
]


def test_a_refused_create_leaves_the_database_unchanged(store: Store) -> None:
    owner = user(store, "owner")
    assert owner.id == 1
    before = table_contents(store)
    events: list[object] = []
    store.subscribe(events.append)

    for entity, bad in REFUSED_CREATES:
        with pytest.raises(ValidationError):
            store.repository(entity).create(bad)

    assert table_contents(store) == before
    assert events == []


def test_a_refused_update_leaves_the_database_unchanged(store: Store) -> None:
    owner = user(store, "owner")
    planned = task(store, "Plan", owner, description="Scope")
    widget = store.items.create({"name": "Widget", "price": 9.99})
    thor = hero(store, "Thor")
    before = table_contents(store)

    for repository, row_id, patch in (
        (store.tasks, planned.id, {"title": "Better", "owner_id": None}),
        (store.tasks, planned.id, {"status": "bogus"}),
        (store.items, widget.id, {"name": "Sprocket", "price": math.inf}),
        (store.heroes, thor.id, {"level": 0}),
        (store.users, owner.id, {"email": "  "}),
    ):
        with pytest.raises(ValidationError):
            repository.update(row_id, patch)

    assert table_contents(store) == before


def test_created_at_is_utc_with_microseconds_on_every_database(store: Store) -> None:
    owner = user(store, "owner")
    before = datetime.now(UTC)
    created = task(store, "Plan", owner)
    after = datetime.now(UTC)

    assert created.created_at.tzinfo is not None
    assert created.created_at.utcoffset() == timedelta(0)
    assert before <= created.created_at <= after

    read_back = store.tasks.get(created.id).created_at
    assert read_back == created.created_at  # microseconds survive the round trip
    assert read_back.utcoffset() == timedelta(0)
    page_read = store.tasks.page(0, 1)[0].read.created_at
    assert page_read == created.created_at


def test_created_at_is_not_changed_by_an_update(store: Store) -> None:
    owner = user(store, "owner")
    created = task(store, "Plan", owner)
    updated = store.tasks.update(created.id, {"title": "Plan better", "created_at": datetime(2000, 1, 1)})
    assert updated.created_at == created.created_at
    assert store.tasks.get(created.id).created_at == created.created_at
