"""The rules of placement, merging, inference and root level, table-driven on the pure core (no graph)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from correlate import causes
from correlate import explain as ex
from correlate import model as m
from tests.correlate_members import CALLER, DB, OOM, A, B, corr_of, deployment, ev, link, node, pod, service


@pytest.mark.parametrize(
    ("root", "x", "want"),
    [
        (node("n1"), ev("e", 1, "timeout", A), m.SAME_NODE),  # pod on the node
        (node("n1"), ev("e", 1, "timeout", CALLER, target=A), m.TARGET),  # a call to a pod on the node
        (node("n2"), ev("e", 1, "timeout", CALLER, target=A), ""),  # neither end on that node
        (node("n3"), ev("e", 1, "timeout", CALLER, target=A), ""),  # the caller's node only carried the call
        (deployment("a"), ev("e", 1, "BackOff", pod("a-2", "n2")), m.OWNER),  # a pod of the workload
        (DB, ev("e", 1, "timeout", CALLER, target=DB), m.TARGET),  # the caller named the pod
        (DB, ev("e", 1, "http_5xx", CALLER, target=service("db")), m.TARGET),  # ... or the service it serves
        (service("db"), ev("e", 1, "refused", CALLER, target=DB), m.TARGET),  # a pod the service selects
        (DB, ev("e", 1, "BackOff", DB), m.SAME_RESOURCE),
        (DB, ev("e", 1, "timeout", CALLER), ""),  # a caller's error that names nothing is no explanation
        (A, ev("e", 1, "timeout", B), ""),  # same node is symmetric: a pod never explains its neighbour
        (DB, ev("e", 1, "OOMKilling", node("n2"), category="resource_exhaustion"), m.SAME_NODE),  # echo
    ],
)
def test_resource_explains(root: m.Context, x: m.Member, want: str) -> None:
    assert ex.resource_explains(root, x) == want


A2 = pod("a-2", "n2")  # a sibling of A on another node
IMAGE_GC = ev("gc", 0, "ImageGCFailed", node("n1"), category="node")
NOT_READY = ev("nr", 0, "NodeNotReady", node("n1"), category="node")
UNAVAILABLE = "rpc error: code = Unavailable desc = upstream connect error or disconnect/reset before headers"
SLOW_TO_A = ev("x", 200, "slow_span", CALLER, category="performance", target=A)  # a slow call to a-1, at 200 s


def db_down_beside(on_a: m.Member) -> m.Correlation:
    """db-0 OOM-killed and crash-looping since (its last BackOff at 190 s), with ``on_a``, an anomaly of a-1."""
    return corr_of(
        ev("o", 0, "oom_kill", DB, category="resource_exhaustion"),
        on_a,
        ev("b", 190, "BackOff", DB, category="crash"),
    )


@pytest.mark.parametrize(
    ("corr", "x", "links", "joins"),
    [
        # a caller's error naming the OOM-killed pod joins its incident
        (corr_of(OOM), ev("t", 5, "timeout", CALLER, target=DB), [], True),
        # an effect before its cause (beyond the clock slack) does not
        (corr_of(OOM), ev("t", -60, "timeout", CALLER, target=DB), [], False),
        # nor one long after the incident went quiet
        (corr_of(OOM), ev("t", 400, "timeout", CALLER, target=DB), [], False),
        # a directed link (the member is upstream) explains: the callee's pod behind a Service-level symptom
        (corr_of(OOM), ev("t", 5, "http_5xx", service("db")), [link("t", "oom", m.SELECTS, 1)], True),
        # being called is no evidence: a caller's error that names no callee is not the doing of a callee that
        # only logged an error ...
        (
            corr_of(ev("e", 0, "error_log", DB, category="application_error")),
            ev("t", 5, "http_5xx", CALLER),
            [link("t", "e", m.CALLS, 1)],
            False,
        ),
        # ... but a call failed on the wire (a 5xx, unavailable, deadline exceeded) is the doing of a callee that
        # took its service away before it: its one pod OOM-killed or crash-looping (``refused_by``)
        (corr_of(OOM), ev("t", 5, "http_5xx", CALLER), [link("t", "oom", m.CALLS, 1)], True),
        (
            corr_of(ev("b", 0, "BackOff", DB, category="crash")),
            ev("t", 5, "http_5xx", CALLER),
            [link("t", "b", m.CALLS, 1)],
            True,
        ),
        (
            corr_of(OOM),
            ev("t", 5, "error_log", CALLER, category="application_error", message=UNAVAILABLE),
            [link("t", "oom", m.CALLS, 1)],
            True,
        ),
        # not the caller's own code failing, a name server's silence, nor a call that failed before the callee did
        (
            corr_of(OOM),
            ev("t", 5, "error_log", CALLER, category="application_error", message="NullPointerException"),
            [link("t", "oom", m.CALLS, 1)],
            False,
        ),
        (
            corr_of(OOM),
            ev("t", 5, "error_log", CALLER, category="application_error", message="lookup db: i/o timeout"),
            [link("t", "oom", m.CALLS, 1)],
            False,
        ),
        (
            corr_of(ev("oom", 30, "oom_kill", DB, category="resource_exhaustion")),
            ev("t", 5, "http_5xx", CALLER),
            [link("t", "oom", m.CALLS, 1)],
            False,
        ),
        # nor a pod crash-looping among three replicas, which the others answer for; two of three down is the service
        (
            corr_of(ev("b", 0, "BackOff", pod("api-1", replicas=3), category="crash")),
            ev("t", 5, "http_5xx", CALLER),
            [link("t", "b", m.CALLS, 1)],
            False,
        ),
        (
            corr_of(
                ev("b", 0, "BackOff", pod("api-1", replicas=3), category="crash"),
                ev("b2", 2, "BackOff", pod("api-2", replicas=3), category="crash"),
            ),
            ev("t", 5, "http_5xx", CALLER),
            [link("t", "b", m.CALLS, 1)],
            True,
        ),
        # ... the same error naming its callee is
        (corr_of(ev("b", 0, "BackOff", DB, category="crash")), ev("t", 5, "http_5xx", CALLER, target=DB), [], True),
        # symmetric links never do: same trace, same node, the callee's side of a call
        (corr_of(OOM), ev("t", 5, "http_5xx", CALLER), [link("t", "oom", m.SAME_TRACE, 0, 0.95)], False),
        (corr_of(OOM), ev("t", 5, "http_5xx", CALLER), [link("t", "oom", m.SAME_NODE, 0, 0.3)], False),
        (corr_of(OOM), ev("t", 5, "http_5xx", CALLER), [link("t", "oom", m.CALLS, -1)], False),
        # an eviction of a caller pod is not explained by that pod's failed call to something else
        (
            corr_of(OOM, ev("c", 2, "timeout", CALLER, target=DB)),
            ev("x", 5, "Evicted", CALLER, category="resource_exhaustion", message="The node was low on memory"),
            [link("x", "c", m.SAME_RESOURCE, 0, 0.9)],
            False,
        ),
        # nor by any symptom of that pod: the kubelet evicts for its node's sake
        (
            corr_of(OOM, ev("c", 2, "timeout", CALLER)),
            ev("x", 5, "Evicted", CALLER, category="resource_exhaustion", message="The node was low on memory"),
            [link("x", "c", m.SAME_RESOURCE, 0, 0.9)],
            False,
        ),
        # ... not even its own episode's root: the pod's trouble is not why its node evicted it
        (
            corr_of(ev("c", 0, "cpu_throttled", CALLER, category="saturation")),
            ev("x", 5, "Evicted", CALLER, category="resource_exhaustion", message="The node was low on memory"),
            [link("x", "c", m.SAME_RESOURCE, 0, 0.9)],
            False,
        ),
        (
            corr_of(ev("p", 0, "EvictionThresholdMet", node("n3"), category="node")),
            ev("x", 5, "Evicted", CALLER, category="resource_exhaustion", message="The node was low on memory"),
            [link("x", "p", m.SAME_NODE, 1, 0.9)],
            True,
        ),
        # ... only its own node's: another node's memory pressure at the same time is another incident
        (
            corr_of(ev("p", 0, "EvictionThresholdMet", node("n1"), category="node")),
            ev("x", 5, "Evicted", CALLER, category="resource_exhaustion", message="The node was low on memory"),
            [],
            False,
        ),
        # a node's condition explains its pods' trouble while it lasts (its evictions went on until 100 s) ...
        (
            corr_of(
                ev("p", 0, "EvictionThresholdMet", node("n3"), category="node"),
                ev("e", 100, "Evicted", pod("other-1", "n3"), category="resource_exhaustion", message="low"),
            ),
            ev("x", 200, "Unhealthy", CALLER, category="probe", message="Readiness probe failed"),
            [],
            True,
        ),
        # ... except a pod using more CPU or memory than it did: that is the pod's own doing
        (
            corr_of(ev("p", 0, "EvictionThresholdMet", node("n3"), category="node")),
            ev("x", 20, "cpu_usage", CALLER, category="saturation"),
            [link("x", "p", m.SAME_NODE, 1, 0.9)],
            False,
        ),
        # ... through any link (its own earlier failed probe, the node's):
        (
            corr_of(
                ev("p", 0, "EvictionThresholdMet", node("n3"), category="node"),
                ev("u", 10, "Unhealthy", CALLER, category="probe", message="Readiness probe failed: timeout"),
            ),
            ev("x", 20, "cpu_usage", CALLER, category="saturation"),
            [link("x", "u", m.SAME_RESOURCE, 0, 1.0)],
            False,
        ),
        # ... nor minutes after it is over (whatever else on it joined since): that is the pod's own
        (
            corr_of(
                ev("p", 0, "EvictionThresholdMet", node("n3"), category="node"),
                ev("e", 100, "Evicted", pod("other-1", "n3"), category="resource_exhaustion", message="low"),
                ev("s", 350, "cpu_throttled", pod("other-2", "n3"), category="saturation"),
            ),
            ev("x", 400, "Unhealthy", CALLER, category="probe", message="Readiness probe failed"),
            [],
            False,
        ),
        # ... but the same call failing again is
        (
            corr_of(OOM, ev("c", 2, "timeout", CALLER, target=DB)),
            ev("x", 5, "timeout", CALLER, target=DB),
            [link("x", "c", m.SAME_RESOURCE, 0, 0.9)],
            True,
        ),
        # ... and so is the caller's own probe failing after its calls failed: what it depends on is gone
        (
            corr_of(OOM, ev("c", 2, "connection_refused", CALLER, target=DB)),
            ev("x", 5, "Unhealthy", CALLER, category="probe", message="Readiness probe failed: 503"),
            [link("x", "c", m.SAME_RESOURCE, 0, 0.9)],
            True,
        ),
        # ... not one that got no answer: a node-scoped signal, of its own node, not of what it depends on
        (
            corr_of(OOM, ev("c", 2, "connection_refused", CALLER, target=DB)),
            ev(
                "x",
                5,
                "Unhealthy",
                CALLER,
                category="probe",
                message="Readiness probe failed: context deadline exceeded",
            ),
            [link("x", "c", m.SAME_RESOURCE, 0, 0.9)],
            False,
        ),
        # ... not before them, nor after a call that was only slow
        (
            corr_of(OOM, ev("c", 8, "connection_refused", CALLER, target=DB)),
            ev("x", 5, "Unhealthy", CALLER, category="probe", message="Readiness probe failed: 503"),
            [link("x", "c", m.SAME_RESOURCE, 0, 0.9)],
            False,
        ),
        (
            corr_of(OOM, ev("c", 2, "slow_call", CALLER, target=DB, category="performance")),
            ev("x", 5, "Unhealthy", CALLER, category="probe", message="Readiness probe failed: 503"),
            [link("x", "c", m.SAME_RESOURCE, 0, 0.9)],
            False,
        ),
        # a sibling pod joins a workload-wide crash, not a pod's OOM
        (
            corr_of(ev("c1", 0, "process_exit", pod("a-1"), category="crash")),
            ev("c2", 5, "process_exit", pod("a-2", "n2"), category="crash"),
            [link("c2", "c1", m.SAME_WORKLOAD, 0, 0.7)],
            True,
        ),
        (
            corr_of(ev("o1", 0, "oom_kill", pod("a-1"), category="resource_exhaustion")),
            ev("c2", 5, "process_exit", pod("a-2", "n2"), category="crash"),
            [link("c2", "o1", m.SAME_WORKLOAD, 0, 0.7)],
            False,
        ),
        # a workload-wide failure explains its own pods, not another workload's pod through its sibling's member
        (
            corr_of(
                ev("c1", 0, "BackOff", pod("a-1"), category="crash"),
                ev("c2", 5, "BackOff", pod("a-2", "n2"), category="crash"),
                ev("t1", 20, "timeout", pod("b-1", "n3"), message="request timed out"),
            ),
            ev("u", 25, "memory_usage", pod("b-2", "n2"), category="saturation"),
            [link("u", "t1", m.SAME_WORKLOAD, 0, 0.7)],
            False,
        ),
        # a node's housekeeping failing explains none of its pods' trouble, by resource or by link
        (corr_of(IMAGE_GC), ev("b", 5, "BackOff", A, category="crash"), [], False),
        (corr_of(IMAGE_GC), ev("t", 5, "timeout", CALLER, target=A), [link("t", "gc", m.SAME_NODE, 1, 0.9)], False),
        (corr_of(NOT_READY), ev("p", 5, "NodeNotReady", A, category="node"), [], True),  # its pods unready
        # a call that reached one pod is not explained by a sibling pod's symptom in another node's incident...
        (
            corr_of(ev("p", 0, "EvictionThresholdMet", node("n2"), category="node"), ev("s", 2, "http_429", A2)),
            ev("t", 5, "latency", CALLER, category="performance", target=A),
            [],
            False,
        ),
        # ... but a sibling that is down takes the workload's service away from every call
        (
            corr_of(
                ev("p", 0, "EvictionThresholdMet", node("n2"), category="node"),
                ev("s", 2, "BackOff", A2, category="crash"),
            ),
            ev("t", 5, "latency", CALLER, category="performance", target=A),
            [],
            True,
        ),
        # ... but not a sibling's node condition: its node NotReady says nothing of a pod on another node
        (
            corr_of(ev("s", 0, "NodeNotReady", A2, category="node")),
            ev("t", 5, "timeout", CALLER, target=A, message="dial tcp 10.0.0.1:8080: i/o timeout"),
            [],
            False,
        ),
        (  # ... nor through a link to it
            corr_of(ev("s", 0, "NodeNotReady", A2, category="node")),
            ev("t", 5, "timeout", CALLER, target=A, message="dial tcp 10.0.0.1:8080: i/o timeout"),
            [link("t", "s", m.CALLS, 1)],
            False,
        ),
        (
            corr_of(ev("s", 0, "NodeNotReady", pod("a-3", "n1"), category="node")),  # the node of the pod reached
            ev("t", 5, "timeout", CALLER, target=A, message="dial tcp 10.0.0.1:8080: i/o timeout"),
            [],
            True,
        ),
        # a callee that is down explains its callers' failed calls that name it, not their CPU or memory
        (
            corr_of(ev("c", 0, "BackOff", DB, category="crash")),
            ev("x", 5, "http_5xx", CALLER, category="application_error", target=DB),
            [link("x", "c", m.CALLS, 1)],
            True,
        ),
        (
            corr_of(ev("c", 0, "BackOff", DB, category="crash")),
            ev("x", 5, "container_memory_working_set_bytes", CALLER, category="saturation"),
            [link("x", "c", m.CALLS, 1)],
            False,
        ),
        # ... nor its OOM kill: a cause of its own, its own incident
        (
            corr_of(ev("c", 0, "BackOff", DB, category="crash")),
            ev("x", 5, "OOMKilled", CALLER, category="resource_exhaustion"),
            [link("x", "c", m.CALLS, 1)],
            False,
        ),
        # a node whose network is gone cuts its pods' calls off; it does not make their code throw
        (
            corr_of(ev("n", 0, "NodeNetworkUnavailable", node("n1"), category="node")),
            ev("x", 5, "error_log", A, category="application_error", message="unhandled TypeError in handler"),
            [link("x", "n", m.SAME_NODE, 1)],
            False,
        ),
        (
            corr_of(ev("n", 0, "NodeNetworkUnavailable", node("n1"), category="node")),
            ev("x", 5, "error_log", A, category="application_error", message="read tcp: connection reset by peer"),
            [link("x", "n", m.SAME_NODE, 1)],
            True,
        ),
        # ... nor make their containers crash (its kubelet still probes them locally); a node NotReady does
        (
            corr_of(ev("n", 0, "NodeNetworkUnavailable", node("n1"), category="node")),
            ev("x", 5, "BackOff", A, category="crash", message="Back-off restarting failed container"),
            [link("x", "n", m.SAME_NODE, 1)],
            False,
        ),
        # a call that reached one pod is not explained through a link to its sibling's eviction either
        (
            corr_of(ev("p", 0, "EvictionThresholdMet", node("n2"), category="node"), ev("s", 2, "Evicted", A2)),
            ev("t", 5, "timeout", CALLER, target=A, message="dial tcp 10.0.0.1:11211: i/o timeout"),
            [link("t", "s", m.CALLS, 1)],
            False,
        ),
        # ... while a sibling's failed call does: what fails the workload's calls fails them all
        (
            corr_of(OOM, ev("c", 2, "timeout", A2, target=DB)),
            ev("t", 5, "http_5xx", CALLER, category="application_error", target=A),
            [link("t", "c", m.CALLS, 1)],
            True,
        ),
        # another node's own condition is another incident, whatever member it touches (its housekeeping noise)
        (
            corr_of(NOT_READY, ev("g2", 2, "FreeDiskSpaceFailed", node("n2"), category="node")),
            ev("nr2", 5, "NodeNotReady", node("n2"), category="node"),
            [link("nr2", "g2", m.SAME_RESOURCE, 0, 0.9)],
            False,
        ),
        # ... and a correlation of symptoms alone takes a node's condition in (a cause after its effects)
        (
            corr_of(ev("t0", 0, "timeout", B, message="timed out"), ev("g2", 2, "FreeDiskSpaceFailed", node("n2"))),
            ev("nr2", 5, "NodeNotReady", node("n2"), category="node"),
            [link("nr2", "g2", m.SAME_RESOURCE, 0, 0.9)],
            True,
        ),
        # a call explained through a member on its callee only while that member's trouble is recent: the callee's
        # slowness minutes ago is over, its crash loop is not
        (db_down_beside(ev("s", 10, "latency", A, category="performance")), SLOW_TO_A, [], False),
        (db_down_beside(ev("s", 10, "BackOff", A, category="crash")), SLOW_TO_A, [], True),
        # symptoms with no cause found are one episode: ten minutes on, the same pod's anomaly is a new one
        (
            corr_of(ev("s0", 0, "latency_p99", A, category="performance"), ev("s1", 540, "error_log", A)),
            ev("x", 660, "latency_p99", A, category="performance"),
            [link("x", "s1", m.SAME_RESOURCE, 0, 0.9)],
            False,
        ),
        (
            corr_of(ev("s0", 0, "oom_kill", A, category="resource_exhaustion"), ev("s1", 540, "BackOff", A)),
            ev("x", 660, "BackOff", A, category="crash"),
            [link("x", "s1", m.SAME_RESOURCE, 0, 0.9)],
            True,
        ),
    ],
)
def test_explanation(corr: m.Correlation, x: m.Member, links: list[m.Link], joins: bool) -> None:
    assert (ex.explanation(x, corr, links) is not None) is joins


def test_a_sibling_container_failing_alike_is_explained_through_the_workload_whatever_else_links_them() -> None:
    """A container crashing like its sibling's, in a correlation rooted elsewhere (that pod's CPU throttling), and
    linked by the call graph too (the workload calls itself through another): the template both pods share, so
    ``choice.choose`` sends it to the workload's failure."""
    corr = corr_of(
        ev("u1", 0, "cpu_throttled", pod("a-1"), category="saturation"),
        ev("c1", 40, "BackOff", pod("a-1"), category="crash"),
    )
    x = ev("c2", 45, "BackOff", pod("a-2", "n2"), category="crash")
    found = ex.explanation(x, corr, [link("c2", "c1", m.CALLS, 1, 0.76)])
    assert found is not None and (found.link, found.via) == (m.SAME_WORKLOAD, "c1")


def node_named_by_timeouts() -> m.Correlation:
    """Node n1 inferred from its pods' symptoms: timeouts toward pods of two workloads and a probe timing out."""
    return corr_of(
        ev("t1", 0, "timeout", CALLER, target=A, message="request timed out"),
        ev("t2", 8, "timeout", CALLER, target=B, message="request timed out"),
        ev("p1", 15, "Unhealthy", B, category="probe", message="Readiness probe failed: timeout"),
    )


def node_named_past_its_housekeeping() -> m.Correlation:
    """Node n1 named by the same symptoms, a failed disk cleanup of its own the root event: named all the same."""
    named = node_named_by_timeouts()
    return corr_of(ev("gc", -30, "FreeDiskSpaceFailed", node("n1"), category="node"), *named.members.values())


def node_gone_silent() -> m.Correlation:
    """Node n1 failing its housekeeping, then told NotReady by the node controller."""
    return corr_of(
        ev("gc", 0, "ContainerGCFailed", node("n1"), category="node"),
        ev("nr", 10, "NodeNotReady", node("n1"), category="node"),
    )


SPREAD = replace(service("spread"), pod_nodes=("n2", "n3"))  # a Service whose pods run on two other nodes
C1 = pod("c-1", "n1")  # a third workload's pod on the node named by the timeouts


@pytest.mark.parametrize(
    ("root", "callee", "joins"),
    [
        (node_named_by_timeouts, ("n1", "n2"), True),  # one of the Service's pods is on the node: it took the call
        (lambda: corr_of(ev("n", 0, "NodeNetworkUnavailable", node("n1"), category="node")), ("n1", "n2"), True),
        (node_named_by_timeouts, ("n2", "n3"), False),  # none of its pods is
        # a node gone silent (NotReady) answers no call either, its NotReady a member after its housekeeping
        (node_gone_silent, ("n1", "n2"), True),
        (node_gone_silent, ("n2", "n3"), False),
        # a node's housekeeping alone says nothing of its pods answering
        (lambda: corr_of(ev("gc", 0, "ContainerGCFailed", node("n1"), category="node")), ("n1", "n2"), False),
    ],
)
def test_a_node_cut_off_explains_calls_to_a_service_with_a_pod_on_it(
    root: Callable[[], m.Correlation], callee: tuple[str, ...], joins: bool
) -> None:
    target = replace(service("spread"), pod_nodes=callee)
    x = ev("x", 20, "timeout", CALLER, target=target, message="connect to 10.0.9.9:80 timed out")
    assert (ex.explanation(x, root(), []) is not None) is joins


@pytest.mark.parametrize(
    ("x", "joins"),
    [
        # a call out of the node that timed out: the node's network, on its way out
        (ev("x", 20, "timeout", C1, target=SPREAD, message="dial tcp 10.0.9.9:80: i/o timeout"), True),
        # refused: the peer's host answered, the network carried the call both ways
        (ev("x", 20, "connection_refused", C1, target=SPREAD, message="connection refused"), False),
        # ... whatever it called (``choice.choose`` weighs a node in trouble at the other end)
        (ev("x", 20, "timeout", C1, target=DB, message="dial tcp 10.0.2.2:5432: i/o timeout"), True),
        # out of another node
        (ev("x", 20, "timeout", CALLER, target=SPREAD, message="dial tcp 10.0.9.9:80: i/o timeout"), False),
    ],
)
@pytest.mark.parametrize("named", [node_named_by_timeouts, node_named_past_its_housekeeping])
def test_inferred_node_explains_calls_out_of_it(x: m.Member, joins: bool, named: Callable[[], m.Correlation]) -> None:
    corr = named()
    assert corr.root is not None and corr.root.named and corr.root.resource.name == "n1"
    found = ex.explanation(x, corr, [])
    assert (found is not None and found.link == m.SAME_NODE) is joins


def test_a_nodes_housekeeping_alone_explains_no_call_out_of_it() -> None:
    """The same failed cleanup with none of its pods' symptoms names nothing: the node's network is not in doubt."""
    corr = corr_of(ev("gc", -30, "FreeDiskSpaceFailed", node("n1"), category="node"))
    x = ev("x", 20, "timeout", C1, target=DB, message="dial tcp 10.0.2.2:5432: i/o timeout")
    assert corr.root is not None and not corr.root.named
    assert ex.explanation(x, corr, []) is None


def test_a_node_gone_silent_tells_nothing_of_its_own_pods_calls() -> None:
    """Its pods answer no call, but its agents are silent too: a pod's own timeout out of it is not its doing."""
    x = ev("x", 20, "timeout", C1, target=SPREAD, message="dial tcp 10.0.9.9:80: i/o timeout")
    found = ex.explanation(x, node_gone_silent(), [])
    assert found is None or found.link != m.SAME_NODE


@pytest.mark.parametrize(("told", "explains"), [("NodeNotReady", False), ("OOMKilled", True)])
def test_a_callers_own_node_gone_silent_does_not_explain_its_call_through_its_own_event(
    told: str, explains: bool
) -> None:
    """The NotReady the node controller told of the caller's pod says its node went silent, not that its calls
    fail: linked to it (same resource), the caller's timeout to a pod elsewhere stays unexplained. The caller's
    own OOM kill, a cause on its own side, does explain it."""
    cat = "node" if told == "NodeNotReady" else "resource_exhaustion"
    corr = corr_of(ev("nr", 0, "NodeNotReady", node("n1"), category="node"), ev("y", 2, told, C1, category=cat))
    x = ev("x", 20, "timeout", C1, target=DB, message="dial tcp 10.0.2.2:5432: i/o timeout")
    found = ex.explanation(x, corr, [link("x", "y", m.SAME_RESOURCE, 0, 0.9)])
    assert (found is not None) is explains


def test_a_callee_down_takes_in_a_correlation_rooted_at_a_call_it_refused() -> None:
    """``root_explains_root`` asks what placement asks (``causes.takes_refused``): the NotReady of the pod a caller
    calls takes in the correlation its unnamed failed call opened before the node controller spoke."""
    down = corr_of(
        ev("nr", 40, "NodeNotReady", node("n2"), category="node"), ev("np", 41, "NodeNotReady", DB, category="node")
    )
    err = corr_of(ev("t", 0, "error_log", CALLER, category="application_error", message=UNAVAILABLE))
    assert ex.root_explains_root(down, err, {("np", "t"): link("np", "t", m.CALLS, -1)})
    assert not ex.root_explains_root(down, err, {})


@pytest.mark.parametrize(
    ("a", "b", "merges"),
    [
        # a node condition explains the OOM-less timeouts toward its pods (reported up to 90 s late)
        (
            corr_of(ev("nr", 45, "NodeNotReady", node("n1"), category="node")),
            corr_of(ev("t", 2, "timeout", CALLER, target=A)),
            True,
        ),
        # ... but not a pod's own OOM: a symptom-free cause stays its own incident
        (
            corr_of(ev("t0", 0, "timeout", CALLER, target=DB)),
            corr_of(OOM),
            False,
        ),
        # a node condition does not take in a pod's OOM kill on it: each cause is its own incident
        (corr_of(ev("nr", 5, "NodeNotReady", node("n2"), category="node")), corr_of(OOM), False),
        # a change before a cause does (a rollout whose pods then run out of memory)
        (
            corr_of(ev("ch", -20, "MODIFIED", deployment("db"), category="rollout", source_kind="change")),
            corr_of(OOM),
            True,
        ),
        # ... but an OOM kill read from the pod's status is a failure, not a change someone made: the next one is
        # an incident of its own
        (
            corr_of(ev("st", -20, "OOMKilled", DB, category="resource_exhaustion", source_kind="change")),
            corr_of(OOM),
            False,
        ),
        # a cause minutes after another episode's root explains nothing of it
        (
            corr_of(ev("nr", 600, "NodeNotReady", node("n1"), category="node")),
            corr_of(ev("t", 2, "timeout", CALLER, target=A)),
            False,
        ),
        # a root on another node is not explained
        (
            corr_of(ev("nr", 5, "NodeNotReady", node("n2"), category="node")),
            corr_of(ev("t", 2, "timeout", CALLER, target=A)),
            False,
        ),
        # nor anything by a node's housekeeping failing
        (corr_of(IMAGE_GC), corr_of(ev("t", 2, "timeout", CALLER, target=A)), False),
        # a node inferred from its pods' timeouts does not take in a workload's containers crash-looping on it
        (
            node_named_by_timeouts(),
            corr_of(ev("b", 20, "BackOff", A, category="crash")),
            False,
        ),
        # nor a pod's own episode that began with it using more CPU or memory than it did
        (
            node_named_by_timeouts(),
            corr_of(ev("u", 20, "memory_usage", A, category="saturation")),
            False,
        ),
        # a pod's own episode does not take in its eviction: the node evicted it, and that is the node's incident
        (
            corr_of(ev("c", 0, "cpu_throttled", CALLER, category="saturation")),
            corr_of(ev("x", 5, "Evicted", CALLER, category="resource_exhaustion", message="The node was low")),
            False,
        ),
    ],
)
def test_root_explains_root(a: m.Correlation, b: m.Correlation, merges: bool) -> None:
    assert ex.root_explains_root(a, b, {}) is merges


@pytest.mark.parametrize(
    ("crash_at", "merges"),
    [
        (2, True),  # the pod crashed as its Service slowed down (stamped a little late): the Service's trouble
        (28, False),  # the Service was slow half a minute before its pod crashed: its trouble is its own
    ],
)
def test_a_pods_crash_takes_in_its_services_trouble_only_when_it_came_first(crash_at: int, merges: bool) -> None:
    slow = ev("slow", 0, "slow_span", service("db"), category="performance")
    crash = ev("exit", crash_at, "BackOff", DB, category="crash")
    found = {("exit", "slow"): link("exit", "slow", m.SELECTS, -1)}  # the crash's link to its Service's span
    assert ex.root_explains_root(corr_of(crash), corr_of(slow), found) is merges


@pytest.mark.parametrize(("target", "merges"), [(DB, True), (None, False)])
def test_a_callees_crash_takes_in_only_the_trouble_that_names_it(target: m.Context | None, merges: bool) -> None:
    """Being called is no evidence: a caller's slowness that names no callee stays its own (as in placement)."""
    crash = ev("exit", 0, "BackOff", DB, category="crash")
    trouble = ev("use", 20, "latency_p99", CALLER, category="performance", target=target)
    found = {("use", "exit"): link("use", "exit", m.CALLS, 1)}
    assert ex.root_explains_root(corr_of(crash), corr_of(trouble), found) is merges


@pytest.mark.parametrize(
    ("sibling", "explains"),
    [
        (ev("u", 0, "Unhealthy", A2, category="probe"), False),  # a sibling's own symptom
        (ev("u", 0, "BackOff", A2, category="crash"), True),  # a sibling down: what fails one fails all
        (ev("u", 0, "Unhealthy", A, category="probe"), True),  # the pod the call reached
    ],
)
def test_a_pod_root_speaks_for_a_call_to_its_sibling_only_when_it_is_down(sibling: m.Member, explains: bool) -> None:
    call = ev("t", 5, "timeout", CALLER, target=A, message="dial tcp 10.0.0.1:8080: i/o timeout")
    assert (ex.explanation(call, corr_of(sibling), []) is not None) is explains
    assert ex.root_explains_root(corr_of(sibling), corr_of(call), {}) is explains


@pytest.mark.parametrize(
    ("counts", "crash"),
    [
        ((3, 4), True),  # two pods restarting again and again: the workload crash-loops
        ((1, 1), False),  # one restart each on two pods: what a busy workload shows now and then
        ((2, 2), False),  # ... and two
        ((5, 1), False),  # one pod crash-looping is that pod's trouble
        ((1, 1, 1), False),
    ],
)
def test_a_workload_crashes_when_two_of_its_pods_crash_loop(counts: tuple[int, ...], crash: bool) -> None:
    members = [
        replace(ev(f"b{i}", 10 * i, "BackOff", pod(f"a-{i}", f"n{i}"), category="crash"), count=n)
        for i, n in enumerate(counts)
    ]
    corr = corr_of(*members)
    assert corr.root is not None and corr.root.resource.kind == "Deployment"
    assert ex.workload_crash(corr, looping=True) is crash
    assert ex.workload_crash(corr) is (len(counts) >= 2)  # where the crash's events belong, looping or not yet


def test_a_call_that_landed_on_one_pod_is_explained_by_its_siblings_trouble() -> None:
    landed, sibling = pod("checkout-1", "n1"), pod("checkout-2", "n2")
    x = ev("f", 10, "http_5xx", CALLER, target=landed)
    assert ex.resource_explains(sibling, ex.bare(x)) == m.TARGET
    assert ex.resource_explains(pod("cart-1", "n2"), ex.bare(x)) == ""  # another workload's pod is not the callee


@pytest.mark.parametrize(
    ("x", "joins"),
    [
        (ev("p", 30, "Unhealthy", A, category="probe", message="Readiness probe failed: timeout"), True),
        (ev("t", 30, "timeout", CALLER, target=A, message="request timed out"), True),  # a call to its pod
        (ev("b", 30, "BackOff", A, category="crash"), False),  # a pod's own crash: not what named the node
        # nor its OOM kill (its own memory limit), nor the node's kernel reporting that kill
        (ev("o", 30, "OOMKilled", A, category="resource_exhaustion"), False),
        (ev("k", 30, "OOMKilling", node("n1"), category="resource_exhaustion", message="Killed process 7 (a)"), False),
    ],
)
def test_a_node_inferred_from_timeouts_explains_timeouts_not_its_pods_own_failures(x: m.Member, joins: bool) -> None:
    corr = corr_of(
        ev("t1", 0, "timeout", CALLER, target=A, message="request timed out"),
        ev("t2", 8, "timeout", CALLER, target=B, message="request timed out"),
        ev("p1", 20, "Unhealthy", B, category="probe", message="Readiness probe failed: timeout"),
    )
    assert corr.root is not None and corr.root.inferred and corr.root.resource.kind == "Node"
    assert (ex.explanation(x, corr, []) is not None) is joins


def test_a_node_named_by_evicting_its_pods_explains_their_oom_kills() -> None:
    """A node short of memory, named by its pods' evictions (no node event): its pods' OOM kills are its doing."""
    low = "The node was low on resource: memory"
    corr = corr_of(
        ev("e1", 0, "Evicted", A, category="resource_exhaustion", message=low),
        ev("e2", 8, "Evicted", B, category="resource_exhaustion", message=low),
    )
    assert corr.root is not None and corr.root.named and corr.root.resource.name == "n1"
    oom = ev("o", 30, "OOMKilled", pod("c-1", "n1"), category="resource_exhaustion")
    assert ex.explanation(oom, corr, []) is not None


def test_a_pods_crash_does_not_follow_its_earlier_probe_failure_into_an_inferred_nodes_incident() -> None:
    corr = corr_of(
        ev("t1", 0, "timeout", CALLER, target=A, message="request timed out"),
        ev("t2", 8, "timeout", CALLER, target=B, message="request timed out"),
        ev("p1", 20, "Unhealthy", B, category="probe", message="Liveness probe failed: timeout"),
    )
    crash = ev("b", 30, "BackOff", B, category="crash")
    assert ex.explanation(crash, corr, [link("b", "p1", m.SAME_RESOURCE, 0)]) is None


@pytest.mark.parametrize(
    ("on", "rank", "cause"),
    [
        ("node", 6, True),  # "node n1: network partition detected, 0 of 5 peers reachable"
        ("node", 2, False),  # an informational note about the node's network
        ("pod", 6, False),  # a pod's lost connection is a symptom of something else
    ],
)
def test_a_node_reporting_its_own_network_lost_is_a_cause(on: str, rank: int, cause: bool) -> None:
    ctx = node("n1") if on == "node" else A
    x = replace(ev("p", 0, "packet_loss", ctx, category="network"), severity_rank=rank)
    assert causes.is_cause(x) is cause


@pytest.mark.parametrize(
    ("reason", "category", "status", "explained"),
    [
        ("NodeNetworkUnavailable", "network", 0, True),  # the node's network is gone: calls out fail
        ("NodeHasInsufficientMemory", "network", 0, False),  # a memory condition says nothing of calls elsewhere
        ("NodeNetworkUnavailable", "performance", 0, False),  # a slow call that completed got through: not cut there
        ("NodeNetworkUnavailable", "application_error", 500, False),  # the callee answered 500: the network carried it
        ("NodeNetworkUnavailable", "application_error", 429, False),
        ("NodeNetworkUnavailable", "application_error", 503, True),  # a gateway's 503: maybe never reached
    ],
)
def test_a_call_out_of_a_node_whose_network_is_down_is_that_nodes(
    reason: str, category: str, status: int, explained: bool
) -> None:
    spread = replace(service("db"), pod_nodes=("n1", "n2", "n3"))  # its pods everywhere: the callee blames no node
    down = ev("n", 0, reason, node("n1"), category="node")
    said = "span / took 8541ms calling db" if category == "performance" else "connect to 10.0.0.9:5432 timed out"
    x = ev("t", 20, "timeout", A, target=spread, category=category, message=said)
    if status:
        x = replace(x, reason="http_5xx" if status >= 500 else "http_4xx", detail={"network.status_code": status})
    assert causes.is_cause(down)
    assert (ex.explanation(x, corr_of(down), []) is not None) is explained
    # felt before the node reported it (the call opened a correlation of its own): the report takes that in alike
    late = replace(down, ts=x.ts + 12_000)
    assert ex.root_explains_root(corr_of(late), corr_of(x), {}) is explained


@pytest.mark.parametrize(
    ("reason", "category", "message", "explained"),
    [
        ("BackOff", "crash", "Back-off restarting failed container", False),  # the kubelet restarts it locally
        ("error_log", "application_error", "unhandled NullPointerException", False),  # its own code throwing
        ("Unhealthy", "probe", "Readiness probe failed: timeout", True),  # what a cut-off node does to its pods
    ],
)
def test_a_node_whose_network_is_down_does_not_take_in_its_pods_own_crash_or_code_failure(
    reason: str, category: str, message: str, explained: bool
) -> None:
    down = ev("n", 20, "NodeNetworkUnavailable", node("n1"), category="node")
    x = ev("p", 0, reason, A, category=category, message=message)  # on a pod of n1, just before the report
    assert (ex.explanation(x, corr_of(down), []) is not None) is explained
    assert ex.root_explains_root(corr_of(down), corr_of(x), {}) is explained


@pytest.mark.parametrize(
    ("reason", "category", "joins"),
    [
        ("BackOff", "crash", True),  # its template fails on this pod too
        ("Unhealthy", "probe", True),
        ("latency_p99", "performance", False),  # a pod's slowness, CPU or calls are its own work, not its template's
        ("cpu_throttled", "saturation", False),
        ("connection_reset", "network", False),
    ],
)
def test_a_workloads_crash_loop_explains_its_pods_failing_not_their_work(
    reason: str, category: str, joins: bool
) -> None:
    a1, a2, a3 = (pod(f"api-{i}", "n1", replicas=3) for i in (1, 2, 3))
    crash = corr_of(ev("c1", 0, "BackOff", a1, category="crash"), ev("c2", 2, "BackOff", a2, category="crash"))
    assert crash.root is not None and crash.root.resource.kind == "Deployment"
    x = ev("x", 5, reason, a3, category=category)
    links = [link("x", "c1", m.SAME_WORKLOAD, 0)]
    assert (ex.explanation(x, crash, links) is not None) is joins


@pytest.mark.parametrize(
    ("x", "joins"),
    [
        (ev("b", 5, "BackOff", A, category="crash"), False),  # what its kubelet told while silent: not the node's
        (ev("u", 5, "Unhealthy", A, category="probe", message="Readiness probe failed: HTTP probe 503"), False),
        (ev("b", -50, "BackOff", A, category="crash"), True),  # told before it went silent: the node failing
        (ev("b", -20, "BackOff", A, category="crash"), False),  # within the 40 s the node controller waited
        # a container's own timeout is no probe that got no answer: still what a silent node cannot have told
        (ev("b", 5, "BackOff", A, category="crash", message="liveness: context deadline exceeded"), False),
        # a probe that got no answer is what a node's trouble looks like from its pods (node-scoped)
        (
            ev("u", 5, "Unhealthy", A, category="probe", message="Readiness probe failed: context deadline exceeded"),
            True,
        ),
    ],
)
def test_a_node_that_stopped_reporting_explains_nothing_its_kubelet_told_meanwhile(x: m.Member, joins: bool) -> None:
    """NotReady is the node controller's word that the kubelet went silent 40 s before: a pod's restarts and
    probe failures stamped since then were not told by that kubelet, so they are not its node's doing."""
    assert (ex.explanation(x, corr_of(NOT_READY), []) is not None) is joins
    assert ex.root_explains_root(corr_of(NOT_READY), corr_of(x), {}) is joins


def test_a_node_that_stopped_reporting_silences_through_a_same_node_link_too() -> None:
    """A NotReady among a correlation's members (not its root) explains no later restart on a pod of its node."""
    mount = ev("d", 0, "FailedMount", pod("z-1", "n1"), category="volume")
    rooted = m.Root("d", mount.ctx)  # another pod's trouble at the root: only the link can explain ``x``
    home = corr_of(mount, replace(NOT_READY, ts=2_000), root=rooted)
    x = ev("b", 10, "BackOff", A, category="crash")
    disk = replace(NOT_READY, reason="NodeHasDiskPressure", category="resource_exhaustion", ts=2_000)
    pressured = corr_of(mount, disk, root=rooted)
    assert ex.explanation(x, pressured, [link("b", "nr", m.SAME_NODE, 1)]) is not None  # a node condition does
    assert ex.explanation(x, home, [link("b", "nr", m.SAME_NODE, 1)]) is None  # a silent node does not


def test_a_rollout_explains_its_pods_slowness() -> None:
    """A change to the template is what the pods run: their slowness after it is its doing."""
    rollout = corr_of(ev("ch", 0, "MODIFIED", deployment("api"), category="rollout", source_kind="change"))
    x = ev("x", 5, "latency_p99", pod("api-1", "n1"), category="performance")
    assert ex.explanation(x, rollout, []) is not None


@pytest.mark.parametrize(
    ("x", "joins"),
    [
        (ev("x", 5, "Unhealthy", A, category="probe", message="Readiness probe failed: timeout"), True),
        (ev("x", 5, "error_log", A, category="application_error", message="dial tcp 10.0.0.9:80: i/o timeout"), True),
        (ev("x", 5, "timeout", A, target=B, message="request timed out"), True),  # a call naming its callee
        # a pod's own work that names no callee: its slow request, its error, its connection reset
        (ev("x", 5, "latency_p99", A, category="performance"), False),
        (ev("x", 5, "error_log", A, category="application_error", message="GET /status -> 500"), False),
        (ev("x", 5, "connection_reset", A, message="read tcp: connection reset by peer"), False),
    ],
)
def test_a_node_not_ready_explains_what_it_does_to_its_pods_not_their_own_work(x: m.Member, joins: bool) -> None:
    down = corr_of(ev("n", 0, "NodeNotReady", node("n1"), category="node"))
    assert (ex.explanation(x, down, [link("x", "n", m.SAME_NODE, 1)]) is not None) is joins


NET_LOST = ev("net", 0, "UnregisterNetDevice", node("n1"), category="network", message="unregister_netdevice: eth0")
PRESSURE = ev("mp", 0, "NodeHasInsufficientMemory", node("n1"), category="resource_exhaustion")
LATE_CALL = ev("t", 150, "timeout", CALLER, target=A, message="dial tcp 10.0.0.1:80: i/o timeout")


@pytest.mark.parametrize(
    ("name", "held", "x", "joins"),
    [
        # the node's callers retry, backing off, minutes apart: the node is still cut off (no recovery came)
        ("a call to its pod timing out 2.5 min on", NET_LOST, LATE_CALL, True),
        ("... into a node told NotReady", NOT_READY, LATE_CALL, True),
        ("past the node's gap", NET_LOST, replace(LATE_CALL, ts=4 * 60_000), False),
        ("a node under memory pressure is not cut off", PRESSURE, LATE_CALL, False),
        ("a refused call: the pod's host answered", NET_LOST, replace(LATE_CALL, message="connection refused"), False),
        ("a call to another node's pod", NET_LOST, replace(LATE_CALL, target=DB), False),
        # a probe minutes on is as likely the busy node's background
        (
            "its pod's probe",
            NOT_READY,
            ev("p", 150, "Unhealthy", A, category="probe", message="Readiness probe failed: context deadline exceeded"),
            False,
        ),
    ],
)
def test_a_node_cut_off_explains_calls_into_it_across_a_longer_quiet_gap(
    name: str, held: m.Member, x: m.Member, joins: bool
) -> None:
    """Beyond ``JOIN_GAP_MS`` after the correlation's last word, only a node cut off explains, and only an
    unanswered call into it, up to ``NODE_DOWN_GAP_MS``."""
    found = ex.explanation(x, corr_of(held), [])
    assert (found is not None) is joins, name
    if found is not None:  # through the node's own event, as what the call was calling
        assert (found.via, found.link) == (held.id, m.TARGET)
        assert ex.explanation(replace(x, ts=x.ts - 60_000), corr_of(held), []) is not None  # sooner: as ever


@pytest.mark.parametrize(("held", "joins"), [(NOT_READY, True), (NET_LOST, True), (PRESSURE, False)])
def test_a_node_cut_off_explains_a_call_into_it_when_its_last_word_is_minutes_old(held: m.Member, joins: bool) -> None:
    """The node said NotReady (or lost its network) 2.5 min ago; a caller's 5xx a minute ago keeps the correlation
    alive, but says nothing of the node. A call into the node that got no answer now is still the node's: it stays
    cut off until it recovers. A node under memory pressure answers calls."""
    five_xx = ev("5xx", 90, "http_5xx", CALLER, category="application_error", message="GET / -> 503")
    found = ex.explanation(LATE_CALL, corr_of(held, five_xx, root=m.Root(held.id, node("n1"))), [])
    assert (found is not None) is joins


SLOW = ev("cpu", 0, "latency_p99", DB, category="performance", message="latency_p99 6.05 s")
FELT = ev("f", 20, "slow", CALLER, target=DB, category="performance", message="slow response from db: 4394 ms")


@pytest.mark.parametrize(
    ("name", "held", "x", "joins"),
    [
        (
            "the felt pod's own symptom 2.5 min on",
            corr_of(SLOW, FELT),
            ev("s", 20 + 140, "latency_p99", DB, category="performance", message="latency_p99 5.3 s"),
            True,
        ),
        ("a caller's call naming it 2.5 min on", corr_of(SLOW, FELT), replace(FELT, id="f2", ts=160_000), True),
        (
            "no caller felt it: a background pod's warnings now and then",
            corr_of(SLOW),
            ev("s", 140, "latency_p99", DB, category="performance", message="latency_p99 5.3 s"),
            False,
        ),
        (
            "past the felt gap",
            corr_of(SLOW, FELT),
            ev("s", 20 + 160, "latency_p99", DB, category="performance", message="latency_p99 5.3 s"),
            False,
        ),
        (
            "another pod's symptom",
            corr_of(SLOW, FELT),
            ev("s", 20 + 140, "latency_p99", A, category="performance", message="latency_p99 5.3 s"),
            False,
        ),
        (
            "the felt pod's own call to another pod: not its own trouble",
            corr_of(SLOW, FELT),
            ev("o", 20 + 140, "timeout", DB, target=A, message="dial tcp 10.0.0.1:80: i/o timeout"),
            False,
        ),
    ],
)
def test_a_slow_burn_its_callers_felt_is_one_incident_across_a_longer_quiet_gap(
    name: str, held: m.Correlation, x: m.Member, joins: bool
) -> None:
    """Beyond ``JOIN_GAP_MS``, a pod its callers named keeps its own symptoms and calls naming it up to
    ``FELT_GAP_MS``: through the root's own resource, never an explanation made up."""
    found = ex.explanation(x, held, [])
    assert (found is not None) is joins, name
    if found is not None:
        assert found.via == "cpu" and found.link in (m.SAME_RESOURCE, m.TARGET)


def test_bare_sees_only_the_call_and_is_made_once() -> None:
    call = ev("c", 5, "timeout", CALLER, target=A, message="dial tcp 10.0.0.1:8080: i/o timeout")
    seen = ex.bare(call)
    assert (seen.id, seen.ts, seen.target, seen.ctx) == ("c", call.ts, A, m.Context())  # nothing of its own pod
    assert ex.bare(call) is seen  # a correlation's links ask it of one member again and again
    assert ex.bare(replace(call, link=m.SAME_NODE)) is not seen  # a copy makes its own
