"""The engine on the embedded graph: grouping, root cause, patterns, states, versions, graph writes, determinism."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from correlate.engine import Engine
from correlate.placement import correlation_id
from correlate.settings import CorrelateSettings
from graph import GraphStore
from model.event import Category as C
from model.event import SourceKind, StoredEvent
from model.resource import ResourceRef
from tests import topo_builder as tb


def engine(store: GraphStore, **kw: object) -> Engine:
    """An engine that places each batch at once (no disorder bound held back), on the small cluster."""
    tb.build(store)
    return Engine(store, CorrelateSettings(**{"disorder_ms": 0, **kw}), tb.CLUSTER)  # type: ignore[arg-type]


def cascade() -> list[StoredEvent]:
    return [
        tb.event("oom", 0, "Pod", "mysql-0", "OOMKilled", C.RESOURCE_EXHAUSTION, severity="high"),
        tb.event("t1", 5, "Pod", "api-1", "timeout", C.NETWORK, target=("Service", "mysql")),
        tb.event("f1", 8, "Service", "frontend", "http_503", C.NETWORK, trace="tr1", target=("Service", "api")),
        tb.event("f2", 9, "Pod", "frontend-2", "http_503", C.NETWORK, trace="tr1", target=("Service", "api")),
    ]


def test_cascade_grouped_with_the_callee_as_root(store: GraphStore) -> None:
    e = engine(store)
    out = e.process(tb.stored(store, cascade()))
    assert len(out) == 1
    r = out[0]
    assert r.related_events == ["oom", "t1", "f1", "f2"]
    assert r.root_cause.event_id == "oom" and r.root_cause.resource.name == "mysql-0"
    assert (r.type, r.state, r.version, r.severity) == ("cascading_failure", "active", 1, "critical")
    assert r.summary == "Root cause: mysql memory exhaustion affecting 3 services"
    assert "statefulset/mysql (512Mi)" in r.remediation
    assert r.trace_ids == ["tr1"] and r.id == correlation_id("oom")
    assert {ev.link for ev in r.evidence} == {"target"}  # each caller named what it was calling


def test_root_found_even_when_symptoms_come_in_an_earlier_batch(store: GraphStore) -> None:
    e = engine(store)
    events = cascade()
    (first,) = e.process(tb.stored(store, events[:1]))  # an OOM kill is an incident on its own
    assert (first.type, first.root_cause.event_id, first.version) == ("single_event", "oom", 1)
    out = e.process(tb.stored(store, events[1:]))
    assert (out[0].id, out[0].root_cause.event_id, out[0].version) == (first.id, "oom", 2)


@pytest.mark.parametrize(("gap_s", "tellings", "published"), [(300, 8, False), (150, 8, False), (20, 3, True)])
def test_a_lone_warning_is_published_when_it_repeats_close_together_not_when_it_drips(
    store: GraphStore, gap_s: int, tellings: int, published: bool
) -> None:
    """One Kubernetes Event told again and again, each telling when it happens: three tellings within a minute
    are a volume failing to mount over and over, an incident; once every few minutes for the whole watch is a
    standing condition (``state.REPEAT_SPAN_MS``), kept, not paged."""
    e = engine(store)
    first = tb.event("mount", 0, "Pod", "api-1", "FailedMount", C.STORAGE)
    out = []
    for i in range(tellings):
        told = replace(first, event=replace(first.event, count=i + 1, last_ts=first.event.ts + i * gap_s * 1000))
        out += e.process(tb.stored(store, [told]))
    assert bool(out) is published
    if published:
        assert {r.root_cause.event_id for r in out} == {"mount"}


def test_isolated_warnings_stay_unpublished(store: GraphStore) -> None:
    e = engine(store)
    out = e.process(
        tb.stored(
            store,
            [
                tb.event("n1", 0, "Pod", "noise-1", "BackOff", C.CRASH),
                tb.event("n2", 1, "Pod", "frontend-1", "FailedScheduling", C.SCHEDULING),
            ],
        )
    )
    assert out == []
    states = store.run("MATCH (c:Correlation) RETURN c.state AS s, c.version AS v")
    assert len(states) == 2 and all(s == {"s": "building", "v": 0} for s in states)


def test_an_oom_kill_read_from_a_pods_status_is_an_incident_on_its_own(store: GraphStore) -> None:
    """A change read from an object's status is a failure (an OOM kill), not an edit someone made: published
    alone, as the kernel's own OOM report is."""
    oom = tb.event(
        "uid-pod-mysql-0@OOMKilled:mysql:1",
        0,
        "Pod",
        "mysql-0",
        "OOMKilled",
        C.RESOURCE_EXHAUSTION,
        severity="high",
        source_kind=SourceKind.CHANGE,
    )
    (r,) = engine(store).process(tb.stored(store, [oom]))
    assert (r.type, r.root_cause.event_id, r.state) == ("single_event", oom.event.id, "active")


def test_normal_events_are_ignored_but_changes_count(store: GraphStore) -> None:
    e = engine(store)
    e.process(tb.stored(store, [tb.event("ok", 0, "Pod", "api-1", "Pulled", C.LIFECYCLE, severity="info")]))
    assert store.run("MATCH (c:Correlation) RETURN count(c) AS n")[0]["n"] == 0
    change = tb.event(
        "cm@5",
        0,
        "ConfigMap",
        "app-config",
        "ConfigMapChanged",
        C.CONFIG,
        severity="info",
        source_kind=SourceKind.CHANGE,
        detail={"keys": ["DB_HOST"]},
    )
    out = e.process(
        tb.stored(
            store,
            [
                change,
                tb.event("c1", 30, "Pod", "api-1", "BackOff", C.CRASH),
                tb.event("c2", 31, "Pod", "api-2", "BackOff", C.CRASH),
            ],
        )
    )
    r = out[-1]
    assert r.type == "config_change" and r.root_cause.event_id == "cm@5"
    assert "DB_HOST" in r.summary and "DB_HOST" in r.remediation and "configmap/app-config" in r.remediation


def test_rollout_names_the_revision_to_roll_back_to(store: GraphStore) -> None:
    e = engine(store)
    out = e.process(
        tb.stored(
            store,
            [
                tb.event(
                    "d@9",
                    0,
                    "Deployment",
                    "api",
                    "ImageChanged",
                    C.ROLLOUT,
                    severity="info",
                    source_kind=SourceKind.CHANGE,
                    detail={"image": {"before": "repo/api:v1", "after": "repo/api:v2"}},
                ),
                tb.event("p1", 20, "Pod", "api-1", "Failed", C.IMAGE),
                tb.event("p2", 21, "Pod", "api-2", "Failed", C.IMAGE),
            ],
        )
    )
    r = out[-1]
    assert r.type == "deployment_issue" and r.root_cause.event_id == "d@9"
    assert "revision 1" in r.remediation and "repo/api:v1" in r.remediation and "rollout undo" in r.remediation


def test_a_rollouts_new_pod_the_graph_does_not_know_yet_is_the_rollouts(store: GraphStore) -> None:
    """The new ReplicaSet's pod is not in the graph yet (its events came ahead of the watch; ingest resolved them to
    nothing): the event's own reference and the owner its name says make it the rollout's, not a root of its own."""
    e = engine(store)
    change = tb.event(
        "d@9", 0, "Deployment", "api", "ImageChanged", C.ROLLOUT, severity="info", source_kind=SourceKind.CHANGE
    )
    unknown = [
        replace(
            tb.event(eid, at, "Pod", "api-7zwg2k6m6r-79sfx", reason, C.IMAGE), resource=ResourceRef(), resolved_by=""
        )
        for eid, at, reason in (("p1", 20, "Failed"), ("p2", 30, "BackOff"))
    ]
    out = e.process(tb.stored(store, [change, *unknown]))
    r = out[-1]
    assert r.root_cause.event_id == "d@9" and r.root_cause.resource.kind == "Deployment"
    assert {"p1", "p2"} <= set(r.related_events)


def test_node_failure_names_the_node_to_cordon(store: GraphStore) -> None:
    e = engine(store)
    out = e.process(
        tb.stored(
            store,
            [
                tb.event("nn", 0, "Node", "node-2", "NodeNotReady", C.NODE, severity="high"),
                tb.event("m1", 10, "Pod", "mysql-0", "Unhealthy", C.PROBE, message="probe: context deadline exceeded"),
                tb.event("a2", 12, "Pod", "api-2", "Unhealthy", C.PROBE, message="probe: context deadline exceeded"),
            ],
        )
    )
    r = out[-1]
    assert r.type == "node_failure" and r.root_cause.event_id == "nn"
    assert r.summary.startswith("Node node-2 failure (NodeNotReady) will impact: ")
    assert "kubectl cordon node-2" in r.remediation


def test_workload_failure_counts_pods(store: GraphStore) -> None:
    e = engine(store)
    out = e.process(
        tb.stored(
            store,
            [
                tb.event("w1", 0, "Pod", "api-1", "BackOff", C.CRASH, count=4),  # crash-looping
                tb.event("w2", 3, "Pod", "api-2", "BackOff", C.CRASH, count=3),
            ],
        )
    )
    r = out[-1]
    assert r.type == "workload_failure"
    assert r.summary == "Deployment 'api' experiencing widespread failures: 2 of 2 pods"


def test_a_restart_or_two_is_no_workload_failure_until_it_crash_loops(store: GraphStore) -> None:
    e = engine(store)

    def restarts(n: int) -> list[StoredEvent]:  # a pod's crash log, its BackOff told n times; its sibling's probe
        return [
            tb.event("log", 0, "Pod", "api-1", "error_log", C.APPLICATION_ERROR, severity="error", message="panic"),
            *(tb.event(f"bo{i}", 10 + i, "Pod", "api-1", "BackOff", C.CRASH, severity="high") for i in range(n)),
            tb.event("pr", 40, "Pod", "api-2", "Unhealthy", C.PROBE, severity="high"),
        ]

    assert e.process(tb.stored(store, restarts(2))) == []  # what a busy workload shows now and then
    (r,) = engine(store).process(tb.stored(store, restarts(3)))  # the same, the container restarted three times
    assert (r.type, r.root_cause.resource.kind, r.root_cause.resource.name) == ("workload_failure", "Deployment", "api")


def test_new_member_publishes_a_new_version_and_quiet_resolves(store: GraphStore) -> None:
    e = engine(store)
    v1 = e.process(tb.stored(store, cascade()[:2]))
    v2 = e.process(tb.stored(store, cascade()[2:]))
    assert [r.version for r in v1 + v2] == [1, 2] and v1[0].id == v2[0].id
    assert e.process(tb.stored(store, [tb.event("t1", 5, "Pod", "api-1", "Unhealthy", C.PROBE)])) == []  # repeat
    resolved = e.tick(tb.T0 + 9_000 + CorrelateSettings().resolve_quiet_ms)
    assert [(r.state, r.version) for r in resolved] == [("resolved", 3)]
    assert e.open_correlations() == []
    row = store.run(
        "MATCH (c:Correlation {id: $id}) RETURN c.state AS s, c.version AS v, c.document AS d", {"id": v1[0].id}
    )[0]
    assert (row["s"], row["v"], json.loads(row["d"])["state"]) == ("resolved", 3, "resolved")


def _feedback(store: GraphStore, fid: str, corr: str, verdict: str, event_id: str | None) -> None:
    params = {"id": fid, "correlation_id": corr, "verdict": verdict, "event_id": event_id, "comment": "", "at": tb.T0}
    assert store.query("store_feedback", params)


def test_feedback_pins_the_named_root_and_teaches_the_next_correlation(store: GraphStore) -> None:
    e = engine(store)
    (first,) = e.process(tb.stored(store, cascade()))
    assert first.root_cause.event_id == "oom"
    _feedback(store, "fb1", first.id, "wrong_root_cause", "t1")
    (again,) = e.tick(tb.T0 + 10_000)
    assert (again.id, again.version, again.root_cause.event_id) == (first.id, 2, "t1")
    assert again.confidence >= 0.9  # a person named the root
    # Learned for later incidents: the judged reason (OOMKilled) lost cause prior, the named one (timeout) gained.
    assert e.learned.prior(0.9, "OOMKilled") < 0.9 < e.learned.prior(0.9, "timeout")
    fresh = Engine(store, CorrelateSettings(), tb.CLUSTER)  # a restarted engine reads the verdicts too
    assert fresh.learned == e.learned


def test_a_shared_trace_never_merges_two_incidents(store: GraphStore) -> None:
    e = engine(store)
    e.process(
        tb.stored(
            store,
            [
                tb.event("a", 0, "Pod", "noise-1", "BackOff", C.CRASH, trace="x"),
                tb.event("b", 1, "Pod", "frontend-1", "BackOff", C.CRASH),
            ],
        )
    )
    assert len(e.open_correlations()) == 2  # unrelated so far
    e.process(tb.stored(store, [tb.event("c", 2, "Pod", "frontend-2", "BackOff", C.CRASH, trace="x")]))
    homes = {frozenset(c.members) for c in e.open_correlations()}
    assert homes == {frozenset({"a"}), frozenset({"b", "c"})}  # c joins its workload's failure, not the trace


def test_a_common_cause_merges_the_correlations_whose_roots_it_explains(store: GraphStore) -> None:
    e = engine(store)
    e.process(
        tb.stored(
            store,
            [
                tb.event("m1", 0, "Pod", "mysql-0", "Unhealthy", C.PROBE, message="probe timed out"),
                tb.event("n1", 2, "Pod", "noise-1", "BackOff", C.CRASH),  # told before the kubelet went silent
            ],
        )
    )
    assert len(e.open_correlations()) == 2
    out = e.process(tb.stored(store, [tb.event("nn", 50, "Node", "node-2", "NodeNotReady", C.NODE, severity="high")]))
    (only,) = e.open_correlations()
    assert set(only.members) == {"m1", "n1", "nn"}
    assert out[-1].root_cause.event_id == "nn" and out[-1].type == "node_failure"
    gone = correlation_id("n1") if only.id == correlation_id("m1") else correlation_id("m1")
    merged = store.run("MATCH (c:Correlation {id: $id}) RETURN c.state AS s, c.summary AS m", {"id": gone})
    assert merged == [{"s": "resolved", "m": f"merged into {only.id}"}]


def test_pods_of_two_workloads_on_one_node_timing_out_make_the_node_the_inferred_root(store: GraphStore) -> None:
    e = engine(store)
    out = e.process(
        tb.stored(
            store,
            [
                tb.event("m1", 0, "Pod", "mysql-0", "Unhealthy", C.PROBE, message="Readiness probe: timeout"),
                tb.event("a1", 20, "Pod", "api-2", "Unhealthy", C.PROBE, message="Readiness probe: timeout", count=3),
                tb.event("m2", 30, "Pod", "mysql-0", "Unhealthy", C.PROBE, message="Liveness probe: timeout"),
            ],
        )
    )
    (only,) = e.open_correlations()
    assert set(only.members) == {"m1", "a1", "m2"}
    r = out[-1]  # published: news for quiet pods, and one probe kept failing (three times)
    assert (r.root_cause.resource.kind, r.root_cause.resource.name, r.root_cause.inferred) == ("Node", "node-2", True)
    assert r.root_cause.event_id == "m1" and r.type == "node_failure"


def test_graph_holds_edges_and_event_correlation_ids(store: GraphStore) -> None:
    e = engine(store)
    r = e.process(tb.stored(store, cascade()))[0]
    rows = store.run(
        "MATCH (c:Correlation {id: $id})-[i:INCLUDES]->(ev:Event) RETURN ev.id AS id, i.role AS role, "
        "ev.correlation_id AS cid ORDER BY id",
        {"id": r.id},
    )
    assert [(x["id"], x["role"]) for x in rows] == [
        ("f1", "member"),
        ("f2", "member"),
        ("oom", "root"),
        ("t1", "member"),
    ]
    assert {x["cid"] for x in rows} == {r.id}
    root = store.run("MATCH (:Correlation {id: $id})-[:ROOT_CAUSE]->(e:Event) RETURN e.id AS id", {"id": r.id})
    assert root == [{"id": "oom"}]
    hit = store.run("MATCH (:Correlation {id: $id})-[:IMPACTS]->(x) RETURN x.name AS n ORDER BY n", {"id": r.id})
    assert {"mysql", "api", "frontend"} <= {x["n"] for x in hit}


def test_each_recurring_oom_is_its_own_correlation_linked_to_the_earlier_ones(store: GraphStore) -> None:
    e = engine(store)
    out = []
    for i in range(4):
        ev = tb.event(f"oom-{i}", i * 6 * 3600, "Pod", "api-1", "OOMKilled", C.RESOURCE_EXHAUSTION, severity="high")
        out += e.process(tb.stored(store, [ev]))
    last = {r.id: r for r in out}
    assert len(last) == 4, "one correlation per occurrence"
    ids = [correlation_id(f"oom-{i}") for i in range(4)]
    assert [last[c].root_cause.event_id for c in ids] == [f"oom-{i}" for i in range(4)]
    assert last[ids[0]].recurrence is None and last[ids[0]].type != "recurring_failure"
    r = next(x for x in out if x.id == ids[3])
    assert r.type == "recurring_failure" and r.recurrence is not None
    assert (r.recurrence.period_seconds, r.recurrence.occurrences) == (21600, 4)
    assert r.recurrence.previous == ids[:3]
    assert r.related_events == ["oom-3"]
    assert r.summary == "OOM every ~6h on deployment/api since image v2, 4th time"


def test_the_newest_events_are_held_back_until_the_disorder_bound_passes(store: GraphStore) -> None:
    e = engine(store, disorder_ms=5_000, speculate=False)
    oom, t1, f1, f2 = cascade()  # at 0, 5, 8 and 9 s
    e.process(tb.stored(store, [t1, f1, f2]))  # the OOM arrives last, out of order
    assert e.open_correlations() == []  # nothing is 5 s older than the newest yet
    e.process(tb.stored(store, [oom]))
    assert [set(c.members) for c in e.open_correlations()] == [{"oom"}]  # placed first, as it happened first
    e.tick(tb.T0 + 20_000)  # time passing places the rest, in event-time order
    (c,) = e.open_correlations()
    assert set(c.members) == {"oom", "t1", "f1", "f2"} and c.root is not None and c.root.event_id == "oom"
    assert e.flush() == []


def test_same_input_same_output(falkor_url: str) -> None:
    from graph import open_store

    lines = []
    for n in range(2):
        s = open_store(falkor_url, graph_name=f"det_{n}")
        try:
            s.clear()
            s.apply_schema()
            e = engine(s)
            lines.append([r.to_json() for r in e.process(tb.stored(s, cascade()))])
        finally:
            s.clear()
            s.close()
    assert lines[0] == lines[1] and lines[0]


def test_speculation_publishes_at_once_and_places_again_when_an_earlier_event_arrives(store: GraphStore) -> None:
    e = engine(store, disorder_ms=5_000)
    oom = cascade()[0]  # at 0 s; its effects at 5, 8 and 9 s, critical: published on their own before it comes
    t1, f1, f2 = (replace(x, event=replace(x.event, severity="critical")) for x in cascade()[1:])
    first = e.process(tb.stored(store, [t1, f1, f2]))  # the OOM arrives last, out of order
    assert {x for r in first for x in r.related_events} == {"t1", "f1", "f2"}  # published at once, no wait
    assert e.replaced == 0
    later = e.process(tb.stored(store, [oom]))
    assert e.replaced == 1  # placed again from the checkpoint, in event-time order
    (c,) = e.open_correlations()
    assert set(c.members) == {"oom", "t1", "f1", "f2"} and c.root is not None and c.root.event_id == "oom"
    latest = {r.id: r for r in [*first, *later]}  # what a reader of the results holds now
    for r in first:
        if r.id != c.id:  # superseded: a newer version with no members, resolved
            assert (
                latest[r.id].version > r.version
                and latest[r.id].related_events == []
                and latest[r.id].state == "resolved"
            )
    assert set(latest[c.id].related_events) == {"oom", "t1", "f1", "f2"}
    rows = store.run("MATCH (k:Correlation)-[:INCLUDES]->(x:Event) RETURN k.id AS c, x.id AS e")
    assert {(r["c"], r["e"]) for r in rows} == {(c.id, x) for x in ("oom", "t1", "f1", "f2")}  # no stale edge
    assert e.flush() == []


def test_a_call_an_event_recorded_links_at_once(store: GraphStore) -> None:
    """The engine links through the call graph it read and the CALLS edges each batch's events recorded since
    (``StoredEvent.calls``): a frontend's 503 from ``noise``, after it was seen calling it, is linked to the noise
    pod's OOM by that call."""
    e = engine(store)
    oom = tb.event("oom", 0, "Pod", "noise-1", "OOMKilled", C.RESOURCE_EXHAUSTION, severity="high")
    e.process(tb.stored(store, [oom]))
    seen = replace(
        tb.event("call", 4, "Pod", "frontend-1", "http_request", C.INFORMATIONAL, severity="info"),
        calls=((tb.uid("Service", "frontend"), tb.uid("Service", "noise")),),
    )
    f1 = tb.event("f1", 5, "Pod", "frontend-1", "http_503", C.NETWORK, severity="high", target=("Service", "noise"))
    out = e.process(tb.stored(store, [seen, f1]))
    assert [(r.root_cause.event_id, r.related_events) for r in out] == [("oom", ["oom", "f1"])]
    (c,) = e.open_correlations()
    assert [(lk.a, lk.b, lk.kind) for lk in c.links] == [("f1", "oom", "calls")]
