"""Sample data: the seed's own examples, for "Load sample data" and first runs."""

from __future__ import annotations

from desktop.models import HeroCreate, ItemCreate, TaskCreate, TaskStatus, TeamCreate, UserCreate
from desktop.store import Store


def load_sample_data(store: Store) -> None:
    """Spider-Man, the Avengers with Iron Man and Thor, Widget and Gadget, two users with tasks."""
    avengers = store.teams.create(TeamCreate(name="Avengers"))
    store.heroes.create(HeroCreate(name="Spider-Man", power="wall-crawling", level=5))
    store.heroes.create(HeroCreate(name="Iron Man", power="powered armour", level=8, team_id=avengers.id))
    store.heroes.create(HeroCreate(name="Thor", power="thunder", level=9, team_id=avengers.id))
    store.items.create(ItemCreate(name="Widget", price=9.99))
    store.items.create(ItemCreate(name="Gadget", price=24.99, description="A handy gadget"))
    alice = store.users.create(UserCreate(username="alice", email="alice@example.com"))
    bob = store.users.create(UserCreate(username="bob", email="bob@example.com"))
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
