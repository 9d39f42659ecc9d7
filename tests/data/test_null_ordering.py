"""Empty values sort after every value, ascending, on every database, in list and page alike."""

from __future__ import annotations

from desktop.models import HeroCreate, ItemCreate, TeamCreate
from desktop.store import Store


def test_heroes_without_a_team_come_last_by_team_name_and_first_reversed(store: Store) -> None:
    avengers = store.teams.create(TeamCreate(name="Avengers"))
    for name, team_id in [("Loner", None), ("Thor", avengers.id), ("Drifter", None)]:
        store.heroes.create(HeroCreate(name=name, power="p", team_id=team_id))

    ascending = [record.read.name for record in store.heroes.page(0, 10, order_by="team")]
    descending = [record.read.name for record in store.heroes.page(0, 10, order_by="team", descending=True)]

    assert ascending == ["Thor", "Loner", "Drifter"]
    assert descending == ["Drifter", "Loner", "Thor"]
    assert [h.name for h in store.heroes.list(order_by="team_id")] == ascending


def test_a_window_read_backwards_keeps_empty_values_where_forwards_puts_them(store: Store) -> None:
    for index in range(6):
        store.items.create(
            ItemCreate(name=f"Item {index}", price=1, description=None if index % 2 else f"text {index}")
        )
    total = store.items.count()

    forwards = [r.read.name for r in store.items.page(0, total, order_by="description")]
    tail_backwards = [r.read.name for r in store.items.page(4, 2, order_by="description", total=total)]

    assert forwards[:3] == ["Item 0", "Item 2", "Item 4"]
    assert tail_backwards == forwards[4:]
