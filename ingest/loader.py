"""Write Kubernetes objects into the graph and say which changes were events (style lesson 3: transform -> load).

``TopologyLoader`` is the one entry for the watcher, ``causegraph import`` and the event pipeline:

- ``apply(objects)`` transforms (pure, ``ingest.topology``), upserts node rows (one ``UNWIND`` statement per label
  per batch), then relationship rows (one per type per batch), and returns the change events (``ingest.changes``)
  found against a bounded cache of what it saw before; it never writes events itself.
- ``prepare(objects, cluster)`` is the pure part (transform, change fragments) as plain picklable rows, so a bulk
  import can run it in a worker process; ``apply_prepared(prepared)`` is the rest (diff against the cache, writes).
  ``apply`` is the two in a row.
- With ``defer_relationships=True`` (bulk loads: an initial list, a folder of files) a relationship is written as
  soon as both its ends have been written by this loader, and kept until ``finish()`` otherwise, so an edge never
  depends on which object came first.
- Live updates (no deferral): a relationship whose far end is not there yet is sent again once that end is written
  (a watch may show a pod before its ReplicaSet); the rows wait in a bounded buffer.
- ``finish()`` writes what was deferred and links what needs the whole graph: Service -> Pod by selector where no
  Endpoints/EndpointSlice said, PDB -> Pod, env CALLS between services.
- ``delete`` / ``mark_missing`` mark objects deleted (``deleted_at``); they stay for history until retention.
  ``mark_missing`` must only follow a COMPLETE list.

Objects that cannot be transformed are counted in ``problems`` (object named, never a value) and skipped.
"""

from __future__ import annotations

import logging
from collections import Counter, OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import cypher
from graph import GraphError, GraphStore
from graph.querybuilder import clear_rels, merge_nodes, merge_rels
from graph.schema import REL_KINDS, Label, Rel
from ingest import changes
from ingest.topology import Transformed, TransformError, supported, transform
from ingest.topology.common import Row, base_row, where
from model.event import NormalEvent
from model.times import now_ms

log = logging.getLogger(__name__)
# What a pod's next diff needs of its last version (``changes.diff``): small, as a cluster has many pods.
POD_REMEMBERED = ("rv", "ooms", "waiting", "ended")

# Outgoing relationships a re-applied object rewrites (its spec may have changed); OWNED_BY, RUNS_ON and
# IN_NAMESPACE only ever gain edges, CALLS and SELECTS have other writers.
REWRITTEN_RELS = (Rel.USES, Rel.CLAIMS, Rel.BOUND_TO, Rel.ROUTES_TO, Rel.SCALES)


class TopologyLoader:
    """Upsert objects of any supported kind for one cluster; return change events."""

    def __init__(
        self,
        store: GraphStore,
        cluster: str,
        batch_size: int = 1000,
        *,
        defer_relationships: bool = False,
        cache_size: int = 500_000,
        awaiting_max: int = 100_000,
    ) -> None:
        if not cluster:
            raise ValueError("a cluster name is required: every key carries it")
        self.store = store
        self.cluster = cluster
        self.batch_size = batch_size
        self.defer_relationships = defer_relationships
        self.cache_size = cache_size
        self.counts: Counter[str] = Counter()  # objects applied, by kind
        self.skipped: Counter[str] = Counter()  # objects of kinds the graph does not keep
        self.problems: list[str] = []
        self.linked: dict[str, int] = {}
        self._cache: OrderedDict[str, dict[str, Any]] = OrderedDict()  # the last version of each object but pods
        self._pods: OrderedDict[str, dict[str, Any]] = OrderedDict()  # of each pod, what its next diff needs
        self._undo: list[tuple[OrderedDict[str, dict[str, Any]], str, dict[str, Any] | None]] | None = None
        self._pending = Transformed()
        # Bulk loads: the ends written so far, so that a relationship between two of them need not wait for finish().
        self._written_uids: set[str] = set()
        self._live_keys: set[str] = set()
        # Live updates: relationship rows by the uid/key of their far end, sent again once when that end is
        # written, since a watch may show a pod before its ReplicaSet (the first send found no target).
        self._awaiting: OrderedDict[str, list[tuple[Rel, Row]]] = OrderedDict()
        self.awaiting_max = awaiting_max
        self.generation = 0  # bumped by every write: readers that cache topology (EventWriter) start again

    # -- writes ---------------------------------------------------------------------------------------------------
    def apply(self, objects: Sequence[Mapping[str, Any]], observed_at_ms: int | None = None) -> list[NormalEvent]:
        """Upsert ``objects`` (batched per label and per relationship type); return their change events."""
        return self.apply_prepared(prepare(objects, self.cluster, observed_at_ms))

    def apply_prepared(self, prepared: Prepared) -> list[NormalEvent]:
        """Write what ``prepare`` made (here or in a worker process); return the change events against the cache."""
        self.generation += 1
        self.counts.update(prepared.counts)
        self.skipped.update(prepared.skipped)
        for problem in prepared.problems:
            self.problems.append(problem)
            log.warning("skipped %s", problem)
        # resources this loader wrote before: any event naming them resolved, or was linked then
        known = {f["uid"] for f in prepared.fragments if f["uid"] in self._remembered(f["kind"])}
        made: list[tuple[bool, NormalEvent]] = []  # (first sight, event)
        for frag in prepared.fragments:
            made.extend(self._changes(frag))
        unrecorded = self._unrecorded([ev for first, ev in made if first])
        events = [ev for first, ev in made if not first or ev.id in unrecorded]
        out = prepared.rows
        self._write_nodes(out)
        if self.defer_relationships:
            self._write_ready_rels(out)
        else:
            self._rewrite_rels(out)
            self._write_rels(self._with_awaiting(out))
            self._remember_targets(out)
        self._link_awaiting_events(out, known)
        return events

    def delete(self, obj: Mapping[str, Any], at_ms: int) -> list[NormalEvent]:
        """Mark ``obj`` deleted at ``at_ms``; a pod's deletion is an event (``PodDeleted``)."""
        if not supported(obj):
            return []
        try:
            row = base_row(obj, self.cluster, str(obj["kind"]))
        except TransformError as exc:
            self.problems.append(f"{where(obj)}: {exc}")
            return []
        self.generation += 1
        self.store.write(cypher.load("mark_deleted"), [{"uid": row["uid"], "at": at_ms}], self.batch_size)
        frag = changes.fragment(obj, self.cluster, at_ms)
        self._cache.pop(row["uid"], None)
        self._pods.pop(row["uid"], None)
        return changes.deleted(frag, at_ms) if frag else []

    @contextmanager
    def undoable(self) -> Iterator[None]:
        """The versions remembered in this block are forgotten again when it raises a ``GraphError``: the caller
        does not acknowledge, the source sends the changes again, and their diff must find the versions before
        them, or a change whose event was never stored would be no change the second time."""
        self._undo = []
        try:
            yield
        except GraphError:
            for cache, uid, old in reversed(self._undo):
                if old is None:
                    cache.pop(uid, None)
                else:
                    cache[uid] = old
            raise
        finally:
            self._undo = None

    def mark_missing(self, kind: str, seen_uids: set[str], at_ms: int) -> int:
        """After a COMPLETE list of ``kind``: mark deleted the live objects it did not contain; return how many."""
        live = self.store.query("live_resource_uids", {"cluster": self.cluster, "kind": kind})
        gone = [{"uid": r["uid"], "at": at_ms} for r in live if r["uid"] not in seen_uids]
        if gone:
            self.generation += 1
            self.store.write(cypher.load("mark_deleted"), gone, self.batch_size)
            for row in gone:
                self._cache.pop(row["uid"], None)
                self._pods.pop(row["uid"], None)
        return len(gone)

    def finish(self) -> None:
        """Write deferred relationships, then link by selectors and env (needs every pod and service written)."""
        self.generation += 1
        pending, self._pending = self._pending, Transformed()
        self._written_uids, self._live_keys = set(), set()
        self._write_rels(pending)  # (their origins were cleared with the rows written at once)
        params = {"cluster": self.cluster}
        for name in ("link_service_selectors", "link_pdb_selectors"):
            self.linked[name] = _count(self.store.query(name, params))
        self.linked["link_env_calls"] = _count(self.store.query("link_env_calls", {**params, "now": now_ms()}))

    # -- internals ------------------------------------------------------------------------------------------------
    def _remembered(self, kind: str) -> OrderedDict[str, dict[str, Any]]:
        """The last versions kept of objects of ``kind``, by uid (pods apart: only what their next diff needs)."""
        return self._pods if kind == "Pod" else self._cache

    def _changes(self, frag: changes.Fragment) -> list[tuple[bool, NormalEvent]]:
        """The change events of ``frag`` against the version remembered, each with whether it is a first sight."""
        uid = frag["uid"]
        cache = self._remembered(frag["kind"])
        old = cache.pop(uid, None)
        events = changes.diff(old, frag)
        # a pod's version is kept too, small: the version that first shows an OOM kill or a failure names it
        if self._undo is not None:
            self._undo.append((cache, uid, old))
        cache[uid] = {k: frag[k] for k in POD_REMEMBERED} if frag["kind"] == "Pod" else frag
        while len(cache) > self.cache_size:
            cache.popitem(last=False)
        return [(old is None, ev) for ev in events]

    def _unrecorded(self, events: list[NormalEvent]) -> set[str]:
        """The ids of the first-sight status facts the graph does not have yet (one query for a whole apply): one
        recorded before a restart, named by the version that showed it, is seen again now under its fact's name."""
        if not events:
            return set()
        facts = [{"uid": e.resource.uid, "reason": e.reason, "ts": e.ts} for e in events]
        rows = self.store.query("known_status_facts", {"cluster": self.cluster, "facts": facts})
        known = {(r["uid"], r["reason"], r["ts"]) for r in rows}
        return {e.id for e in events if (e.resource.uid, e.reason, e.ts) not in known}

    def _write_nodes(self, out: Transformed) -> None:
        for label in Label:
            rows = out.nodes.get(label)
            if rows:
                self.store.write(merge_nodes(label), rows, self.batch_size)

    def _link_awaiting_events(self, out: Transformed, known: AbstractSet[str]) -> None:
        """Events stored before these resources were known are about them now (``link_awaiting_events``): a
        collector's event may come before the watch shows its pod. Not asked for the ``known`` uids (a watch's
        updates of pods it has shown before): nothing can await those."""
        rows = (row for rows in out.nodes.values() for row in rows if row.get("key") and row["uid"] not in known)
        keys = sorted({str(row["key"]) for row in rows})
        for start in range(0, len(keys), self.batch_size):
            found = _count(self.store.query("link_awaiting_events", {"keys": keys[start : start + self.batch_size]}))
            self.linked["link_awaiting_events"] = self.linked.get("link_awaiting_events", 0) + found

    def _rewrite_rels(self, out: Transformed) -> None:
        uids = sorted({row["uid"] for rows in out.nodes.values() for row in rows})
        if uids:
            for rel in REWRITTEN_RELS:
                for start in range(0, len(uids), self.batch_size):
                    self.store.run(clear_rels(rel), {"uids": uids[start : start + self.batch_size]})

    def _write_ready_rels(self, out: Transformed) -> None:
        """Write the relationships of ``out`` whose ends are both written; keep the others for ``finish()``."""
        for rows in out.nodes.values():
            for row in rows:
                self._written_uids.add(row["uid"])
                if row.get("deleted_at") is None:  # a key target must be live (``merge_rels``)
                    self._live_keys.add(row["key"])
                else:
                    self._live_keys.discard(row["key"])
        ready, later = Transformed(selects_origins=out.selects_origins), Transformed()
        for rel, rows in out.rels.items():
            kind = REL_KINDS[rel]
            from_known, to_known = self._known(kind.from_key), self._known(kind.to_key)
            for row in rows:
                both = row["from"] in from_known and row["to"] in to_known
                (ready if both else later).rels.setdefault(rel, []).append(row)
        uids, keys = self._written_uids, self._live_keys
        for row in out.endpoint_selects:
            pod_known = row["pod_uid"] in uids if "pod_uid" in row else row["pod_key"] in keys
            (ready if pod_known and row["service_key"] in keys else later).endpoint_selects.append(row)
        self._write_rels(ready)
        self._pending.extend(later)

    def _with_awaiting(self, out: Transformed) -> Transformed:
        """``out`` plus the earlier relationship rows whose far end ``out`` writes now."""
        retry = [
            item
            for rows in out.nodes.values()
            for row in rows
            for target in (row["uid"], row.get("key"))
            if target is not None
            for item in self._awaiting.pop(target, ())
        ]
        if not retry:
            return out
        both = Transformed(rels={rel: list(rows) for rel, rows in out.rels.items()})
        both.endpoint_selects, both.selects_origins = out.endpoint_selects, out.selects_origins
        for rel, row in retry:
            both.rels.setdefault(rel, []).append(row)
        return both

    def _remember_targets(self, out: Transformed) -> None:
        written = {t for rows in out.nodes.values() for row in rows for t in (row["uid"], row.get("key"))}
        for rel, rows in out.rels.items():
            for row in rows:
                if row["to"] not in written:
                    self._awaiting.setdefault(row["to"], []).append((rel, row))
                    self._awaiting.move_to_end(row["to"])
        while len(self._awaiting) > self.awaiting_max:
            self._awaiting.popitem(last=False)

    def _known(self, prop: str) -> set[str]:
        return self._written_uids if prop == "uid" else self._live_keys if prop == "key" else set()

    def _write_rels(self, out: Transformed) -> None:
        if out.selects_origins:
            self.store.write(cypher.load("clear_endpoint_selects"), out.selects_origins, self.batch_size)
        for rel in Rel:
            rows = out.rels.get(rel)
            if rows:
                self.store.write(merge_rels(rel), _last_per_edge(rows), self.batch_size)
        by_uid = [r for r in out.endpoint_selects if "pod_uid" in r]
        by_key = [r for r in out.endpoint_selects if "pod_key" in r]
        if by_uid:
            self.store.write(cypher.load("link_endpoint_selects_by_uid"), by_uid, self.batch_size)
        if by_key:
            self.store.write(cypher.load("link_endpoint_selects_by_key"), by_key, self.batch_size)


@dataclass
class Prepared:
    """Objects made into rows and change fragments (plain data, so that a worker process can make it)."""

    rows: Transformed = field(default_factory=Transformed)
    fragments: list[changes.Fragment] = field(default_factory=list)  # in object order, for the diff
    counts: Counter[str] = field(default_factory=Counter)  # objects transformed, by kind
    skipped: Counter[str] = field(default_factory=Counter)  # objects of kinds the graph does not keep
    problems: list[str] = field(default_factory=list)  # objects that could not be transformed, named


def prepare(objects: Sequence[Mapping[str, Any]], cluster: str, observed_at_ms: int | None = None) -> Prepared:
    """The pure part of ``TopologyLoader.apply``: transform each object and take its change fragment."""
    out = Prepared()
    for obj in objects:
        kind = str(obj.get("kind", ""))
        if not supported(obj):
            out.skipped[kind or "<no kind>"] += 1
            continue
        try:
            rows = transform(obj, cluster)
        except TransformError as exc:
            out.problems.append(str(exc))
            continue
        if observed_at_ms is not None:
            for label_rows in rows.nodes.values():
                for row in label_rows:
                    row["updated_at"] = observed_at_ms
        out.rows.extend(rows)
        frag = changes.fragment(obj, cluster, observed_at_ms)
        if frag is not None:
            out.fragments.append(frag)
        out.counts[kind] += 1
    return out


def _last_per_edge(rows: list[Row]) -> list[Row]:
    """One row per ``(from, to)``, the last: ``MERGE`` makes one edge of them and the last row's properties win
    (a pod that uses a ConfigMap both as a volume and through envFrom gives two rows for one edge)."""
    last = {(row["from"], row["to"]): row for row in rows}
    return rows if len(last) == len(rows) else list(last.values())


def _count(rows: list[Row]) -> int:
    return int(rows[0]["linked"]) if rows else 0
