"""Make a big Taskforce database: the schema through the migrations, the rows in bulk.

    python -m benchmarks.generate --tasks 1000000 --out benchmarks/data/tasks-1000000.db
    python -m benchmarks.generate --url postgresql+psycopg://postgres@127.0.0.1:5432/taskforce_bench

Rows are built column-wise from word lists with a fixed seed (the same file every time) and
written in large chunks inside one transaction: executemany on SQLite, COPY on PostgreSQL,
SQLAlchemy Core executemany elsewhere. Only the generating connection relaxes durability.
On SQLite and PostgreSQL the tables are filled without their secondary indexes and triggers,
which are then made again from the definitions the migrations left (search indexes included).
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from desktop import db, opening

DATA_DIR = Path(__file__).resolve().parent / "data"
CHUNK = 50_000
SPAN = timedelta(days=5 * 365)
END = datetime(2026, 1, 1, tzinfo=UTC)
TRACKED = timedelta(days=365)  # done tasks of the last year have a completed_at
SQLITE_TIMESTAMP = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's own storage format for DateTime on SQLite

VERBS = (
    "Fix", "Review", "Write", "Update", "Refactor", "Test", "Document", "Design", "Migrate", "Deploy",
    "Investigate", "Plan", "Clean up", "Optimise", "Translate", "Archive", "Prepare", "Check", "Draft",
    "Automate",
)  # fmt: skip
SUBJECTS = (
    "login page", "invoice export", "billing report", "search index", "onboarding email", "release notes",
    "backup job", "payment gateway", "user survey", "dashboard widgets", "API documentation",
    "mobile layout", "error messages", "database schema", "CI pipeline", "support tickets",
    "pricing table", "audit log", "password reset", "import wizard", "team calendar", "print styles",
    "sales forecast", "customer feedback", "shipping labels", "tax rules", "contract template",
    "newsletter", "accessibility checks", "translation files",
)  # fmt: skip
CONTEXTS = (
    "for the spring release", "before the audit", "for the Berlin office", "in the admin area",
    "for new customers", "after the outage", "for the board meeting", "on staging", "for Q3",
    "with the design team", "for the partner portal", "in the warehouse app", "", "", "",
)  # fmt: skip
SENTENCES = (
    "The current version is slow when the list is long.",
    "Customers reported this twice last week.",
    "Ask the finance team which fields they still need.",
    "Keep the old behaviour behind a setting until everyone has moved.",
    "Screenshots of the problem are attached to the support ticket.",
    "This blocks the next release, so it has priority.",
    "Coordinate with operations before changing anything in production.",
    "The numbers in the monthly invoice summary do not add up.",
    "Check the logs from the night of the incident first.",
    "A short write-up of the decision should go to the wiki.",
    "Measure before and after, and note the figures here.",
    "Nobody owns this yet; pick it up if you have time.",
    "Legal has to sign off on the wording.",
    "The vendor promised a fix in their next update.",
    "Pair with someone from support to reproduce it.",
    "Split this into smaller tasks if it takes more than a day.",
    "Use the staging database; it has a fresh copy of the data.",
    "Remember to update the help pages once this ships.",
    "The old script still runs every night and should be retired.",
    "Follow up with the customer once it is deployed.",
)
STATUSES = ("todo", "in_progress", "done")
STATUS_WEIGHTS = (30, 15, 55)
FIRST_NAMES = (
    "anna", "ben", "carla", "dev", "elif", "finn", "greta", "hugo", "ines", "jonas", "kai", "lena",
    "mika", "nora", "omar", "paula", "quinn", "rosa", "sami", "tara", "uli", "vera", "wen", "yara", "zoe",
)  # fmt: skip
HERO_PREFIXES = (
    "Captain", "Doctor", "Iron", "Silver", "Night", "Storm", "Shadow", "Star", "Thunder", "Crimson",
    "Quantum", "Mighty", "Phantom", "Atomic", "Solar",
)  # fmt: skip
HERO_NOUNS = (
    "Falcon", "Wolf", "Comet", "Blade", "Viper", "Tiger", "Spark", "Titan", "Raven", "Hawk", "Specter",
    "Lynx", "Cyclone", "Sentinel", "Warden",
)  # fmt: skip
POWERS = (
    "flight", "super strength", "invisibility", "telepathy", "speed", "weather control", "healing",
    "shape-shifting", "force fields", "time travel", "wall-crawling", "thunder", "powered armour",
)  # fmt: skip
TEAM_WORDS = ("Avengers", "Guardians", "Defenders", "Titans", "League", "Squad", "Force", "Patrol", "Legion")
ITEM_ADJECTIVES = ("Compact", "Deluxe", "Basic", "Smart", "Wireless", "Heavy-duty", "Portable", "Classic")
ITEM_NOUNS = ("Widget", "Gadget", "Sprocket", "Lamp", "Cable", "Adapter", "Bracket", "Charger", "Case", "Hub")


@dataclass(frozen=True)
class Sizes:
    users: int = 1_000
    tasks: int = 1_000_000
    teams: int = 1_000
    heroes: int = 100_000
    items: int = 100_000


Rows = list[tuple[Any, ...]]
Writer = Callable[[str, Sequence[str], Rows], None]


def _chunks(total: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, CHUNK):
        yield start, min(start + CHUNK, total)


def users(rng: random.Random, start: int, end: int) -> Rows:
    names = rng.choices(FIRST_NAMES, k=end - start)
    return [
        (f"{name}{i + 1:05d}", f"{name}{i + 1:05d}@example.com", i + 1)
        for i, name in zip(range(start, end), names, strict=True)
    ]


def owner_weights(count: int) -> list[float]:
    """Cumulative weights 1/sqrt(rank): the busiest owner has about 30 times the tasks of the least busy."""
    return list(itertools.accumulate(1 / math.sqrt(rank) for rank in range(1, count + 1)))


def tasks(rng: random.Random, start: int, end: int, sizes: Sizes, sqlite: bool) -> Rows:
    n = end - start
    verbs = rng.choices(VERBS, k=n)
    subjects = rng.choices(SUBJECTS, k=n)
    contexts = rng.choices(CONTEXTS, k=n)
    first = rng.choices(SENTENCES, k=n)
    second = rng.choices(SENTENCES, k=n)
    has_description = [rng.random() < 0.9 for _ in range(n)]
    statuses = rng.choices(STATUSES, weights=STATUS_WEIGHTS, k=n)
    # A few busy owners and a long tail, as in a real team.
    owners = rng.choices(range(1, sizes.users + 1), cum_weights=owner_weights(sizes.users), k=n)
    seconds = [rng.random() * SPAN.total_seconds() for _ in range(n)]
    start_time = (END - SPAN).replace(tzinfo=None)
    created = [start_time + timedelta(seconds=s) for s in seconds]
    completed = [_completed(statuses[i], created[i], seconds[i]) for i in range(n)]
    created_values: list[Any] = [c.strftime(SQLITE_TIMESTAMP) for c in created] if sqlite else created
    completed_values: list[Any] = (
        [None if c is None else c.strftime(SQLITE_TIMESTAMP) for c in completed] if sqlite else completed
    )
    rows: Rows = []
    for i in range(n):
        title = f"{verbs[i]} {subjects[i]} {contexts[i]}".rstrip() + f" #{start + i + 1}"
        description = f"{first[i]} {second[i]}" if has_description[i] else None
        times = (created_values[i], completed_values[i])
        rows.append((title, description, statuses[i], start + i + 1, *times, owners[i]))
    return rows


def _completed(status: str, created: datetime, seconds: float) -> datetime | None:
    """Done tasks of the last year were done within a month (and by END); older ones before tracking.

    The delay comes from the creation time's digits, not from the generator: the other columns
    stay what they were before completed_at existed.
    """
    end = END.replace(tzinfo=None)
    if status != "done" or created < end - TRACKED:
        return None
    return created + min(timedelta(days=30), end - created) * ((seconds * 1_000) % 1)


def teams(rng: random.Random, start: int, end: int) -> Rows:
    words = rng.choices(TEAM_WORDS, k=end - start)
    return [(f"{word} {i + 1}", i + 1) for i, word in zip(range(start, end), words, strict=True)]


def heroes(rng: random.Random, start: int, end: int, sizes: Sizes) -> Rows:
    n = end - start
    prefixes, nouns = rng.choices(HERO_PREFIXES, k=n), rng.choices(HERO_NOUNS, k=n)
    powers = rng.choices(POWERS, k=n)
    rows: Rows = []
    for i in range(n):
        team_id = rng.randint(1, sizes.teams) if sizes.teams and rng.random() < 0.8 else None
        level = rng.randint(1, 100)
        rows.append((f"{prefixes[i]} {nouns[i]} {start + i + 1}", powers[i], level, team_id, start + i + 1))
    return rows


def items(rng: random.Random, start: int, end: int) -> Rows:
    n = end - start
    adjectives, nouns = rng.choices(ITEM_ADJECTIVES, k=n), rng.choices(ITEM_NOUNS, k=n)
    descriptions = rng.choices(SENTENCES, k=n)
    rows: Rows = []
    for i in range(n):
        description = descriptions[i] if rng.random() < 0.7 else None
        price = round(rng.uniform(0.5, 2_000), 2)
        in_stock = rng.random() < 0.85
        rows.append(
            (f"{adjectives[i]} {nouns[i]} {start + i + 1}", description, price, in_stock, start + i + 1)
        )
    return rows


COLUMNS = {
    "user": ("username", "email", "id"),
    "team": ("name", "id"),
    "task": ("title", "description", "status", "id", "created_at", "completed_at", "owner_id"),
    "hero": ("name", "power", "level", "team_id", "id"),
    "item": ("name", "description", "price", "in_stock", "id"),
}


def fill(write: Writer, sizes: Sizes, seed: int, sqlite: bool) -> dict[str, float]:
    """Write every table in dependency order; return seconds per table."""
    rng = random.Random(seed)
    makers: dict[str, tuple[int, Callable[[int, int], Rows]]] = {
        "user": (sizes.users, lambda s, e: users(rng, s, e)),
        "team": (sizes.teams, lambda s, e: teams(rng, s, e)),
        "task": (sizes.tasks, lambda s, e: tasks(rng, s, e, sizes, sqlite)),
        "hero": (sizes.heroes, lambda s, e: heroes(rng, s, e, sizes)),
        "item": (sizes.items, lambda s, e: items(rng, s, e)),
    }
    seconds: dict[str, float] = {}
    for table, (total, make) in makers.items():
        started = time.perf_counter()
        for start, end in _chunks(total):
            write(table, COLUMNS[table], make(start, end))
        seconds[table] = time.perf_counter() - started
    return seconds


# --- per backend -------------------------------------------------------------


def _fill_sqlite(engine: Engine, sizes: Sizes, seed: int) -> dict[str, float]:
    raw = engine.raw_connection()
    try:
        connection: Any = raw.driver_connection
        cursor = connection.cursor()
        # Durability is pointless while a file is being built from scratch; the app's own
        # connections set journal_mode=WAL and synchronous=FULL again when they open it.
        for pragma in (
            "journal_mode = OFF",
            "synchronous = OFF",
            "cache_size = -400000",
            "temp_store = MEMORY",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.execute("BEGIN")

        def write(table: str, columns: Sequence[str], rows: Rows) -> None:
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)  # noqa: S608

        seconds: dict[str, float] = {}
        with _sqlite_bulk_load(cursor, seconds):
            seconds.update(fill(write, sizes, seed, sqlite=True))
        cursor.execute("COMMIT")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()
    finally:
        raw.close()
    return seconds


@contextmanager
def _sqlite_bulk_load(cursor: Any, seconds: dict[str, float]) -> Iterator[None]:
    """Fill the tables bare, then build their indexes and search indexes once, as the schema has them.

    Rows inserted into indexed tables update every index row by row, and the search index's
    triggers flush the trigram index at every statement: 10 million tasks took hours that way.
    The indexes and triggers are read from the file (the migrations made them), dropped, and made
    again from the same SQL after the fill; each external-content search index is rebuilt from its
    table in one pass.
    """
    tables = tuple(COLUMNS)
    marks = ", ".join("?" for _ in tables)
    structures = cursor.execute(
        "SELECT type, name, sql FROM sqlite_master "  # noqa: S608
        f"WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN ({marks})",
        tables,
    ).fetchall()
    search_indexes = [
        name
        for (name,) in cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%'"
        )
    ]
    for kind, name, _ in structures:
        cursor.execute(f'DROP {kind.upper()} "{name}"')
    yield
    started = time.perf_counter()
    for kind, _, sql in structures:
        if kind == "index":
            cursor.execute(sql)
    seconds["indexes"] = time.perf_counter() - started
    started = time.perf_counter()
    for name in search_indexes:
        cursor.execute(f'INSERT INTO "{name}"("{name}") VALUES (\'rebuild\')')  # noqa: S608
    for kind, _, sql in structures:
        if kind == "trigger":
            cursor.execute(sql)
    seconds["search_indexes"] = time.perf_counter() - started


@contextmanager
def _postgresql_bulk_load(cursor: Any, seconds: dict[str, float]) -> Iterator[None]:
    """Fill the tables without their secondary indexes, then build each once from its own definition.

    COPY into a table with trigram indexes updates them row by row (a million tasks took 111 s
    against 27 s without them). Indexes that back a constraint (primary keys, unique constraints)
    stay: the rows are checked as they arrive.
    """
    indexes = cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
        "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
        "WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        (list(COLUMNS),),
    ).fetchall()
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    yield
    started = time.perf_counter()
    cursor.execute("SET maintenance_work_mem = '512MB'")
    for _, definition in indexes:
        cursor.execute(definition)
    seconds["indexes"] = time.perf_counter() - started


def _fill_postgresql(engine: Engine, sizes: Sizes, seed: int) -> dict[str, float]:
    raw = engine.raw_connection()
    try:
        connection: Any = raw.driver_connection
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")

            def write(table: str, columns: Sequence[str], rows: Rows) -> None:
                names = ", ".join(f'"{c}"' for c in columns)
                with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)

            seconds: dict[str, float] = {}
            with _postgresql_bulk_load(cursor, seconds):
                seconds.update(fill(write, sizes, seed, sqlite=False))
            for table in COLUMNS:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                    f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"), false)'
                )
        connection.commit()
        # What autovacuum would do a minute later: planner statistics for the new rows.
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")
    finally:
        raw.close()
    return seconds


def _fill_core(engine: Engine, sizes: Sizes, seed: int) -> dict[str, float]:
    metadata = sa.MetaData()
    metadata.reflect(engine, only=list(COLUMNS))
    with engine.begin() as connection:

        def write(table: str, columns: Sequence[str], rows: Rows) -> None:
            connection.execute(
                metadata.tables[table].insert(), [dict(zip(columns, row, strict=True)) for row in rows]
            )

        return fill(write, sizes, seed, sqlite=False)


def prepare_server_database(url: str, *, force: bool) -> None:
    """Create the server database named in the URL (dropping it first with force)."""
    parsed = make_url(url)
    name = parsed.database
    admin_db = "postgres" if parsed.get_backend_name() == "postgresql" else None
    admin = sa.create_engine(parsed.set(database=admin_db), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            if force:
                drop = f"DROP DATABASE IF EXISTS {name}"
                if parsed.get_backend_name() == "postgresql":
                    drop += " WITH (FORCE)"
                connection.exec_driver_sql(drop)
            exists = connection.exec_driver_sql(
                "SELECT 1 FROM pg_database WHERE datname = %(name)s"
                if parsed.get_backend_name() == "postgresql"
                else "SELECT 1 FROM information_schema.schemata WHERE schema_name = %(name)s",
                {"name": name},
            ).first()
            if not exists:
                connection.exec_driver_sql(f"CREATE DATABASE {name}")
    finally:
        admin.dispose()


def generate(
    url: str, sizes: Sizes = Sizes(), seed: int = 20_260_101, *, force: bool = False
) -> dict[str, Any]:
    """Build the database at url; return what was made and how long each part took."""
    started = time.perf_counter()
    path = db.sqlite_path(url)
    if path is not None:
        if force:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        elif path.exists():
            raise SystemExit(f"{path} exists; pass --force to make it again")
    else:
        prepare_server_database(url, force=force)
    engine = opening.open_engine(url)
    migrated = time.perf_counter()
    try:
        backend = engine.dialect.name
        if backend == "sqlite":
            seconds = _fill_sqlite(engine, sizes, seed)
        elif backend == "postgresql":
            seconds = _fill_postgresql(engine, sizes, seed)
        else:
            seconds = _fill_core(engine, sizes, seed)
    finally:
        engine.dispose()
    finished = time.perf_counter()
    return {
        "url": db.mask_url(url),
        "sizes": asdict(sizes),
        "seed": seed,
        "migrate_s": round(migrated - started, 3),
        "insert_s": {table: round(s, 3) for table, s in seconds.items()},
        "total_s": round(finished - started, 3),
    }


def default_path(tasks: int) -> Path:
    return DATA_DIR / f"tasks-{tasks}.db"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    defaults = Sizes()
    for name, value in asdict(defaults).items():
        parser.add_argument(f"--{name}", type=int, default=value, help=f"rows of {name} (default {value:,})")
    parser.add_argument("--seed", type=int, default=20_260_101)
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--out", type=Path, help="SQLite file (default benchmarks/data/tasks-N.db)")
    target.add_argument("--url", help="database URL instead of a SQLite file (e.g. PostgreSQL)")
    parser.add_argument("--force", action="store_true", help="replace an existing database")
    args = parser.parse_args(argv)
    sizes = Sizes(**{name: getattr(args, name) for name in asdict(defaults)})
    url = args.url or db.sqlite_url((args.out or default_path(sizes.tasks)).resolve())
    report = generate(url, sizes, args.seed, force=args.force)
    for key, value in report.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
