"""Rejected rows are reported with their line, field and reason, and nothing is written."""

from __future__ import annotations

from pathlib import Path

from transferhelpers import run_import, table_contents, write_csv

from desktop.store import Store


def _users(store: Store) -> None:
    store.users.create({"username": "alice", "email": "alice@example.com"})


def test_every_kind_of_bad_task_row_is_reported_and_nothing_is_written(store: Store, tmp_path: Path) -> None:
    _users(store)
    before = table_contents(store)
    path = write_csv(
        tmp_path / "tasks.csv",
        "title,status,owner\n"
        "Good one,todo,alice\n"
        "   ,todo,alice\n"
        "Unknown owner,todo,nobody\n"
        "Bad status,later,alice\n"
        "Good two,done,alice\n",
    )
    result = run_import(store, "task", path)
    assert [str(rejection) for rejection in result.rejected] == [
        "line 3: title: must not be blank",
        "line 4: owner: no user named 'nobody'",
        "line 5: status: Input should be 'todo', 'in_progress' or 'done'",
    ]
    assert result.imported == 0 and not result.written
    assert table_contents(store) == before


def test_duplicate_username_within_the_file_and_against_the_database(store: Store, tmp_path: Path) -> None:
    _users(store)
    before = table_contents(store)
    path = write_csv(
        tmp_path / "users.csv",
        "username,email\ncarol,carol@example.com\nalice,other@example.com\ncarol,c2@example.com\n"
        "dave,not-an-email\n",
    )
    result = run_import(store, "user", path)
    messages = [str(rejection) for rejection in result.rejected]
    assert messages[0] == "line 3: username: 'alice' is already taken by another user"
    assert messages[1] == "line 4: username: 'carol' is already used on line 2"
    assert messages[2].startswith("line 5: email: is not a valid e-mail address")
    assert table_contents(store) == before


def test_negative_price_and_the_dialogs_wording(store: Store, tmp_path: Path) -> None:
    before = table_contents(store)
    path = write_csv(tmp_path / "items.csv", "name,price\nFine,1.5\nCheap,-3\n")
    result = run_import(store, "item", path)
    assert [str(rejection) for rejection in result.rejected] == ["line 3: price: must be at least 0"]
    assert table_contents(store) == before


def test_valid_only_writes_the_good_rows_and_reports_the_others(store: Store, tmp_path: Path) -> None:
    _users(store)
    path = write_csv(tmp_path / "tasks.csv", "title,owner\nOne,alice\n,alice\nTwo,alice\n")
    result = run_import(store, "task", path, valid_only=True)
    assert [str(r) for r in result.rejected] == ["line 3: title: is required"]
    assert result.imported == 2
    assert sorted(task.title for task in store.tasks.list(limit=10)) == ["One", "Two"]
    assert sorted(result.ids) == sorted(task.id for task in store.tasks.list(limit=10))


def test_dry_run_checks_every_row_and_writes_nothing(store: Store, tmp_path: Path) -> None:
    _users(store)
    before = table_contents(store)
    path = write_csv(tmp_path / "tasks.csv", "title,owner\nOne,alice\nTwo,alice\n")
    result = run_import(store, "task", path, dry_run=True)
    assert result.rejected == [] and result.read == 2 and len(result.preview) == 2
    assert result.preview[0]["owner"] == "alice"
    assert table_contents(store) == before


def test_a_cancelled_import_writes_nothing(store: Store, tmp_path: Path) -> None:
    _users(store)
    before = table_contents(store)
    lines = "".join(f"Task {n},alice\n" for n in range(25_000))
    path = write_csv(tmp_path / "tasks.csv", "title,owner\n" + lines)
    batches: list[int] = []

    def stop_after_the_first_batch() -> bool:
        batches.append(1)
        return len(batches) > 1

    from desktop.transfer.importing import ImportCancelled

    try:
        run_import(store, "task", path, should_stop=stop_after_the_first_batch)
    except ImportCancelled as error:
        assert "nothing was written" in error.message
    else:
        raise AssertionError("the import was not cancelled")
    assert table_contents(store) == before


def test_references_by_id_and_unknown_ids(store: Store, tmp_path: Path) -> None:
    _users(store)
    owner_id = store.users.list()[0].id
    path = write_csv(tmp_path / "tasks.csv", f"title,owner_id\nBy id,{owner_id}\nMissing,9999\n")
    result = run_import(store, "task", path)
    assert [str(r) for r in result.rejected] == ["line 3: owner_id: there is no user with id 9999"]


def test_an_ambiguous_team_name_asks_for_the_id(store: Store, tmp_path: Path) -> None:
    store.teams.create({"name": "Twins"})
    store.teams.create({"name": "Twins"})
    path = write_csv(tmp_path / "heroes.csv", "name,power,team\nCastor,Riding,Twins\n")
    result = run_import(store, "hero", path)
    assert [str(r) for r in result.rejected] == [
        "line 2: team: 2 teams are named 'Twins': give team_id instead"
    ]


def test_an_id_beside_an_ambiguous_name_says_which(store: Store, tmp_path: Path) -> None:
    store.teams.create({"name": "Twins"})
    second = store.teams.create({"name": "Twins"})
    path = write_csv(tmp_path / "heroes.csv", f"name,power,team,team_id\nPollux,Boxing,Twins,{second.id}\n")
    result = run_import(store, "hero", path)
    assert result.rejected == []
    assert store.heroes.get(result.ids[0]).team_id == second.id
