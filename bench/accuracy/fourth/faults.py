"""The nine fault kinds, each as the cluster and its collectors would report it.

Every builder takes the onset time and a duration, picks nothing itself (the composer chooses the target so that
incidents do not share a root), emits the root, its symptoms (warnings and changes: the incident's ``event_ids``)
and routine Normal events around it (``context_event_ids``), and returns the truth incident(s).
"""

from __future__ import annotations

import copy
from typing import Any

from . import cluster as cl
from . import dialects, ids
from .cluster import Node, Pod, Workload
from .signals import Incident, Signals

Obj = dict[str, Any]

BACKOFF_STEPS = [10, 20, 40, 80, 160, 300, 300, 300, 300, 300]


def _backoff_times(t0: int, until: int) -> list[int]:
    out, t = [], t0
    for step in BACKOFF_STEPS:
        t += step * 1000
        if t > until:
            break
        out.append(t)
    return out


def _mem_limit(comm: str) -> int:
    return {"mongod": 1024, "redis-server": 512, "memcached": 256, "mysqld": 2048, "java": 1536}.get(comm, 768)


def _crashing(sig: Signals, inc: Incident, pod: Pod, t0: int, until: int, why: str) -> str:
    """A pod whose container keeps dying: a crash log per restart and one BackOff Event updated with count."""
    s, rng = sig.s, sig.rng
    times = _backoff_times(t0, until)
    crash = dialects.startup_crash(rng, pod.workload.language, why)
    for rt in [t0, *times[:4]]:
        sig.add(inc, sig.log(rt - rng.randrange(200, 2_000), pod, crash, severity="critical"))
    backoff_at = t0 + rng.randrange(8_000, 14_000)
    msg = pod.backoff_message()
    ev = s.k8s_event(
        backoff_at,
        pod.ref(),
        "BackOff",
        msg,
        warning=True,
        host=pod.node,
        repeats=[t + rng.randrange(1_000, 4_000) for t in times[1:] if t + 4_000 < until],
        field_path=f"spec.containers{{{pod.container}}}",
    )
    sig.add(inc, ev)
    return ev


def app_fault(sig: Signals, pod: Pod, t0: int, dur: int, inc_id: str) -> list[Incident]:
    """One pod's code misbehaves; only the collectors see it (no Kubernetes Event at all)."""
    rng = sig.rng
    w = pod.workload
    inc = Incident(inc_id, "app_fault", sig.pod_ref(pod), sig.wl_ref(w))
    inc.nodes.add(pod.node)
    inc.services.add(w.service)
    inc.workloads.add(w.name)
    inc.protected.add(pod.name)
    latency = rng.random() < 0.4
    own: list[str] = []
    if latency:
        own.append(
            sig.metric(
                t0,
                "http_server_request_duration_seconds_p99",
                round(rng.uniform(2.5, 9.0), 2),
                "s",
                f"p99 latency of {pod.name} deviates from baseline (0.12s)",
                pod=pod,
            )
        )
    else:
        own.append(sig.log(t0, pod, dialects.app_bug(rng, w.language, rng.choice(sig.paths))))
    t = t0
    svc = sig.c.service_of(w.service)
    port = svc.port if svc else 8080
    while t < t0 + dur:
        t += rng.randrange(15_000, 70_000)
        if t >= t0 + dur:
            break
        r = rng.random()
        trace = sig.new_trace() if rng.random() < sig.trace_share else None
        if r < 0.45:
            own.append(sig.log(t, pod, dialects.app_bug(rng, w.language, rng.choice(sig.paths)), trace=trace))
        elif r < 0.8:
            lat = rng.randrange(2_500, 12_000) if latency else rng.randrange(5, 300)
            own.append(sig.span(t, pod, pod.ip, svc.target_port if svc else port, 500, lat, trace, server=True))
        else:
            name = "http_server_errors_ratio" if not latency else "http_server_request_duration_seconds_p99"
            own.append(
                sig.metric(t, name, round(rng.uniform(0.1, 0.7), 2), "ratio", f"{name} high on {pod.name}", pod=pod)
            )
    for eid in own:
        sig.add(inc, eid)
    inc.root_event_id = own[0]
    inc.root_equivalents = [e for e in own[1:] if sig.s.times[e] - t0 < 90_000]
    share = 1.0 / max(1, len(w.pods))
    sig.caller_symptoms(
        inc,
        w.service,
        t0 + 500,
        t0 + dur,
        "timeout" if latency else "5xx",
        target_ips=[pod.ip] if rng.random() < 0.5 else None,
        intensity=max(0.4, share),
    )
    return [inc]


def _bump(sig: Signals, obj: Obj) -> None:
    obj["metadata"]["resourceVersion"] = sig.c.next_rv()


def bad_rollout(sig: Signals, w: Workload, t0: int, dur: int, inc_id: str) -> list[Incident]:
    """A Deployment's image changes; the new pods crash, fail readiness, or cannot pull."""
    c, s, rng = sig.c, sig.s, sig.rng
    inc = Incident(inc_id, "bad_rollout", sig.wl_ref(w))
    inc.workloads.add(w.name)
    inc.services.add(w.service)
    obj = w.obj
    spec = obj["spec"]["template"]["spec"]
    ctr = spec["containers"][0]
    old_image = str(ctr.get("image", "app"))
    repo, _, _tag = old_image.rpartition(":") if ":" in old_image.rsplit("/", 1)[-1] else (old_image, "", "latest")
    new_tag = rng.choice(["v0.10.7", "1.4.2-rc1", f"sha-{sig.new_trace()[:7]}", "2026.03.1", "latest"])
    ctr["image"] = f"{repo}:{new_tag}"
    obj["metadata"]["generation"] = int(obj["metadata"]["generation"]) + 1
    rev = int(obj["metadata"]["annotations"]["deployment.kubernetes.io/revision"]) + 1
    obj["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = str(rev)
    obj["metadata"].setdefault("annotations", {})["kubernetes.io/change-cause"] = (
        f"kubectl set image deployment/{w.name} {ctr.get('name')}={ctr['image']}"
    )
    _bump(sig, obj)
    root = sig.add(inc, s.change(t0, "MODIFIED", obj))
    inc.root_event_id = root
    rs = cl.new_replicaset(c, rng, w, obj["spec"]["template"], rev, t0 + 300)
    sig.add(inc, s.change(t0 + 400, "ADDED", rs, level="normal"))
    scaled = s.k8s_event(
        t0 + 350,
        w.ref(),
        "ScalingReplicaSet",
        f"Scaled up replica set {rs['metadata']['name']} to 1",
        warning=False,
        component="deployment-controller",
    )
    sig.add(inc, scaled)
    variant = rng.choice(["crash", "crash", "readiness", "imagepull"])
    others = [n for n in c.nodes]
    new_pods: list[Pod] = []
    for i in range(1 if len(w.pods) < 4 else 2):
        node = rng.choice(others)
        pod = cl.new_pod(c, rng, w, node, t0 + 600 + i * 300, rs)
        new_pods.append(pod)
        inc.protected.add(pod.name)
        inc.nodes.add(node.name)
        sig.add(inc, s.change(t0 + 700 + i * 300, "ADDED", pod.obj, level="normal"))
        sig.add(
            inc,
            s.k8s_event(
                t0 + 2_400 + i * 300,
                pod.ref(),
                "Scheduled",
                f"Successfully assigned {pod.namespace}/{pod.name} to {node.name}",
                warning=False,
                component="default-scheduler",
            ),
        )
        start = t0 + rng.randrange(5_000, 11_000)
        fp = f"spec.containers{{{pod.container}}}"
        if variant == "imagepull":
            f1 = s.k8s_event(
                start,
                pod.ref(),
                "Failed",
                f'Failed to pull image "{ctr["image"]}": rpc error: code = NotFound desc = failed to pull and unpack '
                f'image "{ctr["image"]}": failed to resolve reference "{ctr["image"]}": not found',
                warning=True,
                host=node.name,
                field_path=fp,
                repeats=_backoff_times(start, t0 + dur)[:5],
            )
            f2 = s.k8s_event(
                start + 5, pod.ref(), "Failed", "Error: ErrImagePull", warning=True, host=node.name, field_path=fp
            )
            b = s.k8s_event(
                start + 2_000,
                pod.ref(),
                "BackOff",
                f'Back-off pulling image "{ctr["image"]}"',
                warning=False,
                host=node.name,
                field_path=fp,
                repeats=_backoff_times(start + 2_000, t0 + dur)[:6],
            )
            f3 = s.k8s_event(
                start + 2_010,
                pod.ref(),
                "Failed",
                "Error: ImagePullBackOff",
                warning=True,
                host=node.name,
                field_path=fp,
                repeats=_backoff_times(start + 2_010, t0 + dur)[:6],
            )
            for e in (f1, f2, b, f3):
                sig.add(inc, e)
        else:
            sig.add(
                inc,
                s.k8s_event(
                    start - 1_500,
                    pod.ref(),
                    "Pulled",
                    f'Successfully pulled image "{ctr["image"]}" in {rng.randrange(800, 9000)}ms',
                    warning=False,
                    host=node.name,
                    field_path=fp,
                ),
            )
            if variant == "crash":
                _crashing(sig, inc, pod, start, t0 + dur, "image")
            else:
                probe_times = [start + 10_000 * k + rng.randrange(0, 900) for k in range(1, dur // 10_000)]
                ev = s.k8s_event(
                    start + rng.randrange(8_000, 15_000),
                    pod.ref(),
                    "Unhealthy",
                    f'Readiness probe failed: Get "http://{pod.ip}:{rng.choice([8080, 9090, 3000])}/healthz": '
                    f"dial tcp {pod.ip}:8080: connect: connection refused",
                    warning=True,
                    host=node.name,
                    field_path=fp,
                    repeats=probe_times[::6][:8],
                )
                sig.add(inc, ev)
                for k in range(rng.randrange(1, 4)):
                    app = dialects.startup_crash(rng, w.language, "image")
                    sig.add(inc, sig.log(start + k * 20_000 + rng.randrange(0, 5_000), pod, app, severity="error"))
    # With more replicas the controller already took one old pod down: a little less capacity upstream.
    if len(w.pods) >= 2 and rng.random() < 0.6:
        victim = w.pods[-1]
        c.gone[victim.name] = t0 + 1_200
        sig.add(
            inc,
            s.k8s_event(
                t0 + 1_200,
                victim.ref(),
                "Killing",
                f"Stopping container {victim.container}",
                warning=False,
                host=victim.node,
            ),
        )
        sig.caller_symptoms(inc, w.service, t0 + 5_000, t0 + min(dur, 180_000), "refused", intensity=0.5)
    if rng.random() < 0.5:  # someone rolls back near the end: context, not a symptom
        rollback = copy.deepcopy(obj)
        rollback["spec"]["template"]["spec"]["containers"][0]["image"] = old_image
        rollback["metadata"]["generation"] = int(rollback["metadata"]["generation"]) + 1
        rollback["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = str(rev + 1)
        rollback["metadata"]["resourceVersion"] = c.next_rv()
        sig.add(inc, s.change(t0 + dur + rng.randrange(5_000, 40_000), "MODIFIED", rollback, level="normal"))
    inc.variant = None
    return [inc]


def configmap_change(
    sig: Signals, cm_name: str, users: list[Workload], t0: int, dur: int, inc_id: str
) -> list[Incident]:
    """A ConfigMap is edited; the pods that read it fail after a reload or a restart."""
    c, s, rng = sig.c, sig.s, sig.rng
    cm = c.configmaps[cm_name]
    inc = Incident(inc_id, "configmap_change", sig.ref(cm))
    data = cm["data"]
    key = sorted(data)[0]
    data[key] = str(data[key]).replace("info", "debug").replace("3000", "30s").replace("1000", "1s") + "retries: -1\n"
    _bump(sig, cm)
    inc.root_event_id = sig.add(inc, s.change(t0, "MODIFIED", cm))
    envfrom = cm_name.endswith("-shared-env")
    for w in users:
        inc.workloads.add(w.name)
        inc.services.add(w.service)
        if envfrom or rng.random() < 0.4:
            # a reloader (or a person) restarts the workload: its new pods read the bad config and crash
            lag = rng.randrange(4_000, 40_000)
            obj = w.obj
            ann = obj["spec"]["template"].setdefault("metadata", {}).setdefault("annotations", {})
            ann["kubectl.kubernetes.io/restartedAt"] = f"{t0 + lag}"
            obj["metadata"]["generation"] = int(obj["metadata"]["generation"]) + 1
            _bump(sig, obj)
            sig.add(inc, s.change(t0 + lag, "MODIFIED", obj, level="normal"))
            if w.kind == "Deployment":
                rev = int(obj["metadata"].get("annotations", {}).get("deployment.kubernetes.io/revision", "1")) + 1
                rs = cl.new_replicaset(c, rng, w, obj["spec"]["template"], rev, t0 + lag + 300)
                sig.add(inc, s.change(t0 + lag + 400, "ADDED", rs, level="normal"))
                node = rng.choice(c.nodes)
                pod = cl.new_pod(c, rng, w, node, t0 + lag + 600, rs)
                sig.add(inc, s.change(t0 + lag + 700, "ADDED", pod.obj, level="normal"))
            else:
                pod = w.pods[-1]
            inc.protected.add(pod.name)
            inc.nodes.add(pod.node)
            _crashing(sig, inc, pod, t0 + lag + rng.randrange(3_000, 8_000), t0 + dur, "config")
        else:
            # the volume is updated in place (kubelet sync, up to a minute or two) and the app reloads it
            for pod in w.pods:
                inc.protected.add(pod.name)
                inc.nodes.add(pod.node)
                tr = t0 + rng.randrange(40_000, 110_000)
                app = dialects.startup_crash(rng, w.language, "config")
                app["message"] = f"config reload from /etc/{w.name} failed: {app['message']}"
                sig.add(inc, sig.log(tr, pod, app))
                sig.add(
                    inc,
                    s.k8s_event(
                        tr + rng.randrange(5_000, 15_000),
                        pod.ref(),
                        "Unhealthy",
                        rng.choice(
                            [
                                "Readiness probe failed: HTTP probe failed with statuscode: 503",
                                f'Readiness probe failed: Get "http://{pod.ip}:8080/ready": context deadline '
                                "exceeded (Client.Timeout exceeded while awaiting headers)",
                            ]
                        ),
                        warning=True,
                        host=pod.node,
                        field_path=f"spec.containers{{{pod.container}}}",
                        repeats=[tr + 30_000 * k for k in range(1, max(2, dur // 30_000)) if k % 2 == 0][:6],
                    ),
                )
            sig.caller_symptoms(inc, w.service, t0 + 90_000, t0 + dur, "5xx", intensity=0.8)
    return [inc]


def crashloop(sig: Signals, w: Workload, t0: int, dur: int, inc_id: str) -> list[Incident]:
    """A workload's pods crash-loop although nothing changed (a poison message, an expired token...)."""
    rng = sig.rng
    inc = Incident(inc_id, "crashloop", sig.wl_ref(w))
    inc.workloads.add(w.name)
    inc.services.add(w.service)
    roots: list[str] = []
    for i, pod in enumerate(w.pods):
        inc.protected.add(pod.name)
        inc.nodes.add(pod.node)
        start = t0 + i * rng.randrange(1_000, 25_000)
        if rng.random() < 0.4:
            sig.add(
                inc,
                sig.s.k8s_event(
                    start - rng.randrange(5_000, 20_000),
                    pod.ref(),
                    "Unhealthy",
                    "Liveness probe failed: HTTP probe failed with statuscode: 500",
                    warning=True,
                    host=pod.node,
                    field_path=f"spec.containers{{{pod.container}}}",
                ),
            )
        roots.append(_crashing(sig, inc, pod, start, t0 + dur, "bug"))
    first = min(inc.event_ids, key=lambda e: sig.s.times[e])
    inc.root_event_id = first
    inc.root_equivalents = [e for e in roots if e != first]
    sig.caller_symptoms(inc, w.service, t0 + 2_000, t0 + dur, "refused")
    return [inc]


def _oom_once(
    sig: Signals, inc: Incident, pod: Pod, t0: int, *, ebpf: bool, precursor: bool, restarts: int
) -> tuple[str, list[str]]:
    """One OOM kill of ``pod`` at ``t0``: the memory metric before, the kernel's kill, the pod's status change."""
    c, s, rng = sig.c, sig.s, sig.rng
    w = pod.workload
    comm = c.app.store_process(w.service) or {"java": "java", "node": "node", "python": "python3"}.get(
        w.language, w.name.split("-")[0]
    )
    limit = _mem_limit(comm)
    if precursor:
        sig.add(
            inc,
            sig.metric(
                t0 - rng.randrange(20_000, 90_000),
                "container_memory_working_set_bytes",
                float(limit * 1024 * 1024 * rng.uniform(0.93, 0.99)),
                "bytes",
                f"{pod.name} memory at {rng.randrange(93, 100)}% of its {limit}Mi limit",
                pod=pod,
            ),
        )
    roots: list[str] = []
    if ebpf:
        roots.append(sig.add(inc, sig.kernel_oom(t0, pod, comm, limit)))
    status = pod.obj["status"]["containerStatuses"][0]
    status["restartCount"] = restarts
    status["lastState"] = {
        "terminated": {
            "exitCode": 137,
            "reason": "OOMKilled",
            "startedAt": "",
            "finishedAt": "",
            "containerID": status.get("containerID", ""),
        }
    }
    status["lastState"]["terminated"]["finishedAt"] = ids.rfc3339_s(t0)
    status["state"] = {"running": {"startedAt": ids.rfc3339_s(t0 + 1_000)}}
    pod.obj["metadata"]["resourceVersion"] = c.next_rv()
    roots.append(sig.add(inc, s.change(t0 + rng.randrange(600, 2_500), "MODIFIED", pod.obj)))
    if rng.random() < 0.25:
        node = c.node(pod.node)
        roots.append(
            sig.add(
                inc,
                s.k8s_event(
                    t0 + rng.randrange(200, 1_500),
                    {"kind": "Node", "name": node.name, "uid": node.uid},
                    "OOMKilling",
                    f"Memory cgroup out of memory: Killed process {rng.randrange(1000, 60000)} ({comm}) total-vm:"
                    f"{limit * 3100}kB, anon-rss:{limit * 1020}kB, file-rss:0kB, shmem-rss:0kB",
                    warning=True,
                    component="kernel-monitor",
                    host=node.name,
                ),
            )
        )
    svc = c.service_of(w.service)
    if rng.random() < 0.7:
        sig.add(
            inc,
            s.k8s_event(
                t0 + rng.randrange(6_000, 20_000),
                pod.ref(),
                "Unhealthy",
                f"Readiness probe failed: dial tcp {pod.ip}:{svc.target_port if svc else 8080}: "
                "connect: connection refused",
                warning=True,
                host=pod.node,
                field_path=f"spec.containers{{{pod.container}}}",
            ),
        )
    return roots[0], roots


def datastore_oom(sig: Signals, pod: Pod, t0: int, dur: int, inc_id: str) -> list[Incident]:
    """A database or cache is OOM-killed; its callers time out or get refused while it restarts."""
    rng = sig.rng
    inc = Incident(inc_id, "datastore_oom", sig.pod_ref(pod), sig.wl_ref(pod.workload))
    inc.protected.add(pod.name)
    inc.nodes.add(pod.node)
    inc.services.add(pod.workload.service)
    inc.workloads.add(pod.workload.name)
    root, roots = _oom_once(sig, inc, pod, t0, ebpf=rng.random() < 0.75, precursor=rng.random() < 0.6, restarts=1)
    inc.root_event_id, inc.root_equivalents = root, roots[1:]
    recovery = rng.randrange(30_000, min(dur, 240_000) + 30_001)
    sig.caller_symptoms(inc, pod.workload.service, t0 + 200, t0 + recovery, rng.choice(["timeout", "refused", "reset"]))
    return [inc]


def recurring_oom(
    sig: Signals, pod: Pod, t0: int, end: int, period_s: int, inc_prefix: str, series: str
) -> list[Incident]:
    """The same workload OOM-killed every ``period_s``: each occurrence is its own incident of one series."""
    rng = sig.rng
    out: list[Incident] = []
    t = t0
    k = 0
    backoff: str | None = None
    while t < end - 60_000 and k < 7:
        k += 1
        inc = Incident(
            f"{inc_prefix}-{k}",
            "recurring_oom",
            sig.pod_ref(pod),
            sig.wl_ref(pod.workload),
            period_seconds=period_s,
            series=series,
        )
        inc.protected.add(pod.name)
        inc.nodes.add(pod.node)
        inc.services.add(pod.workload.service)
        inc.workloads.add(pod.workload.name)
        root, roots = _oom_once(sig, inc, pod, t, ebpf=rng.random() < 0.85, precursor=rng.random() < 0.5, restarts=k)
        inc.root_event_id, inc.root_equivalents = root, roots[1:]
        if k >= 2:  # the kubelet's restart back-off has not reset yet: one Event, updated each time
            bt = t + rng.randrange(2_000, 6_000)
            if backoff is None:
                backoff = sig.s.backoff(bt, pod)
            else:
                sig.s.k8s_update(backoff, bt)
            inc.context_event_ids.append(backoff)
        sig.caller_symptoms(
            inc, pod.workload.service, t + 200, t + rng.randrange(15_000, 60_000), "refused", intensity=0.5
        )
        out.append(inc)
        t += period_s * 1000 + rng.randrange(-8_000, 8_000)
    return out


def node_memory_pressure(sig: Signals, node: Node, t0: int, dur: int, inc_id: str) -> list[Incident]:
    """A node runs short of memory and the kubelet evicts pods; sometimes only the evictions are seen."""
    c, s, rng = sig.c, sig.s, sig.rng
    inc = Incident(inc_id, "node_memory_pressure", sig.node_ref(node))
    inc.nodes.add(node.name)
    with_node = rng.random() < 0.6
    nref = {"kind": "Node", "name": node.name, "uid": node.uid}
    roots: list[str] = []
    if with_node:
        sig.add(
            inc,
            sig.metric(
                t0 - rng.randrange(30_000, 120_000),
                "node_memory_MemAvailable_bytes",
                float(rng.randrange(90, 300) * 1024 * 1024),
                "bytes",
                f"node {node.name} available memory below 3%",
                node=node,
            ),
        )
        roots.append(
            sig.add(
                inc,
                s.k8s_event(
                    t0,
                    nref,
                    "EvictionThresholdMet",
                    "Attempting to reclaim memory",
                    warning=True,
                    host=node.name,
                    repeats=[t0 + rng.randrange(60_000, 120_000)],
                ),
            )
        )
        roots.append(
            sig.add(
                inc,
                s.k8s_event(
                    t0 + rng.randrange(500, 3_000),
                    nref,
                    "NodeHasInsufficientMemory",
                    f"Node {node.name} status is now: NodeHasInsufficientMemory",
                    warning=False,
                    host=node.name,
                ),
            )
        )
    else:
        inc.variant = "no_node_event"
    victims = [p for p in c.pods_on(node.name) if p.namespace == c.namespace and c.alive(p, t0)]
    rng.shuffle(victims)
    victims.sort(key=lambda p: not c.app.callers(p.workload.service))  # the kubelet ranks by usage over request
    victims = victims[: rng.randrange(1, 4)]
    evicted: list[str] = []
    for i, pod in enumerate(victims):
        te = t0 + rng.randrange(2_000, 20_000) + i * rng.randrange(20_000, max(30_000, dur // 3))
        c.gone[pod.name] = te
        inc.protected.add(pod.name)
        inc.workloads.add(pod.workload.name)
        inc.services.add(pod.workload.service)
        used = rng.randrange(400_000, 1_800_000)
        ev = s.k8s_event(
            te,
            pod.ref(),
            "Evicted",
            "The node was low on resource: memory. Threshold quantity: 100Mi, available: "
            f"{rng.randrange(60_000, 99_000)}Ki. "
            f"Container {pod.container} was using {used}Ki, request is {rng.choice([64, 128, 256])}Mi, has larger "
            "consumption of memory. ",
            warning=True,
            host=node.name,
        )
        evicted.append(sig.add(inc, ev))
        sig.add(
            inc,
            s.k8s_event(
                te + 50, pod.ref(), "Killing", f"Stopping container {pod.container}", warning=False, host=node.name
            ),
        )
        if pod.workload.kind == "Deployment":
            other = rng.choice([n for n in c.nodes if n.name != node.name])
            repl = cl.new_pod(c, rng, pod.workload, other, te + 300)
            sig.add(inc, s.change(te + 400, "ADDED", repl.obj, level="normal"))
            inc.protected.add(repl.name)
            if rng.random() < 0.4:
                sig.add(
                    inc,
                    s.k8s_event(
                        te + 2_200,
                        repl.ref(),
                        "FailedScheduling",
                        f"0/{len(c.nodes)} nodes are available: 1 node(s) had untolerated taint "
                        "{node.kubernetes.io/memory-pressure: }, "
                        f"{len(c.nodes) - 1} Insufficient memory. preemption: 0/{len(c.nodes)} nodes are available: "
                        f"1 Preemption is not helpful for scheduling, {len(c.nodes) - 1} No preemption victims found "
                        "for incoming pod.",
                        warning=True,
                        component="default-scheduler",
                    ),
                )
        if pod.workload.service:
            sig.caller_symptoms(
                inc,
                pod.workload.service,
                te,
                te + rng.randrange(20_000, 120_000),
                "refused",
                target_ips=[pod.ip],
                intensity=1.0 / max(1, len(pod.workload.pods)) + 0.3,
            )
    if with_node:
        inc.root_event_id = roots[0]
        inc.root_equivalents = roots[1:]
        sig.add(
            inc,
            s.k8s_event(
                t0 + dur,
                nref,
                "NodeHasSufficientMemory",
                f"Node {node.name} status is now: NodeHasSufficientMemory",
                warning=False,
                host=node.name,
            ),
        )
    else:
        first = min(evicted, key=lambda e: s.times[e])
        inc.root_event_id = first
        inc.root_equivalents = [e for e in evicted if e != first]
    return [inc]


def node_network_loss(sig: Signals, node: Node, t0: int, dur: int, inc_id: str) -> list[Incident]:
    """A node's network drops packets: calls to and from its pods time out; usually nothing names the node."""
    c, rng = sig.c, sig.rng
    inc = Incident(inc_id, "node_network_loss", sig.node_ref(node))
    inc.nodes.add(node.name)
    with_node = rng.random() < 0.35
    if with_node:
        rate = round(rng.uniform(18.0, 60.0), 1)
        root = sig.add(
            inc,
            sig.s.unified(
                t0 + rng.randrange(5_000, 30_000),
                "ebpf",
                type_="network",
                category="network",
                severity="high",
                message=f"tcp retransmission rate {rate}% on eth0 of {node.name}",
                context=sig.s.where(sig.s.producers["ebpf"], node=node),
                metrics={"metric_name": "tcp_retransmit_ratio", "value": rate / 100, "unit": "ratio", "labels": {}},
            ),
        )
    else:
        inc.variant = "no_node_event"
    local = [p for p in c.pods_on(node.name) if p.namespace == c.namespace]
    rng.shuffle(local)
    touched: list[str] = []
    for pod in local[:4]:
        inc.protected.add(pod.name)
        inc.workloads.add(pod.workload.name)
        svc = c.service_of(pod.workload.service)
        if svc is not None:
            inc.services.add(svc.name)
            # callers on other nodes cannot reach this pod
            remote = [p for s in c.app.callers(svc.name) for p in c.pods_of_service(s) if p.node != node.name]
            remote = [p for p in remote if c.alive(p, t0)]
            sig.caller_symptoms(
                inc,
                svc.name,
                t0 + rng.randrange(0, 5_000),
                t0 + dur,
                "timeout",
                target_ips=[pod.ip],
                intensity=0.7,
                exclude_node=node.name,
            )
            for _ in range(rng.randrange(1, 3)):
                if remote:
                    caller = rng.choice(remote)
                    touched.append(
                        sig.add(
                            inc,
                            sig.net(t0 + rng.randrange(1_000, 40_000), caller.ip, pod.ip, svc.target_port, "timeout"),
                        )
                    )
        # and this pod cannot reach its own callees
        for callee in c.app.calls.get(pod.workload.service, [])[:2]:
            csvc = c.service_of(callee)
            if csvc is None:
                continue
            tt = t0 + rng.randrange(1_000, 30_000)
            app = dialects.call_error(rng, pod.workload.language, "timeout", callee, csvc.port, csvc.cluster_ip, "")
            touched.append(sig.add(inc, sig.log(tt, pod, app)))
            if rng.random() < 0.5:
                touched.append(sig.add(inc, sig.net(tt - 3_000, pod.ip, csvc.cluster_ip, csvc.port, "retrans")))
    if not inc.event_ids:  # a node with no app pod: its agents' own traffic is all there is
        dns = c.service_of("kube-dns")
        assert dns is not None
        agent = (
            next(p for p in c.pods_on(node.name) if p.workload.kind == "DaemonSet" and p.ip != node.ip)
            if any(p.workload.kind == "DaemonSet" and p.ip != node.ip for p in c.pods_on(node.name))
            else c.pods_on(node.name)[0]
        )
        touched.append(sig.add(inc, sig.net(t0 + 2_000, agent.ip, dns.cluster_ip, 53, "dns")))
    if with_node:
        inc.root_event_id = root
        inc.root_equivalents = []
    else:
        ordered = sorted(touched or inc.event_ids, key=lambda e: sig.s.times[e])
        inc.root_event_id = ordered[0]
        inc.root_equivalents = [e for e in ordered[1:] if sig.s.times[e] - sig.s.times[ordered[0]] < 30_000]
    return [inc]


def node_notready(sig: Signals, node: Node, t0: int, dur: int, inc_id: str) -> list[Incident]:
    """A node stops posting status: the node controller marks it NotReady 40s later; its pods' callers fail first."""
    c, s, rng = sig.c, sig.s, sig.rng
    inc = Incident(inc_id, "node_notready", sig.node_ref(node))
    inc.nodes.add(node.name)
    grace = rng.randrange(38_000, 52_000)
    for cond in node.obj["status"]["conditions"]:
        if cond["type"] == "Ready":
            cond.update(
                {
                    "status": "Unknown",
                    "reason": "NodeStatusUnknown",
                    "message": "Kubelet stopped posting node status.",
                    "lastTransitionTime": "",
                }
            )
    for cond in node.obj["status"]["conditions"]:
        if cond["type"] == "Ready":
            cond["lastTransitionTime"] = ids.rfc3339_s(t0 + grace)
    node.obj["spec"]["taints"] = [
        {"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule", "timeAdded": ids.rfc3339_s(t0 + grace)}
    ]
    node.obj["metadata"]["resourceVersion"] = c.next_rv()
    change = sig.add(inc, s.change(t0 + grace + rng.randrange(100, 900), "MODIFIED", node.obj))
    nref = {"kind": "Node", "name": node.name, "uid": node.uid}
    if rng.random() < 0.8:
        root = sig.add(
            inc,
            s.k8s_event(
                t0 + grace,
                nref,
                "NodeNotReady",
                f"Node {node.name} status is now: NodeNotReady",
                warning=False,
                component="node-controller",
            ),
        )
        inc.root_event_id, inc.root_equivalents = root, [change]
    else:
        inc.root_event_id = change
    for pod in c.pods_on(node.name):
        inc.protected.add(pod.name)
        c.gone[pod.name] = t0
        sig.add(
            inc,
            s.k8s_event(
                t0 + grace + rng.randrange(200, 3_000),
                pod.ref(),
                "NodeNotReady",
                "Node is not ready",
                warning=True,
                component="node-controller",
            ),
        )
        if pod.namespace != c.namespace:
            continue
        inc.workloads.add(pod.workload.name)
        if pod.workload.service:
            inc.services.add(pod.workload.service)
            sig.caller_symptoms(
                inc,
                pod.workload.service,
                t0 + rng.randrange(500, 5_000),
                t0 + dur,
                rng.choice(["timeout", "timeout", "refused"]),
                target_ips=[pod.ip],
                intensity=0.8,
            )
        if dur > 300_000 + grace and pod.workload.kind == "Deployment":
            te = t0 + grace + 300_000 + rng.randrange(0, 2_000)
            sig.add(
                inc,
                s.k8s_event(
                    te,
                    pod.ref(),
                    "TaintManagerEviction",
                    f"Marking for deletion Pod {pod.namespace}/{pod.name}",
                    warning=False,
                    component="taint-eviction-controller",
                ),
            )
            other = rng.choice([n for n in c.nodes if n.name != node.name])
            repl = cl.new_pod(c, rng, pod.workload, other, te + 500)
            inc.protected.add(repl.name)
            sig.add(inc, s.change(te + 600, "ADDED", repl.obj, level="normal"))
    return [inc]
