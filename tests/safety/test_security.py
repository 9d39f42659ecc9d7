"""Private files, no SQL built from strings, and passwords that never show."""

from __future__ import annotations

import ast
import logging
import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from safetyhelpers import mode

from desktop import backup, db
from desktop.app import main
from desktop.errors import DatabaseOpenError
from desktop.store import Store

DESKTOP = Path(__file__).resolve().parents[2] / "desktop"
SQL_SHAPES = re.compile(
    r"\bSELECT\b.*\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+\S+\s+SET\b|\bDELETE\s+FROM\b|\bPRAGMA\s"
    r"|\b(?:CREATE|DROP|ALTER)\s+(?:TABLE|INDEX|DATABASE|VIEW)\b|\bWHERE\s+\S+\s*(?:=|IN\b|LIKE\b)",
    re.DOTALL,  # SQL keywords in capitals, as this code writes them; prose uses lower case
)
EXECUTORS = {"execute", "executemany", "executescript", "exec_driver_sql", "text"}


# --- permissions ----------------------------------------------------------------------------------------


def test_data_dir_database_and_backups_are_private() -> None:
    with Store.open() as store:
        store.teams.create({"name": "Avengers"})
        path = store.path
    assert path is not None
    made = backup.create_backup(path)
    aside = backup.set_aside(path)

    assert mode(db.data_dir()) == 0o700
    assert mode(path) == 0o600
    assert mode(made.path.parent) == 0o700
    for file in made.path.parent.iterdir():
        assert mode(file) == 0o600, file
    assert mode(aside) == 0o600
    backup.restore(path, made.path)
    assert mode(path) == 0o600


# --- no SQL built by string formatting ------------------------------------------------------------------


def _is_formatted(node: ast.expr) -> bool:
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.FormattedValue) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return True
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"


def _text_of(node: ast.expr) -> str:
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value for part in node.values if isinstance(part, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _text_of(node.left) + _text_of(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return _text_of(node.func.value)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ""


def formatted_sql(source: str) -> list[int]:
    """Lines where SQL is built by formatting: passed to an executor, or a formatted string of SQL."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in EXECUTORS and node.args and _is_formatted(node.args[0]):
                found.append(node.lineno)
        if isinstance(node, ast.expr) and _is_formatted(node) and SQL_SHAPES.search(_text_of(node)):
            found.append(node.lineno)
    return sorted(set(found))


def test_the_lint_finds_sql_built_from_strings() -> None:
    bad = """
cursor.execute(f"PRAGMA busy_timeout = {ms}")
connection.exec_driver_sql("SELECT * FROM " + table)
session.execute(text("DELETE FROM task WHERE id = %s" % row_id))
query = f"SELECT name FROM {table} WHERE id = 1"
other = "UPDATE item SET name = '{}'".format(name)
"""
    good = """
cursor.execute("PRAGMA foreign_keys = ON")
session.execute(sa.select(table).where(table.c.id == row_id))
message = f"The {label} was deleted elsewhere."
hint = f"Delete {count} rows? Or select others from the list, or update {name} to set it."
"""
    assert formatted_sql(bad) == [2, 3, 4, 5, 6]
    assert formatted_sql(good) == []


def test_no_sql_is_built_by_string_formatting_in_the_app() -> None:
    offenders = {
        str(path.relative_to(DESKTOP)): lines
        for path in sorted(DESKTOP.rglob("*.py"))
        if (lines := formatted_sql(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_no_sql_injection_warning_is_silenced_in_the_app() -> None:
    silenced = [path for path in DESKTOP.rglob("*.py") if "noqa: S608" in path.read_text(encoding="utf-8")]
    assert silenced == []


# --- passwords --------------------------------------------------------------------------------------------

SECRET = "Sup3r-Secret-pw"


def test_a_password_never_appears_in_an_open_error_or_the_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    url = f"postgresql+psycopg://someone:{SECRET}@127.0.0.1:1/taskforce"

    with pytest.raises(DatabaseOpenError) as refused:
        Store.open(url)

    assert SECRET not in refused.value.message
    assert "someone:***@127.0.0.1" in refused.value.message
    assert SECRET not in caplog.text


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_password_never_appears_in_command_output_or_the_log_file(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # The test server trusts local connections, so any password is accepted.
    url = sa.make_url(database_url).set(password=SECRET).render_as_string(hide_password=False)
    with Store.open(url, echo=True) as store:
        assert SECRET not in store.location

    for argv in (["check"], ["--verbose", "check"], ["backup"]):
        main(["--database-url", url, *argv])
        out, err = capsys.readouterr()
        assert SECRET not in out + err
    logs = list(Path(os.environ["TASKFORCE_DATA_DIR"]).rglob("*.log"))
    assert logs
    assert all(SECRET not in log.read_text(encoding="utf-8") for log in logs)
