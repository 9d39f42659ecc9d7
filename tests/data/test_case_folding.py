"""Case-insensitive search is Unicode case folding on every database, with the same results."""

from __future__ import annotations

from random import Random

import pytest

from desktop.store import Store
from desktop.store.search import can_meet
from tests.data.datahelpers import task, user

# Letters whose folding differs from their lower case, or that a database's lower() gets wrong:
# the dotted and dotless i, sharp s (small and capital), long s, final sigma, the ligatures
# ﬁ and ﬃ, the Kelvin and Ångström signs, micro sign, title-case ǅ, Greek with iota subscript and
# dialytika, Armenian ligature և, Cherokee (folds to upper case), Deseret (beyond the BMP).
TRICKY = "iIİ\u0131ßẞ\u017fsSς\u03c3ΣﬁﬃfKkÅåµμǅǆᾳΐևᏸᏰꭰ\u13a0𐐀𐐨aAtT "


def folded_ids(rows: list[tuple[int, str, str | None]], search: str) -> list[int]:
    needle = search.strip().casefold()
    return [row_id for row_id, *texts in rows if any(needle in (text or "").casefold() for text in texts)]


@pytest.mark.parametrize(
    ("search", "finds"),
    [
        ("istanbul", ["ISTANBUL"]),  # "İ" folds to "i" and a combining dot
        ("i\u0307stanbul", ["İstanbul"]),
        ("stanbul", ["İstanbul", "ISTANBUL"]),
        ("σίσυφος", ["ΣΊΣΥΦΟΣ", "σίσυφοσ"]),  # a final sigma folds to a plain one
        ("strasse", ["Straße", "STRASSE"]),
        ("ß", ["Straße", "STRASSE"]),
        ("file", ["ﬁle"]),
        ("kelvin", ["\u212aelvin"]),
    ],
)
def test_search_folds_case_alike_everywhere(store: Store, search: str, finds: list[str]) -> None:
    owner = user(store, "owner")
    titles = [
        "İstanbul",
        "ISTANBUL",
        "ΣΊΣΥΦΟΣ",
        "σίσυφοσ",
        "Straße",
        "STRASSE",
        "ﬁle",
        "\u212aelvin",
        "plain",
    ]
    for title in titles:
        task(store, title, owner)
    found = [row.title for row in store.tasks.list(search=search, order_by="id", limit=100)]
    assert found == finds
    assert store.tasks.count(search=search) == len(finds)


def test_random_text_is_found_as_folding_finds_it(store: Store) -> None:
    random = Random(20_261_201)
    owner = user(store, "owner")
    for n in range(80):
        title = "".join(random.choices(TRICKY, k=random.randint(1, 6)))
        description = "".join(random.choices(TRICKY, k=random.randint(0, 6))) or None
        task(store, f"{n}{title}", owner, description=description)
    rows = [(r.read.id, r.read.title, r.read.description) for r in store.tasks.page(0, 200, order_by="id")]
    searches = {"".join(random.choices(TRICKY.strip(), k=random.randint(1, 3))) for _ in range(120)}
    for search in sorted(searches):
        expected = folded_ids(rows, search)
        assert [r.read.id for r in store.tasks.page(0, 200, search=search, order_by="id")] == expected, search
        assert store.tasks.count(search=search) == len(expected), search


def test_can_meet_is_any_overlap() -> None:
    assert can_meet("taxi", "i\u0307")  # ends in the "i" of a folded "İ"
    assert not can_meet("istanbul", "i\u0307")  # would need the combining dot
    assert can_meet("invoice", "fi")  # could start in "ﬁ"
    assert can_meet("s", "ss") and can_meet("strasse", "ss")
    assert not can_meet("voice", "fi")
