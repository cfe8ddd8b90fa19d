"""The one ingest path: order, watch changes through the topology loader, rejections, on_stored in event time."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from graph import GraphStore, TransientGraphError
from ingest.eventwriter import EventWriter
from ingest.loader import TopologyLoader
from ingest.normalize import parse_unified
from ingest.pipeline import Pipeline
from model.event import NormalEvent, StoredEvent
from tests import scenario_events as sc


def _pipeline(store: GraphStore, seen: list[list[StoredEvent]]) -> Pipeline:
    loader = TopologyLoader(store, sc.CLUSTER)
    loader.apply(sc.topology_objects(), sc.T0 - 3_600_000)
    loader.finish()
    return Pipeline(store, loader, EventWriter(store, sc.CLUSTER), on_stored=seen.append)


def _items() -> list[Any]:
    out: list[Any] = []
    for line in sc.events_lines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out


def test_mixed_items_in_order(store: GraphStore) -> None:
    seen: list[list[StoredEvent]] = []
    p = _pipeline(store, seen)
    items = _items()
    result = p.ingest(items)
    assert len(result.rejected) == sc.BAD_LINES - 1  # the unparseable line never reached the pipeline
    assert all(r.reason for r in result.rejected)
    assert any("timestamp" in r.reason for r in result.rejected)
    assert result.changes == 2
    ids = {s.event.id for s in result.stored}
    assert ids >= sc.STORED_IDS
    by_id = {s.event.id: s for s in result.stored if s.new}
    # the same IP, before and after the change lines: the topology was applied in file order
    assert by_id["u-old"].resource.name == "old-1"
    assert by_id["u-new"].resource.name == "new-1"
    assert by_id["u-nowhere"].resolved_by == ""
    stored = store.run("MATCH (e:Event) RETURN e.id AS id, e.count AS count")
    assert len(stored) == len({r["id"] for r in stored})  # never a duplicate
    assert {r["id"]: r["count"] for r in stored}["ev-backoff"] == 4
    # on_stored: once per call, in event-time order
    assert len(seen) == 1
    times = [max(s.event.ts, s.event.last_ts) for s in seen[0]]
    assert times == sorted(times)


def test_watched_events_and_lists_are_their_events(store: GraphStore) -> None:
    """``kubectl get events --watch -o json`` wraps each Event in a watch change; ``kubectl get events -o json`` is a
    List: both are the Events they hold (a deleted Event is no news), a bad item of a List is that line's."""
    p = _pipeline(store, [])
    backoff = sc.k8s_event("ev-w1", "BackOff", "Back-off", "Pod", "api-1", "uid-p-api-1", sc.T0 + 1_000)
    again = sc.k8s_event("ev-w1", "BackOff", "Back-off", "Pod", "api-1", "uid-p-api-1", sc.T0 + 1_000, count=3)
    probe = sc.k8s_event("ev-l1", "Unhealthy", "probe failed", "Pod", "api-1", "uid-p-api-1", sc.T0 + 2_000)
    items = [
        {"type": "ADDED", "object": backoff},
        {"type": "MODIFIED", "object": again},
        {"type": "DELETED", "object": again},
        {"kind": "EventList", "apiVersion": "v1", "items": [probe, {"hello": 1}]},
    ]
    result = p.ingest(items)
    assert len(result.stored) == 3  # the ADDED, the MODIFIED (a repeat) and the List's Event: not the DELETED
    assert [r.index for r in result.rejected] == [3] and "UnifiedEvent" in result.rejected[0].reason
    assert result.changes == 0  # no topology change: the Events are events
    rows = store.run("MATCH (e:Event)-[:ABOUT]->(r) RETURN e.id AS id, e.count AS n, r.name AS on ORDER BY id")
    assert rows == [{"id": "ev-l1", "n": 1, "on": "api-1"}, {"id": "ev-w1", "n": 3, "on": "api-1"}]


def test_change_events_of_the_loader_are_stored(store: GraphStore) -> None:
    p = _pipeline(store, [])
    result = p.ingest(
        [
            {
                "type": "DELETED",
                "object": sc.pod("api-1", "uid-p-api-1", "10.0.0.11", {"app": "api"}),
                "observed_at": sc.iso(sc.T0),
            }
        ]
    )
    assert result.changes == 1 and not result.rejected
    deleted = store.run("MATCH (p:Pod {uid: 'uid-p-api-1'}) RETURN p.deleted_at AS at")
    assert deleted == [{"at": sc.T0}]
    assert all(s.event.source_kind == "change" for s in result.stored)


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ({"type": "ADDED", "object": {"kind": "Pod", "metadata": {"uid": "x"}}}, "observed_at"),
        ({"type": "ADDED", "object": {"metadata": {"uid": "x"}}, "observed_at": "2026-01-01T00:00:00Z"}, "object.kind"),
        ({"type": "ADDED", "object": {"kind": "Pod"}, "observed_at": "2026-01-01T00:00:00Z"}, "object.metadata.uid"),
        ({"nothing": True}, "not a Kubernetes Event"),
        (42, "expected a JSON object"),
    ],
)
def test_bad_items_are_rejected_with_index_and_reason(store: GraphStore, item: Any, reason: str) -> None:
    p = _pipeline(store, [])
    result = p.ingest([sc.unified("ok-1", sc.T0), item, sc.unified("ok-2", sc.T0)])
    assert [r.index for r in result.rejected] == [1]
    assert reason in result.rejected[0].reason
    assert [s.event.id for s in result.stored] == ["ok-1", "ok-2"]


def test_contexts_fill_trace_and_source_per_item(store: GraphStore) -> None:
    p = Pipeline(store, None, EventWriter(store, sc.CLUSTER))
    result = p.ingest(
        [{"id": "a", "timestamp": 1}, {"id": "b", "timestamp": 1}], contexts=[("t-a", "ebpf"), ("t-b", "otel")]
    )
    assert [(s.event.trace_id, s.event.source) for s in result.stored] == [("t-a", "ebpf"), ("t-b", "otel")]
    no_loader = p.ingest([{"type": "ADDED", "object": {"kind": "Pod"}, "observed_at": "2026-01-01T00:00:00Z"}])
    assert "no topology loader" in no_loader.rejected[0].reason


def _change(**meta: Any) -> dict[str, Any]:
    obj = sc.pod("bad-1", "uid-p-bad-1", "10.0.0.99", {"app": "bad"})
    obj["metadata"].update(meta)
    return {"type": "ADDED", "object": obj, "observed_at": sc.iso(sc.T0)}


def _deep(levels: int) -> dict[str, Any]:
    inner: dict[str, Any] = {}
    outer = inner
    for _ in range(levels):
        inner["x"] = {}
        inner = inner["x"]
    return {**sc.unified("deep", sc.T0), "tags": outer}


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        (_deep(200), "nesting: deeper than 64 levels"),
        (sc.unified("x" * 513, sc.T0), "id: 513 characters, more than the 512"),
        (sc.unified("coll\ud800x", sc.T0), "id: not valid Unicode (a lone surrogate)"),
        (
            sc.unified("ns", sc.T0, k8s_context={"kind": "Pod", "namespace": ["x"], "name": "p"}),
            "k8s_context.namespace",
        ),
        (sc.unified("far", 253_402_300_799_000), "timestamp: "),
        (_change(name="n\ud800"), "object.metadata.name: not valid Unicode"),
        (_change(namespace=["x"]), "object.metadata.namespace: expected a string, got an array"),
        ({**_change(), "observed_at": "9999-12-31T23:59:59Z"}, "observed_at: "),
    ],
)
def test_bad_identity_nesting_or_time_refuses_the_item_alone(store: GraphStore, item: Any, reason: str) -> None:
    p = _pipeline(store, [])
    result = p.ingest([sc.unified("ok-1", sc.T0), item, sc.unified("ok-2", sc.T0)])
    assert [r.index for r in result.rejected] == [1]
    assert reason in result.rejected[0].reason
    assert [s.event.id for s in result.stored] == ["ok-1", "ok-2"]
    assert store.run("MATCH (p:Pod {uid: 'uid-p-bad-1'}) RETURN count(p) AS n") == [{"n": 0}]


def test_ids_that_differ_after_512_characters_are_not_merged(store: GraphStore) -> None:
    p = _pipeline(store, [])
    a, b = "a" * 512 + "1", "a" * 512 + "2"
    result = p.ingest([sc.unified(a, sc.T0), sc.unified(b, sc.T0)])
    assert len(result.rejected) == 2 and not result.stored
    assert store.run("MATCH (e:Event) WHERE size(e.id) >= 512 RETURN count(e) AS n") == [{"n": 0}]


def test_free_text_with_a_lone_surrogate_is_stored_as_valid_unicode(store: GraphStore) -> None:
    p = _pipeline(store, [])
    labels = {"app": "text", "note": "bad\udc80label"}
    change = {"type": "ADDED", "object": sc.pod("t-1", "uid-p-t-1", "10.0.0.98", labels), "observed_at": sc.iso(sc.T0)}
    result = p.ingest([sc.unified("msg-1", sc.T0, message="oops \ud800 here"), change])
    assert not result.rejected
    assert store.run("MATCH (e:Event {id: 'msg-1'}) RETURN e.message AS m") == [{"m": "oops \ufffd here"}]
    rows = store.run("MATCH (p:Pod {uid: 'uid-p-t-1'}) RETURN p.labels AS labels")
    assert "note=bad\ufffdlabel" in rows[0]["labels"]


def test_a_time_ahead_of_arrival_by_less_than_the_bound_is_taken(store: GraphStore) -> None:
    p = Pipeline(store, None, EventWriter(store, sc.CLUSTER), max_future_ms=60_000, clock=lambda: sc.T0)
    result = p.ingest([sc.unified("soon", sc.T0 + 59_000), sc.unified("later", sc.T0 + 61_000)])
    assert [s.event.id for s in result.stored] == ["soon"]
    assert [r.index for r in result.rejected] == [1] and "61 s after its arrival" in result.rejected[0].reason


class BrittleWriter(EventWriter):
    """The real writer, except that it fails (as a bug would) on any batch holding event ``boom``."""

    def write(self, events: Sequence[NormalEvent]) -> list[StoredEvent]:
        if any(e.id == "boom" for e in events):
            raise ValueError("cannot write boom")
        return super().write(events)


def test_an_event_the_writer_fails_on_is_rejected_alone_and_the_batch_stored(store: GraphStore) -> None:
    p = Pipeline(store, None, BrittleWriter(store, sc.CLUSTER))
    result = p.ingest([sc.unified("a", sc.T0), sc.unified("boom", sc.T0), sc.unified("b", sc.T0)])
    assert [s.event.id for s in result.stored] == ["a", "b"]
    assert [(r.index, r.reason) for r in result.rejected] == [
        (1, "event 'boom' could not be written: cannot write boom")
    ]


class DownOnceWriter(EventWriter):
    """The real writer, except that the graph is away (a transient failure) the first time it is asked."""

    down = True

    def write(self, events: Sequence[NormalEvent]) -> list[StoredEvent]:
        if self.down:
            self.down = False
            raise TransientGraphError("the graph server is restarting")
        return super().write(events)


def test_a_change_sent_again_after_a_graph_failure_is_a_change_again(store: GraphStore) -> None:
    """Not acknowledged, the change comes again: its diff must find the version before it, not itself."""
    loader = TopologyLoader(store, sc.CLUSTER)
    loader.apply(sc.topology_objects(), sc.T0 - 3_600_000)
    p = Pipeline(store, loader, DownOnceWriter(store, sc.CLUSTER))
    deployment = json.loads(json.dumps(next(o for o in sc.topology_objects() if o["kind"] == "Deployment")))
    deployment["metadata"]["resourceVersion"] = "77"
    deployment["spec"]["template"]["spec"]["containers"][0]["image"] = "api:2"
    change = {"type": "MODIFIED", "object": deployment, "observed_at": sc.iso(sc.T0)}
    with pytest.raises(TransientGraphError):
        p.ingest([change])
    result = p.ingest([change])  # the source's redelivery
    assert [(s.event.id, s.event.reason) for s in result.stored] == [("uid-d-api@77", "ImageChanged")]


def test_change_events_of_the_live_watcher_are_held_to_the_same_time_bound(store: GraphStore) -> None:
    p = Pipeline(store, None, EventWriter(store, sc.CLUSTER), clock=lambda: sc.T0)
    events = [parse_unified(sc.unified(eid, ts)) for eid, ts in (("now", sc.T0), ("far", 253_402_300_799_000))]
    result = p.write_events(events)
    assert [s.event.id for s in result.stored] == ["now"]
    assert [r.index for r in result.rejected] == [1] and "after its arrival" in result.rejected[0].reason
    assert store.run("MATCH (e:Event) RETURN e.id AS id") == [{"id": "now"}]
