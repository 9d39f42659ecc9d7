"""Every route of every entity, on SQLite, PostgreSQL and MariaDB: the answers, and the refusals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from apihelpers import make_user

from desktop.store import Change, Store


def test_heroes_crud_as_the_tutorial_answers(client: Any) -> None:
    created = client.post("/heroes/", json={"name": "Spider-Man", "power": "wall-crawling", "level": 5})
    assert created.status_code == 201
    hero = created.json()
    assert hero == {"id": hero["id"], "name": "Spider-Man", "power": "wall-crawling", "level": 5,
                    "team_id": None, "version": 1}  # fmt: skip
    assert created.headers["etag"] == '"1"'
    assert created.headers["location"] == f"/heroes/{hero['id']}"
    client.post("/heroes/", json={"name": "Thor", "power": "thunder"})

    listed = client.get("/heroes/")
    assert listed.status_code == 200
    assert [row["name"] for row in listed.json()] == ["Spider-Man", "Thor"]  # in id order
    assert [row["name"] for row in client.get("/heroes/?skip=1&limit=1").json()] == ["Thor"]

    read = client.get(f"/heroes/{hero['id']}")
    assert read.json() == hero and read.headers["etag"] == '"1"'

    patched = client.patch(f"/heroes/{hero['id']}", json={"level": 6})
    assert patched.status_code == 200
    assert patched.json() == {**hero, "level": 6, "version": 2}  # only the fields sent change
    assert patched.headers["etag"] == '"2"'

    deleted = client.delete(f"/heroes/{hero['id']}")
    assert (deleted.status_code, deleted.json()) == (200, {"ok": True})
    assert client.get(f"/heroes/{hero['id']}").status_code == 404


@pytest.mark.parametrize(("method", "body"), [("GET", None), ("PATCH", {"level": 2}), ("DELETE", None)])
def test_a_missing_hero_is_404_hero_not_found(client: Any, method: str, body: Any) -> None:
    response = client.request(method, "/heroes/999", json=body)
    assert (response.status_code, response.json()) == (404, {"detail": "Hero not found"})


def test_the_task_manager_routes(client: Any) -> None:
    owner = make_user(client)
    assert set(owner) >= {"id", "username", "email", "version"}
    created = client.post("/tasks/", json={"title": "Write", "owner_id": owner["id"]})
    assert created.status_code == 201
    task = created.json()
    assert task["status"] == "todo" and task["owner_id"] == owner["id"] and task["description"] is None
    assert datetime.fromisoformat(task["created_at"])
    client.post("/tasks/", json={"title": "Read", "owner_id": owner["id"], "status": "done"})
    other = make_user(client, "bob")
    client.post("/tasks/", json={"title": "Sleep", "owner_id": other["id"]})

    assert [t["title"] for t in client.get("/tasks/?status=todo").json()] == ["Write", "Sleep"]
    assert [t["title"] for t in client.get(f"/tasks/?owner_id={owner['id']}").json()] == ["Write", "Read"]
    mine = client.get(f"/tasks/?status=todo&owner_id={owner['id']}&skip=0&limit=100").json()
    assert [t["title"] for t in mine] == ["Write"]

    patched = client.patch(f"/tasks/{task['id']}", json={"status": "in_progress"})
    assert patched.status_code == 200
    assert patched.json() == {**task, "status": "in_progress", "version": 2}
    missing = client.patch("/tasks/999", json={"status": "done"})
    assert (missing.status_code, missing.json()) == (404, {"detail": "Task not found"})


@pytest.mark.parametrize(
    "query", ["skip=-1", "limit=101", "limit=0", "status=someday", "limit=x", "order_by=nothing"]
)
def test_bad_list_parameters_are_422(client: Any, query: str) -> None:
    response = client.get(f"/tasks/?{query}")
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)


def test_a_task_whose_owner_does_not_exist_is_422_with_a_clear_detail(client: Any, store: Store) -> None:
    response = client.post("/tasks/", json={"title": "Orphan", "owner_id": 424242})
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", "owner_id"]
    assert "no user with id 424242" in problem["msg"]
    assert store.tasks.count() == 0
    owner = make_user(client)
    task = client.post("/tasks/", json={"title": "Mine", "owner_id": owner["id"]}).json()
    moved = client.patch(f"/tasks/{task['id']}", json={"owner_id": 424242})
    assert moved.status_code == 422


def test_a_duplicate_username_is_409(client: Any, store: Store) -> None:
    make_user(client, "alice")
    again = client.post("/users/", json={"username": "alice", "email": "other@example.org"})
    assert again.status_code == 409
    assert "alice" in again.json()["detail"]
    assert store.users.count() == 1


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/users/", {"username": "", "email": "a@example.org"}),
        ("/users/", {"username": "carol", "email": "not an address"}),
        ("/heroes/", {"name": "X", "power": "y", "level": 0}),
        ("/items/", {"name": "Widget", "price": "not-a-number"}),
        ("/items/", {"name": "Widget", "price": -1}),
        ("/teams/", {"name": "   "}),
        ("/tasks/", {"title": "No owner"}),
    ],
)
def test_the_models_rules_refuse_bad_bodies_with_422(client: Any, path: str, body: dict[str, Any]) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 422
    assert client.get(path).json() == []


def test_patch_cannot_clear_a_required_field(client: Any) -> None:
    hero = client.post("/heroes/", json={"name": "Hulk", "power": "smash"}).json()
    response = client.patch(f"/heroes/{hero['id']}", json={"name": None})
    assert response.status_code == 422
    assert client.get(f"/heroes/{hero['id']}").json()["name"] == "Hulk"


def test_if_match_guards_changes_and_deletes(client: Any) -> None:
    team = client.post("/teams/", json={"name": "Avengers"}).json()
    stale = '"1"'
    renamed = client.patch(f"/teams/{team['id']}", json={"name": "New Avengers"}, headers={"If-Match": stale})
    assert renamed.status_code == 200 and renamed.headers["etag"] == '"2"'

    refused = client.patch(f"/teams/{team['id']}", json={"name": "Old"}, headers={"If-Match": stale})
    assert refused.status_code == 412
    assert refused.json()["current"] == renamed.json()
    kept = client.delete(f"/teams/{team['id']}", headers={"If-Match": stale})
    assert kept.status_code == 412
    assert client.get(f"/teams/{team['id']}").json()["name"] == "New Avengers"

    assert client.patch(f"/teams/{team['id']}", json={}, headers={"If-Match": "nonsense"}).status_code == 412
    assert client.delete(f"/teams/{team['id']}", headers={"If-Match": 'W/"2"'}).status_code == 200
    gone = client.patch(f"/teams/{team['id']}", json={"name": "X"}, headers={"If-Match": '"2"'})
    assert (gone.status_code, gone.json()) == (404, {"detail": "Team not found"})


def test_teams_and_items_crud_filters_and_search(client: Any) -> None:
    team = client.post("/teams/", json={"name": "Avengers"}).json()
    client.post("/heroes/", json={"name": "Iron Man", "power": "suit", "team_id": team["id"]})
    client.post("/heroes/", json={"name": "Loner", "power": "none"})
    assert [h["name"] for h in client.get(f"/heroes/?team_id={team['id']}").json()] == ["Iron Man"]
    assert [h["name"] for h in client.get("/heroes/?has_team=false").json()] == ["Loner"]
    assert [h["name"] for h in client.get("/heroes/?search=IRON").json()] == ["Iron Man"]

    for name, price in (("Widget", 9.99), ("Gadget", 24.99), ("Gizmo", 12.5)):
        assert client.post("/items/", json={"name": name, "price": price}).status_code == 201
    assert [i["name"] for i in client.get("/items/?min_price=10").json()] == ["Gadget", "Gizmo"]
    by_name = client.get("/items/?order_by=name&descending=true").json()
    assert [i["name"] for i in by_name] == ["Widget", "Gizmo", "Gadget"]
    widget = by_name[0]
    assert client.patch(f"/items/{widget['id']}", json={"in_stock": False}).json()["in_stock"] is False
    assert [i["name"] for i in client.get("/items/?in_stock=false").json()] == ["Widget"]

    # Deleting a team keeps its heroes, without a team (the store's rule, as in the window).
    assert client.delete(f"/teams/{team['id']}").json() == {"ok": True}
    assert [h["team_id"] for h in client.get("/heroes/").json()] == [None, None]
    assert client.get(f"/teams/{team['id']}").status_code == 404


def test_a_user_who_owns_tasks_is_deleted_only_with_somewhere_for_them(client: Any) -> None:
    owner = make_user(client)
    task = client.post("/tasks/", json={"title": "Keep me", "owner_id": owner["id"]}).json()
    refused = client.delete(f"/users/{owner['id']}")
    assert refused.status_code == 409
    assert "owns 1 task" in refused.json()["detail"]
    assert client.get(f"/users/{owner['id']}").status_code == 200

    nowhere = client.delete(f"/users/{owner['id']}?reassign_to=424242")
    assert nowhere.status_code == 422
    assert nowhere.json()["detail"][0]["loc"] == ["query", "reassign_to"]
    heir = make_user(client, "heir")
    assert client.delete(f"/users/{owner['id']}?reassign_to={heir['id']}").json() == {"ok": True}
    moved = client.get(f"/tasks/{task['id']}").json()
    assert (moved["owner_id"], moved["version"]) == (heir["id"], 2)
    assert "reassign_to" not in str(client.get("/openapi.json").json()["paths"]["/tasks/{task_id}"]["delete"])


def test_changes_through_the_api_are_announced_to_the_stores_listeners(client: Any, store: Store) -> None:
    heard: list[Change] = []
    store.subscribe(heard.append)
    hero = client.post("/heroes/", json={"name": "Storm", "power": "weather"}).json()
    client.patch(f"/heroes/{hero['id']}", json={"level": 3})
    client.delete(f"/heroes/{hero['id']}")
    assert [(c.entity, c.kind, c.ids) for c in heard] == [
        ("hero", "created", (hero["id"],)),
        ("hero", "updated", (hero["id"],)),
        ("hero", "deleted", (hero["id"],)),
    ]


def test_the_openapi_document_describes_every_route(client: Any) -> None:
    document = client.get("/openapi.json").json()
    for entity in ("tasks", "users", "heroes", "teams", "items"):
        singular = {"tasks": "task", "users": "user", "heroes": "hero", "teams": "team", "items": "item"}[
            entity
        ]
        assert set(document["paths"][f"/{entity}/"]) == {"get", "post"}
        assert set(document["paths"][f"/{entity}/{{{singular}_id}}"]) == {"get", "patch", "delete"}
        for operations in (
            document["paths"][f"/{entity}/"],
            document["paths"][f"/{entity}/{{{singular}_id}}"],
        ):
            for operation in operations.values():
                assert operation["summary"] and operation["description"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert client.get("/docs").status_code == 200
