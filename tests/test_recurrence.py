"""Recurring failures: period, regularity and the engine's history, without a database."""

from __future__ import annotations

from causegraph.settings import CorrelateSettings
from correlate import model as m
from correlate.recurrence import History, image_tag, is_regular, period_ms
from tests.correlate_members import member

H = 3_600_000


def test_period_is_the_median_gap() -> None:
    assert period_ms([0, 6 * H, 12 * H, 19 * H]) == 6 * H
    assert period_ms([5]) == 0


def test_regular_needs_enough_similar_long_gaps() -> None:
    assert is_regular([0, 6 * H, 12 * H], 3, 900_000)
    assert not is_regular([0, 6 * H], 3, 900_000)
    assert not is_regular([0, 1 * H, 12 * H], 3, 900_000)
    assert not is_regular([0, 60_000, 120_000], 3, 900_000)


def test_image_tag() -> None:
    assert image_tag(["repo:5000/cart:v2.1.0"]) == "v2.1.0"
    assert image_tag(["repo:5000/cart"]) == "repo:5000/cart"
    assert image_tag([]) == ""


def test_history_creates_one_recurring_correlation_per_key() -> None:
    h = History(CorrelateSettings())
    found = []
    for i in range(4):
        x = member(
            f"o{i}", i * 6 * H, "OOMKilled", "resource_exhaustion", workload="cart", workload_images=("cart:v2.1.0",)
        )
        corr, absorbed = h.recurring_for(x)
        found.append(corr)
        target = corr or m.Correlation(f"c{i}")
        if i < 2:  # what followed the kill joined the occurrence's correlation
            follow = member(f"u{i}", x.ts + 5000, "Unhealthy", "probe", workload="cart", link=m.SAME_RESOURCE)
            target.members[follow.id] = follow
        if i == 2:
            assert len(absorbed) == 2
        target.members[x.id] = x
        h.observe(x, target)
    assert found[0] is None and found[1] is None
    assert found[2] is not None and found[3] is found[2]
    rec = found[3].recurring
    assert rec is not None and (rec.period_seconds, rec.occurrences, rec.since_image) == (21600, 4, "v2.1.0")
    assert list(found[3].members) == ["o0", "u0", "o1", "u1", "o2", "o3"]
    assert h.first[found[3].id] == "o0"


def test_a_burst_counts_once() -> None:
    h = History(CorrelateSettings())
    for i in range(5):
        x = member(f"b{i}", i * 1000, "OOMKilled", "resource_exhaustion", workload="cart")
        assert h.recurring_for(x) == (None, [])
        h.observe(x, m.Correlation("c"))
