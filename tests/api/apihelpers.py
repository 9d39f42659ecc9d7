"""Small helpers shared by the API tests."""

from __future__ import annotations

import socket
from typing import Any


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_user(client: Any, name: str = "alice") -> dict[str, Any]:
    response = client.post("/users/", json={"username": name, "email": f"{name}@example.org"})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made
