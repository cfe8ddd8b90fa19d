"""The three input kinds of DESIGN §4, as the sources write them: Kubernetes Events (v1 and events.k8s.io/v1),
collector UnifiedEvents (k8s_context, entity only, or network only) and recorded watch changes.

A :class:`Stream` collects the lines of one scenario with the event id the product will give each (v1/events.k8s.io
Event: its ``metadata.uid``; UnifiedEvent: ``id``; change: ``<object uid>@<resourceVersion>``) and whether it is
warning-level input, so the ground truth is written from the same facts as the events.
"""

from __future__ import annotations

import copy
import hashlib
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

Obj = dict[str, Any]
ContextMode = Literal["k8s", "entity", "network"]
WARNING_SEVERITIES = frozenset({"warning", "high", "error", "critical"})


def rfc3339(ms: int, *, nanos: int = 0, micro: bool = False) -> str:
    """RFC3339 UTC: seconds, microseconds (MicroTime) or nanoseconds (collectors)."""
    dt = datetime.fromtimestamp(ms // 1000, tz=UTC)
    base = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if micro:
        return f"{base}.{(ms % 1000) * 1000:06d}Z"
    if nanos or ms % 1000:
        return f"{base}.{(ms % 1000) * 1_000_000 + nanos:09d}Z"
    return base + "Z"


@dataclass
class Line:
    """One input line and what the truth needs to know about it."""

    ts: int
    obj: Obj
    event_id: str
    warning: bool


@dataclass
class Stream:
    """The events of one scenario, in the order they are produced; ``lines()`` gives arrival order."""

    rng: random.Random
    cluster: str
    v2_share: float = 0.3  # share of Kubernetes Events written as events.k8s.io/v1
    items: list[Line] = field(default_factory=list)
    _rv: int = 500_000

    def _id(self, *parts: object) -> str:
        digest = hashlib.sha256("/".join(str(p) for p in (*parts, self.rng.random())).encode()).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))

    def _next_rv(self) -> str:
        self._rv += self.rng.randint(1, 30)
        return str(self._rv)

    # -- Kubernetes Events -------------------------------------------------------------------------------------

    def k8s_event(
        self,
        obj: Obj,
        *,
        times: list[int],
        reason: str,
        type_: str,
        message: str,
        component: str,
        host: str = "",
        field_path: str = "",
    ) -> str:
        """One Event object about ``obj``, written once per entry of ``times`` (the API server updating
        count/lastTimestamp, or series for events.k8s.io). Returns the event id (the Event's uid)."""
        meta = obj["metadata"]
        namespace = meta.get("namespace") or "default"
        uid = self._id("event", meta["uid"], reason, times[0])
        name = f"{meta['name']}.{uid.replace('-', '')[:16]}"
        v2 = self.rng.random() < self.v2_share
        ref: Obj = {
            "apiVersion": obj.get("apiVersion", "v1"),
            "kind": obj["kind"],
            "name": meta["name"],
            "uid": meta["uid"],
            "resourceVersion": meta.get("resourceVersion", ""),
        }
        if meta.get("namespace"):
            ref["namespace"] = meta["namespace"]
        if field_path:
            ref["fieldPath"] = field_path
        for i, ts in enumerate(times):
            created = rfc3339(times[0])
            emeta = {
                "name": name,
                "namespace": namespace,
                "uid": uid,
                "resourceVersion": self._next_rv(),
                "creationTimestamp": created,
            }
            line: Obj
            if v2:
                line = {
                    "apiVersion": "events.k8s.io/v1",
                    "kind": "Event",
                    "metadata": emeta,
                    "eventTime": rfc3339(times[0], micro=True),
                    "reportingController": component if "/" in component else f"{component}",
                    "reportingInstance": host or component,
                    "action": reason,
                    "reason": reason,
                    "regarding": ref,
                    "note": message,
                    "type": type_,
                    "deprecatedSource": {"component": component, **({"host": host} if host else {})},
                }
                if i:
                    line["series"] = {"count": i + 1, "lastObservedTime": rfc3339(ts, micro=True)}
            else:
                line = {
                    "apiVersion": "v1",
                    "kind": "Event",
                    "metadata": emeta,
                    "involvedObject": ref,
                    "reason": reason,
                    "message": message,
                    "source": {"component": component, **({"host": host} if host else {})},
                    "firstTimestamp": created,
                    "lastTimestamp": rfc3339(ts),
                    "count": i + 1,
                    "type": type_,
                    "eventTime": None,
                    "reportingComponent": component,
                    "reportingInstance": host,
                }
            self.items.append(Line(ts, line, uid, type_ == "Warning"))
        return uid

    # -- collector UnifiedEvents -------------------------------------------------------------------------------

    def collector(
        self,
        *,
        ts: int,
        pod: Obj | None,
        mode: ContextMode,
        type_: str,
        source: str,
        category: str,
        severity: str,
        message: str,
        reason: str,
        trace_id: str = "",
        network: Obj | None = None,
        node: Obj | None = None,
        workload: tuple[str, str] = ("", ""),
        extra: Obj | None = None,
    ) -> str:
        """One UnifiedEvent. ``mode`` decides how it says where: full ``k8s_context`` (plus network facts),
        ``entity`` only, or ``network`` only (pod IPs, nothing else)."""
        event_id = f"{source}-{reason}-{self._id('collector', ts)[:13]}"
        line: Obj = {
            "id": event_id,
            "timestamp": rfc3339(ts, nanos=self.rng.randint(0, 999_999)),
            "type": type_,
            "source": source,
            "category": category,
            "severity": severity,
            "confidence": round(self.rng.uniform(0.8, 1.0), 2),
            "message": message,
            "tags": [reason],
        }
        if trace_id:
            line["trace_context"] = {"trace_id": trace_id, "span_id": self._id("span")[:16].replace("-", "0")}
        if mode == "network":
            if network is None:
                raise ValueError(f"collector event {event_id}: network mode needs network facts")
            line["network"] = network
        elif mode == "entity":
            if pod is None:
                raise ValueError(f"collector event {event_id}: entity mode needs a pod")
            line["entity"] = {"type": "pod", "name": pod["metadata"]["name"], "namespace": pod["metadata"]["namespace"]}
        else:
            target = pod or node
            if target is None:
                raise ValueError(f"collector event {event_id}: k8s mode needs a pod or node")
            m = target["metadata"]
            line["k8s_context"] = {
                "kind": target["kind"],
                "name": m["name"],
                "namespace": m.get("namespace", ""),
                "uid": m["uid"],
                "node_name": pod["spec"]["nodeName"] if pod else m["name"],
                "workload_kind": workload[0],
                "workload_name": workload[1],
                "cluster_name": self.cluster,
            }
            if network is not None:
                line["network"] = network
        if extra:
            line.update(copy.deepcopy(extra))
        self.items.append(Line(ts, line, event_id, severity in WARNING_SEVERITIES))
        return event_id

    # -- recorded watch changes --------------------------------------------------------------------------------

    def change(self, *, ts: int, kind: Literal["ADDED", "MODIFIED", "DELETED"], obj: Obj) -> str:
        """A recorded watch change; the object gets a fresh resourceVersion (and generation for specs)."""
        new = copy.deepcopy(obj)
        new["metadata"]["resourceVersion"] = self._next_rv()
        if kind == "MODIFIED" and "generation" in new["metadata"]:
            new["metadata"]["generation"] = int(new["metadata"]["generation"]) + 1
        self.items.append(
            Line(
                ts,
                {"type": kind, "object": new, "observed_at": rfc3339(ts)},
                f"{new['metadata']['uid']}@{new['metadata']['resourceVersion']}",
                False,
            )
        )
        return f"{new['metadata']['uid']}@{new['metadata']['resourceVersion']}"

    def lines(self, jitter_ms: int = 1500) -> list[Line]:
        """Arrival order: event time plus a small random delivery delay (so roughly, not strictly, ordered).
        Updates of one Kubernetes Event keep their own order."""
        keyed = [(line.ts + self.rng.randint(0, jitter_ms), i, line) for i, line in enumerate(self.items)]
        keyed.sort(key=lambda t: (t[0], t[1]))
        out: list[Line] = []
        seen_updates: dict[str, list[Line]] = {}
        for line in self.items:
            seen_updates.setdefault(line.event_id, []).append(line)
        cursor: dict[str, int] = {}
        for _, _, line in keyed:
            # Updates of one Event object arrive in their own order even when jitter would swap them.
            idx = cursor.get(line.event_id, 0)
            out.append(seen_updates[line.event_id][idx])
            cursor[line.event_id] = idx + 1
        return out
