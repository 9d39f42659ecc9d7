"""`taskforce serve`: the HTTP API over the database, in the foreground until Ctrl+C.

Nothing heavy is imported until the command runs: the window starts without FastAPI.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from types import FrameType

from desktop.command_line import CommandSpec, complain, say

LOOPBACK = ("127.0.0.1", "localhost", "::1")
SWITCH_INTERVAL_S = 0.001


class _Stopped(Exception):
    """SIGTERM arrived: stop as Ctrl+C does."""


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


def serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=_port, default=8000, help="port to listen on (default: 8000; 0: any free)"
    )
    parser.add_argument(
        "--token",
        help="the Bearer token clients must send (default: TASKFORCE_API_TOKEN, else one kept in the "
        "config folder)",
    )
    parser.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="a web page origin (https://example.org) allowed to call the API from a browser; repeatable",
    )


def run_serve(args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from desktop import db
    from desktop.api.app import create_app
    from desktop.api.security import TOKEN_ENV, resolve_token, token_file
    from desktop.api.server import ApiServer, ServeError, listening_socket
    from desktop.errors import TaskforceError
    from desktop.logs import mask_passwords
    from desktop.store import Store

    try:
        sock = listening_socket(args.host, args.port)  # before the database: a taken port changes nothing
    except ServeError as error:
        complain(str(error))
        return 1
    # This process only serves: the interpreter lock changes threads every 1 ms instead of 5, so a
    # write that holds SQLite's write lock is not kept waiting behind reads (docs/api.md).
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    url = str(getattr(args, "database_url", None) or db.default_database_url())
    try:
        store = Store.open(url)
    except TaskforceError as error:
        sock.close()
        complain(error.message)
        return 1
    except (sa.exc.SQLAlchemyError, ValueError) as error:
        sock.close()
        complain(f"{mask_passwords(url)} is not a database URL Taskforce can open: {error}")
        return 2
    try:
        try:
            token = resolve_token(args.token)
        except OSError as error:
            complain(f"Cannot keep the API token in {token_file()}: {error.strerror or error}")
            return 1
        app = create_app(store, token=token, allowed_origins=args.allow_origin)
        server = ApiServer(app, args.host, token=token, sock=sock)
        if args.token:
            source = "given with --token"
        elif os.environ.get(TOKEN_ENV, "").strip():
            source = f"in {TOKEN_ENV}"
        else:
            source = f"kept in {token_file()}"
        say(f"Taskforce API for {store.location} on {server.url} (documentation: {server.url}/docs)")
        say(f"Clients send 'Authorization: Bearer <token>', the token {source}.")
        if args.host not in LOOPBACK:
            say("Listening beyond this computer: requests still need the token and a localhost Host.")
        say("Press Ctrl+C to stop.")
        previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
        try:
            server.run()
        except (KeyboardInterrupt, _Stopped):
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
        say("Stopped.")
        return 0
    finally:
        store.close()


def _stop_on_sigterm(_signal: int, _frame: FrameType | None) -> None:
    raise _Stopped


API_COMMANDS: list[CommandSpec] = [
    ("serve", "serve the HTTP API (the tutorial's routes) over the database", serve_arguments, run_serve),
]
