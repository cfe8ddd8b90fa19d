"""The three input shapes of DESIGN §4, and the order they reach the engine in.

Why: a Kubernetes Event is one object the API server updates (same uid, growing ``count``, later
``lastTimestamp``); a collector event is a UnifiedEvent with its own id; a recorded change is
``{"type", "object", "observed_at"}`` whose event id is ``<uid>@<resourceVersion>``. Each line gets an arrival time a
few seconds after its own time (collectors batch, the event recorder aggregates), and the file is in arrival order, so
lines are out of event-time order by up to a few seconds, as on a real bus.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from bench.accuracy.blind import times
from bench.accuracy.blind.cluster import Cluster, Pod
from bench.accuracy.blind.rand import Rand

Obj = dict[str, Any]
WARNING_SEVERITIES = frozenset({"warning", "high", "error", "critical"})


@dataclass
class Line:
    ts: int
    arrival: int
    seq: int
    obj: Obj


@dataclass
class KubeEvent:
    """One Event object; ``bump`` records the API server's next update of it."""

    obj: Obj
    uid: str
    first: int
    last: int
    count: int


@dataclass
class Stream:
    cluster: Cluster
    rnd: Rand
    lines: list[Line] = field(default_factory=list)
    warnings: set[str] = field(default_factory=set)
    seq: int = 0
    first_ts: dict[str, int] = field(default_factory=dict)  # event id -> its own (first) time

    # -- plumbing ---------------------------------------------------------------------------------------------
    def _add(self, ts: int, obj: Obj, lag: tuple[int, int]) -> None:
        self.seq += 1
        self.lines.append(Line(ts, ts + self.rnd.randint(*lag), self.seq, obj))

    def render(self) -> str:
        out = sorted(self.lines, key=lambda ln: (ln.arrival, ln.seq))
        return "".join(json.dumps(ln.obj, sort_keys=True, separators=(",", ":")) + "\n" for ln in out)

    # -- Kubernetes Events ------------------------------------------------------------------------------------
    def kube(
        self,
        ts: int,
        reason: str,
        message: str,
        *,
        warning: bool,
        obj_kind: str,
        obj_name: str,
        obj_uid: str,
        component: str,
        host: str = "",
        field_path: str = "",
        namespace: str | None = None,
        api_version: str = "v1",
    ) -> KubeEvent:
        ns = self.cluster.namespace if namespace is None else namespace
        involved: Obj = {
            "apiVersion": api_version,
            "kind": obj_kind,
            "name": obj_name,
            "namespace": ns,
            "uid": obj_uid,
            "resourceVersion": str(self.cluster.rv - self.rnd.randint(5, 900)),
        }
        if obj_kind == "Node":
            del involved["namespace"]
        if field_path:
            involved["fieldPath"] = field_path
        nanos = ts * 1_000_000 + self.rnd.randint(0, 999_999)
        md: Obj = {
            "name": f"{obj_name}.{nanos:x}",
            "namespace": ns or "default",
            "uid": self.rnd.uid(),
            "resourceVersion": self.cluster.next_rv(),
            "creationTimestamp": times.seconds(ts),
        }
        obj: Obj = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": md,
            "involvedObject": involved,
            "reason": reason,
            "message": message,
            "type": "Warning" if warning else "Normal",
            "source": {"component": component, **({"host": host} if host else {})},
            "firstTimestamp": times.seconds(ts),
            "lastTimestamp": times.seconds(ts),
            "count": 1,
            "eventTime": None,
            "reportingComponent": component,
            "reportingInstance": host,
        }
        ev = KubeEvent(obj, md["uid"], ts, ts, 1)
        self.first_ts[ev.uid] = ts
        if warning:
            self.warnings.add(ev.uid)
        self._add(ts, copy.deepcopy(obj), (200, 2500))
        return ev

    def bump(self, ev: KubeEvent, ts: int, message: str | None = None) -> None:
        """The event recorder's aggregation: the same object with count+1 and a later lastTimestamp."""
        ev.count += 1
        ev.last = ts
        ev.obj["count"] = ev.count
        ev.obj["lastTimestamp"] = times.seconds(ts)
        ev.obj["metadata"]["resourceVersion"] = self.cluster.next_rv()
        if message is not None:
            ev.obj["message"] = message
        self._add(ts, copy.deepcopy(ev.obj), (200, 2500))

    def scheduled(self, ts: int, pod: Pod) -> str:
        """The scheduler writes events.k8s.io/v1 Events; read through core/v1 they have eventTime and no
        first/lastTimestamp, an empty source and an action."""
        nanos = ts * 1_000_000 + self.rnd.randint(0, 999_999)
        uid = self.rnd.uid()
        obj: Obj = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {
                "name": f"{pod.name}.{nanos:x}",
                "namespace": self.cluster.namespace,
                "uid": uid,
                "resourceVersion": self.cluster.next_rv(),
                "creationTimestamp": times.seconds(ts),
            },
            "involvedObject": {
                "apiVersion": "v1",
                "kind": "Pod",
                "name": pod.name,
                "namespace": self.cluster.namespace,
                "uid": pod.uid,
                "resourceVersion": pod.obj["metadata"]["resourceVersion"],
            },
            "action": "Binding",
            "reason": "Scheduled",
            "type": "Normal",
            "message": f"Successfully assigned {self.cluster.namespace}/{pod.name} to {pod.node}",
            "source": {},
            "firstTimestamp": None,
            "lastTimestamp": None,
            "eventTime": times.micros(ts, self.rnd.randint(0, 999)),
            "reportingComponent": "default-scheduler",
            "reportingInstance": f"default-scheduler-{self.cluster.nodes[0].name}",
        }
        self._add(ts, obj, (100, 1500))
        self.first_ts[uid] = ts
        return uid

    def pod_event(
        self,
        ts: int,
        pod: Pod,
        reason: str,
        message: str,
        *,
        warning: bool,
        component: str = "kubelet",
        container: bool = True,
    ) -> KubeEvent:
        return self.kube(
            ts,
            reason,
            message,
            warning=warning,
            obj_kind="Pod",
            obj_name=pod.name,
            obj_uid=pod.uid,
            component=component,
            host=pod.node if component == "kubelet" else "",
            field_path=f"spec.containers{{{pod.container}}}" if container else "",
        )

    def node_event(
        self, ts: int, node: str, reason: str, message: str, *, warning: bool, component: str = "kubelet"
    ) -> KubeEvent:
        # The kubelet names its Node by name in involvedObject.uid; the controllers use the real uid.
        uid = node if component in ("kubelet", "kernel-monitor") else self.cluster.node(node).uid
        return self.kube(
            ts,
            reason,
            message,
            warning=warning,
            obj_kind="Node",
            obj_name=node,
            obj_uid=uid,
            component=component,
            host=node if component != "node-controller" else "",
            namespace="default",
        )

    # -- collector events -------------------------------------------------------------------------------------
    def unified(
        self,
        ts: int,
        *,
        prefix: str,
        type_: str,
        source: str,
        category: str,
        severity: str,
        message: str,
        pod: Pod | None = None,
        by_entity: bool = False,
        trace: tuple[str, str] | None = None,
        parent: str = "",
        **sections: Any,
    ) -> str:
        eid = f"{prefix}-{self.rnd.hex(16)}"
        ev: Obj = {
            "id": eid,
            "timestamp": times.nanos(ts, self.rnd.randint(0, 999_999)),
            "type": type_,
            "source": source,
            "category": category,
            "severity": severity,
            "message": message,
        }
        if pod is not None:
            if by_entity:
                ev["entity"] = {
                    "type": "pod",
                    "name": pod.name,
                    "namespace": self.cluster.namespace,
                    "uid": pod.uid,
                    "labels": dict(pod.obj["metadata"]["labels"]),
                }
            else:
                ctx: Obj = {
                    "kind": "Pod",
                    "name": pod.name,
                    "namespace": self.cluster.namespace,
                    "node_name": pod.node,
                    "workload_kind": pod.wl.kind,
                    "workload_name": pod.wl.name,
                    "cluster_name": self.cluster.name,
                }
                if self.rnd.chance(0.7):
                    ctx["uid"] = pod.uid
                ev["k8s_context"] = ctx
        if trace is not None:
            tc: Obj = {"trace_id": trace[0], "span_id": trace[1]}
            if parent:
                tc["parent_span_id"] = parent
            ev["trace_context"] = tc
        for k, v in sections.items():
            ev[k] = v
        if severity in WARNING_SEVERITIES:
            self.warnings.add(eid)
        self._add(ts, ev, (300, 4500))
        self.first_ts[eid] = ts
        return eid

    # -- recorded watch changes -------------------------------------------------------------------------------
    def change(self, ts: int, type_: str, obj: Obj) -> str:
        obj = copy.deepcopy(obj)
        if type_ != "ADDED" or "resourceVersion" not in obj["metadata"]:
            obj["metadata"]["resourceVersion"] = self.cluster.next_rv()
        self._add(
            ts, {"type": type_, "object": obj, "observed_at": times.micros(ts, self.rnd.randint(0, 999))}, (50, 900)
        )
        eid = f"{obj['metadata']['uid']}@{obj['metadata']['resourceVersion']}"
        self.first_ts[eid] = ts
        return eid
