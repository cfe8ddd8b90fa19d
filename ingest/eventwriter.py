"""Write normalised events: resolve where each happened, then MERGE it, its ABOUT edge and the traffic it shows.

Two statements per batch, whatever its size: ``resolve_event_resources`` (one index lookup per distinct uid, key
and IP of the batch, and of the Services a failed call's log may name, and whether each event id is already
stored; the key of an event with a uid only when that uid is found nowhere, then asked in a second, smaller
one) and ``upsert_events`` (events, ABOUT and traffic CALLS together, so that they commit together). Choosing
among the candidates found is pure (``ingest.resolve.pick``); an event that resolves to nothing is stored all the
same, with the key it names as ``awaiting_key``: a collector's event may come before the watch shows its pod, and
the loader links it (``link_awaiting_events``) when a resource with that key is written.

The topology rows of a uid, key or IP found are kept (``ResolveCache``) while the topology stays the same: the
pipeline's loader bumps a generation on every write, which empties the cache, and an entry also expires after
``RESOLVE_CACHE_TTL_MS`` for topology written by another process. A value found nowhere is asked again each
time (the resource may come), save a word of a message asked as a Service name (``named_services``: kept
apart, those are many). On the live path this leaves one small statement per batch (which ids are stored, and
the words of its error logs not seen in the last ``RESOLVE_CACHE_TTL_MS``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from typing import Any

from graph import GraphStore
from ingest.resolve import Candidate, Resolution, named_services, pick
from model.event import NormalEvent, StoredEvent
from model.resource import WORKLOAD_KINDS, ResourceRef, resource_key

RESOLVE_CACHE_TTL_MS = 10_000
RESOLVE_CACHE_MAX = 100_000


class ResolveCache:
    """Rows of ``resolve_event_resources`` by (by, value), valid for one topology generation and a short time."""

    def __init__(self, generation: Callable[[], int], ttl_ms: int = RESOLVE_CACHE_TTL_MS) -> None:
        self.generation = generation
        self.ttl_ms = ttl_ms
        self._gen = generation()
        self._rows: dict[tuple[str, str], tuple[float, list[Mapping[str, Any]]]] = {}
        self._empty: dict[tuple[str, str], tuple[float, list[Mapping[str, Any]]]] = {}  # found nowhere
        self.hits = 0
        self.misses = 0

    def _now_ms(self) -> float:
        return time.monotonic() * 1000

    def get(self, by: str, value: str) -> list[Mapping[str, Any]] | None:
        """The cached rows, or None when unknown, expired or the topology has changed since."""
        gen = self.generation()
        if gen != self._gen:
            self._rows.clear()
            self._empty.clear()
            self._gen = gen
        hit = self._rows.get((by, value)) or self._empty.get((by, value))
        if hit is None or hit[0] < self._now_ms():
            self.misses += 1
            return None
        self.hits += 1
        return hit[1]

    def put(self, by: str, value: str, rows: list[Mapping[str, Any]], *, keep_empty: bool = False) -> None:
        """Keep ``rows``; an empty answer only when ``keep_empty``, apart: a message's words that name no Service
        are many, and filling up must not cost the rows found."""
        if not rows and not keep_empty:
            return  # not found: ask again next time
        held = self._rows if rows else self._empty
        if len(held) >= RESOLVE_CACHE_MAX:
            held.clear()
        held[(by, value)] = (self._now_ms() + self.ttl_ms, rows)


@dataclass
class WriteStats:
    """Counters since the writer started (for metrics and the replay summary)."""

    written: int = 0
    new: int = 0
    repeats: int = 0
    unresolved: int = 0
    calls: int = 0
    by_resolution: dict[str, int] = field(default_factory=dict)


class EventWriter:
    """Batched, idempotent event writes on one graph."""

    def __init__(
        self,
        store: GraphStore,
        cluster: str,
        *,
        batch_size: int = 1000,
        topology_generation: Callable[[], int] | None = None,
    ) -> None:
        self.store = store
        self.cluster = cluster
        self.batch_size = batch_size
        self.stats = WriteStats()
        self.cache: ResolveCache | None = None
        if topology_generation is not None:
            self.follow_topology(topology_generation)

    def follow_topology(self, generation: Callable[[], int]) -> None:
        """Cache resolved resources while ``generation()`` (bumped by every topology write) stays the same."""
        self.cache = ResolveCache(generation)

    def write(self, events: Sequence[NormalEvent]) -> list[StoredEvent]:
        """Store ``events``; the result is in input order, one StoredEvent per input (repeats have new=False)."""
        out: list[StoredEvent] = []
        for start in range(0, len(events), self.batch_size):
            out.extend(self._write_batch(events[start : start + self.batch_size]))
        return out

    def _write_batch(self, events: Sequence[NormalEvent]) -> list[StoredEvent]:
        if not events:
            return []
        first_index: dict[str, int] = {}
        for i, ev in enumerate(events):
            first_index.setdefault(ev.id, i)
        unique = list(first_index.values())
        lookups = [_lookups(events[i], self.cluster) for i in unique]
        found, stored_ids = self._resolve(lookups, [events[i].id for i in unique])
        cands: dict[int, list[Candidate]] = {}
        stored: set[int] = set()
        for i, lk in zip(unique, lookups, strict=True):
            if events[i].id in stored_ids:
                stored.add(i)
            cands[i] = [
                Candidate.from_row(row, role)
                for role, by, value in (
                    ("uid", "uid", lk.uid),
                    ("key", "key", lk.key),
                    ("src_pod", "pod_ip", lk.src_ip),
                    ("src_service", "service_ip", lk.src_ip),
                    ("dst_pod", "pod_ip", lk.dst_ip),
                    ("dst_service", "service_ip", lk.dst_ip),
                    *(("named", "key", key) for key in lk.named),
                )
                if value
                for row in found.get((by, value), ())
            ]
        merged = _merge_repeats(events)
        resolutions: dict[int, Resolution] = {}
        new_rows: list[dict[str, Any]] = []
        repeat_rows: list[dict[str, Any]] = []
        calls: dict[tuple[str, str], list[int]] = {}
        for i in unique:
            ev = merged[events[i].id]
            res = pick(ev, cands.get(i, []))
            resolutions[i] = res
            props = self._props(ev, res)
            if i in stored:
                repeat_rows.append({"id": ev.id, "props": props})
            else:
                new_rows.append({"id": ev.id, "about": props["resource_uid"], "props": props})
            if i not in stored:
                for a in res.callers:
                    for b in res.callees:
                        if a != b:
                            agg = calls.setdefault((a, b), [0, ev.ts, ev.ts])
                            agg[0] += 1
                            agg[1] = min(agg[1], ev.ts)
                            agg[2] = max(agg[2], ev.ts)
        call_rows = [
            {"from": a, "to": b, "count": n, "first_seen": lo, "last_seen": hi} for (a, b), (n, lo, hi) in calls.items()
        ]
        self.store.query("upsert_events", {"new": new_rows, "repeats": repeat_rows, "calls": call_rows})
        out: list[StoredEvent] = []
        for i, ev in enumerate(events):
            first = first_index[ev.id]
            res = resolutions[first]
            is_new = first == i and first not in stored
            ref = res.about.ref(self.cluster) if res.about else ResourceRef()
            shown = tuple((a, b) for a in res.callers for b in res.callees if a != b) if is_new else ()
            out.append(StoredEvent(ev, ref, res.resolved_by, is_new, res.target, shown))
            self.stats.written += 1
            self.stats.new += is_new
            self.stats.repeats += not is_new
            self.stats.unresolved += res.about is None
            self.stats.by_resolution[res.resolved_by or "none"] = (
                self.stats.by_resolution.get(res.resolved_by or "none", 0) + 1
            )
        self.stats.calls += sum(agg[0] for agg in calls.values())
        return out

    def _resolve(
        self, lookups: Sequence[_Lookup], ids: list[str]
    ) -> tuple[dict[tuple[str, str], list[Mapping[str, Any]]], set[str]]:
        """Candidate rows by (by, value) for the batch's lookups, and the ids already stored: one statement.

        A uid found makes the key moot (``pick``), so the key of an event whose uid is asked is asked only when
        that uid is found nowhere (a second statement, for those keys alone): the usual event, whose uid the
        graph knows, costs one candidate row instead of two."""
        found: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
        cache = self.cache
        wanted: dict[str, set[str]] = {by: set() for by in ("uid", "key", "pod_ip", "service_ip")}

        def want(by: str, value: str) -> bool:
            """Whether ``value`` must be asked (not cached); a cached answer goes straight to ``found``."""
            if not value or (by, value) in found:
                return False
            rows = cache.get(by, value) if cache is not None else None
            if rows is None:
                wanted[by].add(value)
                return True
            found[(by, value)] = rows
            return False

        later: list[_Lookup] = []  # events whose uid is asked: their key waits for the answer
        for lk in lookups:
            want("uid", lk.uid)
            if not lk.uid:
                want("key", lk.key)
            elif ("uid", lk.uid) not in found and lk.key:
                later.append(lk)
            for ip in (lk.src_ip, lk.dst_ip):
                if ip:
                    want("pod_ip", ip)
                    want("service_ip", ip)
            for key in lk.named:
                want("key", key)
        named = {key for lk in lookups for key in lk.named}
        stored_ids, asked = self._ask(wanted, ids, named)
        found.update(asked)
        first_keys = set(wanted["key"])
        for values in wanted.values():
            values.clear()
        for lk in later:
            if ("uid", lk.uid) not in found and lk.key not in first_keys:
                want("key", lk.key)
        if wanted["key"]:
            found.update(self._ask(wanted, [])[1])
        return found, stored_ids

    def _ask(
        self, wanted: Mapping[str, set[str]], ids: list[str], named: AbstractSet[str] = frozenset()
    ) -> tuple[set[str], dict[tuple[str, str], list[Mapping[str, Any]]]]:
        """One ``resolve_event_resources``: the ids of ``ids`` already stored, and the rows found by (by, value);
        what was asked is cached (an IP's answers once either kind holds it; a word of a message that names no
        Service too, or every log line would ask its words again), unless the topology changed meanwhile."""
        cache = self.cache
        ips = wanted["pod_ip"] | wanted["service_ip"]
        params = {"uids": sorted(wanted["uid"]), "keys": sorted(wanted["key"]), "ips": sorted(ips), "ids": ids}
        generation = cache.generation() if cache is not None else 0
        stored_ids: set[str] = set()
        asked: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
        for row in self.store.query("resolve_event_resources", params):
            if row["by"] == "stored":
                stored_ids.add(row["value"])
            else:
                asked.setdefault((row["by"], row["value"]), []).append(row)
        if cache is not None and cache.generation() == generation:  # not when the topology changed meanwhile
            for by in ("uid", "key"):
                for value in wanted[by]:
                    cache.put(by, value, asked.get((by, value), []), keep_empty=value in named)
            for ip in ips:  # an IP held by a pod is no service's: both answers are kept once either is found
                pods, services = asked.get(("pod_ip", ip), []), asked.get(("service_ip", ip), [])
                if pods or services:
                    cache.put("pod_ip", ip, pods, keep_empty=True)
                    cache.put("service_ip", ip, services, keep_empty=True)
        return stored_ids, asked

    def _props(self, ev: NormalEvent, res: Resolution) -> dict[str, Any]:
        about = res.about
        workload = ""
        node = ev.node_name
        if about is not None:
            workload = about.top_owner or (about.key if about.kind in WORKLOAD_KINDS else "")
            node = about.node or (about.name if about.kind == "Node" else node)
        if not workload and ev.workload_kind and ev.workload_name:
            r = ev.resource
            workload = resource_key(r.cluster or self.cluster, ev.workload_kind, r.namespace, ev.workload_name)
        ref = about.ref(self.cluster) if about else ev.resource
        return {
            "id": ev.id,
            "ts": ev.ts,
            "last_ts": max(ev.last_ts, ev.ts),
            "reason": ev.reason,
            "type": ev.type,
            "severity": ev.severity,
            "severity_rank": ev.severity_rank,
            "category": str(ev.category),
            "source_kind": str(ev.source_kind),
            "source": ev.source or None,
            "message": ev.message,
            "trace_id": ev.trace_id or None,
            "count": ev.count,
            "cluster": ev.resource.cluster or self.cluster,
            "resource_key": (about.key if about else "") or None,
            "resource_uid": about.uid if about else None,
            "resource_kind": ref.kind or None,
            "namespace": ref.namespace or None,
            "workload_key": workload or None,
            "node_name": node or None,
            "detail": json.dumps(ev.detail, sort_keys=True, default=str) if ev.detail else None,
            "target_uid": res.target or None,
            # the resource it names, while the graph does not know it yet (``link_awaiting_events``)
            "awaiting_key": (ev.resource.key(self.cluster) if about is None else "") or None,
        }


@dataclass(frozen=True)
class _Lookup:
    uid: str
    key: str
    src_ip: str
    dst_ip: str
    named: tuple[str, ...]  # keys of the Services its message may name (``named_services``)


def _lookups(ev: NormalEvent, cluster: str) -> _Lookup:
    r = ev.resource
    net = ev.network
    src, dst = (net.source_ip, net.dest_ip) if net else ("", "")
    return _Lookup(r.uid, r.key(cluster), src, dst, named_services(ev, cluster))


def _merge_repeats(events: Sequence[NormalEvent]) -> dict[str, NormalEvent]:
    """One event per id in a batch: the first, with the largest count and last time of its repeats."""
    merged: dict[str, NormalEvent] = {}
    for ev in events:
        prev = merged.get(ev.id)
        if prev is None:
            merged[ev.id] = ev
            continue
        newer = ev.last_ts > prev.last_ts
        merged[ev.id] = replace(
            prev,
            count=max(prev.count, ev.count),
            last_ts=max(prev.last_ts, ev.last_ts),
            message=ev.message if newer else prev.message,
        )
    return merged
