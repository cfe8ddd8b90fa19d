"""What a node's trouble does to its pods and their calls: its signals, its silence, when it is a cause (pure).

How a node's condition explains an event in a correlation is asked through ``explain.explanation`` in
``tests/test_explain.py``; these are the node rules themselves, table-driven.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from correlate import model as m
from correlate import nodes
from tests.correlate_members import CALLER, A, B, corr_of, ev, node, pod, service

NOT_READY = ev("nr", 0, "NodeNotReady", node("n1"), category="node")


@pytest.mark.parametrize(
    ("x", "want"),
    [
        # a call to a pod on another node that timed out blames the callee's node, not the caller's
        (ev("e", 1, "timeout", CALLER, target=A, message="request timed out"), [("n1", "ns/a")]),
        (
            ev("e", 1, "timeout", pod("front-2", "n1", workload="front"), target=A, message="timed out"),
            [
                ("n1", "ns/front"),
                ("n1", "ns/a"),
            ],
        ),
        (ev("e", 1, "connection_refused", CALLER, target=A, message="connection refused"), []),
        # TCP's own word for no answer: the SYN went out again and again
        (
            ev(
                "e",
                1,
                "network",
                CALLER,
                target=A,
                message="tcp connect 10.0.0.1:80 SYN retransmitted 3 times, no answer",
            ),
            [("n1", "ns/a")],
        ),
        (ev("e", 1, "Unhealthy", A, category="probe", message="Readiness probe failed: timeout"), [("n1", "ns/a")]),
        (ev("e", 1, "Evicted", A, category="resource_exhaustion", message="The node was low"), [("n1", "ns/a")]),
        (ev("e", 1, "BackOff", A, category="crash", message="Back-off restarting"), []),
    ],
)
def test_node_signals(x: m.Member, want: list[tuple[str, str]]) -> None:
    got = [(n, w.split("/", 1)[1]) for n, w in nodes.node_signals(x)]
    assert got == want


@pytest.mark.parametrize(
    ("x", "node", "want"),
    [
        (ev("e", 1, "timeout", CALLER, target=A, message="request timed out"), "n1", True),  # the callee's node
        # the caller's too: a call out of it that got no answer (``nodeinfer`` weighs the two directions)
        (ev("e", 1, "timeout", CALLER, target=A, message="request timed out"), "n3", True),
        (ev("e", 1, "refused", CALLER, target=A, message="connection refused"), "n3", False),  # A's host answered
        (ev("e", 1, "BackOff", A, category="crash", message="Back-off restarting"), "n1", False),
    ],
)
def test_points_at(x: m.Member, node: str, want: bool) -> None:
    assert nodes.points_at(x, node) is want


SPREAD = replace(service("api"), pod_nodes=("n1", "n2"))


@pytest.mark.parametrize(
    ("x", "want"),
    [
        (ev("e", 1, "timeout", CALLER, target=A, message="dial tcp: i/o timeout"), ("n3", "deployment/ns/front")),
        (ev("e", 1, "timeout", A, target=B, message="dial tcp: i/o timeout"), None),  # both on n1: n1's, inward
        # a Service with pods on two nodes may have failed it on either: nothing of the caller's node
        (ev("e", 1, "timeout", CALLER, target=SPREAD, message="dial tcp: i/o timeout"), None),
        (ev("e", 1, "refused", CALLER, target=A, message="dial tcp: connection refused"), None),  # answered
        (ev("e", 1, "http_500", CALLER, target=A, message="HTTP 500"), None),  # answered with a status
        (ev("e", 1, "timeout", CALLER, category="application_error", message="deadline exceeded"), None),  # no callee
    ],
)
def test_a_call_out_of_a_pod_unanswered_is_sent_out_of_its_node(x: m.Member, want: tuple[str, str] | None) -> None:
    assert nodes.sent_out(x) == want


@pytest.mark.parametrize(("evicted", "acted"), [(True, True), (False, False)])
def test_an_inferred_node_is_a_cause_by_itself_only_when_it_evicted_pods(evicted: bool, acted: bool) -> None:
    last = (
        ev("e1", 20, "Evicted", B, category="node", message="The node was low on resource: memory")
        if evicted
        else ev("p1", 20, "Unhealthy", B, category="probe", message="Readiness probe failed: timeout")
    )
    corr = corr_of(
        ev("t1", 0, "timeout", CALLER, target=A, message="request timed out"),
        ev("t2", 8, "timeout", CALLER, target=B, message="request timed out"),
        last,
    )
    assert corr.root is not None and (corr.root.resource.kind, corr.root.inferred) == ("Node", True)
    assert nodes.node_inferred(corr) and nodes.node_evicted(corr) is acted


@pytest.mark.parametrize(("on", "acted"), [("n1", True), ("n2", False)])
def test_a_node_rooted_at_a_lesser_warning_of_its_own_is_a_cause_when_it_evicted_pods(on: str, acted: bool) -> None:
    """A failed image GC is no cause, but the node that evicted its pods acted: an incident by itself."""
    low = "The node was low on resource: memory"
    corr = corr_of(
        ev("gc", 0, "ImageGCFailed", node("n1"), category="node"),
        ev("e1", 5, "Evicted", pod("a-1", on), category="resource_exhaustion", message=low),
        ev("e2", 9, "Evicted", pod("b-1", on), category="resource_exhaustion", message=low),
        root=m.Root("gc", node("n1")),
    )
    assert not nodes.node_inferred(corr) and nodes.node_evicted(corr) is acted


@pytest.mark.parametrize(
    ("x", "cause", "silent"),
    [
        (ev("b", 5, "BackOff", A, category="crash"), NOT_READY, True),
        (ev("b", 5, "BackOff", pod("c-1", "n2"), category="crash"), NOT_READY, False),  # another node's kubelet
        # a node event whose context lacks its node field: the Node's own name says which
        (ev("b", 5, "BackOff", A, category="crash"), replace(NOT_READY, ctx=replace(node("n1"), node="")), True),
        (ev("b", 5, "BackOff", A, category="crash"), replace(NOT_READY, reason="EvictionThresholdMet"), False),
        (ev("t", 5, "timeout", A), NOT_READY, False),  # not what only the node tells (a peer may)
        (ev("b", -40, "BackOff", A, category="crash"), NOT_READY, True),  # the grace period's first instant
        (ev("b", -41, "BackOff", A, category="crash"), NOT_READY, False),
    ],
)
def test_silenced(x: m.Member, cause: m.Member, silent: bool) -> None:
    assert nodes.silenced(x, cause) is silent


NET_LOST = ev("net", 0, "UnregisterNetDevice", node("n1"), category="network", message="unregister_netdevice: eth0")
LATE_CALL = ev("t", 150, "timeout", CALLER, target=A, message="dial tcp 10.0.0.1:80: i/o timeout")


@pytest.mark.parametrize(
    ("name", "root", "x", "down"),
    [
        ("a call into a node whose network is gone", NET_LOST, LATE_CALL, True),
        ("... into a node told NotReady", NOT_READY, LATE_CALL, True),
        (
            "... to a Service with a pod there",
            NET_LOST,
            replace(LATE_CALL, target=m.Context(uid="s", kind="Service", name="a", pod_nodes=("n1", "n2"))),
            True,
        ),
        ("past the node's gap", NET_LOST, replace(LATE_CALL, ts=nodes.NODE_DOWN_GAP_MS + 1), False),
        (
            "a node under memory pressure still answers",
            replace(NOT_READY, reason="NodeHasInsufficientMemory"),
            LATE_CALL,
            False,
        ),
        ("a refused call: the host answered", NET_LOST, replace(LATE_CALL, message="connection refused"), False),
        ("a call to another node", NET_LOST, replace(LATE_CALL, target=pod("c-1", "n2")), False),
        (
            "its pod's own probe",
            NOT_READY,
            ev("p", 150, "Unhealthy", A, category="probe", message="Readiness probe failed: context deadline exceeded"),
            False,
        ),
        ("a node's lesser warning is no cut", replace(NOT_READY, reason="ImageGCFailed"), LATE_CALL, False),
    ],
)
def test_still_down(name: str, root: m.Member, x: m.Member, down: bool) -> None:
    """A node cut off (its own event at the root) stays down for an unanswered call into it, ``NODE_DOWN_GAP_MS``
    after the correlation's last word."""
    assert nodes.still_down(corr_of(root, root=m.Root(root.id, node("n1"))), x) is down, name


@pytest.mark.parametrize(
    ("name", "x", "met"),
    [
        ("its pod's call out timed out", ev("o", 0, "timeout", A, target=service("cat"), message="timed out"), True),
        ("its pod's connection timing out, no callee named", ev("o", 0, "timeout", A, message="i/o timeout"), True),
        ("its pod's call out refused", ev("o", 0, "refused", A, target=service("cat"), message="refused"), False),
        ("its pod's error log", ev("o", 0, "error_log", A, category="application_error", message="500"), False),
        ("another node's pod timing out", ev("o", 0, "timeout", pod("x-1", "n2"), message="timed out"), False),
    ],
)
def test_a_call_out_of_a_pod_met_no_answer_there(name: str, x: m.Member, met: bool) -> None:
    assert nodes.met_there(x, "n1") is met, name
