"""Small helpers shared by the API tests."""

from __future__ import annotations

import socket
import warnings
from typing import Any

from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette would rather have httpx2; httpx (what the project uses) works the same here.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

__all__ = ["BASE_URL", "TOKEN", "TestClient", "free_port", "make_user"]

TOKEN = "test-token-0123456789"
BASE_URL = "http://127.0.0.1:8000"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_user(client: Any, name: str = "alice") -> dict[str, Any]:
    response = client.post("/users/", json={"username": name, "email": f"{name}@example.org"})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made
