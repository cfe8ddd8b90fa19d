"""Thin graph adapters of the engine: batch questions (related events, contexts, rollout history) and the writes.

Each function runs one catalogue query or one generated statement per batch; rows become the plain data of
``correlate.model``. Nothing here decides anything.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import cypher
from correlate import model as m
from correlate import reach
from correlate.narrative import Revision
from graph import GraphStore
from graph.querybuilder import clear_rels, merge_nodes, merge_rels
from graph.schema import Label, Rel
from model.event import Category, NormalEvent, SourceKind, StoredEvent
from model.resource import WORKLOAD_KINDS, ResourceRef


class Asked(NamedTuple):
    """An event whose links are asked for (``related_links``): the parts of it the graph question needs."""

    id: str
    uid: str  # its resource's uid ('' when unresolved: only its trace can link it)
    ts: int
    trace: str

    @classmethod
    def member(cls, x: m.Member) -> Asked:
        return cls(x.id, x.ctx.uid, x.ts, x.trace_id)

    @classmethod
    def stored(cls, s: StoredEvent) -> Asked:
        return cls(s.event.id, s.resource.uid, s.event.ts, s.event.trace_id)


def related_links(
    store: GraphStore,
    events: Sequence[Asked],
    *,
    window_ms: int,
    max_hops: int,
    weak: bool = False,
    min_rank: int = 0,
    placed: bool = False,
) -> dict[str, list[m.Link]]:
    """``{event id: [Link to another event in its window]}``, one link per pair: the heaviest, directed if any is.

    ``weak`` adds the sibling links below any join threshold (pods on one node, pods sharing a ConfigMap):
    evidence for a person, wasted work for the engine. ``min_rank`` leaves out other events below that severity
    (changes always count). ``placed`` leaves out the events later than the asking one that no correlation holds
    yet (``correlation_id`` unset): the engine places in event-time order and writes each placed event's
    correlation before it asks again, so it has no use for a link to one of those.
    """
    if not events:
        return {}
    params = [
        {
            "id": e.id,
            "uid": e.uid or "",
            "ts": e.ts,
            "since": e.ts - window_ms,
            "until": e.ts + window_ms,
            "trace": e.trace or "",
        }
        for e in events
    ]
    rows = (
        (r["event_id"], r["link"], int(r["dir"]), int(r["hops"] or 0), r["other_ids"], r["other_ts"])
        for r in store.query("related_events", {"events": params, "weak": weak, "min_rank": min_rank, "placed": placed})
    )
    # The rows come in the statement's branch order, which ``fold``'s rule (first directed link) reads.
    return reach.fold(rows, {e.id: e.ts for e in events}, window_ms=window_ms, max_hops=max_hops)


def contexts(store: GraphStore, uids: Iterable[str]) -> dict[str, m.Context]:
    """The topology around each resource uid (missing uids are absent from the answer)."""
    wanted = sorted({u for u in uids if u})
    if not wanted:
        return {}
    node: dict[str, str] = {}
    owners: dict[str, list[tuple[str, int]]] = {}
    uses: dict[str, list[tuple[str, str]]] = {}
    for row in store.query("event_reach", {"uids": wanted}):
        uid, part, other = row["uid"], row["part"], row["other"]
        if part == "node":
            node[uid] = other
        elif part == "owner":
            owners.setdefault(uid, []).append((other, int(row["hops"])))
        else:
            uses.setdefault(uid, []).append((other, part))
    out: dict[str, m.Context] = {}
    for row in store.query("event_context", {"uids": wanted}):
        if row["uid"] in out:
            continue
        kind = row["kind"] or ""
        top = not row["workload_name"] and kind in WORKLOAD_KINDS and kind != "ReplicaSet"
        out[row["uid"]] = m.Context(
            uid=row["uid"],
            cluster=row["cluster"] or "",
            kind=kind,
            namespace=row["namespace"] or "",
            name=row["name"] or "",
            node=row["node"] or (row["name"] if kind == "Node" else "") or "",
            workload_uid=(row["uid"] if top else row["workload_uid"]) or "",
            workload_kind=(kind if top else row["workload_kind"]) or "",
            workload_namespace=(row["namespace"] if top else row["workload_namespace"]) or "",
            workload_name=(row["name"] if top else row["workload_name"]) or "",
            workload_replicas=int(row["workload_replicas"] or 0),
            workload_revision=str(row["workload_revision"] or ""),
            workload_images=tuple(row["workload_images"] or row["images"] or ()),
            limits_memory=str(row["limits_memory"] or ""),
            limits_cpu=str(row["limits_cpu"] or ""),
            services=tuple(sorted(row["services"] or ())),
            service_uids=tuple(sorted(row["service_uids"] or ())),
            pod_nodes=tuple(sorted(row["pod_nodes"] or ())),
            in_graph=True,
            node_uid=node.get(row["uid"], ""),
            owners=tuple(sorted(owners.get(row["uid"], ()))),
            uses=tuple(sorted(uses.get(row["uid"], ()))),
        )
    return out


def service_calls(store: GraphStore, limit: int) -> list[tuple[str, str]]:
    """The CALLS edges between services, as (caller uid, callee uid)."""
    return [(str(r["a"]), str(r["b"])) for r in store.query("service_calls", {"limit": limit})]


def rollout_history(store: GraphStore, workload_uid: str) -> list[Revision]:
    """The workload's revisions, newest first."""
    if not workload_uid:
        return []
    return [
        Revision(str(r["revision"] or ""), tuple(r["images"] or ()))
        for r in store.query("rollout_history", {"uid": workload_uid})
    ]


_CORR = merge_nodes(Label.CORRELATION)
_EVENT_CORRELATION = cypher.load("set_event_correlation")
_INCLUDES = merge_rels(Rel.INCLUDES)
_ROOT = merge_rels(Rel.ROOT_CAUSE)
_IMPACTS = merge_rels(Rel.IMPACTS)
_CLEAR = (clear_rels(Rel.INCLUDES), clear_rels(Rel.ROOT_CAUSE), clear_rels(Rel.IMPACTS))


def write_correlations(
    store: GraphStore,
    nodes: Sequence[Mapping[str, Any]],
    includes: Sequence[Mapping[str, Any]],
    roots: Sequence[Mapping[str, Any]],
    impacts: Sequence[Mapping[str, Any]],
    *,
    gone: Sequence[str] = (),
) -> None:
    """Write correlations incrementally: their nodes; the INCLUDES and IMPACTS edges not written before (rows given
    only for those); the ROOT_CAUSE edge of those whose root changed (rewritten); every edge of the ``gone`` ones
    (merged into another) removed. A few batched statements per call, whatever the size of the correlations."""
    if not nodes:
        return
    if gone:
        for text in _CLEAR:
            store.run(text, {"uids": list(gone)})
    if roots:
        store.run(_CLEAR[1], {"uids": [r["from"] for r in roots]})
    writes = [
        (_CORR, nodes),
        (_INCLUDES, includes),
        (_ROOT, roots),
        (_IMPACTS, impacts),
        (_EVENT_CORRELATION, [{"id": r["to"], "correlation_id": r["from"]} for r in includes]),
    ]
    store.write_many([(text, rows) for text, rows in writes if rows])  # FalkorDB: one round trip, in this order


def open_correlations(store: GraphStore, limit: int) -> list[dict[str, Any]]:
    """Correlations left building or active (by an earlier process), oldest first."""
    return store.query("open_correlations", {"limit": limit})


def correlation_members(store: GraphStore, ids: Sequence[str]) -> dict[str, list[Mapping[str, Any]]]:
    """``{correlation id: [member event rows]}`` for the correlations ``ids``."""
    out: dict[str, list[Mapping[str, Any]]] = {}
    if ids:
        for row in store.query("correlation_members", {"ids": list(ids)}):
            out.setdefault(str(row["correlation_id"]), []).append(row)
    return out


def recent_roots(store: GraphStore, since: int, limit: int) -> list[dict[str, Any]]:
    """Root events of the correlations first seen since ``since``, oldest first (the recurrence history)."""
    return store.query("recent_roots", {"since": since, "limit": limit})


def uncorrelated_events(store: GraphStore, since: int, *, min_rank: int, limit: int) -> list[StoredEvent]:
    """Stored warnings and changes since ``since`` that no correlation took yet, as the pipeline handed them over."""
    rows = store.query("uncorrelated_events", {"since": since, "min_rank": min_rank, "limit": limit})
    return [_stored(r) for r in rows]


def stored_events(store: GraphStore, ids: Sequence[str]) -> list[StoredEvent]:
    """The stored events of ``ids`` (another worker stored them), in event-time order; unknown ids are left out."""
    return [_stored(r) for r in store.query("stored_events", {"ids": list(ids)})] if ids else []


def _stored(r: Mapping[str, Any]) -> StoredEvent:
    ref = ResourceRef(str(r["cluster"]), str(r["kind"]), str(r["namespace"]), str(r["name"]), str(r["uid"]))
    category = str(r["category"])
    source_kind = str(r["source_kind"])
    event = NormalEvent(
        id=str(r["id"]),
        ts=int(r["ts"]),
        source_kind=SourceKind(source_kind) if source_kind in SourceKind._value2member_map_ else SourceKind.COLLECTOR,
        reason=str(r["reason"] or ""),
        type=str(r["type"]),
        severity=str(r["severity"]),
        category=Category(category) if category in Category._value2member_map_ else Category.INFORMATIONAL,
        message=str(r["message"]),
        trace_id=str(r["trace_id"]),
        count=int(r["count"]),
        last_ts=int(r["last_ts"]),
        resource=ref,
        detail=detail_of(r["detail"]),
    )
    return StoredEvent(event, ref, "uid" if ref.uid else "", True, str(r["target_uid"]))


def detail_of(value: Any) -> dict[str, Any]:
    """An event's stored ``detail`` (JSON text) as a dict; {} when absent or not an object."""
    if not isinstance(value, str) or not value:
        return {}
    try:
        parsed = json.loads(value)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}
