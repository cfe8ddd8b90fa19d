"""The input stream of one scenario, in the three shapes DESIGN §4 accepts, with delivery disorder.

* Kubernetes Events: core/v1 (``count``, ``firstTimestamp``/``lastTimestamp``) or events.k8s.io/v1 (``eventTime``,
  ``series``, ``deprecated*``), one object per uid that the API server updates again and again; every update is a
  new line with a higher ``resourceVersion``.
* Collector UnifiedEvents from four producers with their own id styles, timestamp precisions and ways of naming the
  place (uid, name only, or IPs only).
* Recorded watch changes (``{"type", "object", "observed_at"}``), id ``<uid>@<resourceVersion>``.

Each line is delivered a little after it happened (collectors batch and export every few seconds, the event
recorder and the watch are faster), and the file is in delivery order, so event time is not monotone in the file.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from typing import Any

from . import ids
from .cluster import Cluster, Node, Pod, Workload

Obj = dict[str, Any]
WARNING_SEVERITIES = frozenset({"warning", "high", "error", "critical"})


@dataclass(frozen=True)
class Producer:
    """A collector: its name in ``source``, how it makes ids and timestamps, and how it names resources."""

    source: str
    id_style: str  # uuid | hex | ulid | prefixed
    time_style: str  # ns | ms
    naming: str  # uid | name


@dataclass
class KEvent:
    """A Kubernetes Event object kept so that later occurrences update it."""

    obj: Obj
    api: str
    count: int = 1


@dataclass
class Stream:
    cluster: Cluster
    rng: random.Random
    events_api: str  # core | mixed | new
    producers: dict[str, Producer]
    lines: list[tuple[int, int, Obj]] = field(default_factory=list)
    level: dict[str, str] = field(default_factory=dict)  # id -> warning | change | normal
    times: dict[str, int] = field(default_factory=dict)  # id -> first event time (ms)
    last: dict[str, int] = field(default_factory=dict)  # id -> last occurrence (ms)
    kevents: dict[str, KEvent] = field(default_factory=dict)
    origin: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # collector id -> (pod, source ip, t)

    # ---------------------------------------------------------------- plumbing
    def _put(self, t: int, obj: Obj, lo: int, hi: int) -> None:
        deliver = t + self.rng.randrange(lo, hi)
        self.lines.append((deliver, len(self.lines), obj))

    def _note(self, eid: str, t: int, level: str) -> str:
        self.times.setdefault(eid, t)
        self.last[eid] = max(t, self.last.get(eid, t))
        if self.level.get(eid) != "warning":
            self.level[eid] = level
        return eid

    def drop(self, gone: set[str]) -> None:
        """Forget collector events that could not have been sent (their pod was gone by then)."""
        self.lines = [x for x in self.lines if str(x[2].get("id", "")) not in gone or "observed_at" in x[2]]
        for eid in gone:
            self.level.pop(eid, None)

    def ordered(self) -> list[Obj]:
        return [obj for _, _, obj in sorted(self.lines, key=lambda x: (x[0], x[1]))]

    # ---------------------------------------------------------------- Kubernetes Events
    def k8s_event(
        self,
        t: int,
        about: Obj,
        reason: str,
        message: str,
        *,
        warning: bool,
        component: str = "kubelet",
        host: str = "",
        repeats: list[int] | None = None,
        field_path: str = "",
        api: str = "",
        action: str = "",
    ) -> str:
        """Emit an Event about ``about`` (kind/namespace/name/uid) at ``t`` and its updates at ``repeats``."""
        if not api:
            if component == "default-scheduler" or self.events_api == "new":
                api = "new"
            elif self.events_api == "mixed":
                api = self.rng.choice(["core", "new"])
            else:
                api = "core"
        c = self.cluster
        ns = str(about.get("namespace") or "default")
        uid = ids.uid(self.rng)
        name = f"{about['name']}.{ids.event_name_suffix(t)}"
        involved: Obj = {
            "apiVersion": {"Pod": "v1", "Node": "v1", "HorizontalPodAutoscaler": "autoscaling/v2"}.get(
                str(about["kind"]), "apps/v1"
            ),
            "kind": about["kind"],
            "name": about["name"],
            "uid": about["uid"],
            "resourceVersion": c.next_rv(),
        }
        if about.get("namespace"):
            involved["namespace"] = about["namespace"]
        if field_path:
            involved["fieldPath"] = field_path
        etype = "Warning" if warning else "Normal"
        meta: Obj = {
            "name": name,
            "namespace": ns,
            "uid": uid,
            "resourceVersion": c.next_rv(),
            "creationTimestamp": ids.rfc3339_s(t),
        }
        if api == "core":
            obj: Obj = {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": meta,
                "involvedObject": involved,
                "reason": reason,
                "message": message,
                "source": {"component": component, **({"host": host} if host else {})},
                "firstTimestamp": ids.rfc3339_s(t),
                "lastTimestamp": ids.rfc3339_s(t),
                "count": 1,
                "type": etype,
                "eventTime": None,
                "reportingComponent": component,
                "reportingInstance": host,
            }
        else:
            obj = {
                "apiVersion": "events.k8s.io/v1",
                "kind": "Event",
                "metadata": meta,
                "eventTime": ids.rfc3339_us(t),
                "reportingController": component,
                "reportingInstance": f"{component}-{host}" if host else component,
                "action": action or {"default-scheduler": "Scheduling"}.get(component, reason),
                "reason": reason,
                "regarding": involved,
                "note": message,
                "type": etype,
            }
            if component == "kubelet":
                obj["deprecatedSource"] = {"component": "kubelet", "host": host}
        self.kevents[uid] = KEvent(obj, api)
        self._put(t, copy.deepcopy(obj), 30, 1500)
        self._note(uid, t, "warning" if warning else "normal")
        for r in sorted(repeats or []):
            self.k8s_update(uid, r)
        return uid

    def backoff(self, t: int, pod: Pod, repeats: list[int] | None = None) -> str:
        """The kubelet's BackOff Event of ``pod``'s container crash-looping (told again at ``repeats``)."""
        return self.k8s_event(
            t,
            pod.ref(),
            "BackOff",
            pod.backoff_message(),
            warning=True,
            host=pod.node,
            field_path=f"spec.containers{{{pod.container}}}",
            repeats=repeats,
        )

    def k8s_update(self, uid: str, t: int, message: str = "") -> None:
        """Another occurrence of the Event ``uid`` at ``t`` (the recorder's aggregation: count + 1)."""
        ke = self.kevents[uid]
        ke.count += 1
        obj = ke.obj
        obj["metadata"]["resourceVersion"] = self.cluster.next_rv()
        if ke.api == "core":
            obj["count"] = ke.count
            obj["lastTimestamp"] = ids.rfc3339_s(t)
            if message:
                obj["message"] = message
        else:
            obj["series"] = {"count": ke.count, "lastObservedTime": ids.rfc3339_us(t)}
            if message:
                obj["note"] = message
        self._put(t, copy.deepcopy(obj), 30, 1500)
        self.last[uid] = max(t, self.last.get(uid, t))

    # ---------------------------------------------------------------- watch changes
    def change(self, t: int, kind: str, obj: Obj, *, level: str = "change") -> str:
        """A recorded watch change; ``obj`` must already carry its new resourceVersion."""
        meta = obj["metadata"]
        eid = f"{meta['uid']}@{meta['resourceVersion']}"
        line = {"type": kind, "object": copy.deepcopy(obj), "observed_at": ids.rfc3339_ms(t)}
        self._put(t, line, 10, 700)
        return self._note(eid, t, level)

    # ---------------------------------------------------------------- collector events
    def _id(self, p: Producer, t: int) -> str:
        if p.id_style == "uuid":
            return ids.uid(self.rng)
        if p.id_style == "ulid":
            return ids.ulid(self.rng, t)
        if p.id_style == "hex":
            return ids.hexid(self.rng, 12)
        return f"{p.source}-{t // 1000}-{ids.hexid(self.rng, 4)}"

    def where(self, p: Producer, pod: Pod | None = None, node: Node | None = None, wl: Workload | None = None) -> Obj:
        """k8s_context for a pod, a node or a workload, named the way producer ``p`` names things."""
        ctx: Obj = {"cluster_name": self.cluster.name}
        if pod is not None:
            top = pod.workload
            ctx.update(
                {
                    "kind": "Pod",
                    "name": pod.name,
                    "namespace": pod.namespace,
                    "node_name": pod.node,
                    "workload_kind": top.kind,
                    "workload_name": top.name,
                }
            )
            if p.naming == "uid":
                ctx["uid"] = pod.uid
        elif wl is not None:
            ctx.update({"kind": wl.kind, "name": wl.name, "namespace": wl.namespace})
            if p.naming == "uid":
                ctx["uid"] = wl.uid
        elif node is not None:
            ctx.update({"kind": "Node", "name": node.name, "node_name": node.name})
            if p.naming == "uid":
                ctx["uid"] = node.uid
        return ctx

    def unified(
        self,
        t: int,
        producer: str,
        *,
        type_: str,
        category: str,
        severity: str,
        message: str,
        context: Obj | None = None,
        trace: tuple[str, str, str] | None = None,
        **sections: Any,
    ) -> str:
        """A collector UnifiedEvent; ``sections`` are network/application/kernel/metrics/... blocks."""
        p = self.producers[producer]
        eid = self._id(p, t)
        obj: Obj = {
            "id": eid,
            "timestamp": ids.rfc3339_ns(t, self.rng) if p.time_style == "ns" else ids.rfc3339_ms(t),
            "type": type_,
            "source": p.source,
            "category": category,
            "severity": severity,
            "message": message,
            "k8s_context": context or {"cluster_name": self.cluster.name},
        }
        if self.rng.random() < 0.5:
            obj["confidence"] = round(self.rng.uniform(0.6, 1.0), 2)
        if trace is not None:
            obj["trace_context"] = {"trace_id": trace[0], "span_id": trace[1]}
            if trace[2]:
                obj["trace_context"]["parent_span_id"] = trace[2]
        for key, val in sections.items():
            obj[key.rstrip("_")] = val
        ctx = obj["k8s_context"]
        pod = str(ctx.get("name", "")) if ctx.get("kind") == "Pod" else ""
        src = "" if ctx.get("kind") else str((obj.get("network") or {}).get("source_ip", ""))
        self.origin[eid] = (pod, src, t)
        self._put(t, obj, 150, 4800)
        return self._note(eid, t, "warning" if severity in WARNING_SEVERITIES else "normal")
