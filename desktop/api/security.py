"""What keeps the local API to the person who runs it: token, Host and Origin checks, log masking.

Every check runs before the request reaches a route, so a refused request changes nothing.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import secrets
from collections.abc import Collection, Iterable
from pathlib import Path

import platformdirs
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from desktop.db import APP_NAME

TOKEN_ENV = "TASKFORCE_API_TOKEN"
TOKEN_FILENAME = "api-token"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
# Paths that answer without a token: they describe the API (the same for every install) or say it is up.
OPEN_PATHS = frozenset({"/health", "/docs", "/docs/oauth2-redirect", "/openapi.json"})
TOKEN_MASK = "***"


def token_file() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / TOKEN_FILENAME


def resolve_token(explicit: str | None = None) -> str:
    """The token from the argument, else TASKFORCE_API_TOKEN, else the one kept in the config folder.

    The kept one is made on first use: random, readable by its owner only (0600).
    """
    for candidate in (explicit, os.environ.get(TOKEN_ENV)):
        if candidate and candidate.strip():
            return candidate.strip()
    return stored_token()


def stored_token() -> str:
    path = token_file()
    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        token = ""
    if token:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        return token
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(token + "\n")
    path.chmod(0o600)  # O_CREAT's mode does not apply to a file that was already there
    return token


def host_allowed(host_header: str, allowed: Collection[str] = LOOPBACK_HOSTS) -> bool:
    """localhost, 127.0.0.1 or [::1], with or without a port (DNS rebinding sends another name)."""
    host = host_header.strip().lower()
    if host.startswith("["):
        name, _, rest = host.partition("]")
        name += "]"
        port = rest[1:] if rest.startswith(":") else ("" if not rest else "x")
    else:
        name, _, port = host.partition(":")
    return name in allowed and (port == "" or port.isdigit())


def same_origin(origin: str, host_header: str) -> bool:
    """A page served by this server itself (the /docs page trying a route) is not a foreign origin."""
    return origin.lower() == f"http://{host_header.strip().lower()}"


class Guard:
    """ASGI middleware: Host (400), then Origin (403), then the Bearer token (401), before anything else."""

    def __init__(self, app: ASGIApp, *, token: str, allowed_origins: Iterable[str] = ()) -> None:
        self.app = app
        self._token = token.encode()
        self._origins = frozenset(origin.rstrip("/").lower() for origin in allowed_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        host = headers.get("host", "")
        if not host_allowed(host):
            await _refuse(send, 400, "Invalid host header")
            return
        origin = headers.get("origin")
        if origin is not None and origin.lower() not in self._origins and not same_origin(origin, host):
            await _refuse(send, 403, "Origin not allowed")
            return
        preflight = scope["method"] == "OPTIONS" and "access-control-request-method" in headers
        if not (preflight and origin is not None) and scope["path"] not in OPEN_PATHS:
            if not self._authorized(headers.get("authorization", "")):
                await _refuse(send, 401, "Not authenticated", {"www-authenticate": "Bearer"})
                return
        await self.app(scope, receive, send)

    def _authorized(self, header: str) -> bool:
        scheme, _, credentials = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode(), self._token)


def _headers(scope: Scope) -> dict[str, str]:
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}


async def _refuse(send: Send, status: int, detail: str, extra: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(name.encode(), value.encode()) for name, value in (extra or {}).items()]
    start: Message = {"type": "http.response.start", "status": status, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": body})


class MaskToken(logging.Filter):
    """No log record carries the token, whatever logged it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._token in message:
            record.msg, record.args = message.replace(self._token, TOKEN_MASK), None
        return True
