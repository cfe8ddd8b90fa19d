"""Recurring failures: period, regularity and the engine's history, without a database."""

from __future__ import annotations

from correlate.recurrence import History, image_tag, is_regular, period_ms
from correlate.settings import CorrelateSettings
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


def test_history_links_occurrences_and_never_merges_them() -> None:
    h = History(CorrelateSettings())
    found = []
    for i in range(4):
        x = member(
            f"o{i}", i * 6 * H, "OOMKilled", "resource_exhaustion", workload="cart", workload_images=("cart:v2.1.0",)
        )
        found.append(h.occurred(x, f"c{i}"))
    assert found[0] is None, "one occurrence is no series"
    second = found[1]
    assert second is not None and (second.occurrences, second.previous) == (2, ("c0",))
    rec = found[3]
    assert rec is not None
    assert (rec.period_seconds, rec.occurrences, rec.since_image) == (21600, 4, "v2.1.0")
    assert (rec.previous, rec.since) == (("c0", "c1", "c2"), 0)


def test_asking_again_for_a_known_occurrence_gives_the_same_answer() -> None:
    h = History(CorrelateSettings())
    xs = [member(f"o{i}", i * 3 * H, "OOMKilled", "resource_exhaustion", workload="cart") for i in range(3)]
    first = [h.occurred(x, f"c{i}") for i, x in enumerate(xs)]
    assert h.occurred(xs[1], "c1") == first[1]


def test_a_burst_counts_once() -> None:
    h = History(CorrelateSettings())
    for i in range(5):
        x = member(f"b{i}", i * 1000, "OOMKilled", "resource_exhaustion", workload="cart")
        assert h.occurred(x, f"c{i}") is None


def test_irregular_occurrences_are_no_series() -> None:
    h = History(CorrelateSettings(recurrence_min=3))
    out = [
        h.occurred(member(f"o{i}", t, "OOMKilled", "resource_exhaustion", workload="cart"), f"c{i}")
        for i, t in enumerate((0, 1 * H, 12 * H))
    ]
    assert out == [None, None, None]


def test_a_workload_killed_every_few_minutes_is_a_series_and_a_kill_right_after_its_restart_is_not() -> None:
    """A series is as short as the burst a restart makes allows: OOM-killed every 5 minutes is recurring (the
    occurrences apart, each its own correlation), killed again 60 s after its restart is the same burst."""
    h = History(CorrelateSettings())
    m5 = 5 * 60_000
    out = [
        h.occurred(member(f"o{i}", i * m5, "oom_kill", "resource_exhaustion", workload="ship"), f"c{i}")
        for i in range(3)
    ]
    last = out[-1]
    assert last is not None and (last.period_seconds, last.occurrences) == (300, 3)
    again = member("r", 2 * m5 + 60_000, "oom_kill", "resource_exhaustion", workload="ship")
    assert h.occurred(again, "c-burst") is None


def test_one_series_whichever_source_named_each_kill() -> None:
    """The pod's status says ``OOMKilled``, the kernel ``oom_kill``: the same failure, one series."""
    h = History(CorrelateSettings())
    reasons = ("OOMKilled", "oom_kill", "OOMKilled", "oom_kill")
    out = [
        h.occurred(member(f"o{i}", i * 2 * H, r, "resource_exhaustion", workload="kafka"), f"c{i}")
        for i, r in enumerate(reasons)
    ]
    last = out[-1]
    assert last is not None and (last.period_seconds, last.occurrences) == (7200, 4)
    other = member("e", 7 * H, "Evicted", "lifecycle", workload="kafka")  # another kind of failure: its own
    assert h.occurred(other, "c-e") is None
    # a CPU alert of the same category between two kills is another failure: the OOM series goes on
    assert (
        h.occurred(member("cpu", 8 * H + 60_000, "cpu_throttling_high", "resource_exhaustion", workload="kafka"), "c-c")
        is None
    )
    nxt = h.occurred(member("o4", 8 * H, "OOMKilled", "resource_exhaustion", workload="kafka"), "c4")
    assert nxt is not None and (nxt.period_seconds, nxt.occurrences) == (7200, 5)
