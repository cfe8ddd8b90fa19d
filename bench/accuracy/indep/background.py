"""What a busy cluster shows while nothing in particular is wrong, placed where the faults are.

Background warnings land mostly on the nodes, workloads and callers the scenario's faults touch, inside their
window, so that being near an incident is no proof of belonging to it: a lone probe failure, one restart, a slow
span, a client's 4xx, a DNS hiccup, a CPU spike, image GC on a node. Normal traffic and kubelet bookkeeping
come with it (the traffic is how a cluster without ``*_ADDR`` env shows who calls whom).
"""

from __future__ import annotations

from bench.accuracy.indep.cluster import Pod
from bench.accuracy.indep.symptoms import Ctx, S


def _pick_pod(ctx: Ctx, hot_workloads: set[str], hot_nodes: set[str]) -> Pod:
    rng = ctx.rng
    pods = ctx.cl.pods()
    hot = [p for p in pods if p.workload.name in hot_workloads or p.node.name in hot_nodes]
    return rng.choice(hot if hot and rng.random() < 0.75 else pods)


def noise(ctx: Ctx, lo: int, hi: int, hot_workloads: set[str], hot_nodes: set[str], n: int) -> list[str]:
    """``n`` background warnings (and some Normal events) between ``lo`` and ``hi``; returns all their ids."""
    rng, f, cl = ctx.rng, ctx.feed, ctx.cl
    ids: list[str] = []
    for _ in range(n):
        at = rng.randint(lo, hi)
        pod = _pick_pod(ctx, hot_workloads, hot_nodes)
        what = rng.choices(
            ["probe", "restart", "slow", "4xx", "dns", "cpu", "nodegc", "5xx-one", "normal"],
            weights=[4, 2, 3, 2, 2, 2, 1, 1, 4],
        )[0]
        c = pod.container
        if what == "probe":
            ids.append(
                f.k8s(
                    at,
                    pod,
                    "Unhealthy",
                    f'Readiness probe failed: Get "http://{pod.ip}:{pod.workload.port}'
                    '/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
                    count=rng.choice([1, 1, 2]),
                )
            )
        elif what == "restart":
            ids.append(
                f.k8s(
                    at,
                    pod,
                    "BackOff",
                    f"Back-off restarting failed container {c} in pod {pod.name}_{cl.namespace}({pod.uid})",
                )
            )
        elif what == "slow":
            took = rng.randint(700, 2500)
            ids.append(
                f.collector(
                    at,
                    kind="trace",
                    severity="warning",
                    pod=pod,
                    message=f"span GET / took {took}ms",
                    tags=["latency"],
                    network={"latency_ns": took * 1_000_000, "direction": "ingress"},
                )
            )
        elif what == "4xx":
            code = rng.choice([404, 429, 401])
            ids.append(
                f.collector(
                    at,
                    kind="trace",
                    severity="warning",
                    pod=pod,
                    message=f"POST /api -> {code}",
                    network={"status_code": code, "method": "POST", "path": "/api"},
                )
            )
        elif what == "dns":
            text = f"lookup {rng.choice(list(cl.services) or ['api'])}: i/o timeout (retry 1 of 3 succeeded)"
            ids.append(
                f.collector(
                    at,
                    kind="log",
                    severity="warning",
                    pod=pod,
                    message=text,
                    application={"level": "warn", "message": text},
                )
            )
        elif what == "cpu":
            ids.append(
                f.collector(
                    at,
                    kind="metric",
                    severity="warning",
                    pod=pod,
                    category="resource",
                    message=f"cpu throttled {rng.randint(25, 60)}% of periods",
                    metrics={
                        "metric_name": "container_cpu_cfs_throttled_ratio",
                        "value": round(rng.uniform(0.25, 0.6), 2),
                    },
                )
            )
        elif what == "nodegc":
            node = pod.node
            ids.append(
                f.k8s(
                    at,
                    node,
                    rng.choice(["ImageGCFailed", "FreeDiskSpaceFailed"]),
                    "Failed to garbage collect required amount of images. Attempted to free "
                    f"{rng.randint(1, 9)}00000000 bytes, but only found 0 bytes eligible to free.",
                )
            )
        elif what == "5xx-one":
            ids.append(
                f.collector(
                    at,
                    kind="trace",
                    severity="error",
                    pod=pod,
                    message="GET /status -> 500",
                    network={"status_code": 500, "method": "GET", "path": "/status"},
                )
            )
        else:
            reason, text = rng.choice(
                [
                    ("Pulled", f'Container image "{c}" already present on machine'),
                    ("Created", f"Created container {c}"),
                    ("Started", f"Started container {c}"),
                ]
            )
            ids.append(f.k8s(at, pod, reason, text, warning=False))
    return ids


def traffic(ctx: Ctx, at: int) -> list[str]:
    """One successful request per call edge (half of them), as an eBPF flow log: caller and callee by address."""
    rng, f, cl = ctx.rng, ctx.feed, ctx.cl
    ids = []
    for w in cl.workloads.values():
        for callee in cl.comp(w.component).callees if w.component and w.pods else []:
            targets = [t for t in cl.workloads_of(callee) if t.pods]
            if not targets or rng.random() < 0.5:
                continue
            tw = rng.choice(targets)
            src, dst = rng.choice(w.pods), rng.choice(tw.pods)
            ids.append(
                f.collector(
                    at + rng.randint(0, 120) * S,
                    kind="network",
                    severity="info",
                    message=f"flow {src.ip} -> {dst.ip}:{tw.port} 200",
                    network={
                        "protocol": "http",
                        "source_ip": src.ip,
                        "dest_ip": dst.ip,
                        "dest_port": tw.port,
                        "status_code": 200,
                        "direction": "egress",
                        "latency_ns": rng.randint(1, 40) * 1_000_000,
                    },
                )
            )
    return ids
