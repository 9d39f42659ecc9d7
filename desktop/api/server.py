"""Running the API under uvicorn: in the foreground (`taskforce serve`) or on a thread (the window)."""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time

import uvicorn
from starlette.types import ASGIApp

from desktop.api.security import MaskToken

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0


class ServeError(Exception):
    """The server cannot listen where asked; the message says why, plainly."""


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port and listening, or ServeError (port taken, unknown host)."""
    try:
        family, kind, protocol, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as error:
        raise ServeError(f"Cannot listen on {host!r}: it is not a known host name or address.") from error
    sock = socket.socket(family, kind, protocol)
    try:
        if hasattr(socket, "SO_REUSEADDR") and not hasattr(socket, "SO_EXCLUSIVEADDRUSE"):
            # Restarting at once reuses the port; a port another program listens on stays refused.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise ServeError(
                f"Port {port} on {host} is already in use: stop what uses it, or choose another with --port."
            ) from error
        if error.errno == errno.EACCES:
            raise ServeError(f"Not allowed to listen on port {port}: choose one above 1023.") from error
        raise ServeError(f"Cannot listen on {host} port {port}: {error.strerror or error}.") from error
    sock.setblocking(False)
    return sock


class ApiServer:
    """One uvicorn server for an ASGI app, on a socket bound when it is made (so errors come early)."""

    def __init__(
        self,
        app: ASGIApp,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        *,
        token: str = "",
        sock: socket.socket | None = None,
    ) -> None:
        """sock: one listening_socket(host, port) made already; by default it is made here."""
        self._socket = sock if sock is not None else listening_socket(host, port)
        self.host = host
        self.port = int(self._socket.getsockname()[1])
        config = uvicorn.Config(
            app,
            log_config=None,  # records go to the app's own log, through its password masking
            lifespan="off",
            ws="none",  # no WebSocket routes
            server_header=False,
            timeout_graceful_shutdown=5,
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        self._mask = MaskToken(token) if token else None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def run(self) -> None:
        """Serve until stopped (Ctrl+C or SIGTERM in the main thread, stop() from another one)."""
        self._mask_logs()
        try:
            self._server.run(sockets=[self._socket])
        finally:
            self._socket.close()
            self._unmask_logs()

    def start(self) -> None:
        """Serve on a thread of its own; return once it answers (or raise ServeError)."""
        self._thread = threading.Thread(target=self.run, name="taskforce-api", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise ServeError("The API server did not start; the log says why.")
            time.sleep(0.01)
        log.info("API server listening on %s", self.url)

    def stop(self) -> None:
        """Finish the requests under way, close the port, and return once the thread has ended."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT_S)
            if self._thread.is_alive():
                self._server.force_exit = True
                self._thread.join(STOP_TIMEOUT_S)
            self._thread = None
            log.info("API server on %s stopped", self.url)

    def _mask_logs(self) -> None:
        if self._mask is not None:
            for name in UVICORN_LOGGERS:
                logging.getLogger(name).addFilter(self._mask)

    def _unmask_logs(self) -> None:
        if self._mask is not None:
            for name in UVICORN_LOGGERS:
                logging.getLogger(name).removeFilter(self._mask)
