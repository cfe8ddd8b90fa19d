"""The engine's graph adapters: one link per pair, direction kept, contexts and rollout history."""

from __future__ import annotations

from correlate import graphio
from graph import GraphStore
from model.event import Category as C
from tests import topo_builder as tb


def _oom_and_probe(store: GraphStore) -> list[graphio.Asked]:
    """An OOM kill and, 5 s later, a probe failure of its caller (one trace), written; their link-question rows."""
    tb.build(store)
    evs = [
        tb.event("oom", 0, "Pod", "mysql-0", "OOMKilled", C.RESOURCE_EXHAUSTION, trace="t"),
        tb.event("t1", 5, "Pod", "api-1", "Unhealthy", C.PROBE, trace="t"),
    ]
    tb.write_events(store, evs)
    return [graphio.Asked.stored(s) for s in evs]


def test_related_links_heaviest_with_direction(store: GraphStore) -> None:
    rows = _oom_and_probe(store)
    links = graphio.related_links(store, rows, window_ms=900_000, max_hops=4)
    assert sorted(links) == ["oom", "t1"]  # the window reaches both ways: events may arrive out of order
    (link,) = links["t1"]
    assert (link.b, link.kind, link.direction) == ("oom", "same_trace", 1)  # trace is heavier; calls gives direction
    assert (links["oom"][0].b, links["oom"][0].direction) == ("t1", -1)
    assert graphio.related_links(store, rows, window_ms=1_000, max_hops=4) == {}
    assert graphio.related_links(store, [], window_ms=1_000, max_hops=4) == {}


def test_contexts_and_history(store: GraphStore) -> None:
    tb.build(store)
    ctx = graphio.contexts(store, [tb.uid("Pod", "api-1"), tb.uid("Deployment", "api"), "missing", ""])
    pod = ctx[tb.uid("Pod", "api-1")]
    assert (pod.workload, pod.node, pod.services, pod.limits_memory) == (
        "deployment/shop/api",
        "node-1",
        ("api",),
        "256Mi",
    )
    assert ctx[tb.uid("Deployment", "api")].workload == "deployment/shop/api" and "missing" not in ctx
    revs = graphio.rollout_history(store, tb.uid("Deployment", "api"))
    assert [(r.revision, r.images) for r in revs] == [("2", ("repo/api:v2",)), ("1", ("repo/api:v1",))]
    assert graphio.rollout_history(store, "") == []


def test_max_hops_bounds_the_calls_path(store: GraphStore) -> None:
    """``CorrelateSettings.max_hops`` at work: frontend -> api -> mysql is two CALLS hops."""
    tb.build(store)
    evs = [
        tb.event("oom", 0, "Pod", "mysql-0", "OOMKilled", C.RESOURCE_EXHAUSTION),
        tb.event("f1", 5, "Pod", "frontend-1", "Unhealthy", C.PROBE),
    ]
    tb.write_events(store, evs)
    rows = [graphio.Asked.stored(s) for s in evs]
    two = graphio.related_links(store, rows, window_ms=900_000, max_hops=2)
    assert [(x.b, x.kind, x.hops) for x in two["f1"]] == [("oom", "calls", 2)]
    assert graphio.related_links(store, rows, window_ms=900_000, max_hops=1) == {}


def test_placed_leaves_out_later_events_no_correlation_holds(store: GraphStore) -> None:
    """``placed`` (the engine): a later event is linked to only once a correlation holds it; earlier ones always."""
    rows = _oom_and_probe(store)
    everything = graphio.related_links(store, rows, window_ms=900_000, max_hops=4)
    placed = graphio.related_links(store, rows, window_ms=900_000, max_hops=4, placed=True)
    assert placed == {"t1": everything["t1"]}  # oom's link to the later t1, not placed yet, is left out
    store.query("set_event_correlation", {"rows": [{"id": "t1", "correlation_id": "corr-1"}]})
    assert graphio.related_links(store, rows, window_ms=900_000, max_hops=4, placed=True) == everything
