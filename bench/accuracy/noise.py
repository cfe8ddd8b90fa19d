"""What a healthy cluster says all day: scaling churn, info-level collector chatter, and isolated warnings that
belong to no incident (a single failed probe, a one-off 5xx). ``add_noise`` keeps them away from resources that an
incident touches at the same time; ``add_near_noise`` (realistic) puts background warnings on the incidents' own
nodes, services and workloads, inside their window, never on the part that is itself at fault."""

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


NEAR_WINDOW_MS = 10 * 60 * S


def _uniq(pods: list[Obj]) -> list[Obj]:
    seen: dict[str, Obj] = {}
    for p in pods:
        seen.setdefault(p["metadata"]["uid"], p)
    return [seen[k] for k in sorted(seen)]


def _near_targets(cv: ClusterView, inc: Incident) -> tuple[list[Obj], list[Obj]]:
    """(pods of the incident's services and workloads, pods on its nodes): its symptom pods, the other replicas of
    its faulty workloads, and the neighbours of its faulty pods and of its symptom pods."""
    pods = {p["metadata"]["uid"]: p for p in cv.kind("Pod")}
    core_pods = [pods[u] for u in sorted(inc.core) if u in pods]
    symptom = [pods[u] for u in sorted(inc.footprint - inc.core) if u in pods]
    siblings = [q for p in core_pods for q in cv.pods_of_workload(cv.workload(p))]
    nodes = {p["spec"]["nodeName"] for p in core_pods + symptom} | {n for n in inc.core if n not in pods}
    return _uniq(symptom + siblings), _uniq([q for n in sorted(nodes) for q in cv.pods_on(n)])


def add_near_noise(
    cv: ClusterView, stream: Stream, rng: random.Random, incidents: list[Incident], noise: Noise
) -> None:
    """Two to four background warnings per incident, inside its window, on its own resources: a readiness probe
    that failed once, one 5xx or timeout between two services, a slow-request log, a BackOff of an unrelated pod on
    the same node. Never on a faulty part (``core``) of an incident active at the time."""
    for inc in incidents:
        lo = inc.start + 5 * S
        hi = max(lo + 60 * S, min(inc.end, inc.start + 6 * 60 * S))
        core: set[str] = set()
        for other in incidents:
            if other.start - NEAR_WINDOW_MS <= hi and lo <= other.end + NEAR_WINDOW_MS:
                core |= other.core
        related, neighbours = _near_targets(cv, inc)
        ok = [p for p in related + neighbours if p["metadata"]["uid"] not in core and p["spec"]["nodeName"] not in core]
        if not ok:
            continue
        near = [p for p in neighbours if p in ok]
        for _ in range(rng.randint(2, 4)):
            ts = rng.randint(lo, hi)
            choice = rng.randrange(4)
            if choice == 3 and near:
                pod = rng.choice(near)
                c = pod["spec"]["containers"][0]
                start = ts - rng.randint(60, 600) * S  # crash-looping quietly for a while already
                eid = stream.k8s_event(
                    pod,
                    times=[start, ts],
                    reason="BackOff",
                    type_="Warning",
                    message=f"Back-off restarting failed container {c['name']} in pod "
                    f"{pod['metadata']['name']}_{pod['metadata']['namespace']}({pod['metadata']['uid']})",
                    component="kubelet",
                    host=pod["spec"]["nodeName"],
                    field_path=f"spec.containers{{{c['name']}}}",
                )
            elif choice in (1, 2):
                pod = rng.choice(ok)
                svc = cv.service_of_pod(pod)
                callees = [
                    s
                    for s in cv.calls.get(svc, [])
                    if cv.pods_of_service.get(s)
                    and not any(
                        p["metadata"]["uid"] in core or p["spec"]["nodeName"] in core for p in cv.pods_of_service[s]
                    )
                ]
                if not callees:
                    continue
                f = FaultCtx(cv=cv, stream=stream, rng=rng, avoid=core)
                eid = caller_error(
                    f,
                    Incident(id="noise", kind="noise"),
                    pod,
                    rng.choice(callees),
                    ts,
                    "http_5xx" if choice == 1 else "timeout",
                    f.trace() if rng.random() < 0.5 else "",
                )
            elif choice == 0:
                pod = rng.choice(ok)
                c = pod["spec"]["containers"][0]
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
            else:
                pod = rng.choice(ok)
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
