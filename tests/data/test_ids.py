"""Ids are never handed out twice, so undoing a delete can always give the rows their ids back."""

from __future__ import annotations

from desktop.models import ItemCreate, TaskCreate, UserCreate
from desktop.store import Store


def test_a_deleted_newest_id_is_not_reused(store: Store) -> None:
    first = store.items.create(ItemCreate(name="Widget", price=9.99))
    newest = store.items.create(ItemCreate(name="Gadget", price=24.99))
    deletion = store.items.delete_many([newest.id])

    later = store.items.create(ItemCreate(name="Gizmo", price=5.0))

    assert later.id not in (first.id, newest.id)
    store.restore(deletion)
    assert [item.name for item in store.items.list(order_by="id")] == ["Widget", "Gadget", "Gizmo"]
    assert store.items.get(newest.id).name == "Gadget"


def test_undoing_a_user_delete_after_new_users_brings_back_the_owner_of_the_tasks(store: Store) -> None:
    alice = store.users.create(UserCreate(username="alice", email="alice@example.com"))
    bob = store.users.create(UserCreate(username="bob", email="bob@example.com"))
    task = store.tasks.create(TaskCreate(title="Plan", owner_id=bob.id))
    deletion = store.users.delete_many([bob.id], reassign_to=alice.id)
    store.users.create(UserCreate(username="carol", email="carol@example.com"))

    store.restore(deletion)

    assert store.users.get(bob.id).username == "bob"
    assert store.tasks.get(task.id).owner_id == bob.id
