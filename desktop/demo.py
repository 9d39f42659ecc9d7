"""Sample data: the seed's own examples, for "Load sample data" and first runs."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col

from desktop.models import HeroCreate, ItemCreate, TaskCreate, TaskStatus, TeamCreate, User, UserCreate
from desktop.store import DuplicateError, Store

SAMPLE_USERS = (("alice", "alice@example.com"), ("bob", "bob@example.com"))


def _sample_users_present(store: Store) -> list[str]:
    names = [name for name, _ in SAMPLE_USERS]
    emails = [email for _, email in SAMPLE_USERS]
    stmt = sa.select(col(User.username)).where(
        sa.or_(col(User.username).in_(names), col(User.email).in_(emails))
    )
    with store.engine.connect() as connection:
        return sorted(connection.execute(stmt).scalars())


def load_sample_data(store: Store) -> None:
    """Spider-Man, the Avengers with Iron Man and Thor, Widget and Gadget, two users with tasks.

    Refused before anything is written when the sample users are already there, so the
    sample data is never loaded half or twice.
    """
    present = _sample_users_present(store)
    if present:
        raise DuplicateError(
            f"The sample data is already loaded, or clashes with user {present[0]!r}.",
            entity="user",
            field="username",
            value=present[0],
        )
    avengers = store.teams.create(TeamCreate(name="Avengers"))
    store.heroes.create(HeroCreate(name="Spider-Man", power="wall-crawling", level=5))
    store.heroes.create(HeroCreate(name="Iron Man", power="powered armour", level=8, team_id=avengers.id))
    store.heroes.create(HeroCreate(name="Thor", power="thunder", level=9, team_id=avengers.id))
    store.items.create(ItemCreate(name="Widget", price=9.99))
    store.items.create(ItemCreate(name="Gadget", price=24.99, description="A handy gadget"))
    alice, bob = (store.users.create(UserCreate(username=name, email=email)) for name, email in SAMPLE_USERS)
    tasks = [
        ("Write the project plan", "Scope, milestones and owners", TaskStatus.done, alice.id),
        ("Set up the database", "SQLite for now, PostgreSQL later", TaskStatus.in_progress, alice.id),
        ("Review the migrations", None, TaskStatus.todo, alice.id),
        ("Design the task list", "Columns, filters and sorting", TaskStatus.done, bob.id),
        ("Build the edit dialog", "Validate through the Update schema", TaskStatus.in_progress, bob.id),
        ("Package the app", None, TaskStatus.todo, bob.id),
    ]
    for title, description, status, owner_id in tasks:
        store.tasks.create(TaskCreate(title=title, description=description, status=status, owner_id=owner_id))
