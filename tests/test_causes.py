"""What an event is to a correlation: causes, changes, a callee taken down and the failed calls it explains."""

from __future__ import annotations

from dataclasses import replace

import pytest

from correlate import causes
from correlate import model as m
from tests.correlate_members import CALLER, DB, OOM, corr_of, ev, link, node, pod

UNAVAILABLE = "rpc error: code = Unavailable desc = upstream connect error or disconnect/reset before headers"
API = [pod(f"api-{i}", replicas=3) for i in (1, 2, 3)]


@pytest.mark.parametrize(
    ("x", "cause", "down"),
    [
        (OOM, True, True),  # an OOM kill is a cause and takes its pod's service away
        (ev("nr", 0, "NodeNotReady", DB, category="node"), True, True),  # its node gone
        (ev("b", 0, "BackOff", DB, category="crash"), False, True),  # crash-looping: a symptom, but down
        (ev("e", 0, "error_log", DB, category="application_error"), False, False),  # still answering
        (ev("k", 0, "OOMKilling", node("n2"), category="resource_exhaustion"), False, False),  # the node's echo
    ],
)
def test_cause_and_callee_down(x: m.Member, cause: bool, down: bool) -> None:
    assert causes.is_cause(x) is cause and causes.callee_down(x) is down


@pytest.mark.parametrize(
    ("down_pods", "gone"),
    [(1, False), (2, True), (3, True)],  # one pod of three crash-looping is routed around
)
def test_a_service_is_gone_when_half_its_replicas_are_down(down_pods: int, gone: bool) -> None:
    members = [ev(f"b{i}", i, "BackOff", API[i], category="crash") for i in range(down_pods)]
    assert causes.service_gone(corr_of(*members), members[0]) is gone


@pytest.mark.parametrize(
    ("y", "refused"),
    [
        (OOM, True),  # OOM-killed at 0 s, the call failed at 5 s
        (ev("oom", 30, "oom_kill", DB, category="resource_exhaustion"), False),  # killed after the call failed
        # the node controller says NotReady about 40 s after callers felt the node go: a node is told late
        (ev("nr", 45, "NodeNotReady", DB, category="node"), True),
        (ev("nr", 120, "NodeNotReady", DB, category="node"), False),
    ],
)
def test_refused_by(y: m.Member, refused: bool) -> None:
    x = ev("t", 5, "error_log", CALLER, category="application_error", message=UNAVAILABLE)
    assert causes.refused_by(corr_of(y), x, y) is refused


def test_a_callee_down_long_before_and_quiet_since_refused_nothing_now() -> None:
    y = ev("oom", 10, "oom_kill", DB, category="resource_exhaustion")
    late = ev("t", 10 + 121, "error_log", CALLER, category="application_error", message=UNAVAILABLE)
    assert not causes.refused_by(corr_of(y), late, y)
    assert causes.refused_by(corr_of(y), replace(late, ts=(10 + 119) * 1000), y)


def test_a_correlation_takes_in_one_rooted_at_a_failed_call_to_what_it_took_down() -> None:
    err = ev("t", 0, "error_log", CALLER, category="application_error", message=UNAVAILABLE)
    down = corr_of(
        ev("nr", 40, "NodeNotReady", node("n2"), category="node"),
        np := ev("np", 41, "NodeNotReady", DB, category="node"),
    )
    calls = {("np", "t"): link("np", "t", m.CALLS, -1)}  # db-0 is called by the caller
    assert causes.takes_refused(down, corr_of(err), calls)
    assert not causes.takes_refused(down, corr_of(err), {})  # no call between them
    named = ev("t", 0, "timeout", CALLER, target=DB)  # a call that names its callee goes by its name (explain)
    assert not causes.takes_refused(down, corr_of(named), calls)
    forward = {("t", "np"): link("t", "np", m.CALLS, 1)}  # the same call link, seen from the caller's side
    assert causes.takes_refused(down, corr_of(err), forward)
    assert not causes.takes_refused(down, corr_of(err), {("t", "np"): link("t", "np", m.CALLS, -1)})  # np calls t
    assert not causes.takes_refused(down, corr_of(err), {("np", "t"): link("np", "t", m.SAME_NODE, 0)})
    assert np.id in down.members and not causes.takes_refused(down, m.Correlation("empty"), calls)


def test_a_cause_comes_before_its_effect_within_how_late_it_is_told() -> None:
    assert causes.timely(OOM, -29_000) and not causes.timely(OOM, -31_000)
    nr = ev("nr", 0, "NodeNotReady", node("n2"), category="node")
    assert causes.timely(nr, -89_000) and not causes.timely(nr, -91_000)


def test_a_pod_of_a_workload_of_unknown_size_is_its_service() -> None:
    y = ev("b", 0, "BackOff", pod("api-1"), category="crash")  # replicas unknown (0)
    assert causes.service_gone(corr_of(y), y)


DEADLINE = ev("r", 5, "deadline", CALLER, category="application_error", message="rpc error: DeadlineExceeded")
DIAL = ev("d", 8, "timeout", CALLER, target=DB, message="dial tcp 10.0.0.2:5432: i/o timeout")


@pytest.mark.parametrize(
    ("name", "named", "first", "takes"),
    [
        ("the deadline first, the dial 3 s later", DIAL, DEADLINE, True),
        ("the dial first, the deadline after it", replace(DIAL, ts=3_000), DEADLINE, True),
        ("another pod's deadline", DIAL, replace(DEADLINE, ctx=pod("front-2", "n3")), False),
        (
            "the dial 25 s later: another call of the pod, failing where it failed",
            replace(DIAL, ts=30_000),
            DEADLINE,
            True,
        ),
        ("the dial 3 minutes later", replace(DIAL, ts=185_000), DEADLINE, False),
        ("a deadline that named its callee is its own call", DIAL, replace(DEADLINE, target=DB), False),
    ],
)
def test_a_correlation_takes_in_its_members_call_told_twice(
    name: str, named: m.Member, first: m.Member, takes: bool
) -> None:
    """The RPC layer's deadline, naming nothing, rooted a correlation of its own; the callee's correlation, holding
    the same pod's dial that named the callee, takes it in (``calls.told_twice`` within the clocks' skew,
    ``calls.told_beside`` within two minutes), whichever came first, with no call graph known."""
    down = ev("oom", 0, "oom_kill", DB, category="resource_exhaustion")
    assert causes.takes_refused(corr_of(down, named), corr_of(first), {}) is takes, name


@pytest.mark.parametrize(
    ("name", "members", "expected"),
    [
        ("a BackOff counts as often as it happened", [("BackOff", "k8s_event", 4)], 4),
        ("BackOffs told apart add up", [("BackOff", "k8s_event", 1), ("BackOff", "k8s_event", 2)], 3),
        (
            "a crash's log and its BackOff: one restart told twice",
            [("panic", "collector", 1), ("BackOff", "k8s_event", 2)],
            2,
        ),
        (
            "one crash as a log, an exit and a restart",
            [("panic", "collector", 1), ("exit", "collector", 1), ("restart", "collector", 1)],
            1,
        ),
        ("the same word three times", [("panic", "collector", 1)] * 3, 3),
    ],
)
def test_restarts_are_the_most_any_source_tells(name: str, members: list[tuple[str, str, int]], expected: int) -> None:
    crashes = [
        replace(ev(f"c{i}", 0, reason, pod("api-1"), category="crash", source_kind=source), count=n)
        for i, (reason, source, n) in enumerate(members)
    ]
    other = ev("p", 0, "Unhealthy", pod("api-2"), category="probe")
    assert causes.restarts([*crashes, other]) == {pod("api-1").uid: expected}, name
    assert causes.restarted_only([*crashes, other]) == ({pod("api-1").uid} if expected < 3 else set()), name


def test_a_jobs_failure_is_no_pods_restart() -> None:
    job = m.Context(kind="Job", name="nightly", namespace="shop", uid="uid-job-nightly")
    failed = ev("j", 0, "BackoffLimitExceeded", job, category="crash", source_kind="k8s_event")
    assert causes.restarts([failed]) == {} and causes.restarted_only([failed]) == set()
