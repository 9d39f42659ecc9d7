"""Safe by default: token, Host and Origin are checked before anything is done; no token in the log."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from apihelpers import BASE_URL, TOKEN, TestClient

from desktop.api import security
from desktop.api.app import create_app
from desktop.store import Store

HERO = {"name": "Mallory", "power": "forgery"}


def _no_heroes(store: Store) -> None:
    assert store.heroes.count() == 0


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": "Bearer"},
    ],
)
def test_without_the_right_token_nothing_is_done(
    anonymous: Any, sqlite_store: Store, headers: dict[str, str]
) -> None:
    for method, path, body in [
        ("POST", "/heroes/", HERO),
        ("GET", "/heroes/", None),
        ("DELETE", "/heroes/1", None),
    ]:
        response = anonymous.request(method, path, json=body, headers=headers)
        assert response.status_code == 401
        assert response.json() == {"detail": "Not authenticated"}
        assert response.headers["www-authenticate"] == "Bearer"
    _no_heroes(sqlite_store)


@pytest.mark.parametrize(
    "host",
    ["evil.example", "evil.example:8000", "127.0.0.2", "localhost.evil.example", "[::2]:8000", "localhost:x"],
)
def test_a_foreign_host_is_400_before_anything_is_done(
    anonymous: Any, sqlite_store: Store, host: str
) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", "Host": host}
    response = anonymous.post("/heroes/", json=HERO, headers=headers)
    assert response.status_code == 400
    _no_heroes(sqlite_store)


@pytest.mark.parametrize(
    "host", ["localhost", "localhost:8000", "127.0.0.1", "127.0.0.1:1234", "[::1]", "[::1]:8000"]
)
def test_loopback_hosts_are_served(anonymous: Any, host: str) -> None:
    response = anonymous.get("/heroes/", headers={"Authorization": f"Bearer {TOKEN}", "Host": host})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "null", "http://localhost:3000", "https://127.0.0.1:8000"]
)
def test_a_foreign_origin_is_403_before_anything_is_done(
    anonymous: Any, sqlite_store: Store, origin: str
) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", "Origin": origin}
    response = anonymous.post("/heroes/", json=HERO, headers=headers)
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers
    _no_heroes(sqlite_store)


def test_the_servers_own_pages_are_not_a_foreign_origin(anonymous: Any) -> None:
    """The /docs page trying a route sends the server's own origin."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Origin": "http://127.0.0.1:8000"}
    assert anonymous.post("/heroes/", json=HERO, headers=headers).status_code == 201


def test_listed_origins_get_cors_and_others_do_not(sqlite_store: Store) -> None:
    app = create_app(sqlite_store, token=TOKEN, allowed_origins=["https://tool.example"])
    with TestClient(app, base_url=BASE_URL) as client:
        preflight = client.options(
            "/heroes/",
            headers={
                "Origin": "https://tool.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://tool.example"
        allowed = client.post(
            "/heroes/",
            json=HERO,
            headers={"Origin": "https://tool.example", "Authorization": f"Bearer {TOKEN}"},
        )
        assert allowed.status_code == 201
        assert allowed.headers["access-control-allow-origin"] == "https://tool.example"
        # A listed origin still needs the token.
        assert client.get("/heroes/", headers={"Origin": "https://tool.example"}).status_code == 401
        other = client.post(
            "/heroes/",
            json=HERO,
            headers={"Origin": "https://evil.example", "Authorization": f"Bearer {TOKEN}"},
        )
        assert other.status_code == 403
    assert sqlite_store.heroes.count() == 1


def test_cors_is_off_by_default(anonymous: Any) -> None:
    response = anonymous.get("/health", headers={"Origin": "http://127.0.0.1:8000"})
    assert "access-control-allow-origin" not in response.headers


def test_health_answers_without_a_token_and_reveals_nothing(anonymous: Any, sqlite_store: Store) -> None:
    response = anonymous.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "server" not in response.headers
    assert str(sqlite_store.location) not in response.text
    assert anonymous.get("/health", headers={"Host": "evil.example"}).status_code == 400


def test_the_token_is_made_once_and_kept_for_its_owner_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(security.TOKEN_ENV, raising=False)
    path = security.token_file()
    assert not path.exists()
    first = security.resolve_token()
    assert len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert security.resolve_token() == first
    path.chmod(0o644)
    assert security.resolve_token() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_token_comes_from_the_option_then_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(security.TOKEN_ENV, "from-the-environment")
    assert security.resolve_token("from-the-option") == "from-the-option"
    assert security.resolve_token() == "from-the-environment"
    assert not security.token_file().exists()


def test_the_token_never_reaches_the_log(sqlite_store: Store, tmp_path: Path) -> None:
    from desktop.api.server import ApiServer

    log_file = tmp_path / "api.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    # What the test's own HTTP client logs is not the server's log.
    handler.addFilter(lambda record: not record.name.startswith(("httpx", "httpcore")))
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    server = ApiServer(create_app(sqlite_store, token=TOKEN), "127.0.0.1", 0, token=TOKEN)
    server.start()
    try:
        import httpx

        with httpx.Client(base_url=server.url, timeout=10) as http:
            assert http.get("/heroes/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
            assert (
                http.get(f"/heroes/?search={TOKEN}", headers={"Authorization": "Bearer nope"}).status_code
                == 401
            )
            assert http.get(f"/{TOKEN}", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404
        logging.getLogger("uvicorn.error").warning("the token is %s", TOKEN)
    finally:
        server.stop()
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()
    logged = log_file.read_text(encoding="utf-8")
    assert "GET /heroes/" in logged  # the requests are logged ...
    assert TOKEN not in logged  # ... without the token
    assert security.TOKEN_MASK in logged


def test_the_stored_token_file_is_not_world_readable_on_creation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(security.TOKEN_ENV, raising=False)
    old = os.umask(0)
    try:
        security.resolve_token()
    finally:
        os.umask(old)
    assert stat.S_IMODE(security.token_file().stat().st_mode) == 0o600
