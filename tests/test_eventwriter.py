"""The event writer on the embedded FalkorDB: resolution order, time-aware IPs, idempotent MERGE, traffic CALLS."""

from __future__ import annotations

from dataclasses import replace

import pytest

from graph import GraphStore
from ingest.eventwriter import EventWriter
from ingest.loader import TopologyLoader
from ingest.normalize import parse_k8s_event, parse_unified
from tests import scenario_events as sc


@pytest.fixture
def shop(store: GraphStore) -> GraphStore:
    loader = TopologyLoader(store, sc.CLUSTER)
    loader.apply(sc.topology_objects(), sc.T0 - 3_600_000)
    loader.finish()
    return store


def _events(store: GraphStore) -> dict[str, dict[str, object]]:
    rows = store.run("MATCH (e:Event) OPTIONAL MATCH (e)-[:ABOUT]->(r) RETURN e AS e, r.uid AS about")
    return {r["e"]["id"]: {**r["e"], "about": r["about"]} for r in rows}


def _calls(store: GraphStore) -> list[dict[str, object]]:
    return store.run(
        "MATCH (a:Service)-[c:CALLS]->(b:Service) WHERE c.source = 'traffic' "
        "RETURN a.name AS src, b.name AS dst, c.count AS count, c.first_seen AS first, c.last_seen AS last"
    )


def test_resolution_by_uid_key_and_ip_with_owner_and_node(shop: GraphStore) -> None:
    w = EventWriter(shop, sc.CLUSTER)
    by_uid = parse_k8s_event(
        sc.k8s_event("e1", "BackOff", "Back-off restarting failed container", "Pod", "api-1", "uid-p-api-1", sc.T0),
        sc.CLUSTER,
    )
    by_key = parse_unified(sc.unified("e2", sc.T0, k8s_context={"kind": "pod", "name": "api-1", "namespace": "shop"}))
    by_ip = parse_unified(sc.http_503("e3", sc.T0))
    nowhere = parse_unified(sc.unified("e4", sc.T0, message="?"))
    out = w.write([by_uid, by_key, by_ip, nowhere])
    assert [s.resolved_by for s in out] == ["uid", "key", "ip", ""]
    assert out[0].resource.key() == "prod/Pod/shop/api-1" and out[1].resource.uid == "uid-p-api-1"
    assert out[2].resource.key() == "prod/Service/shop/api"  # ingress 503: about what was called
    assert all(s.new for s in out)
    stored = _events(shop)
    assert set(stored) == {"e1", "e2", "e3", "e4"}  # the unresolved one is stored too
    assert stored["e1"]["workload_key"] == "prod/Deployment/shop/api"
    assert stored["e1"]["node_name"] == "node-1"
    assert stored["e1"]["about"] == "uid-p-api-1" and stored["e4"]["about"] is None
    assert stored["e3"]["category"] == "application_error" and stored["e3"]["trace_id"] == "trace-1"
    assert w.stats.unresolved == 1


def test_repeats_merge_into_one_node_and_never_recount_traffic(shop: GraphStore) -> None:
    w = EventWriter(shop, sc.CLUSTER)
    first = parse_k8s_event(sc.k8s_event("e1", "BackOff", "m1", "Pod", "api-1", "uid-p-api-1", sc.T0), sc.CLUSTER)
    again = replace(first, count=5, last_ts=sc.T0 + 50_000, message="m5")
    a = parse_unified(sc.http_503("a", sc.T0 + 1_000))
    b = parse_unified(sc.http_503("b", sc.T0 + 2_000))
    out = w.write([first, a, a, b])
    assert [s.new for s in out] == [True, True, False, True]
    assert [s.calls for s in out] == [(), (("uid-s-web", "uid-s-api"),), (), (("uid-s-web", "uid-s-api"),)]
    assert _calls(shop) == [{"src": "web", "dst": "api", "count": 2, "first": sc.T0 + 1_000, "last": sc.T0 + 2_000}]
    out = w.write([again, a, b])  # an updated Kubernetes Event and a redelivered batch
    assert [s.new for s in out] == [False, False, False]
    assert all(s.calls == () for s in out)  # the engine adds a call edge once, from the event that recorded it
    stored = _events(shop)
    assert len(stored) == 3
    assert (stored["e1"]["count"], stored["e1"]["last_ts"], stored["e1"]["message"]) == (5, sc.T0 + 50_000, "m5")
    assert _calls(shop)[0]["count"] == 2
    w.write([first])  # an older copy does not move it back
    assert _events(shop)["e1"]["count"] == 5 and _events(shop)["e1"]["message"] == "m5"


def test_an_event_awaits_the_resource_it_names_until_a_repeat_finds_it(shop: GraphStore) -> None:
    """An unresolved event keeps the key it names (``awaiting_key``, for ``link_awaiting_events``); a repeat that
    finds the resource (written by a process that did not link it) is ABOUT it and awaits nothing more."""
    from graph.querybuilder import merge_nodes
    from graph.schema import Label

    w = EventWriter(shop, sc.CLUSTER)
    ctx = {"kind": "Pod", "name": "late-2", "namespace": sc.NS}
    ev = parse_unified(sc.unified("late", sc.T0, severity="warning", message="OOM", k8s_context=ctx))
    key = f"{sc.CLUSTER}/Pod/{sc.NS}/late-2"
    assert w.write([ev])[0].resolved_by == ""
    assert _events(shop)["late"]["awaiting_key"] == key and _events(shop)["late"]["about"] is None
    row = {"uid": "uid-late-2", "key": key, "cluster": sc.CLUSTER, "kind": "Pod", "namespace": sc.NS, "name": "late-2"}
    shop.write(merge_nodes(Label.POD), [row])
    assert w.write([ev])[0].resolved_by == "key"
    stored = _events(shop)["late"]
    assert stored["about"] == "uid-late-2" and stored.get("awaiting_key") is None


def test_a_pod_ip_resolves_as_it_was_at_the_event_time(shop: GraphStore) -> None:
    loader = TopologyLoader(shop, sc.CLUSTER)
    loader.delete(sc.pod("old-1", "uid-p-old-1", "10.0.0.31", {"app": "old"}), sc.T0 + 60_000)
    loader.apply([sc.pod("new-1", "uid-p-new-1", "10.0.0.31", {"app": "web"}, start_ms=sc.T0 + 120_000)])
    loader.finish()
    w = EventWriter(shop, sc.CLUSTER)
    net = {"source_ip": "10.0.0.31", "dest_ip": "10.96.0.11", "direction": "egress"}
    before = parse_unified(sc.unified("before", sc.T0 + 30_000, type="network", network=net))
    gap = parse_unified(sc.unified("gap", sc.T0 + 90_000, type="network", network=net))
    after = parse_unified(sc.unified("after", sc.T0 + 150_000, type="network", network=net))
    out = w.write([before, gap, after])
    assert [s.resource.name for s in out] == ["old-1", "api", "new-1"]  # egress: the source pod, if any held the IP
    # new-1 is behind Service web: its call to api counts; old-1 had no service
    assert _calls(shop) == [{"src": "web", "dst": "api", "count": 1, "first": sc.T0 + 150_000, "last": sc.T0 + 150_000}]


def test_batches_larger_than_the_batch_size(shop: GraphStore) -> None:
    w = EventWriter(shop, sc.CLUSTER, batch_size=7)
    events = [parse_unified(sc.http_503(f"n{i}", sc.T0 + i)) for i in range(30)]
    out = w.write(events)
    assert len(out) == 30 and all(s.resolved_by == "ip" for s in out)
    assert len(_events(shop)) == 30
    assert _calls(shop)[0]["count"] == 30


class _Counting:
    """The store, counting the values each resolve statement asks for (the cache is what is not asked)."""

    def __init__(self, inner: GraphStore) -> None:
        self.inner = inner
        self.asked: list[dict[str, list[str]]] = []

    def query(self, name: str, params: dict[str, object] | None = None) -> list[dict[str, object]]:
        if name == "resolve_event_resources" and params is not None:
            self.asked.append({k: list(v) for k, v in params.items() if k != "ids"})  # type: ignore[call-overload]
        return self.inner.query(name, params)


def test_resolved_resources_are_cached_until_the_loader_writes_topology(shop: GraphStore) -> None:
    loader = TopologyLoader(shop, sc.CLUSTER)
    counting = _Counting(shop)
    w = EventWriter(counting, sc.CLUSTER, topology_generation=lambda: loader.generation)  # type: ignore[arg-type]
    net = {"source_ip": "10.0.0.99", "dest_ip": "10.96.0.11", "direction": "egress"}
    by_uid = sc.k8s_event("k1", "BackOff", "Back-off", "Pod", "api-1", "uid-p-api-1", sc.T0)
    w.write([parse_k8s_event(by_uid, sc.CLUSTER), parse_unified(sc.unified("n1", sc.T0, type="network", network=net))])
    # the key of an event with a uid is asked only when the uid is found nowhere (it is found here)
    assert counting.asked == [{"uids": ["uid-p-api-1"], "keys": [], "ips": ["10.0.0.99", "10.96.0.11"]}]
    again = [
        parse_k8s_event({**by_uid, "metadata": {**by_uid["metadata"], "uid": "k2"}}, sc.CLUSTER),
        parse_unified(sc.unified("n2", sc.T0, type="network", network=net)),
    ]
    out = w.write(again)
    # the uid (and so its key) and the service IP were found: cached; 10.0.0.99 was nobody's: asked again
    assert counting.asked[-1] == {"uids": [], "keys": [], "ips": ["10.0.0.99"]}
    assert [s.resource.name for s in out] == ["api-1", "api"] and w.cache is not None and w.cache.hits >= 2
    # the loader writes a pod holding 10.0.0.99: the cache starts again and the IP resolves to it
    loader.apply([sc.pod("new-1", "uid-p-new-1", "10.0.0.99", {"app": "web"}, start_ms=sc.T0 - 1_000)])
    out = w.write([parse_unified(sc.unified("n3", sc.T0, type="network", network=net))])
    assert counting.asked[-1] == {"uids": [], "keys": [], "ips": ["10.0.0.99", "10.96.0.11"]}
    assert out[0].resource.name == "new-1" and out[0].resolved_by == "ip"


def test_the_key_of_an_unknown_uid_is_asked_in_a_second_statement(shop: GraphStore) -> None:
    counting = _Counting(shop)
    w = EventWriter(counting, sc.CLUSTER)  # type: ignore[arg-type]
    known = sc.k8s_event("k1", "BackOff", "Back-off", "Pod", "api-1", "uid-p-api-1", sc.T0)
    unknown = sc.k8s_event("k2", "BackOff", "Back-off", "Pod", "api-1", "uid-not-in-the-graph", sc.T0)
    by_key = {**known, "metadata": {**known["metadata"], "uid": "k3"}}
    by_key["involvedObject"] = {k: v for k, v in known["involvedObject"].items() if k != "uid"}
    out = w.write([parse_k8s_event(e, sc.CLUSTER) for e in (known, unknown, by_key)])
    assert counting.asked == [
        {"uids": ["uid-not-in-the-graph", "uid-p-api-1"], "keys": ["prod/Pod/shop/api-1"], "ips": []},
    ]  # the event without a uid asks its key at once, which answers the unknown uid's key too
    assert [(s.resource.uid, s.resolved_by) for s in out] == [
        ("uid-p-api-1", "uid"),
        ("uid-p-api-1", "key"),
        ("uid-p-api-1", "key"),
    ]
    counting.asked.clear()
    out = w.write([parse_k8s_event({**unknown, "metadata": {**unknown["metadata"], "uid": "k4"}}, sc.CLUSTER)])
    assert counting.asked == [
        {"uids": ["uid-not-in-the-graph"], "keys": [], "ips": []},
        {"uids": [], "keys": ["prod/Pod/shop/api-1"], "ips": []},
    ]
    assert [(s.resource.name, s.resolved_by) for s in out] == [("api-1", "key")]


def test_a_pipeline_with_a_loader_lets_its_writer_cache(store: GraphStore) -> None:
    from ingest.pipeline import Pipeline

    loader = TopologyLoader(store, sc.CLUSTER)
    with_loader = Pipeline(store, loader, EventWriter(store, sc.CLUSTER))
    without = Pipeline(store, None, EventWriter(store, sc.CLUSTER))
    assert with_loader.writer.cache is not None and without.writer.cache is None
    before = with_loader.writer.cache.generation()
    loader.apply(sc.topology_objects())
    assert with_loader.writer.cache.generation() != before


def test_a_log_naming_a_service_resolves_what_it_was_calling(shop: GraphStore) -> None:
    w = EventWriter(shop, sc.CLUSTER, topology_generation=lambda: 0)
    on_web = {"kind": "Pod", "name": "web-1", "namespace": "shop"}

    def log(eid: str, message: str) -> dict[str, object]:
        return sc.unified(eid, sc.T0, type="log", severity="error", message=message, k8s_context=on_web)

    named = log("l1", "failed to call api.shop.svc.cluster.local: deadline exceeded")
    unnamed = log("l2", "failed to call the payment gateway: deadline exceeded")
    own = log("l3", "web: unhandled NullPointerException")
    out = w.write([parse_unified(e) for e in (named, unnamed, own)])
    assert [s.target_uid for s in out] == ["uid-s-api", "", ""]
    assert _events(shop)["l1"]["target_uid"] == "uid-s-api"
    again = w.write([parse_unified(log("l4", "failed to call api: deadline exceeded"))])
    assert again[0].target_uid == "uid-s-api"
    assert w.cache is not None and w.cache.get("key", "prod/Service/shop/payment") == []  # no Service: kept so
