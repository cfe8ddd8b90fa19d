"""What a healthy cluster says all day: scaling churn, info-level collector chatter, and isolated warnings that
belong to no incident (a single failed probe, a one-off 5xx). Kept away from resources that an incident touches
at the same time, so that the truth stays unambiguous."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.accuracy.faults import FaultCtx, Incident, S, caller_error
from bench.accuracy.formats import Stream
from bench.accuracy.topo import ClusterView

Obj = dict[str, Any]
NEAR_MS = 15 * 60 * S


@dataclass
class Noise:
    """Ids of the events that belong to no incident."""

    event_ids: list[str] = field(default_factory=list)
    warning_ids: list[str] = field(default_factory=list)
    used_ips: set[str] = field(default_factory=set)


def _busy(incidents: list[Incident], ts: int) -> set[str]:
    busy: set[str] = set()
    for inc in incidents:
        if inc.start - NEAR_MS <= ts <= inc.end + NEAR_MS:
            busy |= inc.footprint
    return busy


def _free_pods(cv: ClusterView, busy: set[str]) -> list[Obj]:
    return [p for p in cv.kind("Pod") if p["metadata"]["uid"] not in busy and p["spec"]["nodeName"] not in busy]


def _scale_up(cv: ClusterView, stream: Stream, rng: random.Random, ts: int, busy: set[str], noise: Noise) -> None:
    """An autoscaler adds a pod: ScalingReplicaSet, SuccessfulCreate, the new pod ADDED, then its start-up events."""
    pods = [p for p in _free_pods(cv, busy) if cv.workload(p)["kind"] == "Deployment"]
    if not pods:
        return
    old = rng.choice(pods)
    dep = cv.workload(old)
    rs = cv.by_uid[old["metadata"]["ownerReferences"][0]["uid"]]
    n = int(dep["spec"].get("replicas", 1))
    pod = copy.deepcopy(old)
    suffix = "".join(rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))
    pod["metadata"].update({"name": f"{rs['metadata']['name']}-{suffix}", "uid": stream._id("noise-pod", suffix)})
    prefix = old["status"]["podIP"].rsplit(".", 1)[0]
    free_ips = [f"{prefix}.{h}" for h in range(200, 255) if f"{prefix}.{h}" not in noise.used_ips]
    if not free_ips:
        return
    pod["status"]["podIP"] = rng.choice(free_ips)
    noise.used_ips.add(pod["status"]["podIP"])
    pod["status"]["podIPs"] = [{"ip": pod["status"]["podIP"]}]
    c = pod["spec"]["containers"][0]
    add = noise.event_ids.append
    add(
        stream.k8s_event(
            dep,
            times=[ts],
            reason="ScalingReplicaSet",
            type_="Normal",
            message=f"Scaled up replica set {rs['metadata']['name']} from {n} to {n + 1}",
            component="deployment-controller",
        )
    )
    add(
        stream.k8s_event(
            rs,
            times=[ts + 50],
            reason="SuccessfulCreate",
            type_="Normal",
            message=f"Created pod: {pod['metadata']['name']}",
            component="replicaset-controller",
        )
    )
    add(stream.change(ts=ts + 80, kind="ADDED", obj=pod))
    node = pod["spec"]["nodeName"]
    add(
        stream.k8s_event(
            pod,
            times=[ts + 120],
            reason="Scheduled",
            type_="Normal",
            message=f"Successfully assigned {pod['metadata']['namespace']}/{pod['metadata']['name']} to {node}",
            component="default-scheduler",
        )
    )
    for i, (reason, msg) in enumerate(
        (
            ("Pulled", f'Container image "{c.get("image", "")}" already present on machine'),
            ("Created", f"Created container {c['name']}"),
            ("Started", f"Started container {c['name']}"),
        )
    ):
        add(
            stream.k8s_event(
                pod,
                times=[ts + 900 + i * 300],
                reason=reason,
                type_="Normal",
                message=msg,
                component="kubelet",
                host=node,
                field_path=f"spec.containers{{{c['name']}}}",
            )
        )


def _info(cv: ClusterView, stream: Stream, rng: random.Random, ts: int, busy: set[str], noise: Noise) -> None:
    pods = _free_pods(cv, busy)
    if not pods:
        return
    pod = rng.choice(pods)
    w = cv.workload(pod)
    reason, msg = rng.choice(
        (
            ("http_request", "GET /healthz 200 3ms"),
            ("dns_query", "A record resolved"),
            ("connection_established", "TCP connection established"),
        )
    )
    noise.event_ids.append(
        stream.collector(
            ts=ts,
            pod=pod,
            mode=rng.choice(("k8s", "entity")),
            type_="network",
            source="ebpf-network",
            category="network",
            severity=rng.choice(("debug", "info", "low")),
            message=msg,
            reason=reason,
            workload=(w["kind"], w["metadata"]["name"]),
        )
    )


def _isolated_warning(
    cv: ClusterView, stream: Stream, rng: random.Random, ts: int, busy: set[str], noise: Noise
) -> None:
    """One warning on its own: a probe that failed once, a single 5xx or timeout, a slow-query log."""
    pods = _free_pods(cv, busy)
    if not pods:
        return
    pod = rng.choice(pods)
    c = pod["spec"]["containers"][0]
    choice = rng.randrange(4)
    if choice == 0:
        eid = stream.k8s_event(
            pod,
            times=[ts],
            reason="Unhealthy",
            type_="Warning",
            message=f'Readiness probe failed: Get "http://{pod["status"]["podIP"]}:8080/healthz": '
            "context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
            component="kubelet",
            host=pod["spec"]["nodeName"],
            field_path=f"spec.containers{{{c['name']}}}",
        )
    elif choice in (1, 2):
        svc = cv.service_of_pod(pod)
        callees = [
            s
            for s in cv.calls.get(svc, [])
            if cv.pods_of_service.get(s)
            and not any(p["metadata"]["uid"] in busy or p["spec"]["nodeName"] in busy for p in cv.pods_of_service[s])
        ]
        if not callees:
            return
        scratch = Incident(id="noise", kind="noise")
        f = FaultCtx(cv=cv, stream=stream, rng=rng, avoid=busy)
        eid = caller_error(
            f, scratch, pod, rng.choice(callees), ts, "http_5xx" if choice == 1 else "timeout", f.trace()
        )
    else:
        w = cv.workload(pod)
        eid = stream.collector(
            ts=ts,
            pod=pod,
            mode=rng.choice(("k8s", "entity")),
            type_="application",
            source="otel-logs",
            category="application",
            severity="warning",
            reason="slow_request",
            message=f"request took {rng.randint(2, 9)}.{rng.randint(0, 9)}s (threshold 2s)",
            workload=(w["kind"], w["metadata"]["name"]),
            extra={"application": {"level": "warn", "message": "slow request", "logger": "http"}},
        )
    noise.event_ids.append(eid)
    noise.warning_ids.append(eid)


def add_noise(
    cv: ClusterView,
    stream: Stream,
    rng: random.Random,
    incidents: list[Incident],
    span: tuple[int, int],
    *,
    churn: int,
    chatter: int,
    warnings: int,
) -> Noise:
    """Spread the noise over the span, half of it close to the incidents (busy clusters are noisy)."""
    noise = Noise()
    lo, hi = span
    focus = [(i.start - 10 * 60 * S, i.start + 20 * 60 * S) for i in incidents]

    def when() -> int:
        if focus and rng.random() < 0.5:
            a, b = rng.choice(focus)
            return rng.randint(max(lo, a), max(max(lo, a), min(hi, b)))
        return rng.randint(lo, hi)

    jobs: list[tuple[int, Callable[[ClusterView, Stream, random.Random, int, set[str], Noise], None]]] = []
    jobs += [(churn, _scale_up), (chatter, _info), (warnings, _isolated_warning)]
    for count, fn in jobs:
        for _ in range(count):
            ts = when()
            fn(cv, stream, rng, ts, _busy(incidents, ts), noise)
    return noise
