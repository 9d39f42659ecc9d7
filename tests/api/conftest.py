"""API fixtures: the app over a fresh store (each backend in turn) and a client that sends the token."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from desktop.api.app import create_app
from desktop.store import Store

with warnings.catch_warnings():
    # Starlette would rather have httpx2; httpx (what the project uses) works the same here.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

TOKEN = "test-token-0123456789"
BASE_URL = "http://127.0.0.1:8000"


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
