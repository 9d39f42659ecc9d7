"""PATCH and concurrent edits: without If-Match a patch merges with other changes; with it, it is strict."""

from __future__ import annotations

from apihelpers import TestClient

from desktop.models import TaskCreate, UserCreate
from desktop.store import Store


def test_a_patch_without_if_match_keeps_what_others_changed(client: TestClient, store: Store) -> None:
    owner = store.users.create(UserCreate(username="alice", email="alice@example.com"))
    task = store.tasks.create(TaskCreate(title="Report", owner_id=owner.id))
    store.tasks.update(task.id, {"description": "theirs"})  # another client, meanwhile

    patched = client.patch(f"/tasks/{task.id}", json={"status": "done"})

    assert patched.status_code == 200
    assert (patched.json()["status"], patched.json()["description"]) == ("done", "theirs")


def test_a_patch_with_a_stale_if_match_is_refused_even_for_another_field(
    client: TestClient, store: Store
) -> None:
    owner = store.users.create(UserCreate(username="alice", email="alice@example.com"))
    task = store.tasks.create(TaskCreate(title="Report", owner_id=owner.id))
    etag = client.get(f"/tasks/{task.id}").headers["ETag"]
    store.tasks.update(task.id, {"description": "theirs"})

    refused = client.patch(f"/tasks/{task.id}", json={"status": "done"}, headers={"If-Match": etag})

    assert refused.status_code == 412
    assert store.tasks.get(task.id).status == "todo"
