"""Alembic environment: the app passes its connection; the CLI builds one from the URL."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import desktop.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from desktop.db import (
    compared_by_autogenerate,
    create_engine,
    default_database_url,
    migration_transaction,
    prepare_sqlite_file,
    sqlite_path,
)

config = context.config
target_metadata = SQLModel.metadata

if config.config_file_name is not None and config.attributes.get("connection") is None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or default_database_url()


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=compared_by_autogenerate,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        include_object=compared_by_autogenerate,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    url = database_url()
    path = sqlite_path(url)
    if path is not None:
        prepare_sqlite_file(path)
    engine = create_engine(url)
    try:
        with migration_transaction(engine) as connection:
            run_with(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
