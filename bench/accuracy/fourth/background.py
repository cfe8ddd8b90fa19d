"""Background warnings: what a real cluster says all the time, and especially near an incident.

Chronic noise runs for the whole scenario (a pod that logs warnings every minute or two, an HPA that cannot read
its metrics, a node agent crash-looping for days: each one Kubernetes Event object updated again and again).
Near noise is placed inside incident windows on the same nodes, services and workloads: a readiness blip of an
unrelated pod, a stray 5xx at the entry, a slow request, an image pull retry of a node agent, an HPA scale-up that
cannot schedule, a DNS lookup timeout. None of it has a cause in the incidents; all of it is in ``noise_event_ids``.
"""

from __future__ import annotations

from . import cluster as cl
from . import dialects
from .cluster import Pod
from .signals import Incident, Signals

CHRONIC_LINES = {
    "java": [
        "HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta=1m2s).",
        "Failed to refresh Eureka registry: connect timed out",
    ],
    "go": [
        'grpc: addrConn.createTransport failed to connect to {jaeger:6831}. Err: connection error: desc = "transport: '
        'Error while dialing dial tcp: lookup jaeger: no such host"',
        "failed to export spans: context deadline exceeded",
    ],
    "node": [
        "(node:1) MaxListenersExceededWarning: Possible EventEmitter memory leak detected.",
        "deprecated: punycode module is deprecated",
    ],
    "python": ["urllib3.connectionpool: Retrying (Retry(total=2, connect=None, read=None)) after connection broken"],
    "dotnet": ["Microsoft.AspNetCore.Server.Kestrel: Connection processing ended abnormally."],
    "cpp": ["jaeger: ERROR: Failed to flush spans in Thrift HTTP client"],
    "ruby": ["WARN: rack session cookie exceeds 4KB"],
    "nginx": [
        "[warn] an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/3/00/0000000003"
    ],
}


def _free(sig: Signals, incidents: list[Incident], pods: list[Pod]) -> list[Pod]:
    protected = set().union(*(i.protected for i in incidents)) if incidents else set()
    return [p for p in pods if p.name not in protected]


def chronic(sig: Signals, incidents: list[Incident], t_start: int, t_end: int) -> list[str]:
    c, s, rng = sig.c, sig.s, sig.rng
    out: list[str] = []
    app_pods = [
        p
        for p in _free(sig, incidents, c.app_pods())
        if not c.app.is_store(p.workload.service) and p.name not in c.gone
    ]
    for pod in rng.sample(app_pods, min(len(app_pods), rng.randrange(1, 3))):
        lines = CHRONIC_LINES.get(pod.workload.language, CHRONIC_LINES["go"])
        t = t_start + rng.randrange(0, 60_000)
        while t < t_end:
            msg = rng.choice(lines)
            app = {"level": "warn", "message": msg, "logger": dialects.LOGGERS.get(pod.workload.language, "app")}
            out.append(sig.log(t, pod, app, severity="warning"))
            t += rng.randrange(60_000, 200_000)
    for name, hpa in sorted(c.hpas.items()):
        if rng.random() < 0.6:
            ref = {
                "kind": "HorizontalPodAutoscaler",
                "namespace": c.namespace,
                "name": name,
                "uid": hpa["metadata"]["uid"],
            }
            first = t_start + rng.randrange(0, 120_000)
            out.append(
                s.k8s_event(
                    first,
                    ref,
                    "FailedGetResourceMetric",
                    "failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics "
                    "from resource metrics API: the server is currently unable to handle the request "
                    "(get pods.metrics.k8s.io)",
                    warning=True,
                    component="horizontal-pod-autoscaler",
                    repeats=list(
                        range(first + rng.randrange(120_000, 300_000), t_end, rng.randrange(150_000, 400_000))
                    ),
                )
            )
    if rng.random() < 0.6:
        agents = [
            p
            for p in c.pods()
            if p.workload.kind == "DaemonSet" and p.workload.name != "kube-proxy" and p.name not in c.gone
        ]
        pod = rng.choice(agents)
        first = t_start + rng.randrange(0, 90_000)
        out.append(s.backoff(first, pod, list(range(first + 300_000, t_end, 300_000 + rng.randrange(0, 5_000)))))
    return out


def near(sig: Signals, inc: Incident, incidents: list[Incident]) -> list[str]:
    """Two to five background warnings inside ``inc``'s window, on its nodes, services and workloads."""
    c, s, rng = sig.c, sig.s, sig.rng
    out: list[str] = []
    lo, hi = inc.start, max(inc.end, inc.start + 60_000)
    free = [p for p in _free(sig, incidents, c.pods()) if c.alive(p, hi)]
    on_nodes = [p for p in free if p.node in inc.nodes]
    entry = [p for p in c.pods_of_service(c.app.entry) if p in free]
    in_services = [p for p in free if p.workload.service in inc.services]
    kinds = ["probe", "5xx", "slow", "pull", "hpa", "dns", "backoff", "slow", "5xx", "probe"]
    for kind in rng.sample(kinds, rng.randrange(2, 6)):
        t = rng.randrange(lo, hi + 1)
        if kind == "probe" and on_nodes:
            pod = rng.choice(on_nodes)
            out.append(
                s.k8s_event(
                    t,
                    pod.ref(),
                    "Unhealthy",
                    rng.choice(
                        [
                            f'Readiness probe failed: Get "http://{pod.ip}:8080/healthz": context deadline exceeded '
                            "(Client.Timeout exceeded while awaiting headers)",
                            "Readiness probe failed: HTTP probe failed with statuscode: 503",
                            "Liveness probe failed: command timed out",
                        ]
                    ),
                    warning=True,
                    host=pod.node,
                    field_path=f"spec.containers{{{pod.container}}}",
                    repeats=[t + 10_000] if rng.random() < 0.3 else [],
                )
            )
        elif kind == "5xx" and entry:
            pod = rng.choice(entry)
            trace = sig.new_trace() if rng.random() < 0.6 else None
            out.append(
                sig.span(t, pod, pod.ip, 8080, rng.choice([500, 502, 503]), rng.randrange(2, 900), trace, server=True)
            )
        elif kind == "slow" and (in_services or entry):
            pod = rng.choice(in_services or entry)
            ms = rng.randrange(1_600, 6_000)
            if rng.random() < 0.5:
                app = dialects.slow_request(rng, pod.workload.language, rng.choice(sig.paths), ms)
                out.append(sig.log(t, pod, app, severity="warning"))
            else:
                out.append(sig.span(t, pod, pod.ip, 8080, 200, ms, sig.new_trace(), server=True))
        elif kind == "pull":
            agents = [p for p in free if p.workload.kind == "DaemonSet" and (p.node in inc.nodes or not inc.nodes)]
            if agents:
                pod = rng.choice(agents)
                image = str(pod.obj["spec"]["containers"][0]["image"])
                out.append(
                    s.k8s_event(
                        t,
                        pod.ref(),
                        "Failed",
                        f'Failed to pull image "{image}": failed to copy: httpReadSeeker: failed open: unexpected '
                        "status code https://registry.k8s.io/v2/: 429 Too Many Requests",
                        warning=True,
                        host=pod.node,
                        field_path=f"spec.containers{{{pod.container}}}",
                        repeats=[t + 15_000, t + 45_000][: rng.randrange(0, 3)],
                    )
                )
        elif kind == "hpa" and c.hpas:
            name = rng.choice(sorted(c.hpas))
            w = c.workloads[name]
            hpa = c.hpas[name]
            ref = {
                "kind": "HorizontalPodAutoscaler",
                "namespace": c.namespace,
                "name": name,
                "uid": hpa["metadata"]["uid"],
            }
            n = len(w.pods) + 1
            s.k8s_event(
                t,
                ref,
                "SuccessfulRescale",
                f"New size: {n}; reason: cpu resource utilization (percentage of request) above target",
                warning=False,
                component="horizontal-pod-autoscaler",
            )
            pod = cl.new_pod(c, rng, w, rng.choice(c.nodes), t + 800)
            s.change(t + 900, "ADDED", pod.obj, level="normal")
            out.append(
                s.k8s_event(
                    t + 2_600,
                    pod.ref(),
                    "FailedScheduling",
                    f"0/{len(c.nodes)} nodes are available: {len(c.nodes)} Insufficient cpu. preemption: "
                    f"0/{len(c.nodes)} nodes are available: {len(c.nodes)} No preemption victims found for "
                    "incoming pod.",
                    warning=True,
                    component="default-scheduler",
                    repeats=[t + 61_200] if rng.random() < 0.5 else [],
                )
            )
        elif kind == "dns" and (in_services or on_nodes):
            pod = rng.choice(in_services or on_nodes)
            if pod.namespace != c.namespace:
                continue
            dns = c.service_of("kube-dns")
            assert dns is not None
            callees = c.app.calls.get(pod.workload.service) or [c.app.entry]
            app = dialects.dns_timeout(rng, pod.workload.language, rng.choice(callees), dns.cluster_ip)
            out.append(sig.log(t, pod, app, severity="warning"))
            if rng.random() < 0.6:
                out.append(
                    sig.net(t - rng.randrange(100, 5_000), pod.ip, dns.cluster_ip, 53, "dns", severity="warning")
                )
        elif kind == "backoff":
            cands = [p for p in on_nodes if p.workload.name not in inc.workloads]
            if cands:
                pod = rng.choice(cands)
                out.append(s.backoff(t, pod, [t + 20_000, t + 60_000][: rng.randrange(0, 3)]))
    return out


def routine(sig: Signals, t_start: int, t_end: int) -> None:
    """Normal, non-warning chatter: info logs and successful spans (not counted anywhere)."""
    rng = sig.rng
    pods = [p for p in sig.c.app_pods() if p.name not in sig.c.gone]
    for _ in range(rng.randrange(10, 25)):
        pod = rng.choice(pods)
        t = rng.randrange(t_start, t_end)
        if rng.random() < 0.5:
            sig.log(
                t,
                pod,
                {"level": "info", "message": f"handled {rng.choice(sig.paths)} in {rng.randrange(2, 90)}ms"},
                "info",
            )
        else:
            sig.span(t, pod, pod.ip, 8080, 200, rng.randrange(2, 300), sig.new_trace(), server=True)
