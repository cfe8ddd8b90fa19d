"""The Node named by its pods' symptoms (pure): two workloads or more, close in time, their own trouble aside."""

from __future__ import annotations

import pytest

from correlate import nodeinfer
from tests.correlate_members import CALLER, DB, ev, pod

PROBE_TIMEOUT = "Readiness probe failed: timeout"


@pytest.mark.parametrize(
    ("spread_s", "workloads", "node"),
    [
        ((0, 10, 20), ("a", "b", "a"), "n1"),  # three signals of two workloads within the span
        ((0, 10, 20), ("a", "a", "a"), ""),  # one workload's pods: that workload's trouble, not the node's
        ((0, 100, 400), ("a", "b", "a"), ""),  # too far apart to be one moment of the node
        ((0, 10), ("a", "b"), ""),  # two signals are not enough
    ],
)
def test_a_node_is_named_by_its_pods_of_two_workloads_failing_together(
    spread_s: tuple[int, ...], workloads: tuple[str, ...], node: str
) -> None:
    members = [
        ev(f"p{i}", t, "Unhealthy", pod(f"{w}-{i}", "n1"), category="probe", message=PROBE_TIMEOUT)
        for i, (t, w) in enumerate(zip(spread_s, workloads, strict=True))
    ]
    assert nodeinfer.inferred_node(members) == node


def test_a_crashing_containers_failed_probes_point_at_no_node() -> None:
    members = [
        ev(f"p{i}", i, "Unhealthy", pod(f"{w}-1", "n1"), category="probe", message=PROBE_TIMEOUT)
        for i, w in enumerate("aba")
    ]
    crash = ev("c", 0, "BackOff", pod("b-1", "n1"), category="crash")
    assert nodeinfer.inferred_node(members) == "n1"
    assert nodeinfer.inferred_node([crash, *members]) == ""  # b-1's probes are its crash's; a alone is one workload


@pytest.mark.parametrize(
    ("category", "own", "node"),
    [
        ("application_error", "unhandled NullPointerException in handler", False),
        ("network", "read tcp 10.0.2.2:5432: connection reset by peer", False),  # its own broken connections
        ("performance", "p99 latency 2.3 s", True),  # slow: what a node in trouble makes its pods
    ],
)
def test_timeouts_calling_a_pod_whose_own_code_fails_point_at_that_pod_not_its_node(
    category: str, own: str, node: bool
) -> None:
    """Callers time out on db-0 and a neighbour's probe times out on its node n2: the node, unless db-0 is failing
    on its own (its exception, its connections reset, naming no callee and no timeout of its own), which is what
    the callers met."""
    neighbour = pod("cache-1", "n2")
    members = [
        ev("d1", 0, "connection_reset" if category == "network" else "error_log", DB, category=category, message=own),
        ev("t1", 5, "timeout", CALLER, target=DB, message="request to db timed out"),
        ev("t2", 8, "timeout", CALLER, target=DB, message="request to db timed out"),
        ev("p1", 9, "Unhealthy", neighbour, category="probe", message="Readiness probe failed: timeout"),
    ]
    assert (nodeinfer.inferred_node(members) == "n2") is node
