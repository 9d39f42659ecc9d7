"""Many clients at once through a real server, on each database: every write lands, none is refused."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from apihelpers import TOKEN

from desktop.api.app import create_app
from desktop.api.server import ApiServer
from desktop.store import Store

CLIENTS = 12
WRITES_PER_CLIENT = 10


def test_concurrent_clients_all_get_their_answers(store: Store) -> None:
    server = ApiServer(create_app(store, token=TOKEN), "127.0.0.1", 0, token=TOKEN)
    server.start()
    try:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        owner = httpx.post(
            f"{server.url}/users/", json={"username": "o", "email": "o@example.org"}, headers=auth, timeout=30
        ).json()

        def client(number: int) -> list[int]:
            statuses = []
            with httpx.Client(base_url=server.url, headers=auth, timeout=60) as http:
                for n in range(WRITES_PER_CLIENT):
                    made = http.post("/tasks/", json={"title": f"{number}-{n}", "owner_id": owner["id"]})
                    statuses.append(made.status_code)
                    statuses.append(http.get("/tasks/?status=todo&limit=100").status_code)
            return statuses

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            statuses = [status for result in pool.map(client, range(CLIENTS)) for status in result]
    finally:
        server.stop()
    assert sorted(set(statuses)) == [200, 201]
    assert store.tasks.count() == CLIENTS * WRITES_PER_CLIENT
