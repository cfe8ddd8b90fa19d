"""Write Kubernetes objects into the graph and say which changes were events (style lesson 3: transform -> load).

``TopologyLoader`` is the one entry for the watcher, ``causegraph import`` and the event pipeline:

- ``apply(objects)`` transforms (pure, ``ingest.topology``), upserts node rows (one ``UNWIND`` statement per label
  per batch), then relationship rows (one per type per batch), and returns the change events (``ingest.changes``)
  found against a bounded cache of what it saw before; it never writes events itself.
- With ``defer_relationships=True`` (bulk loads: an initial list, a folder of files) relationship rows are kept
  until ``finish()``, so an edge never depends on which object came first.
- ``finish()`` writes what was deferred and links what needs the whole graph: Service -> Pod by selector where no
  Endpoints/EndpointSlice said, PDB -> Pod, env CALLS between services.
- ``delete`` / ``mark_missing`` mark objects deleted (``deleted_at``); they stay for history until retention.
  ``mark_missing`` must only follow a COMPLETE list.

Objects that cannot be transformed are counted in ``problems`` (object named, never a value) and skipped.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

import cypher
from graph import GraphStore
from graph.querybuilder import clear_rels, merge_nodes, merge_rels
from graph.schema import Label, Rel
from ingest import changes
from ingest.model import NormalEvent
from ingest.topology import Transformed, TransformError, supported, transform
from ingest.topology.common import Row, base_row, where

log = logging.getLogger(__name__)

# Outgoing relationships a re-applied object rewrites (its spec may have changed); OWNED_BY, RUNS_ON and
# IN_NAMESPACE only ever gain edges, CALLS and SELECTS have other writers.
REWRITTEN_RELS = (Rel.USES, Rel.CLAIMS, Rel.BOUND_TO, Rel.ROUTES_TO, Rel.SCALES)


def now_ms() -> int:
    return int(time.time() * 1000)


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
        self._cache: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._pending = Transformed()

    # -- writes ---------------------------------------------------------------------------------------------------
    def apply(self, objects: Sequence[Mapping[str, Any]], observed_at_ms: int | None = None) -> list[NormalEvent]:
        """Upsert ``objects`` (batched per label and per relationship type); return their change events."""
        out = Transformed()
        events: list[NormalEvent] = []
        for obj in objects:
            kind = str(obj.get("kind", ""))
            if not supported(obj):
                self.skipped[kind or "<no kind>"] += 1
                continue
            try:
                rows = transform(obj, self.cluster)
            except TransformError as exc:
                self.problems.append(str(exc))
                log.warning("skipped %s", exc)
                continue
            if observed_at_ms is not None:
                for label_rows in rows.nodes.values():
                    for row in label_rows:
                        row["updated_at"] = observed_at_ms
            out.extend(rows)
            events.extend(self._changes(obj, observed_at_ms))
            self.counts[kind] += 1
        self._write_nodes(out)
        if self.defer_relationships:
            self._pending.extend(
                Transformed(rels=out.rels, endpoint_selects=out.endpoint_selects, selects_origins=out.selects_origins)
            )
        else:
            self._rewrite_rels(out)
            self._write_rels(out)
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
        self.store.write(cypher.load("mark_deleted"), [{"uid": row["uid"], "at": at_ms}], self.batch_size)
        frag = changes.fragment(obj, self.cluster, at_ms)
        self._cache.pop(row["uid"], None)
        return changes.deleted(frag, at_ms) if frag else []

    def mark_missing(self, kind: str, seen_uids: set[str], at_ms: int) -> int:
        """After a COMPLETE list of ``kind``: mark deleted the live objects it did not contain; return how many."""
        live = self.store.query("live_resource_uids", {"cluster": self.cluster, "kind": kind})
        gone = [{"uid": r["uid"], "at": at_ms} for r in live if r["uid"] not in seen_uids]
        if gone:
            self.store.write(cypher.load("mark_deleted"), gone, self.batch_size)
            for row in gone:
                self._cache.pop(row["uid"], None)
        return len(gone)

    def finish(self) -> None:
        """Write deferred relationships, then link by selectors and env (needs every pod and service written)."""
        pending, self._pending = self._pending, Transformed()
        self._write_rels(pending)
        params = {"cluster": self.cluster}
        for name in ("link_service_selectors", "link_pdb_selectors"):
            self.linked[name] = _count(self.store.query(name, params))
        self.linked["link_env_calls"] = _count(self.store.query("link_env_calls", {**params, "now": now_ms()}))

    # -- internals ------------------------------------------------------------------------------------------------
    def _changes(self, obj: Mapping[str, Any], observed_at_ms: int | None) -> list[NormalEvent]:
        frag = changes.fragment(obj, self.cluster, observed_at_ms)
        if frag is None:
            return []
        uid = frag["uid"]
        old = self._cache.pop(uid, None)
        events = changes.diff(old, frag)
        if frag["kind"] != "Pod" or frag["ooms"]:  # a pod without OOM kills has nothing to remember
            self._cache[uid] = frag
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return events

    def _write_nodes(self, out: Transformed) -> None:
        for label in Label:
            rows = out.nodes.get(label)
            if rows:
                self.store.write(merge_nodes(label), rows, self.batch_size)

    def _rewrite_rels(self, out: Transformed) -> None:
        uids = sorted({row["uid"] for rows in out.nodes.values() for row in rows})
        if uids:
            for rel in REWRITTEN_RELS:
                for start in range(0, len(uids), self.batch_size):
                    self.store.run(clear_rels(rel), {"uids": uids[start : start + self.batch_size]})

    def _write_rels(self, out: Transformed) -> None:
        if out.selects_origins:
            self.store.write(cypher.load("clear_endpoint_selects"), out.selects_origins, self.batch_size)
        for rel in Rel:
            rows = out.rels.get(rel)
            if rows:
                self.store.write(merge_rels(rel), rows, self.batch_size)
        by_uid = [r for r in out.endpoint_selects if "pod_uid" in r]
        by_key = [r for r in out.endpoint_selects if "pod_key" in r]
        if by_uid:
            self.store.write(cypher.load("link_endpoint_selects_by_uid"), by_uid, self.batch_size)
        if by_key:
            self.store.write(cypher.load("link_endpoint_selects_by_key"), by_key, self.batch_size)


def _count(rows: list[Row]) -> int:
    return int(rows[0]["linked"]) if rows else 0
