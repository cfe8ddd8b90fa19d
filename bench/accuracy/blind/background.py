"""Background a real cluster has while incidents run, on the same nodes, services and workloads, in their windows.

Why: an engine that only sees incident events is never tested on what it must leave out. Real clusters have routine
scale-ups (ScalingReplicaSet, Scheduled, Pulled, Created, Started), one-off warnings that mean nothing (a single
probe timeout, a pod that restarts twice, a projected-token FailedMount that retries and succeeds, one slow span on a
busy service) and a steady stream of info logs, healthy spans and metric samples.
"""

from __future__ import annotations

from bench.accuracy.blind import signals
from bench.accuracy.blind.cluster import Pod, make_pod
from bench.accuracy.blind.model import Ctx
from bench.accuracy.blind.times import MINUTE, SECOND


def _near(x: Ctx, nodes: list[str]) -> list[Pod]:
    """Unclaimed app pods, those on the incident's nodes or of its services' workloads first."""
    free = [p for p in x.c.pods if p.uid not in x.claimed and p.node not in x.claimed_nodes and not p.wl.wl.tooling]
    close = [p for p in free if p.node in nodes]
    return close if close and x.rnd.chance(0.75) else free


def scale_up(x: Ctx, t: int, pods: list[Pod]) -> None:
    deps = sorted({p.wl.name for p in pods if p.wl.kind == "Deployment"})
    if not deps:
        return
    wl = x.c.workload(x.rnd.choice(deps))
    s = x.s
    n = len(wl.pods)
    signals.scaled(x, t, wl, f"Scaled up replica set {wl.rs_name} to {n + 1} from {n}")
    node = x.rnd.choice([nd for nd in x.c.nodes if nd.name not in x.claimed_nodes] or x.c.nodes)
    pod = make_pod(x.rnd, x.c, wl, f"{wl.rs_name}-{x.rnd.safe(5)}", node, t + 300)
    pod.obj["status"] = {"phase": "Pending", "qosClass": "Burstable"}
    s.kube(
        t + 200,
        "SuccessfulCreate",
        f"Created pod: {pod.name}",
        warning=False,
        obj_kind="ReplicaSet",
        obj_name=wl.rs_name,
        obj_uid=wl.rs_uid,
        component="replicaset-controller",
        api_version="apps/v1",
    )
    s.change(t + 300, "ADDED", pod.obj)
    s.scheduled(t + x.rnd.randint(1400, 2800), pod)
    t2 = t + x.rnd.randint(2, 6) * SECOND
    if x.rnd.chance(0.3):
        vol = pod.obj["spec"]["volumes"][-1]["name"]
        s.pod_event(
            t2,
            pod,
            "FailedMount",
            f'MountVolume.SetUp failed for volume "{vol}'
            f'" : failed to fetch token: Post "https://10.96.0.1:443/api/v1/namespaces/{x.ns}/serviceaccounts/'
            f'default/token": context deadline exceeded',
            warning=True,
            container=False,
        )
        t2 += x.rnd.randint(10, 40) * SECOND
    image = pod.images[0] if pod.images else ""
    s.pod_event(t2, pod, "Pulled", f'Container image "{image}" already present on machine', warning=False)
    s.pod_event(t2 + 200, pod, "Created", f"Created container {pod.container}", warning=False)
    s.pod_event(t2 + 600, pod, "Started", f"Started container {pod.container}", warning=False)
    x.claimed.add(pod.uid)  # keep other noise off it


def lone_probe(x: Ctx, t: int, pods: list[Pod]) -> None:
    p = x.rnd.choice(pods)
    kind = x.rnd.choice(["Readiness", "Liveness"])
    x.s.pod_event(
        t,
        p,
        "Unhealthy",
        f'{kind} probe failed: Get "http://{p.ip}:{p.port}/'
        f'{"ready" if kind == "Readiness" else "healthz"}": context deadline exceeded (Client.Timeout '
        "exceeded while awaiting headers)",
        warning=True,
    )


def short_backoff(x: Ctx, t: int, pods: list[Pod]) -> None:
    p = x.rnd.choice(pods)
    text, etype = signals.crash_text(p, "panic")
    signals.app_log(x, t - 800, p, text, level="fatal", error_type=etype)
    bo = x.s.pod_event(
        t,
        p,
        "BackOff",
        f"Back-off restarting failed container {p.container} in pod {p.name}_{x.ns}({p.uid})",
        warning=True,
    )
    x.s.bump(bo, t + 9 * SECOND)
    image = p.images[0] if p.images else ""
    x.s.pod_event(t + 11 * SECOND, p, "Pulled", f'Container image "{image}" already present on machine', warning=False)
    x.s.pod_event(t + 11 * SECOND, p, "Created", f"Created container {p.container}", warning=False)
    x.s.pod_event(t + 12 * SECOND, p, "Started", f"Started container {p.container}", warning=False)
    x.claimed.add(p.uid)


def hub_slow_span(x: Ctx, t: int) -> None:
    hubs = sorted(x.c.app.calls, key=lambda comp: -len(x.c.callees(comp)))
    for comp in hubs:
        pods = [p for p in x.c.component_pods(comp) if not p.wl.wl.tooling]
        if pods:
            p = x.rnd.choice(pods)
            tid, sid = signals.trace_ids(x)
            signals.span(x, t, p, f"{comp} GET /", (tid, sid), ms=x.rnd.randint(1100, 3500), error=False)
            return


def chatter(x: Ctx, t0: int, t1: int) -> None:
    pods = [p for p in x.c.pods if not p.wl.wl.tooling]
    n = (t1 - t0) // (6 * SECOND)
    for _ in range(n):
        t = x.rnd.randint(t0, t1)
        p = x.rnd.choice(pods)
        r = x.rnd.randint(0, 3)
        if r == 0:
            msg = x.rnd.choice(
                [
                    "request completed",
                    "GET /health 200",
                    "cache refreshed",
                    "flushed 128 spans",
                    "connection pool stats: active=3 idle=7",
                ]
            )
            signals.app_log(x, t, p, msg, level="info", severity="info")
        elif r == 1:
            signals.metric(x, t, p, "container_cpu_usage_seconds_total", x.rnd.uniform(0.01, 0.4), "s", "info", 0.2)
        elif r == 2:
            tid, sid = signals.trace_ids(x)
            signals.span(
                x,
                t,
                p,
                f"{p.wl.name} handle",
                (tid, sid),
                ms=x.rnd.randint(2, 90),
                error=False,
                severity=x.rnd.choice(["debug", "info"]),
            )
        else:
            signals.metric(
                x,
                t,
                p,
                "container_memory_working_set_bytes",
                x.rnd.uniform(40, 300) * 1048576,
                "B",
                "info",
                150 * 1048576,
            )


def add(x: Ctx) -> None:
    for start, end, nodes in list(x.windows):
        pods = _near(x, nodes)
        if not pods:
            continue
        span = max(end - start, MINUTE)
        for _ in range(x.rnd.randint(1, 3)):
            t = start + x.rnd.randint(0, span)
            pick = x.rnd.randint(0, 3)
            pods = _near(x, nodes)
            if not pods:
                break
            if pick == 0:
                scale_up(x, t, pods)
            elif pick == 1:
                lone_probe(x, t, pods)
            elif pick == 2:
                short_backoff(x, t, pods)
            else:
                hub_slow_span(x, t)
        if x.rnd.chance(0.5):
            hub_slow_span(x, start + x.rnd.randint(0, span))
    chatter(x, x.start, x.end)
