"""The building -> active -> resolved machine, versions and when to publish, without a database."""

from __future__ import annotations

import pytest

from correlate import state as st
from correlate.settings import CorrelateSettings

S = CorrelateSettings()


def snap(
    state: str = st.ACTIVE,
    root: str = "r",
    pattern: str = "cascading_failure",
    members: tuple[str, ...] = ("r",),
    impact: tuple[str, ...] = ("api",),
) -> st.Snapshot:
    return st.Snapshot(state, root, pattern, impact, members)


@pytest.mark.parametrize(
    ("members", "conf", "rank", "pattern", "cause", "expected"),
    [
        (2, 0.6, 4, "workload_failure", True, True),  # a cause and what followed it
        (2, 0.6, 4, "workload_failure", False, False),  # two symptoms touching: background, not an incident
        (3, 0.6, 4, "workload_failure", False, True),
        (1, 0.9, 4, "single_event", False, False),
        (2, 0.4, 4, "x", True, False),
        (1, 0.3, 7, "single_event", False, True),
        (1, 0.5, 5, "recurring_failure", False, True),
    ],
)
def test_evidence_enough(members: int, conf: float, rank: int, pattern: str, cause: bool, expected: bool) -> None:
    got = st.evidence_enough(
        S, members=members, confidence=conf, worst_rank=rank, pattern=pattern, rooted_in_cause=cause
    )
    assert got is expected


@pytest.mark.parametrize(
    ("surprises", "cause", "rank", "serious", "repeats", "expected"),
    [
        ((3.5, 0.5), False, 5, 3, 1, True),  # one resource's anomalies unlikely for its past: an incident
        ((3.5, 0.5), False, 5, 2, 1, False),  # ... an error or two among one-off warnings: a busy pod now and then
        ((3.5, 0.5), False, 4, 0, 3, True),  # ... warnings only, one of them repeating
        ((3.5, 0.5), False, 4, 0, 2, False),  # ... warnings of different kinds, none repeating much: background
        ((1.0,), False, 5, 3, 1, False),  # what those resources always do: background
        ((1.0,), False, 5, 3, 5, False),  # ... however often it repeats
        ((1.0,), False, 7, 1, 1, True),  # ... unless critical
        ((1.5, 1.5, 1.5), False, 5, 3, 1, False),  # a lone warning on each of a few quiet pods: no news
        ((1.5,) * 6, False, 5, 3, 1, False),  # ... on six: what a busy namespace's background reaches
        ((1.5,) * 10, False, 5, 3, 1, True),  # ... on ten at once: news
        ((3.5,), True, 5, 3, 1, True),  # an inferred cause that is news needs no more symptoms
        ((1.0,), True, 5, 3, 1, False),  # ... and is not published when it is not
        (None, False, 4, 0, 1, True),  # not judged
    ],
)
def test_symptoms_as_usual_for_their_resources_are_no_incident(
    surprises: tuple[float, ...] | None, cause: bool, rank: int, serious: int, repeats: int, expected: bool
) -> None:
    got = st.evidence_enough(
        S,
        members=5,
        confidence=0.6,
        worst_rank=rank,
        pattern="cascading_failure",
        repeats=repeats,
        rooted_in_cause=cause,
        surprises=surprises,
        serious=serious,
    )
    assert got is expected


@pytest.mark.parametrize(
    ("marks", "restarted_only", "expected"),
    [
        ([("a", "application_error", 6), ("a", "crash", 5), ("b", "probe", 5)], {"a"}, 2),  # a restart or two
        ([("a", "application_error", 6), ("a", "crash", 5), ("b", "probe", 5)], set(), 3),  # a loop (or no pod's)
        ([("a", "crash", 5), ("b", "crash", 5)], {"a"}, 1),
        ([("a", "latency", 4)], set(), 0),  # a warning is not serious however often it repeats (``repeats`` says so)
    ],
)
def test_a_pods_crashes_are_serious_when_it_crash_loops(
    marks: list[tuple[str, str, int]], restarted_only: set[str], expected: int
) -> None:
    assert st.serious((st.Mark(key, "r", 1, False, rank, cat) for key, cat, rank in marks), restarted_only) == expected


@pytest.mark.parametrize(
    ("repeats", "cause_rank", "expected"), [(3, 0, True), (2, 0, False), (1, 5, True), (1, 4, False)]
)
def test_a_lone_event_publishes_when_it_repeats_or_is_a_severe_cause(
    repeats: int, cause_rank: int, expected: bool
) -> None:
    got = st.evidence_enough(
        S, members=1, confidence=0.3, worst_rank=4, pattern="single_event", repeats=repeats, cause_rank=cause_rank
    )
    assert got is expected


@pytest.mark.parametrize(
    ("current", "enough", "quiet", "recovered", "expected"),
    [
        (st.BUILDING, False, False, False, st.BUILDING),
        (st.BUILDING, True, False, False, st.ACTIVE),
        (st.ACTIVE, True, True, False, st.RESOLVED),
        (st.ACTIVE, True, False, True, st.RESOLVED),
        (st.RESOLVED, True, False, False, st.ACTIVE),
        (st.RESOLVED, False, False, False, st.RESOLVED),
        (st.BUILDING, False, True, False, st.RESOLVED),
    ],
)
def test_next_state(current: str, enough: bool, quiet: bool, recovered: bool, expected: str) -> None:
    assert st.next_state(current, enough=enough, quiet=quiet, recovered=recovered) == expected


def test_publish_on_activation_and_on_news_only() -> None:
    assert not st.should_publish(None, snap(st.BUILDING), ever_published=False)
    assert st.should_publish(None, snap(), ever_published=False)
    assert not st.should_publish(snap(), snap(), ever_published=True)
    assert st.should_publish(snap(), snap(root="x"), ever_published=True)
    assert st.should_publish(snap(), snap(pattern="node_failure"), ever_published=True)
    assert st.should_publish(snap(), snap(impact=("api", "web")), ever_published=True)
    assert st.should_publish(snap(), snap(members=("r", "s")), ever_published=True)


def test_resolution_published_once_and_only_if_ever_published() -> None:
    assert st.should_publish(snap(), snap(st.RESOLVED), ever_published=True)
    assert not st.should_publish(snap(st.RESOLVED), snap(st.RESOLVED), ever_published=True)
    assert not st.should_publish(None, snap(st.RESOLVED), ever_published=False)


def test_versions_count_publishes_and_quiet_uses_settings() -> None:
    assert st.next_version(3, True) == 4 and st.next_version(3, False) == 3
    assert st.is_quiet(0, S.resolve_quiet_ms, S) and not st.is_quiet(0, S.resolve_quiet_ms - 1, S)


def mark(resource: str, reason: str, times: int, sent_again: bool, rank: int = 4, category: str = "") -> st.Mark:
    return st.Mark(resource, reason, times, sent_again, rank, category)


def test_repeats_add_up_events_sent_again_and_take_a_kubernetes_events_own_count() -> None:
    assert st.repeats([mark("pod-a", "latency_p99", 1, True)] * 3 + [mark("pod-b", "latency_p99", 1, True)]) == 3
    assert st.repeats([mark("pod-a", "BackOff", 5, False), mark("pod-a", "BackOff", 2, False)]) == 5
    assert st.repeats([mark("pod-a", "Unhealthy", 1, False)] * 3) == 1
    assert st.repeats([mark("pod-a", "x", 1, True), mark("pod-b", "x", 1, True), mark("pod-a", "y", 1, True)]) == 1
    assert st.repeats([]) == 0


MIN = 60_000


@pytest.mark.parametrize(
    ("name", "told", "count", "expected"),
    [
        ("nothing known of when: its count", (), 7, 7),
        ("told once", ((0, 1),), 1, 1),
        ("a crash loop's first back-offs: 10 s, 20 s, 40 s", ((0, 1), (10_000, 2), (30_000, 3), (70_000, 4)), 4, 4),
        ("a probe failing each minute", tuple((i * MIN, i + 1) for i in range(6)), 6, 5),
        ("an agent at the 5 min back-off cap", tuple((i * 5 * MIN, i + 1) for i in range(8)), 8, 1),
        ("an HPA's warning every 2.5 min", tuple((i * 150_000, i + 1) for i in range(8)), 8, 2),
        ("... its latest tellings kept", tuple((i * 150_000, i + 1) for i in range(12))[-8:], 12, 2),
        ("read with 40 tellings in 10 s", ((0, 1), (10_000, 40)), 40, 40),
        ("read with 40 tellings over 2 h: spread evenly", ((0, 1), (120 * MIN, 40)), 40, 2),
        ("read with 41 tellings over 30 min: 6 in 4 min", ((0, 1), (30 * MIN, 41)), 41, 6),
    ],
)
def test_a_warning_keeps_repeating_when_its_tellings_come_close_together(
    name: str, told: tuple[tuple[int, int], ...], count: int, expected: int
) -> None:
    assert st.burst(told, count) == expected, name


def test_a_detectors_firings_add_up_within_the_repeat_span_only() -> None:
    each_minute = [st.Mark("a", "cpu", 1, True, 4, "saturation", i * MIN) for i in range(5)]
    every_three = [st.Mark("a", "log", 1, True, 4, "application_error", i * 3 * MIN) for i in range(5)]
    assert st.repeats(each_minute) == 5  # 0 to 4 min: within 4 min of each other
    assert st.repeats(every_three) == 2  # a pod logging one warning every three minutes: a standing condition


@pytest.mark.parametrize(
    ("name", "marks", "expected"),
    [
        ("one pod's slow spans alone: samples of a busy service", [("a", "trace", 1, True, 4, "performance")] * 4, 1),
        ("a CPU alert firing alone: a detector's windows", [("a", "cpu_usage", 1, True, 4, "saturation")] * 4, 4),
        ("slow spans that say high", [("a", "trace", 1, True, 5, "performance")] * 4, 4),
        (
            "slow spans beside another signal",
            [("a", "trace", 1, True, 4, "performance")] * 4 + [("a", "cpu_usage", 1, True, 4, "saturation")],
            4,
        ),
        (
            "slow spans beside a probe failing",
            [("a", "trace", 1, True, 4, "performance")] * 4 + [("b", "Unhealthy", 1, False, 4, "probe")],
            4,
        ),
    ],
)
def test_slow_requests_alone_are_samples_not_a_detector_firing(
    name: str, marks: list[tuple[str, str, int, bool, int, str]], expected: int
) -> None:
    assert st.repeats(st.Mark(*x) for x in marks) == expected, name


def test_one_request_failing_on_three_resources_is_news() -> None:
    lone = (1.4, 1.4, 1.4)  # one anomaly on each of three quiet resources
    assert not st.news(S, lone)
    assert st.news(S, lone, traced=st.traced_resources([("t1", "a"), ("t1", "b"), ("t1", "c"), ("", "d")]))
    assert st.traced_resources([("t1", "a"), ("t2", "b"), ("t1", "a"), ("", "c"), ("", "d")]) == 1
