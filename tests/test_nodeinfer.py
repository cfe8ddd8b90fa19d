"""The Node named by its pods' symptoms (pure): two workloads or more, close in time, their own trouble aside."""

from __future__ import annotations

from dataclasses import replace

import pytest

from correlate import model as m
from correlate import nodeinfer
from tests.correlate_members import CALLER, DB, A, B, ev, pod, service

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


def _call(eid: str, t: float, caller: m.Context, callee: m.Context) -> m.Member:
    return ev(eid, t, "timeout", caller, target=callee, message="dial tcp: i/o timeout")


CART_SVC = replace(service("cart"), pod_nodes=("n4",))
CURRENCY, PAY = pod("currency-1", "n5"), pod("pay-1", "n5")


@pytest.mark.parametrize(
    ("calls", "node"),
    [
        # n1's pods reach nothing (calls out of a-1 and b-1 to callees elsewhere), and a call into b-1 from outside
        # got no answer: both directions, two workloads
        ((("a-1", "cart"), ("b-1", "currency"), ("front-1", "b-1")), "n1"),
        # calls out alone, two workloads: what a callee gone dead does to its callers (no call into n1 failed)
        ((("a-1", "cart"), ("b-1", "currency"), ("a-1", "currency")), ""),
        # n5's pods answer nobody (calls into two of its workloads): a-1's and b-1's calls to them are n5's doing,
        # and the one call into a-1 does not name n1
        ((("front-1", "currency"), ("front-1", "pay"), ("a-1", "currency"), ("b-1", "pay"), ("front-1", "a-1")), "n5"),
    ],
)
def test_a_node_cut_off_is_named_by_calls_in_both_directions(calls: tuple[tuple[str, str], ...], node: str) -> None:
    """Calls out of a node's pods that got no answer count for that node beside a call into it (a node cut off
    answers none and carries none), never alone, and not when the callee's node is named by what its callers
    cannot reach."""
    pods = {"a-1": A, "b-1": B, "front-1": CALLER, "currency": CURRENCY, "pay": PAY}
    members = [
        _call(f"c{i}", i * 5, pods[src], CART_SVC if dst == "cart" else pods[dst]) for i, (src, dst) in enumerate(calls)
    ]
    assert nodeinfer.inferred_node(members) == node
