"""What a failing pod and the services calling it show, shared by every fault kind: restarts, probe failures,
timeouts seen by callers (often as bare IP addresses), 5xx and latency one and two hops up the call graph.

An ``Incident`` collects its own event ids (symptoms and root) and its context ids (Normal bookkeeping); each
incident has its own few trace ids, carried by only some of its collector events.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from bench.accuracy.indep.cluster import Cluster, Pod, Workload
from bench.accuracy.indep.wire import Feed

Obj = dict[str, Any]
S = 1000  # ms per second


@dataclass
class Incident:
    """One injected fault and the truth about it."""

    kind: str
    start: int
    root_resource: Obj
    root_event_id: str = ""
    root_equivalents: list[str] = field(default_factory=list)
    root_workload: Obj | None = None
    variant: str = ""
    period_seconds: int | None = None
    series: str = ""
    event_ids: list[str] = field(default_factory=list)
    context_event_ids: list[str] = field(default_factory=list)
    traces: list[str] = field(default_factory=list)
    nodes: set[str] = field(default_factory=set)
    touched: set[str] = field(default_factory=set)  # workloads whose pods show something

    def add(self, *ids: str) -> None:
        self.event_ids += [i for i in ids if i and i not in self.event_ids]

    def ctx(self, *ids: str) -> None:
        self.context_event_ids += [i for i in ids if i]

    def truth(self, ident: str) -> Obj:
        out: Obj = {
            "id": ident,
            "kind": self.kind,
            "event_ids": self.event_ids,
            "context_event_ids": self.context_event_ids,
            "root_event_id": self.root_event_id,
            "root_equivalents": self.root_equivalents,
            "root_resource": self.root_resource,
        }
        if self.root_workload is not None:
            out["root_workload"] = self.root_workload
        if self.variant:
            out["variant"] = self.variant
        if self.period_seconds:
            out["period_seconds"] = self.period_seconds
            out["series"] = self.series
        return out


@dataclass
class Ctx:
    """What every fault builder works with; ``busy`` keeps two faults of a scenario off one root."""

    cl: Cluster
    feed: Feed
    rng: random.Random
    busy: set[str] = field(default_factory=set)
    shown: set[str] = field(default_factory=set)  # workloads with symptoms of a fault built earlier

    def ref(self, kind: str, name: str, cluster_scoped: bool = False) -> Obj:
        return {"kind": kind, "namespace": "" if cluster_scoped else self.cl.namespace, "name": name}

    def span(self, inc: Incident, p: float, parent: str = "") -> tuple[str, str, str] | None:
        """A (trace, span, parent) of the incident with probability ``p``; its own traces only."""
        if self.rng.random() >= p:
            return None
        if not inc.traces or (len(inc.traces) < 3 and self.rng.random() < 0.3):
            inc.traces.append(f"{self.rng.getrandbits(128):032x}")
        return self.rng.choice(inc.traces), f"{self.rng.getrandbits(64):016x}", parent


def restarts(ctx: Ctx, inc: Incident, pod: Pod, at: int, count: int, why: str = "") -> None:
    """A container that keeps dying: BackOff repeated, with the kubelet's Normal bookkeeping as context."""
    f = ctx.feed
    c = pod.container
    inc.touched.add(pod.workload.name)
    inc.ctx(
        f.k8s(at - 4 * S, pod, "Started", f"Started container {c}", warning=False, field_path=f"spec.containers{{{c}}}")
    )
    if why:
        inc.add(
            f.collector(
                at - 2 * S,
                kind="log",
                severity="error",
                message=why,
                pod=pod,
                application={"level": "fatal", "message": why, "logger": c},
            )
        )
    msg = f"Back-off restarting failed container {c} in pod {pod.name}_{ctx.cl.namespace}({pod.uid})"
    inc.add(
        f.k8s(
            at,
            pod,
            "BackOff",
            msg,
            count=count,
            every_s=ctx.rng.choice([20, 40, 80]),
            field_path=f"spec.containers{{{c}}}",
        )
    )


def probe(ctx: Ctx, inc: Incident, pod: Pod, at: int, how: str, count: int = 1) -> str:
    """A failing readiness or liveness probe, worded the way the kubelet words each cause."""
    which = ctx.rng.choice(["Readiness", "Readiness", "Liveness"])
    url = f"http://{pod.ip}:{pod.workload.port}/{ctx.rng.choice(['healthz', 'ready', 'health', '_status'])}"
    text = {
        "timeout": f'{which} probe failed: Get "{url}": context deadline exceeded (Client.Timeout exceeded while '
        "awaiting headers)",
        "refused": f'{which} probe failed: Get "{url}": dial tcp {pod.ip}:{pod.workload.port}: connect: '
        "connection refused",
        "500": f"{which} probe failed: HTTP probe failed with statuscode: 503",
    }[how]
    inc.touched.add(pod.workload.name)
    eid = ctx.feed.k8s(
        at, pod, "Unhealthy", text, count=count, every_s=10, field_path=f"spec.containers{{{pod.container}}}"
    )
    inc.add(eid)
    return eid


def _path(rng: random.Random) -> str:
    return rng.choice(["/api/v1/items", "/cart", "/checkout", "/search", "/login", "/orders", "/rpc/Get", "/"])


def caller_sees(
    ctx: Ctx, inc: Incident, caller: Pod, target: Pod | None, tw: Workload, at: int, style: str, parent: str = ""
) -> str:
    """One symptom on ``caller`` of trouble with ``tw`` (``target``: the pod it reached, if it names one).

    ``style``: ``timeout`` / ``refused`` (often only IP addresses), ``5xx``, ``latency``, ``log``."""
    rng, f = ctx.rng, ctx.feed
    inc.touched.add(caller.workload.name)
    addr = ctx.cl.service_addr(tw)
    use_pod_ip = target is not None and (addr is None or rng.random() < 0.6)
    dest_ip, dest_port = (target.ip, tw.port) if use_pod_ip and target else addr or (tw.pods[0].ip, tw.port)
    ip_only = rng.random() < 0.55
    net: Obj = {
        "protocol": "tcp",
        "source_ip": caller.ip,
        "source_port": rng.randint(32768, 60999),
        "dest_ip": dest_ip,
        "dest_port": dest_port,
        "direction": "egress",
    }
    if style in ("timeout", "refused"):
        if style == "timeout":
            ms = rng.choice([1000, 3000, 5000, 10000])
            text = rng.choice(
                [
                    f"dial tcp {dest_ip}:{dest_port}: i/o timeout",
                    f"connect to {dest_ip}:{dest_port} timed out after {ms}ms",
                    f"tcp connect {dest_ip}:{dest_port} SYN retransmitted 3 times, no answer",
                ]
            )
            net["latency_ns"] = ms * 1_000_000
        else:
            text = f"dial tcp {dest_ip}:{dest_port}: connect: connection refused"
        span = ctx.span(inc, 0.25, parent)
        sev = rng.choice(["warning", "high"])
        return _added(
            inc,
            f.collector(
                at, kind="network", severity=sev, message=text, pod=None if ip_only else caller, trace=span, network=net
            ),
        )
    if style == "5xx":
        code = rng.choice([500, 502, 503, 503, 504])
        path = _path(rng)
        net.update({"status_code": code, "method": rng.choice(["GET", "POST"]), "path": path, "protocol": "http"})
        text = f"{net['method']} {path} -> {code} from {tw.component or tw.name}"
        span = ctx.span(inc, 0.45, parent)
        return _added(
            inc, f.collector(at, kind="trace", severity="error", message=text, pod=caller, trace=span, network=net)
        )
    if style == "latency":
        took = rng.randint(900, 9000)
        net.update({"latency_ns": took * 1_000_000, "protocol": "http", "path": _path(rng), "status_code": 200})
        span = ctx.span(inc, 0.45, parent)
        text = f"span {net['path']} took {took}ms calling {tw.component or tw.name}"
        return _added(
            inc,
            f.collector(
                at,
                kind="trace",
                severity="warning",
                message=text,
                pod=caller,
                trace=span,
                network=net,
                tags=["latency"],
            ),
        )
    host = tw.component or tw.name
    text = rng.choice(
        [
            f"upstream {host} unavailable, retrying in 2s",
            f"failed to call {host}.{ctx.cl.namespace}.svc.cluster.local: deadline exceeded",
            f"circuit breaker open for {host} after 5 consecutive failures",
        ]
    )
    return _added(
        inc,
        f.collector(
            at,
            kind="log",
            severity="error",
            message=text,
            pod=caller,
            trace=ctx.span(inc, 0.3, parent),
            application={"level": "error", "message": text},
        ),
    )


def _added(inc: Incident, eid: str) -> str:
    inc.add(eid)
    return eid


def cascade(
    ctx: Ctx,
    inc: Incident,
    target: Workload,
    at: int,
    first: str,
    *,
    spread_s: int = 120,
    second_hop: float = 0.5,
    max_callers: int = 3,
    target_pods: list[Pod] | None = None,
) -> None:
    """Callers of ``target`` see ``first`` (timeouts, 5xx, ...); with ``second_hop`` their callers see 5xx or
    latency a little later. Pods of workloads the scenario has put under another fault are left alone."""
    rng = ctx.rng
    callers = [c for c in ctx.cl.callers(target) if c.kind != "DaemonSet" and c.name not in ctx.busy]
    rng.shuffle(callers)
    reached = target_pods or target.pods
    for cw in callers[:max_callers]:
        for pod in rng.sample(cw.pods, k=min(len(cw.pods), rng.randint(1, 2))):
            for _ in range(rng.randint(1, 3)):
                t = at + rng.randint(5, spread_s) * S
                caller_sees(ctx, inc, pod, rng.choice(reached), target, t, first)
            if rng.random() < second_hop:
                ups = [u for u in ctx.cl.callers(cw) if u.kind != "DaemonSet" and u.name not in ctx.busy]
                for uw in rng.sample(ups, k=min(len(ups), 2)):
                    up = rng.choice(uw.pods)
                    t = at + rng.randint(20, spread_s + 60) * S
                    caller_sees(ctx, inc, up, pod, cw, t, rng.choice(["5xx", "latency", "log"]))
