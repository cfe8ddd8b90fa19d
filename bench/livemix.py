"""A realistic live mix of collector and Kubernetes events over the synthetic cluster of ``bench.topology_import``.

Not one pod and one IP pair (which keeps every cache warm): each event picks its pods at random among thousands,
and a third of the events name their place only by IP, so the store resolves pod and Service IPs as it would for a
real eBPF collector. Per 100 draws, by default:

     3  incidents: an OOM kill of a pod of a called Service, then (as draws of their own when due) timeouts of three
        pods of a caller by IP over the next second
     8  network errors (warning: 503 or timeout) of a flow from a calling pod's IP to a called Service's cluster IP
    20  such flows, fine (info)
     7  Kubernetes Events of a random pod: Normal (Pulled, Started, Created) or Warning (BackOff, Unhealthy); some
        Warnings are updates of an earlier Event object (same uid, count + 1)
    62  request logs (info) of a random pod, by uid

About a quarter of the events are warnings: what the correlator works on.
``Mix.next`` is pure given its seed and the times passed in: the same calls give the same bytes.
"""

from __future__ import annotations

import json
import random
import tempfile
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.topology_import import generate
from causegraph.commands.import_ import import_paths
from graph import GraphStore

CLUSTER = "bench"
INCIDENT_DELAYS_MS = (200, 500, 900)  # the caller pods' timeouts after the OOM kill


@dataclass(frozen=True)
class Pod:
    uid: str
    name: str
    namespace: str
    ip: str


@dataclass
class Topo:
    """The pods, the pods behind each Service, each Service's cluster IP and the CALLS edges between Services."""

    pods: list[Pod]
    by_service: dict[str, list[Pod]]
    service_ip: dict[str, str]
    calls: list[tuple[str, str]]


def load_topology(store: GraphStore, scale: float) -> Topo:
    """Import the synthetic cluster (``scale`` of 5,000 nodes / 150,000 pods) into ``store``; read it back."""
    store.apply_schema()
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), scale)
        import_paths(store, [Path(tmp)], CLUSTER)
    return read_topology(store)


def read_topology(store: GraphStore) -> Topo:
    rows = store.run("MATCH (p:Pod) RETURN p.uid AS uid, p.name AS name, p.namespace AS ns, p.ip AS ip ORDER BY uid")
    pods = [Pod(r["uid"], r["name"], r["ns"], r["ip"] or "") for r in rows]
    by_uid = {p.uid: p for p in pods}
    by_service: dict[str, list[Pod]] = {}
    service_ip: dict[str, str] = {}
    for r in store.run(
        "MATCH (s:Service)-[:SELECTS]->(p:Pod) RETURN s.key AS s, s.cluster_ip AS ip, p.uid AS uid ORDER BY s, uid"
    ):
        by_service.setdefault(r["s"], []).append(by_uid[r["uid"]])
        service_ip[r["s"]] = r["ip"] or ""
    calls = [
        (r["a"], r["b"])
        for r in store.run("MATCH (a:Service)-[:CALLS]->(b:Service) RETURN a.key AS a, b.key AS b ORDER BY a, b")
        if r["a"] in by_service and r["b"] in by_service and service_ip.get(r["b"])
    ]
    return Topo(pods, by_service, service_ip, calls)


def rfc3339(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class Mix:
    """The event stream; ``next(now_ms)`` gives the next (subject, payload)."""

    topo: Topo
    seed: int = 7
    prefix: str = "m"
    n: int = 0
    rng: random.Random = field(init=False)
    _due: deque[tuple[int, str, Pod, str, str]] = field(default_factory=deque)  # incident events to come
    _k8s: list[tuple[str, Pod, str, int, int]] = field(default_factory=list)  # Warning Events that may repeat

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def next(self, now_ms: int) -> tuple[str, bytes]:
        self.n += 1
        eid = f"{self.prefix}-{self.n}"
        if self._due and self._due[0][0] <= now_ms:
            _at, trace, pod, callee_ip, inc = self._due.popleft()
            return self._flow(f"{inc}-{eid}", now_ms, pod, callee_ip, trace, status=0, severity="error")
        roll = self.rng.random()
        pod = self.rng.choice(self.topo.pods)
        if roll < 0.03 and self.topo.calls:
            return self._incident(eid, now_ms)
        if roll < 0.11 and self.topo.calls:
            caller, callee = self.rng.choice(self.topo.calls)
            src = self.rng.choice(self.topo.by_service[caller])
            status = self.rng.choice((503, 0))
            return self._flow(eid, now_ms, src, self.topo.service_ip[callee], f"t-{eid}", status, "warning")
        if roll < 0.31 and self.topo.calls:
            caller, callee = self.rng.choice(self.topo.calls)
            src = self.rng.choice(self.topo.by_service[caller])
            return self._flow(eid, now_ms, src, self.topo.service_ip[callee], f"t-{eid}", 200, "info")
        if roll < 0.38:
            return self._k8s_event(eid, now_ms, pod)
        return self._log(eid, now_ms, pod)

    def _incident(self, eid: str, now_ms: int) -> tuple[str, bytes]:
        caller, callee = self.rng.choice(self.topo.calls)
        victim = self.rng.choice(self.topo.by_service[callee])
        trace = f"inc-{eid}"
        callers = self.topo.by_service[caller]
        for delay, p in zip(INCIDENT_DELAYS_MS, self.rng.sample(callers, min(3, len(callers))), strict=False):
            self._due.append((now_ms + delay, trace, p, self.topo.service_ip[callee], f"to-{eid}"))
        self._due = deque(sorted(self._due, key=lambda d: d[0]))
        doc = self._unified(f"oom-{eid}", now_ms, victim, "memory", "critical", "OOM killer terminated the container")
        doc["kernel"] = {"syscall": "oom_kill", "pid": 1, "comm": "server"}
        return f"traces.{trace}.ebpf", json.dumps(doc).encode()

    def _unified(self, eid: str, ts: int, pod: Pod, type_: str, severity: str, message: str) -> dict[str, Any]:
        return {
            "id": eid,
            "timestamp": rfc3339(ts),
            "type": type_,
            "source": "ebpf",
            "severity": severity,
            "message": message,
            "k8s_context": {"kind": "Pod", "name": pod.name, "namespace": pod.namespace, "uid": pod.uid},
        }

    def _log(self, eid: str, ts: int, pod: Pod) -> tuple[str, bytes]:
        doc = self._unified(eid, ts, pod, "log", "info", f"GET /api/items/{self.rng.randrange(10_000)} 200")
        return f"traces.t-{eid}.otel", json.dumps(doc).encode()

    def _flow(
        self, eid: str, ts: int, src: Pod, dst_ip: str, trace: str, status: int, severity: str
    ) -> tuple[str, bytes]:
        """A flow seen by IP only: the store finds the source pod and the called Service by their IPs."""
        doc = {
            "id": eid,
            "timestamp": rfc3339(ts),
            "type": "network",
            "source": "ebpf",
            "severity": severity,
            "message": "timeout" if status == 0 else f"HTTP {status}",
            "trace_context": {"trace_id": trace},
            "network": {
                "protocol": "TCP",
                "source_ip": src.ip,
                "source_port": 30_000 + self.rng.randrange(20_000),
                "dest_ip": dst_ip,
                "dest_port": 80,
                "direction": "egress",
                "status_code": status,
                "latency_ns": 5_000_000_000 if status == 0 else self.rng.randrange(1_000_000, 50_000_000),
            },
        }
        return f"traces.{trace}.ebpf", json.dumps(doc).encode()

    def _k8s_event(self, eid: str, ts: int, pod: Pod) -> tuple[str, bytes]:
        if self._k8s and self.rng.random() < 0.15:  # an update of an earlier Warning Event object
            i = self.rng.randrange(len(self._k8s))
            uid, p, reason, first, count = self._k8s[i]
            self._k8s[i] = (uid, p, reason, first, count + 1)
            return self._k8s_doc(uid, p, reason, "Warning", first, ts, count + 1)
        if self.rng.random() < 0.5:
            return self._k8s_doc(eid, pod, self.rng.choice(("Pulled", "Started", "Created")), "Normal", ts, ts, 1)
        reason = self.rng.choice(("BackOff", "Unhealthy"))
        self._k8s.append((eid, pod, reason, ts, 1))
        if len(self._k8s) > 1000:
            self._k8s.pop(0)
        return self._k8s_doc(eid, pod, reason, "Warning", ts, ts, 1)

    def _k8s_doc(
        self, uid: str, pod: Pod, reason: str, type_: str, first: int, last: int, count: int
    ) -> tuple[str, bytes]:
        doc = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": f"{pod.name}.{uid}", "namespace": pod.namespace, "uid": uid},
            "involvedObject": {"kind": "Pod", "name": pod.name, "namespace": pod.namespace, "uid": pod.uid},
            "reason": reason,
            "message": f"{reason} container server in pod {pod.name}",
            "type": type_,
            "count": count,
            "firstTimestamp": rfc3339(first),
            "lastTimestamp": rfc3339(last),
            "source": {"component": "kubelet"},
        }
        return f"traces.k8s-{uid}.kubernetes", json.dumps(doc).encode()


def event_id(payload: bytes) -> str:
    """The event id a payload is stored under (a Kubernetes Event's is its uid)."""
    doc = json.loads(payload)
    return str(doc.get("id") or doc["metadata"]["uid"])
