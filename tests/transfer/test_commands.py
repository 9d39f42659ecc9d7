"""`taskforce export`, `import`, `copy`, and backup/restore of a server database: output and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from transferhelpers import seed, table_contents, write_csv

from desktop import db
from desktop.app import main
from desktop.store import Store


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def url(tmp_path: Path) -> str:
    address = db.sqlite_url(tmp_path / "data.db")
    with Store.open(address) as store:
        store.users.create({"username": "alice", "email": "alice@example.com"})
    return address


def test_import_exit_codes(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_csv(tmp_path / "good.csv", "title,owner\nOne,alice\nTwo,alice\n")
    bad = write_csv(tmp_path / "bad.csv", "title,owner\nThree,alice\nFour,nobody\n")
    status, out, _ = run(capsys, "--database-url", url, "import", "tasks", str(bad))
    assert status == 1
    assert out.splitlines()[0] == "line 3: owner: no user named 'nobody'"
    assert "imported nothing" in out
    status, out, _ = run(capsys, "--database-url", url, "import", "tasks", str(good), "--dry-run")
    assert status == 0 and "checked 2 rows" in out
    status, out, _ = run(capsys, "--database-url", url, "import", "tasks", str(good))
    assert status == 0 and out.startswith("imported 2 tasks in ")
    status, out, _ = run(capsys, "--database-url", url, "import", "tasks", str(bad), "--valid-only")
    assert status == 0 and "imported 1 task in" in out and "line 3: owner" in out
    only_bad = write_csv(tmp_path / "only_bad.csv", "title,owner\nFive,nobody\n")
    status, _, _ = run(capsys, "--database-url", url, "import", "tasks", str(only_bad), "--valid-only")
    assert status == 1
    with Store.open(url) as store:
        assert sorted(task.title for task in store.tasks.list()) == ["One", "Three", "Two"]


def test_import_options_and_unreadable_files(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    semicolons = write_csv(tmp_path / "t.dat", "title;owner\nCafé;alice\n", "cp1252")
    status, out, _ = run(
        capsys,
        "--database-url",
        url,
        "import",
        "tasks",
        str(semicolons),
        "--format",
        "csv",
        "--encoding",
        "cp1252",
        "--delimiter",
        ";",
    )
    assert status == 0, out
    status, _, err = run(capsys, "--database-url", url, "import", "tasks", str(tmp_path / "missing.csv"))
    assert status == 1 and "Cannot read" in err and "Traceback" not in err
    status, _, err = run(capsys, "--database-url", url, "import", "tasks", str(semicolons))
    assert status == 1 and "Cannot tell the format" in err


def test_export_to_stdout_and_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = db.sqlite_url(tmp_path / "seeded.db")
    with Store.open(url) as store:
        seed(store)
    status, out, _ = run(
        capsys, "--database-url", url, "export", "tasks", "-o", "-", "--owner", "alice", "--status", "done"
    )
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "id,title,description,status,created_at,completed_at,owner_id,owner"
    assert all(line.endswith(",alice") and ",done," in line for line in lines[1:] if line.count(",") >= 6)
    target = tmp_path / "users.xlsx"
    status, out, _ = run(
        capsys,
        "--database-url",
        url,
        "export",
        "users",
        "-o",
        str(target),
        "--sort",
        "username",
        "--descending",
    )
    assert status == 0 and target.is_file() and "exported 2 users" in out
    status, _, err = run(capsys, "--database-url", url, "export", "users", "-o", "-", "--status", "done")
    assert status == 2 and "tasks only" in err
    status, _, err = run(capsys, "--database-url", url, "export", "tasks", "-o", "-", "--sort", "colour")
    assert status == 2 and "cannot be sorted by 'colour'" in err
    status, _, err = run(capsys, "--database-url", url, "export", "tasks", "-o", "-", "--owner", "nobody")
    assert status == 2 and "no user named 'nobody'" in err


def test_copy_command(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "copy.db"
    status, out, err = run(capsys, "--database-url", url, "copy", "--to", str(target))
    assert status == 0 and "checksums agree" in out and "copying:" in err
    status, _, err = run(capsys, "copy", "--from", url, "--to", str(target))
    assert status == 1 and "already holds rows" in err and "--replace" in err
    status, out, _ = run(capsys, "copy", "--from", url, "--to", str(target), "--replace")
    assert status == 0


@pytest.mark.parametrize("database_url", ["postgresql", "mariadb"], indirect=True)
def test_backup_and_restore_of_a_server_go_through_an_sqlite_copy(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(database_url) as store:
        seed(store)
        original = table_contents(store)
    status, out, _ = run(capsys, "--database-url", database_url, "backup")
    assert status == 0, out
    backup_file = Path(out.splitlines()[-1])
    assert backup_file.is_file() and "Backed up and verified" in out
    status, out, _ = run(capsys, "--database-url", database_url, "backup", "--list")
    assert status == 0 and str(backup_file) in out
    with Store.open(database_url) as store:
        store.items.delete(store.items.list()[0].id)
    status, out, err = run(capsys, "--database-url", database_url, "restore", str(backup_file))
    assert status == 0, err
    assert "The data it held before is kept in" in out
    with Store.open(database_url) as store:
        assert table_contents(store) == original
