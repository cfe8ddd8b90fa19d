"""How one failure shows up in the collectors: the building blocks the fault and noise builders share.

A failing callee is seen by its callers as error logs (in the caller's runtime dialect), client spans with a status
and a latency, eBPF socket events that know only IP addresses, and metric deviations; one hop further up, callers
see the error their callee returned, a little later; the entry service answers 5xx to users. Only some requests
are sampled into traces, so only some symptoms carry a trace id, and a trace carries the whole path.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from . import dialects, ids
from .apps import PATHS
from .cluster import Cluster, Node, Pod, Workload
from .records import Stream

Obj = dict[str, Any]


@dataclass
class Incident:
    """One truth incident as the scorer reads it (plus the window used to place background noise)."""

    id: str
    kind: str
    root_resource: Obj
    root_workload: Obj | None = None
    root_event_id: str = ""
    root_equivalents: list[str] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)
    context_event_ids: list[str] = field(default_factory=list)
    start: int = 0
    end: int = 0
    period_seconds: int | None = None
    series: str | None = None
    variant: str | None = None
    nodes: set[str] = field(default_factory=set)  # where it happened (for near noise)
    services: set[str] = field(default_factory=set)
    workloads: set[str] = field(default_factory=set)
    protected: set[str] = field(default_factory=set)  # pod names noise must not touch

    def forget(self, gone: set[str], times: dict[str, int], last: dict[str, int]) -> None:
        """Remove events that were never sent; the root moves to the earliest event left."""
        self.event_ids = [e for e in self.event_ids if e not in gone]
        self.context_event_ids = [e for e in self.context_event_ids if e not in gone]
        self.root_equivalents = [e for e in self.root_equivalents if e not in gone]
        if self.root_event_id in gone:
            pool = self.root_equivalents or self.event_ids
            self.root_event_id = min(pool, key=lambda e: times[e])
        kept = self.event_ids + self.context_event_ids
        if kept:
            self.start = min(times[e] for e in kept)
            self.end = max(last[e] for e in kept)

    def truth(self) -> Obj:
        equivalents = [e for e in dict.fromkeys(self.root_equivalents) if e != self.root_event_id]
        roots = [self.root_event_id, *equivalents]  # a root is the incident's own event even when it is Normal
        events = [*[e for e in roots if e not in self.event_ids], *self.event_ids]
        out: Obj = {
            "id": self.id,
            "kind": self.kind,
            "root_event_id": self.root_event_id,
            "root_equivalents": equivalents,
            "event_ids": events,
            "context_event_ids": [e for e in dict.fromkeys(self.context_event_ids) if e not in events],
            "root_resource": self.root_resource,
            "start": self.start,
            "end": self.end,
        }
        if self.root_workload is not None:
            out["root_workload"] = self.root_workload
        if self.period_seconds is not None:
            out["period_seconds"] = self.period_seconds
            out["series"] = self.series
        if self.variant:
            out["variant"] = self.variant
        return out


class Signals:
    """Emitters bound to one scenario's cluster and stream."""

    def __init__(self, cluster: Cluster, stream: Stream, rng: random.Random, trace_share: float) -> None:
        self.c = cluster
        self.s = stream
        self.rng = rng
        self.trace_share = trace_share
        self.paths = PATHS[cluster.app.name]

    # ------------------------------------------------------------ truth bookkeeping
    def add(self, inc: Incident, eid: str) -> str:
        """Put ``eid`` in the incident: warnings and changes are its events, routine Normal ones its context."""
        level = self.s.level.get(eid, "normal")
        target = inc.event_ids if level in ("warning", "change") else inc.context_event_ids
        if eid not in target:
            target.append(eid)
        t = self.s.times[eid]
        inc.start = t if not inc.start else min(inc.start, t)
        inc.end = max(inc.end, self.s.last[eid])
        return eid

    def ref(self, obj: Obj, kind: str | None = None) -> Obj:
        meta = obj["metadata"]
        return {
            "cluster": self.c.name,
            "kind": kind or obj["kind"],
            "namespace": meta.get("namespace", ""),
            "name": meta["name"],
            "uid": meta["uid"],
        }

    def pod_ref(self, pod: Pod) -> Obj:
        return {"cluster": self.c.name, **pod.ref()}

    def wl_ref(self, w: Workload) -> Obj:
        return {"cluster": self.c.name, **w.ref()}

    def node_ref(self, n: Node) -> Obj:
        return {"cluster": self.c.name, "kind": "Node", "namespace": "", "name": n.name, "uid": n.uid}

    # ------------------------------------------------------------ single signals
    def new_trace(self) -> str:
        return ids.hexid(self.rng, 16)

    def log(self, t: int, pod: Pod, app: Obj, severity: str = "error", trace: str | None = None) -> str:
        p = self.s.producers["logs"]
        return self.s.unified(
            t,
            "logs",
            type_="log",
            category="application",
            severity=severity,
            message=str(app["message"]).split("\n", 1)[0][:300],
            context=self.s.where(p, pod=pod),
            trace=(trace, ids.hexid(self.rng, 8), "") if trace else None,
            application=app,
        )

    def span(
        self,
        t: int,
        pod: Pod,
        dest_ip: str,
        port: int,
        status: int,
        latency_ms: int,
        trace: str | None,
        *,
        server: bool = False,
        path: str = "",
    ) -> str:
        p = self.s.producers["otel"]
        path = path or self.rng.choice(self.paths)
        method = self.rng.choice(["GET", "GET", "POST"])
        sev = "error" if status >= 500 else ("warning" if latency_ms > 1500 else "info")
        kind = "SERVER" if server else "CLIENT"
        msg = f"{kind} span {method} {path} -> {status} in {latency_ms}ms"
        net: Obj = {
            "protocol": "http",
            "dest_ip": dest_ip,
            "dest_port": port,
            "direction": "inbound" if server else "outbound",
            "latency_ns": latency_ms * 1_000_000 + self.rng.randrange(1_000_000),
            "status_code": status,
            "method": method,
            "path": path,
        }
        if not server:
            net["source_ip"] = pod.ip
        return self.s.unified(
            t,
            "otel",
            type_="trace",
            category="performance" if status < 500 else "application",
            severity=sev,
            message=msg,
            context=self.s.where(p, pod=pod),
            trace=(trace, ids.hexid(self.rng, 8), ids.hexid(self.rng, 8)) if trace else None,
            network=net,
            tags=["span", kind.lower()],
        )

    def net(self, t: int, src_ip: str, dst_ip: str, port: int, what: str, severity: str = "high") -> str:
        """An eBPF socket event that knows only the addresses (no pod names)."""
        sport = self.rng.randrange(32768, 61000)
        text = {
            "timeout": f"tcp connect timeout {src_ip}:{sport} -> {dst_ip}:{port} (3 SYN retransmits)",
            "refused": f"tcp RST on connect {src_ip}:{sport} -> {dst_ip}:{port} (connection refused)",
            "reset": f"tcp connection reset by peer {dst_ip}:{port} <- {src_ip}:{sport}",
            "retrans": f"tcp retransmits 17/20 on {src_ip}:{sport} -> {dst_ip}:{port}",
            "dns": f"dns query timeout {src_ip}:{sport} -> {dst_ip}:53",
        }[what]
        return self.s.unified(
            t,
            "ebpf",
            type_="network",
            category="network",
            severity=severity,
            message=text,
            network={
                "protocol": "udp" if what == "dns" else "tcp",
                "source_ip": src_ip,
                "source_port": sport,
                "dest_ip": dst_ip,
                "dest_port": 53 if what == "dns" else port,
                "direction": "egress",
                "latency_ns": self.rng.randrange(1, 30) * 1_000_000_000 if what in ("timeout", "dns") else 0,
            },
            kernel={
                "syscall": "connect" if what != "reset" else "recvmsg",
                "return_code": {"timeout": -110}.get(what, -104 if what == "reset" else -111),
            },
        )

    def metric(
        self,
        t: int,
        name: str,
        value: float,
        unit: str,
        message: str,
        *,
        pod: Pod | None = None,
        wl: Workload | None = None,
        node: Node | None = None,
        severity: str = "warning",
    ) -> str:
        p = self.s.producers["metrics"]
        labels: Obj = {}
        if pod is not None:
            labels = {"namespace": pod.namespace, "pod": pod.name, "container": pod.container}
        elif wl is not None:
            labels = {"namespace": wl.namespace, wl.kind.lower(): wl.name}
        elif node is not None:
            labels = {"node": node.name, "instance": f"{node.ip}:9100"}
        return self.s.unified(
            t,
            "metrics",
            type_="metric",
            category="performance" if "latency" in name or "duration" in name else "resource",
            severity=severity,
            message=message,
            context=self.s.where(p, pod=pod, node=node, wl=wl),
            metrics={"metric_name": name, "value": value, "unit": unit, "labels": labels},
        )

    def kernel_oom(self, t: int, pod: Pod, comm: str, limit_mib: int) -> str:
        p = self.s.producers["ebpf"]
        pid = self.rng.randrange(1000, 60000)
        rss = limit_mib * 1024 - self.rng.randrange(0, 2048)
        return self.s.unified(
            t,
            "ebpf",
            type_="kernel",
            category="memory",
            severity="critical",
            message=f"Memory cgroup out of memory: Killed process {pid} ({comm}) total-vm:{rss * 3}kB, "
            f"anon-rss:{rss}kB, file-rss:{self.rng.randrange(1000, 30000)}kB, "
            f"oom_score_adj:{self.rng.choice([-997, 936, 999])}",
            context=self.s.where(p, pod=pod),
            kernel={"syscall": "oom_kill_process", "pid": pid, "comm": comm, "return_code": -12},
            tags=["oom", "cgroup"],
        )

    # ------------------------------------------------------------ propagation up the call graph
    def upstream(self, service: str, max_hops: int = 3) -> list[list[str]]:
        """Caller services by hop (1 = direct callers), at most two per hop, ending at the entry if reachable."""
        app = self.c.app
        hops: list[list[str]] = []
        frontier = [service]
        seen = {service}
        for _ in range(max_hops):
            nxt: list[str] = []
            for s in frontier:
                for caller in app.callers(s):
                    if caller not in seen and self.c.pods_of_service(caller):
                        seen.add(caller)
                        nxt.append(caller)
            if not nxt:
                break
            self.rng.shuffle(nxt)
            if app.entry in nxt:
                nxt.remove(app.entry)
                nxt.insert(0, app.entry)
            hops.append(sorted(nxt[:2]))
            frontier = nxt[:2]
        return hops

    def caller_symptoms(
        self,
        inc: Incident,
        service: str,
        t_from: int,
        t_to: int,
        mode: str,
        *,
        target_ips: list[str] | None = None,
        intensity: float = 1.0,
        exclude_node: str = "",
    ) -> None:
        """What the callers of ``service`` (failing between ``t_from`` and ``t_to``) report, hop by hop."""
        svc = self.c.service_of(service)
        if svc is None or t_to <= t_from:
            return
        hops = self.upstream(service)
        ips = target_ips or [svc.cluster_ip]
        lag = 0
        direct_traces: list[tuple[int, str]] = []
        for depth, callers in enumerate(hops, 1):
            lag += self.rng.randrange(2_000, 25_000) if depth > 1 else self.rng.randrange(300, 6_000)
            for caller in callers:
                pods = [
                    p
                    for p in self.c.pods_of_service(caller)
                    if p.node != exclude_node and self.c.alive(p, t_from) and p.name not in inc.protected
                ]
                if not pods:
                    continue
                n = max(1, round(self.rng.randrange(2, 6) * intensity / depth))
                for _ in range(n):
                    t = t_from + lag + self.rng.randrange(0, max(1, t_to - t_from))
                    pod = self.rng.choice(pods)
                    trace = self.new_trace() if self.rng.random() < self.trace_share else None
                    if depth == 1:
                        self._direct(inc, pod, service, svc.port, self.rng.choice(ips), mode, t, trace)
                        if trace:
                            direct_traces.append((t, trace))
                    else:
                        callee = hops[depth - 2][0]
                        csvc = self.c.service_of(callee)
                        assert csvc is not None
                        if direct_traces and self.rng.random() < 0.6:
                            t0, trace = self.rng.choice(direct_traces)
                            t = t0 + self.rng.randrange(20, 3_000) * depth
                        status = self.rng.choice([500, 502, 503, 504]) if caller == self.c.app.entry else 500
                        lat = self.rng.randrange(5, 30_000) if mode == "timeout" else self.rng.randrange(3, 400)
                        eid = self.span(t, pod, csvc.cluster_ip, csvc.port, status, lat, trace)
                        self.add(inc, eid)
                        if self.rng.random() < 0.4:
                            app = dialects.call_error(
                                self.rng, pod.workload.language, "5xx", callee, csvc.port, csvc.cluster_ip, ""
                            )
                            self.add(inc, self.log(t + self.rng.randrange(1, 40), pod, app, trace=trace))
                    inc.services.add(caller)
                    inc.nodes.add(pod.node)

    def _direct(
        self, inc: Incident, pod: Pod, service: str, port: int, ip: str, mode: str, t: int, trace: str | None
    ) -> None:
        form = self.rng.random()
        if form < 0.45 or trace is not None:
            path = self.rng.choice(self.paths)
            app = dialects.call_error(self.rng, pod.workload.language, mode, service, port, ip, path)
            self.add(inc, self.log(t, pod, app, trace=trace))
            if trace is not None or self.rng.random() < 0.3:
                status = {"timeout": 504, "refused": 503, "reset": 502}.get(mode, 500)
                lat = self.rng.randrange(3_000, 30_000) if mode == "timeout" else self.rng.randrange(1, 200)
                self.add(inc, self.span(t - lat, pod, ip, port, status, lat, trace))
        elif form < 0.75:
            what = {"5xx": "reset"}.get(mode, mode)
            self.add(inc, self.net(t, pod.ip, ip, port, what))
        else:
            name = (
                "grpc_client_errors_ratio" if pod.workload.language in ("go", "dotnet") else "http_client_errors_ratio"
            )
            value = round(self.rng.uniform(0.08, 0.9), 3)
            self.add(
                inc,
                self.metric(
                    t,
                    name,
                    value,
                    "ratio",
                    f'{name}{{target="{service}"}} = {value} (baseline 0.002)',
                    pod=pod,
                ),
            )
