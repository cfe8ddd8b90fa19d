"""The engine's links in memory: the graph's answer (``related_events.cypher``) for placed events, without asking."""

from __future__ import annotations

from dataclasses import replace

import pytest

from correlate import graphio
from correlate import model as m
from correlate.reach import CallGraph, LinkIndex, fold
from graph import GraphStore
from model.event import WARNING_RANK, StoredEvent
from model.event import Category as C
from model.event import SourceKind as K
from model.resource import ResourceRef
from tests import topo_builder as tb

WINDOW = 900_000


def _member(s: StoredEvent, ctx: m.Context | None = None) -> m.Member:
    return m.Member.of(s.event, ctx or m.Context(uid=s.resource.uid, kind=s.resource.kind))


def _every_path() -> list[StoredEvent]:
    """An event on each kind of resource of the small cluster: every branch of the statement has something."""
    return [
        tb.event("oom", 0, "Pod", "mysql-0", "OOMKilled", C.RESOURCE_EXHAUSTION, trace="t1"),
        tb.event("api1", 5, "Pod", "api-1", "Unhealthy", C.PROBE, trace="t1"),
        tb.event("api1b", 6, "Pod", "api-1", "BackOff", C.CRASH),
        tb.event("api2", 7, "Pod", "api-2", "Unhealthy", C.PROBE),
        tb.event("front", 8, "Pod", "frontend-1", "Unhealthy", C.PROBE),
        tb.event("noise", 9, "Pod", "noise-1", "BackOff", C.CRASH),
        tb.event("node2", 10, "Node", "node-2", "NodeNotReady", C.NODE),
        tb.event("svc", 11, "Service", "api", "FailedToUpdateEndpoint", C.NETWORK),
        tb.event("dbsvc", 12, "Service", "mysql", "FailedToUpdateEndpoint", C.NETWORK),
        tb.event("rs", 13, "ReplicaSet", "api-v1", "FailedCreate", C.SCHEDULING),
        tb.event("deploy", 14, "Deployment", "api", "RolloutStarted", C.ROLLOUT, source_kind=K.CHANGE),
        tb.event("sts", 15, "StatefulSet", "mysql", "FailedCreate", C.SCHEDULING),
        tb.event("cm", 16, "ConfigMap", "app-config", "ConfigChanged", C.CONFIG, source_kind=K.CHANGE),
        tb.event("pvc", 17, "PersistentVolumeClaim", "data", "FailedBinding", C.STORAGE),
        tb.event("info", 18, "Pod", "api-2", "Pulled", C.INFORMATIONAL, severity="info"),
        tb.event("late", 2_000, "Pod", "api-2", "Unhealthy", C.PROBE),  # beyond the window of the others
        tb.event("lost", 19, "Pod", "gone-7", "BackOff", C.CRASH, trace="t1"),  # a resource the graph lacks
        _unresolved(tb.event("nowhere", 20, "Pod", "x", "http_5xx", C.NETWORK, trace="t1")),  # resolved to none
    ]


def _unresolved(s: StoredEvent) -> StoredEvent:
    return replace(s, event=replace(s.event, resource=ResourceRef()), resource=ResourceRef(), resolved_by="")


def test_links_in_memory_equal_the_graphs_answer(store: GraphStore) -> None:
    """Every placed event's links, asked of the graph and answered from memory, are the same links."""
    tb.build(store)
    events = _every_path()
    tb.write_events(store, events)
    store.query("set_event_correlation", {"rows": [{"id": s.event.id, "correlation_id": "c"} for s in events]})
    graph = graphio.related_links(
        store,
        [graphio.Asked.stored(s) for s in events],
        window_ms=WINDOW,
        max_hops=3,
        min_rank=WARNING_RANK,
        placed=True,
    )
    ctx = graphio.contexts(store, [s.resource.uid for s in events])
    assert ctx[tb.uid("Pod", "api-1")].owners == ((tb.uid("Deployment", "api"), 2), (tb.uid("ReplicaSet", "api-v2"), 1))
    assert ctx[tb.uid("Pod", "mysql-0")].uses == ((tb.uid("PersistentVolumeClaim", "data"), m.SHARED_VOLUME),)
    calls = CallGraph(graphio.service_calls(store, 100))
    index = LinkIndex(WARNING_RANK)
    members = [_member(s, ctx.get(s.resource.uid)) for s in events]
    for x in members:
        index.add(x)
    kinds = set()
    for x in members:
        mine = index.links(x, lambda _: True, calls, window_ms=WINDOW, max_hops=3)
        assert mine == graph.get(x.id, []), x.id
        kinds |= {(lk.kind, lk.direction) for lk in mine}
    assert {k for k, _ in kinds} == {
        m.SAME_RESOURCE,
        m.OWNER,
        m.SAME_WORKLOAD,
        m.SAME_NODE,
        m.SELECTS,
        m.CALLS,
        m.SHARED_CONFIG,
        m.SHARED_VOLUME,
        m.SAME_TRACE,
    }  # every path was exercised
    assert not any(lk.b in ("info", "late") for x in members[:-3] for lk in graph.get(x.id, []))
    assert ("lost", m.SAME_TRACE) in [(lk.b, lk.kind) for lk in graph["nowhere"]]


def test_only_placed_events_within_the_window_are_linked() -> None:
    pod = m.Context(uid="p", kind="Pod", in_graph=True)
    a = _member(tb.event("a", 0, "Pod", "x", "BackOff", C.CRASH), pod)
    b = _member(tb.event("b", 10, "Pod", "x", "BackOff", C.CRASH), pod)
    far = _member(tb.event("far", 1_000, "Pod", "x", "BackOff", C.CRASH), pod)
    index = LinkIndex(WARNING_RANK)
    for x in (a, b, far):
        index.add(x)
    calls = CallGraph()
    assert [lk.b for lk in index.links(b, lambda i: True, calls, window_ms=WINDOW, max_hops=3)] == ["a"]
    assert index.links(b, lambda i: i != "a", calls, window_ms=WINDOW, max_hops=3) == []
    outside = m.Context(uid="p", kind="Pod")  # the graph lacks the resource: no topology, no same-resource link
    assert (
        index.links(
            _member(tb.event("c", 5, "Pod", "x", "BackOff", C.CRASH), outside),
            lambda i: True,
            calls,
            window_ms=WINDOW,
            max_hops=3,
        )
        == []
    )


def test_an_event_on_no_resource_links_by_its_trace() -> None:
    """An event its writer resolved to no resource (no uid) still shares its request's trace with the others."""
    nowhere = m.Context()
    a = _member(tb.event("a", 0, "Pod", "x", "http_5xx", C.NETWORK, trace="t"), nowhere)
    b = _member(tb.event("b", 1, "Pod", "y", "http_5xx", C.NETWORK, trace="t"), nowhere)
    index = LinkIndex(WARNING_RANK)
    index.add(a)
    found = index.links(b, lambda i: True, CallGraph(), window_ms=WINDOW, max_hops=3)
    assert [(lk.b, lk.kind) for lk in found] == [("a", m.SAME_TRACE)]


def test_prune_forgets_old_events_outside_open_correlations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("correlate.reach.PRUNE_AT", 2)
    pod = m.Context(uid="p", kind="Pod", in_graph=True)
    index = LinkIndex(WARNING_RANK)
    for i in range(3):
        index.add(_member(tb.event(f"e{i}", i, "Pod", "x", "BackOff", C.CRASH), pod))
    index.prune(tb.T0 + 1_500, keep=lambda i: i == "e0")
    assert len(index) == 2  # e1 is old and no open correlation holds it
    probe = _member(tb.event("n", 3, "Pod", "x", "BackOff", C.CRASH), pod)
    found = index.links(probe, lambda i: True, CallGraph(), window_ms=WINDOW, max_hops=3)
    assert [lk.b for lk in found] == ["e0", "e2"]


@pytest.mark.parametrize(
    ("edges", "start", "direction", "near"),
    [
        ([("a", "b"), ("b", "c"), ("c", "d"), ("d", "e")], ["a"], 1, {"b": 1, "c": 2, "d": 3}),
        ([("a", "b"), ("b", "c")], ["c"], -1, {"b": 1, "a": 2}),
        ([("a", "b"), ("b", "a")], ["a"], 1, {"b": 1, "a": 2}),  # back to itself only through a cycle
        ([("a", "c"), ("b", "x"), ("x", "c")], ["a", "b"], 1, {"c": 1, "x": 1}),  # the fewest hops from any
        ([("a", "b")], [], 1, {}),
    ],
)
def test_call_graph_near(edges: list[tuple[str, str]], start: list[str], direction: int, near: dict[str, int]) -> None:
    assert CallGraph(edges).near(start, direction) == near


def test_call_graph_learns_an_edge_after_it_was_asked() -> None:
    g = CallGraph([("a", "b")])
    assert g.near(["a"], 1) == {"b": 1}
    g.add([("b", "c"), ("", "c")])
    assert g.near(["a"], 1) == {"b": 1, "c": 2}


def test_fold_keeps_the_heaviest_link_and_the_first_direction() -> None:
    rows = [
        ("x", m.CALLS, 1, 2, ["y"], [0]),
        ("x", m.SAME_TRACE, 0, 0, ["y"], [0]),
        ("x", m.CALLS, -1, 1, ["z"], [0]),
        ("x", m.CALLS, 1, 4, ["w"], [0]),  # beyond max_hops
        ("x", m.SAME_RESOURCE, 0, 0, ["x"], [0]),  # itself
    ]
    out = fold(rows, {"x": 0}, window_ms=WINDOW, max_hops=3)["x"]
    assert [(lk.b, lk.kind, lk.direction) for lk in out] == [("y", m.SAME_TRACE, 1), ("z", m.CALLS, -1)]
