"""API fixtures: the app over a fresh store (each backend in turn) and a client that sends the token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from apihelpers import BASE_URL, TOKEN, TestClient

from desktop.api.app import create_app
from desktop.store import Store


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    """The API over `store`, as a local client that sends the token sees it."""
    with TestClient(
        create_app(store, token=TOKEN), base_url=BASE_URL, headers={"Authorization": f"Bearer {TOKEN}"}
    ) as made:
        yield made


@pytest.fixture
def anonymous(sqlite_store: Store) -> Iterator[TestClient]:
    """The API over a SQLite store, without the token."""
    with TestClient(create_app(sqlite_store, token=TOKEN), base_url=BASE_URL) as made:
        yield made
