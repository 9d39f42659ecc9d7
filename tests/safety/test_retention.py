"""The retention policy as a function of backup times and the current time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.backup import retained

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def days_ago(*days: float) -> list[datetime]:
    return [NOW - timedelta(days=day) for day in days]


def test_every_backup_of_the_last_two_days_is_kept() -> None:
    stamps = [NOW - timedelta(minutes=10 * step) for step in range(2 * 24 * 6 + 1)]
    assert retained(stamps, NOW) == set(stamps)


def test_then_the_newest_of_each_of_seven_days() -> None:
    # Four backups a day for twelve days, two days back from now.
    stamps = [NOW - timedelta(days=2, hours=1) - timedelta(hours=6 * step) for step in range(48)]
    kept = sorted(retained(stamps, NOW), reverse=True)
    newest_per_day = sorted({stamp.date(): stamp for stamp in sorted(stamps)}.values(), reverse=True)
    assert kept[:7] == newest_per_day[:7]
    # What is older than those seven days falls to the weekly tier: one per week from here on.
    assert len({stamp.isocalendar()[:2] for stamp in kept[7:]}) == len(kept[7:])


def test_days_without_backups_do_not_use_up_the_tiers() -> None:
    """After a long holiday the last backups before it are still kept: tiers count days that have one."""
    before_the_break = days_ago(200, 201, 202, 203, 204, 205, 206, 207)
    assert retained(before_the_break, NOW) == set(before_the_break)


def test_sparse_backups_fill_every_tier_and_older_ones_go() -> None:
    monthly = [datetime(2024 + month // 12, month % 12 + 1, 15, tzinfo=UTC) for month in range(30)]
    kept = retained(monthly, NOW)
    assert kept == set(sorted(monthly)[-(7 + 4 + 12) :])


def test_a_clock_set_back_keeps_backups_from_the_future() -> None:
    future = [NOW + timedelta(days=3), NOW + timedelta(days=30)]
    assert retained(future, NOW) == set(future)


stamps_strategy = st.lists(
    st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2026, 11, 25, 12), timezones=st.just(UTC)
    ),
    max_size=300,
)


@settings(max_examples=200, deadline=None)
@given(stamps_strategy)
def test_policy_properties(stamps: list[datetime]) -> None:
    kept = retained(stamps, NOW)
    assert kept <= set(stamps)
    if stamps:
        assert max(stamps) in kept  # the newest backup always stays
    assert {stamp for stamp in stamps if NOW - stamp <= timedelta(days=2)} <= kept
    older = [stamp for stamp in kept if NOW - stamp > timedelta(days=2)]
    assert len(older) <= 7 + 4 + 12
    # Rotating again at the same moment removes nothing more.
    assert retained(kept, NOW) == kept
    # Never more than one kept per day among the older ones.
    assert len({stamp.date() for stamp in older}) == len(older)
