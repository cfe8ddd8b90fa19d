"""The fault kinds of the accuracy benchmark and how each spreads, written as the events a cluster would emit.

Propagation follows what the ITBench ground truths show (see bench/README.md): the faulty component first
(OOM kill, crash, failed pull, node condition), then its direct callers (connection refused / timeouts within
seconds), then their callers (5xx within tens of seconds to a minute), fading with each hop.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.accuracy.formats import ContextMode, Stream
from bench.accuracy.knobs import CLASSIC_IP_ONLY, Knobs
from bench.accuracy.topo import DATASTORE, ClusterView

Obj = dict[str, Any]
S = 1000  # ms per second
H = 3_600_000


@dataclass
class Incident:
    """One injected fault and every event it caused (the ground truth)."""

    id: str
    kind: str
    root_event_id: str = ""
    root_resource: Obj = field(default_factory=dict)
    event_ids: list[str] = field(default_factory=list)  # scored: the root and every consequence
    context_ids: list[str] = field(default_factory=list)  # Normal bookkeeping it caused (scheduling, scaling)
    root_equivalents: list[str] = field(default_factory=list)  # the same root fact from another source
    period_seconds: int | None = None
    footprint: set[str] = field(default_factory=set)  # pod uids and node names it touches
    core: set[str] = field(default_factory=set)  # the part that is itself at fault (root pods, the node and its pods)
    start: int = 0
    end: int = 0
    root_workload: Obj = field(default_factory=dict)  # the top-level owner of a root Pod (accepted as root too)
    variant: str = ""  # e.g. "no_node_event", "cpu_contention"
    series: str = ""  # occurrences of one recurring failure share it
    occurrences: list[Incident] = field(default_factory=list)  # realistic recurring_oom: one incident each
    noise_ids: list[str] = field(default_factory=list)  # events it wrote that belong to no incident

    def member(self, event_id: str) -> str:
        if event_id not in self.event_ids:
            self.event_ids.append(event_id)
        return event_id

    def context(self, event_id: str) -> str:
        if event_id not in self.context_ids:
            self.context_ids.append(event_id)
        return event_id

    def truth(self) -> Obj:
        out: Obj = {
            "id": self.id,
            "kind": self.kind,
            "root_event_id": self.root_event_id,
            "root_equivalents": self.root_equivalents,
            "event_ids": self.event_ids,
            "context_event_ids": self.context_ids,
            "root_resource": self.root_resource,
            "start": self.start,
            "end": self.end,
        }
        if self.root_workload:
            out["root_workload"] = self.root_workload
        if self.period_seconds is not None:
            out["period_seconds"] = self.period_seconds
        if self.series:
            out["series"] = self.series
        if self.variant:
            out["variant"] = self.variant
        return out

    def truths(self) -> list[Obj]:
        """The ground-truth incidents it stands for: itself, or each of its occurrences."""
        return [o.truth() for o in self.occurrences] if self.occurrences else [self.truth()]

    def parts(self) -> list[Incident]:
        return self.occurrences or [self]


@dataclass
class FaultCtx:
    """What a fault generator works with: the cluster, the output stream, randomness, and what to stay away from."""

    cv: ClusterView
    stream: Stream
    rng: random.Random
    avoid: set[str]  # pod uids / node names of incidents overlapping in time
    knobs: Knobs = field(default_factory=Knobs.classic)
    shun: set[str] = field(default_factory=set)  # realistic: other incidents' faulty parts, kept out of symptoms

    def ms(self, lo_s: float, hi_s: float) -> int:
        return int(self.rng.uniform(lo_s, hi_s) * S)

    def free(self, pods: list[Obj]) -> bool:
        return not any(p["metadata"]["uid"] in self.avoid or p["spec"]["nodeName"] in self.avoid for p in pods)

    def mode(self, *, network_ok: bool = True) -> ContextMode:
        if network_ok and self.knobs.ip_only != CLASSIC_IP_ONLY:
            return "network" if self.rng.random() < self.knobs.ip_only else self.rng.choice(("k8s", "k8s", "entity"))
        modes: list[ContextMode] = ["k8s", "k8s", "entity", "network"] if network_ok else ["k8s", "k8s", "entity"]
        return self.rng.choice(modes)

    def trace(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def symptom_trace(self, pool: list[str]) -> str:
        """The trace id a symptom carries: one of the incident's few (classic: always), or, with sparse traces,
        a shared one on about a third, its own on a fifth and none on the rest."""
        if not self.knobs.sparse_traces:
            return self.rng.choice(pool)
        r = self.rng.random()
        return self.rng.choice(pool) if r < 0.35 else self.trace() if r < 0.55 else ""

    def usable(self, pod: Obj) -> bool:
        """May this pod show a symptom? (realistic: not when it is another incident's faulty part)"""
        return pod["metadata"]["uid"] not in self.shun and pod["spec"]["nodeName"] not in self.shun


def _ref(o: Obj, cluster: str) -> Obj:
    m = o["metadata"]
    return {
        "cluster": cluster,
        "kind": o["kind"],
        "namespace": m.get("namespace", ""),
        "name": m["name"],
        "uid": m["uid"],
    }


def _container(pod: Obj) -> Obj:
    return dict(pod["spec"]["containers"][0])


def _wl(cv: ClusterView, pod: Obj) -> tuple[str, str]:
    w = cv.workload(pod)
    return str(w["kind"]), str(w["metadata"]["name"])


def _comm(image: str) -> str:
    for key, comm in (
        ("redis", "redis-server"),
        ("mongo", "mongod"),
        ("mysql", "mysqld"),
        ("memcached", "memcached"),
        ("postgres", "postgres"),
        ("valkey", "valkey-server"),
        ("rabbitmq", "beam.smp"),
        ("kafka", "java"),
        ("node", "node"),
        ("python", "python3"),
        ("go", "server"),
    ):
        if key in image:
            return comm
    return "java" if "java" in image or "ts-" in image else "server"


def _k8s_pod(
    f: FaultCtx, pod: Obj, times: list[int], reason: str, type_: str, message: str, component: str = "kubelet"
) -> str:
    return f.stream.k8s_event(
        pod,
        times=times,
        reason=reason,
        type_=type_,
        message=message,
        component=component,
        host=pod["spec"]["nodeName"] if component == "kubelet" else "",
        field_path=f"spec.containers{{{_container(pod)['name']}}}" if component == "kubelet" else "",
    )


def _backoff_times(start: int, n: int) -> list[int]:
    """CrashLoopBackOff: restarts 10s, 20s, 40s ... apart; the Event is updated on each."""
    times, t, delay = [], start, 10 * S
    for _ in range(n):
        times.append(t)
        t += delay
        delay = min(delay * 2, 300 * S)
    return times


def _network(
    f: FaultCtx, caller: Obj, callee: str, *, status: int, latency_s: float, dest_pod: Obj | None = None
) -> Obj:
    cv = f.cv
    if dest_pod is None and (not cv.service_ip(callee) or f.rng.random() < 0.5) and cv.pods_of_service.get(callee):
        dest_pod = f.rng.choice(cv.pods_of_service[callee])
    dest_ip = dest_pod["status"]["podIP"] if dest_pod else cv.service_ip(callee)
    return {
        "protocol": "TCP" if status == 0 else "HTTP",
        "source_ip": caller["status"]["podIP"],
        "source_port": f.rng.randint(32768, 60999),
        "dest_ip": dest_ip,
        "dest_port": cv.service_port(callee),
        "direction": "egress",
        "latency_ns": int(latency_s * 1e9),
        "status_code": status,
    }


def caller_error(
    f: FaultCtx,
    inc: Incident,
    caller: Obj,
    callee: str,
    ts: int,
    reason: str,
    trace_id: str,
    *,
    mode: ContextMode | None = None,
    dest_pod: Obj | None = None,
) -> str:
    """A caller pod seeing its call to ``callee`` fail (egress), as the network collector reports it."""
    status = {"http_5xx": f.rng.choice((500, 502, 503, 504)), "timeout": 0, "connection_refused": 0}[reason]
    latency = {
        "http_5xx": f.rng.uniform(0.005, 2.0),
        "timeout": f.rng.choice((5.0, 10.0, 30.0)),
        "connection_refused": f.rng.uniform(0.0005, 0.003),
    }[reason]
    net = _network(f, caller, callee, status=status, latency_s=latency, dest_pod=dest_pod)
    text = {
        "http_5xx": f"HTTP {status} from {callee} ({net['dest_ip']}:{net['dest_port']})",
        "timeout": f"request to {net['dest_ip']}:{net['dest_port']} timed out after {latency:.0f}s",
        "connection_refused": f"connect to {net['dest_ip']}:{net['dest_port']} failed: connection refused",
    }[reason]
    severity = "error" if reason == "http_5xx" else f.rng.choice(("warning", "error"))
    inc.footprint.add(caller["metadata"]["uid"])
    return inc.member(
        f.stream.collector(
            ts=ts,
            pod=caller,
            mode=mode or f.mode(),
            type_="network",
            source="ebpf-network",
            category="network",
            severity=severity,
            message=text,
            reason=reason,
            trace_id=trace_id,
            network=net,
            workload=_wl(f.cv, caller),
        )
    )


def propagate(
    f: FaultCtx,
    inc: Incident,
    service: str,
    t_start: int,
    first_reason: str,
    *,
    skip_pods: set[str] | None = None,
    network_only: bool = False,
    max_depth: int = 3,
) -> int:
    """Callers of ``service`` fail, then their callers, a few hops up with fading probability. Returns the time
    of the last symptom."""
    skip = skip_pods or set()
    traces = [f.trace() for _ in range(f.rng.randint(1, 3))]
    level, seen, t, last = [service], {service}, t_start, t_start
    for depth in range(1, max_depth + 1):
        if depth > 1 and f.rng.random() > (0.85 if depth == 2 else 0.5):
            break
        nxt: list[tuple[str, str]] = []
        for callee in level:
            for caller in f.cv.callers(callee):
                if caller not in seen:
                    seen.add(caller)
                    nxt.append((caller, callee))
        if len(nxt) > 4:
            nxt = f.rng.sample(nxt, 4)
        if not nxt:
            break
        for caller_svc, callee in sorted(nxt):
            pods = [p for p in f.cv.pods_of_service[caller_svc] if p["metadata"]["uid"] not in skip]
            if f.shun:
                pods = [p for p in pods if f.usable(p)]
            for pod in pods[: f.rng.randint(1, max(1, len(pods)))]:
                reason = first_reason if depth == 1 else f.rng.choice(("http_5xx", "http_5xx", "timeout"))
                for _ in range(f.rng.choice((1, 1, 2, 3))):
                    ts = t + f.ms(2, 20) * depth
                    caller_error(
                        f,
                        inc,
                        pod,
                        callee,
                        ts,
                        reason,
                        f.symptom_trace(traces),
                        mode="network" if network_only else None,
                    )
                    last = max(last, ts)
                if depth == 1 and not network_only and f.rng.random() < 0.25:
                    ts = t + f.ms(10, 40)
                    c = _container(pod)
                    inc.member(
                        _k8s_pod(
                            f,
                            pod,
                            [ts, ts + 10 * S, ts + 20 * S],
                            "Unhealthy",
                            "Warning",
                            f"Readiness probe failed: HTTP probe failed with statuscode: 503 ({c['name']})",
                        )
                    )
                    last = max(last, ts + 20 * S)
        t += f.ms(5, 30)
        level = [c for c, _ in nxt]
    return last


# -- the fault kinds ---------------------------------------------------------------------------------------------


def datastore_oom(f: FaultCtx, inc: Incident, t0: int) -> bool:
    """A datastore is OOM-killed; its callers get refused/time out, their callers return 5xx."""
    cv = f.cv
    cands = [s for s in cv.services_with_pods() if DATASTORE.search(s) and cv.callers(s)]
    cands = cands or [s for s in cv.services_with_pods() if cv.callers(s) and not cv.calls.get(s)]
    cands = [s for s in cands if f.free(cv.pods_of_service[s])]
    if not cands:
        return False
    svc = f.rng.choice(cands)
    pod = f.rng.choice(cv.pods_of_service[svc])
    c = _container(pod)
    limit = ((c.get("resources") or {}).get("limits") or {}).get("memory", "256Mi")
    pid, comm = f.rng.randint(1000, 60000), _comm(str(c.get("image", "")))
    inc.root_event_id = inc.member(
        f.stream.collector(
            ts=t0,
            pod=pod,
            mode=f.mode(network_ok=False),
            type_="kernel",
            source="ebpf-kernel",
            category="memory",
            severity="critical",
            reason="oom_kill",
            message=f"OOM kill: process {pid} ({comm}) in container {c['name']} exceeded memory limit {limit}",
            workload=_wl(cv, pod),
            extra={"kernel": {"syscall": "", "pid": pid, "comm": comm, "return_code": -12}},
        )
    )
    inc.root_resource = _ref(pod, f.stream.cluster)
    inc.root_workload = _ref(cv.workload(pod), f.stream.cluster)
    inc.footprint |= {pod["metadata"]["uid"]}
    inc.core |= {pod["metadata"]["uid"]}
    if f.rng.random() < 0.5:
        node = cv.node(pod["spec"]["nodeName"])
        eid = f.stream.k8s_event(
            node,
            times=[t0 + f.ms(0.2, 2)],
            reason="OOMKilling",
            type_="Warning",
            message=f"Memory cgroup out of memory: Killed process {pid} ({comm}) total-vm:2456788kB, "
            f"anon-rss:{f.rng.randint(200000, 900000)}kB, file-rss:0kB, shmem-rss:0kB",
            component="kernel-monitor",
            host=node["metadata"]["name"],
        )
        inc.root_equivalents.append(inc.member(eid))
    if f.rng.random() < 0.7:
        ts = t0 + f.ms(1, 6)
        inc.member(
            _k8s_pod(
                f,
                pod,
                [ts, ts + 10 * S],
                "Unhealthy",
                "Warning",
                f"Readiness probe failed: dial tcp {pod['status']['podIP']}:{cv.service_port(svc)}: "
                "connect: connection refused",
            )
        )
    inc.member(
        _k8s_pod(
            f,
            pod,
            _backoff_times(t0 + f.ms(12, 30), f.rng.randint(2, 4)),
            "BackOff",
            "Warning",
            f"Back-off restarting failed container {c['name']} in pod "
            f"{pod['metadata']['name']}_{pod['metadata']['namespace']}({pod['metadata']['uid']})",
        )
    )
    inc.end = propagate(f, inc, svc, t0, f.rng.choice(("connection_refused", "timeout")))
    return True


def _pick_node(f: FaultCtx, *, min_pods: int = 1) -> Obj | None:
    nodes = [
        n
        for n in f.cv.kind("Node")
        if n["metadata"]["name"] not in f.avoid
        and len(f.cv.pods_on(n["metadata"]["name"])) >= min_pods
        and f.free(f.cv.pods_on(n["metadata"]["name"]))
    ]
    return f.rng.choice(nodes) if nodes else None


def _lost_services(cv: ClusterView, node_name: str) -> list[str]:
    """Services whose every pod is on the node: they go down with it."""
    return [
        s for s in cv.services_with_pods() if all(p["spec"]["nodeName"] == node_name for p in cv.pods_of_service[s])
    ]


def node_notready(f: FaultCtx, inc: Incident, t0: int) -> bool:
    """The kubelet stops reporting: the node and its pods go NotReady, endpoints drop them, callers fail, and
    after the 300s toleration the pods are marked for deletion."""
    node = _pick_node(f)
    if node is None:
        return False
    name, cv = node["metadata"]["name"], f.cv
    pods = cv.pods_on(name)
    inc.root_event_id = inc.member(
        f.stream.k8s_event(
            node,
            times=[t0],
            reason="NodeNotReady",
            type_="Normal",
            message=f"Node {name} status is now: NodeNotReady",
            component="node-controller",
        )
    )
    inc.root_resource = _ref(node, f.stream.cluster)
    inc.footprint |= {name} | {p["metadata"]["uid"] for p in pods}
    inc.core |= {name} | {p["metadata"]["uid"] for p in pods}
    for pod in pods:
        inc.member(
            _k8s_pod(
                f, pod, [t0 + f.ms(0.5, 3)], "NodeNotReady", "Warning", "Node is not ready", component="node-controller"
            )
        )
    end = t0
    on_node = {p["metadata"]["uid"] for p in pods}
    for svc in _lost_services(cv, name):
        end = max(end, propagate(f, inc, svc, t0 + f.ms(40, 60), "connection_refused", skip_pods=on_node, max_depth=2))
    for pod in pods:
        ts = t0 + 300 * S + f.ms(0, 3)
        inc.context(
            _k8s_pod(
                f,
                pod,
                [ts],
                "TaintManagerEviction",
                "Normal",
                f"Marking for deletion Pod {pod['metadata']['namespace']}/{pod['metadata']['name']}",
                component="taint-eviction-controller",
            )
        )
        end = max(end, ts)
    inc.end = end
    return True


def _earliest(f: FaultCtx, inc: Incident) -> str:
    """The incident's first event so far (its first sighting, for roots that no event is about)."""
    ids = set(inc.event_ids)
    return min((line.ts, n, line.event_id) for n, line in enumerate(f.stream.items) if line.event_id in ids)[2]


def _probe_timeout(f: FaultCtx, pod: Obj, ts: int, repeats: int) -> str:
    c = _container(pod)
    return _k8s_pod(
        f,
        pod,
        [ts + i * 10 * S for i in range(repeats)],
        "Unhealthy",
        "Warning",
        f'Readiness probe failed: Get "http://{pod["status"]["podIP"]}:8080/ready": context deadline exceeded '
        f"(Client.Timeout exceeded while awaiting headers) ({c['name']})",
    )


def node_network_loss(f: FaultCtx, inc: Incident, t0: int) -> bool:
    """The node drops off the network: callers elsewhere time out on its pod IPs (the only signal for ~40s, network
    facts only), then the node controller marks it NotReady. Variant (about half, with ``variants``): the node
    controller never says so; callers' IP-only timeouts and readiness-probe timeouts on the node's pods of several
    workloads are all there is, and the root is the Node that no event is about."""
    cv = f.cv
    silent = f.knobs.variants and f.rng.random() < 0.5
    for _ in range(5):
        node = _pick_node(f, min_pods=2 if silent else 1)
        if node is None:
            return False
        name = node["metadata"]["name"]
        pods = cv.pods_on(name)
        on_node = {p["metadata"]["uid"] for p in pods}
        targets = [(p, cv.service_of_pod(p)) for p in pods]
        targets = [
            (p, s)
            for p, s in targets
            if s and any(q["metadata"]["uid"] not in on_node for c in cv.callers(s) for q in cv.pods_of_service[c])
        ]
        if silent and len({cv.workload(p)["metadata"]["uid"] for p in pods}) < 2:
            continue
        if targets:
            targets = f.rng.sample(targets, k=min(len(targets), 4))
            break
    else:
        return False
    inc.footprint |= {name} | on_node
    inc.core |= {name} | on_node
    trace = f.trace()
    end = t0
    for pod, svc in targets:
        callers = cv.callers(svc)
        for caller_svc in f.rng.sample(callers, k=min(len(callers), 3)):
            cands = [q for q in cv.pods_of_service[caller_svc] if q["metadata"]["uid"] not in on_node]
            if f.shun:
                cands = [q for q in cands if f.usable(q)]
            for caller in cands[:2]:
                for _ in range(f.rng.randint(1, 3)):
                    ts = t0 + f.ms(1, 35)
                    caller_error(
                        f,
                        inc,
                        caller,
                        svc,
                        ts,
                        f.rng.choice(("timeout", "timeout", "connection_refused")),
                        f.symptom_trace([trace]) if f.knobs.sparse_traces else trace,
                        mode="network",
                        dest_pod=pod,
                    )
                    end = max(end, ts)
    inc.root_resource = _ref(node, f.stream.cluster)
    if silent:
        inc.variant = "no_node_event"
        # The kubelet's probes time out too (the pods cannot reach what they need); on pods of several workloads.
        by_workload: dict[str, list[Obj]] = {}
        for pod in pods:
            by_workload.setdefault(cv.workload(pod)["metadata"]["uid"], []).append(pod)
        groups = [by_workload[k] for k in sorted(by_workload)]
        for group in f.rng.sample(groups, k=min(len(groups), f.rng.randint(2, 4))):
            for pod in group[: f.rng.randint(1, len(group))]:
                ts = t0 + f.ms(8, 40)
                inc.member(_probe_timeout(f, pod, ts, f.rng.randint(1, 3)))
                end = max(end, ts + 20 * S)
        if not inc.event_ids:
            return False
        inc.root_event_id = _earliest(f, inc)
        for svc in _lost_services(cv, name):
            end = max(
                end,
                propagate(
                    f, inc, svc, t0 + f.ms(40, 60), "http_5xx", skip_pods=on_node, network_only=True, max_depth=2
                ),
            )
        inc.end = end
        return True
    t_nr = t0 + f.ms(40, 50)
    inc.root_event_id = inc.member(
        f.stream.k8s_event(
            node,
            times=[t_nr],
            reason="NodeNotReady",
            type_="Normal",
            message=f"Node {name} status is now: NodeNotReady",
            component="node-controller",
        )
    )
    for pod in pods:
        inc.member(
            _k8s_pod(
                f,
                pod,
                [t_nr + f.ms(0.5, 3)],
                "NodeNotReady",
                "Warning",
                "Node is not ready",
                component="node-controller",
            )
        )
    for svc in _lost_services(cv, name):
        end = max(end, propagate(f, inc, svc, t_nr, "http_5xx", skip_pods=on_node, network_only=True, max_depth=2))
    inc.end = max(end, t_nr + 3 * S)
    return True


def _new_pod(f: FaultCtx, old: Obj, rs_name: str, rs_uid: str, image: str) -> Obj:
    pod = copy.deepcopy(old)
    suffix = "".join(f.rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))
    pod["metadata"].update(
        {"name": f"{rs_name}-{suffix}", "generateName": f"{rs_name}-", "uid": f"{f.stream._id('pod', rs_name)}"}
    )
    pod["metadata"]["labels"]["pod-template-hash"] = rs_name.rsplit("-", 1)[1]
    pod["metadata"]["ownerReferences"][0].update({"name": rs_name, "uid": rs_uid})
    pod["spec"]["containers"][0]["image"] = image
    pod["status"] = {
        "phase": "Pending",
        "hostIP": old["status"]["hostIP"],
        "podIP": "",
        "conditions": [{"type": "PodScheduled", "status": "True"}],
    }
    return pod


def bad_rollout(f: FaultCtx, inc: Incident, t0: int) -> bool:
    """A Deployment's image is changed; the new ReplicaSet's pod crash-loops or cannot pull (the old pod stays)."""
    cv = f.cv
    deps = [
        w
        for w in cv.workloads()
        if w["kind"] == "Deployment" and cv.pods_of_workload(w) and f.free(cv.pods_of_workload(w))
    ]
    if not deps:
        return False
    dep = f.rng.choice(deps)
    old_pod = cv.pods_of_workload(dep)[0]
    variant = f.rng.choice(("crashloop", "imagepull"))
    inc.kind = f"bad_rollout_{variant}"
    c = _container(old_pod)
    repo, _, tag = str(c.get("image", "app:v1")).rpartition(":")
    new_image = f"{repo}:{tag}-hotfix1" if variant == "crashloop" else f"{repo}:{tag.replace('v', 'v-')}-rc0"
    new_dep = copy.deepcopy(dep)
    new_dep["spec"]["template"]["spec"]["containers"][0]["image"] = new_image
    new_dep["metadata"].setdefault("annotations", {})["deployment.kubernetes.io/revision"] = "2"
    inc.root_event_id = inc.member(f.stream.change(ts=t0, kind="MODIFIED", obj=new_dep))
    inc.root_resource = _ref(dep, f.stream.cluster)
    name = dep["metadata"]["name"]
    rs_name = f"{name}-{''.join(f.rng.choice('bcdfghjklmnpqrstvwxz2456789') for _ in range(10))}"
    old_rs = cv.by_uid[old_pod["metadata"]["ownerReferences"][0]["uid"]]
    rs = copy.deepcopy(old_rs)
    rs["metadata"].update({"name": rs_name, "uid": f.stream._id("rs", rs_name)})
    rs["spec"]["replicas"] = 1
    rs["spec"]["template"]["spec"]["containers"][0]["image"] = new_image
    rs["status"] = {"replicas": 1, "readyReplicas": 0, "availableReplicas": 0}
    pod = _new_pod(f, old_pod, rs_name, rs["metadata"]["uid"], new_image)
    inc.context(f.stream.change(ts=t0 + 150, kind="ADDED", obj=rs))
    inc.context(
        f.stream.k8s_event(
            dep,
            times=[t0 + 200],
            reason="ScalingReplicaSet",
            type_="Normal",
            message=f"Scaled up replica set {rs_name} from 0 to 1",
            component="deployment-controller",
        )
    )
    inc.context(f.stream.change(ts=t0 + 300, kind="ADDED", obj=pod))
    inc.context(
        f.stream.k8s_event(
            rs,
            times=[t0 + 320],
            reason="SuccessfulCreate",
            type_="Normal",
            message=f"Created pod: {pod['metadata']['name']}",
            component="replicaset-controller",
        )
    )
    inc.context(
        _k8s_pod(
            f,
            pod,
            [t0 + 400],
            "Scheduled",
            "Normal",
            f"Successfully assigned {pod['metadata']['namespace']}/{pod['metadata']['name']} to "
            f"{pod['spec']['nodeName']}",
            component="default-scheduler",
        )
    )
    inc.footprint |= {p["metadata"]["uid"] for p in cv.pods_of_workload(dep)} | {pod["metadata"]["uid"]}
    inc.core |= {p["metadata"]["uid"] for p in cv.pods_of_workload(dep)} | {pod["metadata"]["uid"]}
    t = t0 + f.ms(1, 3)
    inc.context(_k8s_pod(f, pod, [t], "Pulling", "Normal", f'Pulling image "{new_image}"'))
    if variant == "crashloop":
        inc.context(
            _k8s_pod(
                f,
                pod,
                [t + f.ms(2, 8)],
                "Pulled",
                "Normal",
                f'Successfully pulled image "{new_image}" in 3.1s (3.1s including waiting). '
                f"Image size: {f.rng.randint(20, 300) * 1_000_000} bytes.",
            )
        )
        t += f.ms(8, 12)
        inc.context(_k8s_pod(f, pod, [t], "Created", "Normal", f"Created container {c['name']}"))
        inc.context(_k8s_pod(f, pod, [t + 300], "Started", "Normal", f"Started container {c['name']}"))
        exit_ts = t + f.ms(1, 6)
        inc.member(
            f.stream.collector(
                ts=exit_ts,
                pod=pod,
                mode=f.mode(network_ok=False),
                type_="process",
                source="ebpf-process",
                category="process",
                severity="error",
                reason="process_exit",
                message=f"container {c['name']} exited with code 1",
                workload=("Deployment", name),
                extra={
                    "kernel": {
                        "syscall": "exit_group",
                        "pid": f.rng.randint(1, 50),
                        "comm": _comm(new_image),
                        "return_code": 1,
                    }
                },
            )
        )
        times = _backoff_times(exit_ts + f.ms(8, 12), f.rng.randint(3, 6))
        inc.member(
            _k8s_pod(
                f,
                pod,
                times,
                "BackOff",
                "Warning",
                f"Back-off restarting failed container {c['name']} in pod "
                f"{pod['metadata']['name']}_{pod['metadata']['namespace']}({pod['metadata']['uid']})",
            )
        )
        inc.end = times[-1]
    else:
        t += f.ms(1, 3)
        times = _backoff_times(t, f.rng.randint(3, 5))
        inc.member(
            _k8s_pod(
                f,
                pod,
                times,
                "Failed",
                "Warning",
                f'Failed to pull image "{new_image}": rpc error: code = NotFound desc = failed to pull and '
                f'unpack image "{new_image}": failed to resolve reference "{new_image}": {new_image}: not found',
            )
        )
        inc.member(_k8s_pod(f, pod, [x + 50 for x in times], "Failed", "Warning", "Error: ErrImagePull"))
        inc.context(
            _k8s_pod(f, pod, [x + 5 * S for x in times], "BackOff", "Normal", f'Back-off pulling image "{new_image}"')
        )
        inc.member(_k8s_pod(f, pod, [x + 5 * S + 50 for x in times], "Failed", "Warning", "Error: ImagePullBackOff"))
        inc.end = times[-1] + 5 * S
    return True


def configmap_change(f: FaultCtx, inc: Incident, t0: int) -> bool:
    """A ConfigMap's data changes; the kubelet syncs the mounted file within a minute, its users' pods start failing
    readiness and returning errors, and their callers see 5xx."""
    cv = f.cv
    users = {k: [w for w in v if cv.pods_of_workload(w)] for k, v in cv.configmap_users().items()}
    cands = [k for k, v in users.items() if v and f.free([p for w in v for p in cv.pods_of_workload(w)])]
    if not cands:
        return False
    cm_name = f.rng.choice(cands)
    cm = next(c for c in cv.kind("ConfigMap") if c["metadata"]["name"] == cm_name)
    new = copy.deepcopy(cm)
    data = new.setdefault("data", {})
    key = sorted(data)[0] if data else "config.yaml"
    data[key] = str(data.get(key, ""))[: max(1, len(str(data.get(key, ""))) // 2)] + "\n  broken: [unterminated"
    inc.root_event_id = inc.member(f.stream.change(ts=t0, kind="MODIFIED", obj=new))
    inc.root_resource = _ref(cm, f.stream.cluster)
    end = t0
    for w in users[cm_name]:
        pods = cv.pods_of_workload(w)
        svc = cv.service_of_pod(pods[0])
        t_sync = t0 + f.ms(30, 90)
        for pod in pods:
            inc.footprint.add(pod["metadata"]["uid"])
            inc.core.add(pod["metadata"]["uid"])
            c = _container(pod)
            ts = t_sync + f.ms(0, 10)
            inc.member(
                f.stream.collector(
                    ts=ts,
                    pod=pod,
                    mode=f.mode(network_ok=False),
                    type_="application",
                    source="otel-logs",
                    category="application",
                    severity="error",
                    reason="app_error",
                    message=f"failed to reload configuration /etc/app/{key}: yaml: line 4: "
                    "did not find expected node content",
                    workload=_wl(cv, pod),
                    extra={
                        "application": {
                            "level": "error",
                            "message": "config reload failed",
                            "logger": "config",
                            "error_type": "ConfigError",
                        }
                    },
                )
            )
            inc.member(
                _k8s_pod(
                    f,
                    pod,
                    [ts + f.ms(5, 15), ts + 25 * S, ts + 35 * S],
                    "Unhealthy",
                    "Warning",
                    f"Readiness probe failed: HTTP probe failed with statuscode: 500 ({c['name']})",
                )
            )
            if f.rng.random() < 0.5:
                tk = ts + f.ms(30, 50)
                inc.context(
                    _k8s_pod(
                        f,
                        pod,
                        [tk],
                        "Killing",
                        "Normal",
                        f"Container {c['name']} failed liveness probe, will be restarted",
                    )
                )
                inc.member(
                    _k8s_pod(
                        f,
                        pod,
                        _backoff_times(tk + f.ms(10, 20), 3),
                        "BackOff",
                        "Warning",
                        f"Back-off restarting failed container {c['name']} in pod "
                        f"{pod['metadata']['name']}_{pod['metadata']['namespace']}({pod['metadata']['uid']})",
                    )
                )
            end = max(end, ts + 35 * S)
        if svc:
            end = max(end, propagate(f, inc, svc, t_sync + f.ms(5, 20), "http_5xx"))
    inc.end = end
    return True


def node_memory_pressure(f: FaultCtx, inc: Incident, t0: int) -> bool:
    """Node memory runs low: the kubelet reports the condition, tries to reclaim, and evicts pods (largest users
    over request first); single-replica services on them go down for their callers. Variant (about 40%, with
    ``variants``): no node-level event reaches the stream, only evictions of pods of two or more workloads on the
    node; the root is the Node, first seen in the earliest eviction."""
    silent = f.knobs.variants and f.rng.random() < 0.4
    node = _pick_node(f, min_pods=2)
    if node is None:
        return False
    cv, name = f.cv, node["metadata"]["name"]
    pods = cv.pods_on(name)
    by_workload: dict[str, list[Obj]] = {}
    for pod in pods:
        by_workload.setdefault(cv.workload(pod)["metadata"]["uid"], []).append(pod)
    if silent and len(by_workload) < 2:
        silent = False
    inc.footprint |= {name} | {p["metadata"]["uid"] for p in pods}
    inc.core |= {name} | {p["metadata"]["uid"] for p in pods}
    inc.root_resource = _ref(node, f.stream.cluster)
    if silent:
        inc.variant = "no_node_event"
        groups = [by_workload[k] for k in sorted(by_workload)]
        victims = [f.rng.choice(g) for g in f.rng.sample(groups, k=min(len(groups), f.rng.randint(2, 3)))]
    else:
        inc.root_equivalents.append(
            inc.member(
                f.stream.k8s_event(
                    node,
                    times=[t0],
                    reason="NodeHasInsufficientMemory",
                    type_="Normal",
                    message=f"Node {name} status is now: NodeHasInsufficientMemory",
                    component="kubelet",
                    host=name,
                )
            )
        )
        inc.root_event_id = inc.member(
            f.stream.k8s_event(
                node,
                times=[t0 + f.ms(0.1, 2), t0 + f.ms(30, 60)],
                reason="EvictionThresholdMet",
                type_="Warning",
                message="Attempting to reclaim memory",
                component="kubelet",
                host=name,
            )
        )
        if f.rng.random() < 0.4:
            inc.member(
                f.stream.k8s_event(
                    node,
                    times=[t0 + f.ms(2, 8)],
                    reason="SystemOOM",
                    type_="Warning",
                    message=f"System OOM encountered, victim process: java, pid: {f.rng.randint(1000, 60000)}",
                    component="kubelet",
                    host=name,
                )
            )
        victims = f.rng.sample(pods, k=min(len(pods), f.rng.randint(1, 3)))
    end = t0 + 60 * S
    for pod in victims:
        c = _container(pod)
        ts = t0 + f.ms(5, 25)
        req = ((c.get("resources") or {}).get("requests") or {}).get("memory", "0")
        inc.member(
            _k8s_pod(
                f,
                pod,
                [ts],
                "Evicted",
                "Warning",
                f"The node was low on resource: memory. Threshold quantity: 100Mi, available: "
                f"{f.rng.randint(20000, 99000)}Ki. Container {c['name']} was using "
                f"{f.rng.randint(300000, 1500000)}Ki, request is {req}, has larger consumption of memory. ",
            )
        )
        inc.context(_k8s_pod(f, pod, [ts + 100], "Killing", "Normal", f"Stopping container {c['name']}"))
        svc = cv.service_of_pod(pod)
        if svc and len(cv.pods_of_service[svc]) == 1:
            end = max(end, propagate(f, inc, svc, ts, "connection_refused", max_depth=2))
    if silent:
        inc.root_event_id = _earliest(f, inc)
    inc.end = end
    return True


def crashloop(f: FaultCtx, inc: Incident, t0: int) -> bool:
    """A workload crash-loops with no change (a dependency it needs at start is gone, bad data): every pod of it
    exits, restarts with back-off; its callers get refused."""
    cv = f.cv
    cands = [
        w
        for w in cv.workloads()
        if cv.pods_of_workload(w) and f.free(cv.pods_of_workload(w)) and not DATASTORE.search(w["metadata"]["name"])
    ]
    if not cands:
        return False
    if f.knobs.variants:  # workload-wide: a workload with several pods when the app has one
        cands = [w for w in cands if len(cv.pods_of_workload(w)) >= 2] or cands
    w = f.rng.choice(cands)
    pods = cv.pods_of_workload(w)
    end = t0
    for i, pod in enumerate(pods):
        c = _container(pod)
        ts = t0 + (f.ms(3, 25) if i else 0)
        inc.footprint.add(pod["metadata"]["uid"])
        inc.core.add(pod["metadata"]["uid"])
        eid = inc.member(
            f.stream.collector(
                ts=ts,
                pod=pod,
                mode=f.mode(network_ok=False),
                type_="process",
                source="ebpf-process",
                category="process",
                severity="error",
                reason="process_exit",
                message=f"container {c['name']} exited with code {f.rng.choice((1, 1, 2, 134))}",
                workload=_wl(cv, pod),
                extra={
                    "kernel": {
                        "syscall": "exit_group",
                        "pid": 1,
                        "comm": _comm(str(c.get("image", ""))),
                        "return_code": 1,
                    }
                },
            )
        )
        if i == 0:
            inc.root_event_id = eid
            inc.root_resource = _ref(w, f.stream.cluster)
        times = _backoff_times(ts + f.ms(8, 12), f.rng.randint(3, 6))
        inc.member(
            _k8s_pod(
                f,
                pod,
                times,
                "BackOff",
                "Warning",
                f"Back-off restarting failed container {c['name']} in pod "
                f"{pod['metadata']['name']}_{pod['metadata']['namespace']}({pod['metadata']['uid']})",
            )
        )
        end = max(end, times[-1])
        if f.rng.random() < 0.4:
            inc.member(
                _k8s_pod(
                    f,
                    pod,
                    [ts + f.ms(3, 8)],
                    "Unhealthy",
                    "Warning",
                    f'Liveness probe failed: Get "http://{pod["status"]["podIP"]}:8080/healthz": dial tcp '
                    f"{pod['status']['podIP']}:8080: connect: connection refused",
                )
            )
    svc = cv.service_of_pod(pods[0])
    if svc:
        end = max(end, propagate(f, inc, svc, t0 + f.ms(10, 30), "connection_refused", max_depth=2))
    inc.end = end
    return True


def recurring_oom(f: FaultCtx, inc: Incident, t0: int) -> bool:
    """A workload is OOM-killed every few hours (a slow leak): the same kill, again and again, at a period.
    With ``variants`` each kill is its own incident (own id, root = that kill, on whichever pod of the workload
    it hit), the occurrences sharing a ``series`` id and the period."""
    cv = f.cv
    cands = [p for p in cv.kind("Pod") if f.free([p])]
    if not cands:
        return False
    pod = f.rng.choice(cands)
    wl_pods = [pod]
    if f.knobs.variants:
        wl_pods = [p for p in cv.pods_of_workload(cv.workload(pod)) if f.free([p])] or [pod]
    c = _container(pod)
    period = f.rng.choice((2, 3, 4, 6)) * H
    n = f.rng.randint(4, 6)
    comm = _comm(str(c.get("image", "")))
    limit = ((c.get("resources") or {}).get("limits") or {}).get("memory", "512Mi")
    inc.period_seconds = period // 1000
    inc.root_resource = _ref(pod, f.stream.cluster)
    inc.root_workload = _ref(cv.workload(pod), f.stream.cluster)
    inc.footprint.add(pod["metadata"]["uid"])
    inc.core.add(pod["metadata"]["uid"])
    for j in range(n):
        ts = t0 + j * period + int(f.rng.uniform(-0.02, 0.02) * period)
        occ = inc
        if f.knobs.variants:
            victim = pod if j == 0 else f.rng.choice(wl_pods)
            occ = Incident(
                id=f"{inc.id}.{j + 1}",
                kind=inc.kind,
                start=ts,
                period_seconds=inc.period_seconds,
                series=inc.id,
                root_resource=_ref(victim, f.stream.cluster),
                root_workload=inc.root_workload,
                footprint={victim["metadata"]["uid"]},
                core={victim["metadata"]["uid"]},
            )
            inc.occurrences.append(occ)
            inc.footprint.add(victim["metadata"]["uid"])
            inc.core.add(victim["metadata"]["uid"])
        else:
            victim = pod
        node = cv.node(victim["spec"]["nodeName"])
        pid = f.rng.randint(1000, 60000)
        eid = occ.member(
            f.stream.collector(
                ts=ts,
                pod=victim,
                mode=f.mode(network_ok=False),
                type_="kernel",
                source="ebpf-kernel",
                category="memory",
                severity="critical",
                reason="oom_kill",
                message=f"OOM kill: process {pid} ({comm}) in container {c['name']} exceeded memory limit {limit}",
                workload=_wl(cv, victim),
                extra={"kernel": {"syscall": "", "pid": pid, "comm": comm, "return_code": -12}},
            )
        )
        if j == 0 or occ is not inc:
            occ.root_event_id = eid
        if f.rng.random() < 0.5:
            npd = occ.member(
                f.stream.k8s_event(
                    node,
                    times=[ts + f.ms(0.2, 2)],
                    reason="OOMKilling",
                    type_="Warning",
                    message=f"Memory cgroup out of memory: Killed process {pid} ({comm}) total-vm:3145728kB, "
                    f"anon-rss:{f.rng.randint(400000, 900000)}kB, file-rss:0kB, shmem-rss:0kB",
                    component="kernel-monitor",
                    host=node["metadata"]["name"],
                )
            )
            if j == 0 or occ is not inc:
                occ.root_equivalents.append(npd)
        if f.rng.random() < 0.5:
            occ.member(
                _k8s_pod(
                    f,
                    victim,
                    [ts + f.ms(2, 8)],
                    "Unhealthy",
                    "Warning",
                    f'Readiness probe failed: Get "http://{victim["status"]["podIP"]}:8080/ready": '
                    "context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
                )
            )
        occ.end = ts + 10 * S
        inc.end = ts + 10 * S
    return True


# -- app-level faults, seen only through collector events (as the Nezha benchmark records them) -----------------

APP_FAULTS = ("cpu_contention", "network_delay", "exception")


def _metric(f: FaultCtx, pod: Obj, ts: int, name: str, value: float, baseline: float, unit: str) -> str:
    category = "performance" if name.startswith("latency") else "resource"
    return f.stream.collector(
        ts=ts,
        pod=pod,
        mode=f.rng.choice(("k8s", "k8s", "entity")),
        type_="metric",
        source="prometheus",
        category=category,
        severity="error" if value > 3 * baseline else "warning",
        reason=name,
        message=f"{name} {value:g}{unit} deviates from its baseline {baseline:g}{unit}",
        workload=_wl(f.cv, pod),
        extra={"metrics": {"name": name, "value": value, "baseline": baseline, "unit": unit}},
    )


def _span(
    f: FaultCtx,
    pod: Obj,
    ts: int,
    *,
    operation: str,
    latency_ms: int,
    trace_id: str,
    severity: str = "warning",
    status: int = 200,
    mode: ContextMode | None = None,
    peer: Obj | None = None,
    peer_service: str = "",
) -> str:
    """A slow (or failed) span of ``pod``; with ``peer``, a client span towards that pod (its IP as destination)."""
    cv = f.cv
    net: Obj | None = None
    if peer is not None:
        net = {
            "protocol": "HTTP",
            "source_ip": pod["status"]["podIP"],
            "source_port": f.rng.randint(32768, 60999),
            "dest_ip": peer["status"]["podIP"],
            "dest_port": cv.service_port(peer_service),
            "direction": "egress",
            "latency_ns": latency_ms * 1_000_000,
            "status_code": status,
        }
    where = f"call to {peer_service} ({net['dest_ip']}:{net['dest_port']})" if net else f"span {operation}"
    text = f"{where} took {latency_ms} ms" + (f", HTTP {status}" if status >= 500 else "")
    return f.stream.collector(
        ts=ts,
        pod=pod,
        mode=mode or (f.mode() if net else f.rng.choice(("k8s", "k8s", "entity"))),
        type_="trace",
        source="otel-traces",
        category="performance",
        severity=severity,
        reason="http_5xx" if status >= 500 else "slow_span",
        message=text,
        trace_id=trace_id,
        network=net,
        workload=_wl(cv, pod),
        extra={"span": {"operation": operation, "duration_ms": latency_ms, "status_code": status}},
    )


def _error_log(f: FaultCtx, pod: Obj, ts: int, svc: str, trace_id: str) -> str:
    err = f.rng.choice(("NullPointerException", "RuntimeError", "IllegalStateException", "TimeoutError"))
    return f.stream.collector(
        ts=ts,
        pod=pod,
        mode=f.rng.choice(("k8s", "k8s", "entity")),
        type_="log",
        source="otel-logs",
        category="application",
        severity="error",
        reason="error_log",
        message=f"{svc}: unhandled {err} while serving request",
        trace_id=trace_id,
        workload=_wl(f.cv, pod),
        extra={"application": {"level": "error", "message": f"unhandled {err}", "logger": svc, "error_type": err}},
    )


def hub_service(cv: ClusterView, exclude: set[str]) -> str:
    """The service most others call (a hub): every request path goes through it."""
    hubs = sorted((-len(cv.callers(s)), s) for s in cv.services_with_pods() if s not in exclude)
    return hubs[0][1] if hubs and -hubs[0][0] >= 2 else ""


def app_fault(f: FaultCtx, inc: Incident, t0: int) -> bool:
    """CPU contention, network delay or an exception injected into one pod, for 2-4 minutes. The pod's own
    collector events (metric deviations, slow spans, error logs) are the signal; its direct callers see slow or
    failed calls to its IP, some in the same traces, some not; a hub service shows a weak slow span too, before
    and during the fault (noise: being called by many is not evidence). No Kubernetes Event at all."""
    cv = f.cv
    services = [s for s in cv.services_with_pods() if cv.callers(s)]
    services = [s for s in services if not DATASTORE.search(s)] or services
    pods = [p for s in services for p in cv.pods_of_service[s] if f.free([p])]
    if not pods:
        return False
    pod = f.rng.choice(pods)
    svc = cv.service_of_pod(pod)
    fault = f.rng.choice(APP_FAULTS)
    inc.variant = fault
    inc.root_resource = _ref(pod, f.stream.cluster)
    inc.root_workload = _ref(cv.workload(pod), f.stream.cluster)
    inc.footprint.add(pod["metadata"]["uid"])
    inc.core.add(pod["metadata"]["uid"])
    duration = f.ms(120, 240)
    traces = [f.trace() for _ in range(f.rng.randint(2, 4))]
    op = f"{svc}/{f.rng.choice(('get', 'list', 'create', 'checkout', 'search'))}"
    base_p99 = f.rng.randint(20, 120)

    def own(k: int, ts: int) -> str:
        """The faulty pod's k-th anomaly: the fault's first signature first, then a mix."""
        if fault == "cpu_contention":
            kinds = ("cpu", "latency", "span", "cpu", "span")
        elif fault == "network_delay":
            kinds = ("span", "latency", "span", "span", "latency")
        else:
            kinds = ("error", "span_err", "error", "latency", "error")
        what = kinds[k] if k < len(kinds) else f.rng.choice(kinds)
        if what == "cpu":
            return _metric(f, pod, ts, "cpu_usage", round(f.rng.uniform(0.9, 1.0), 2), 0.3, " cores")
        if what == "latency":
            return _metric(f, pod, ts, "latency_p99", f.rng.randint(8, 30) * base_p99, base_p99, "ms")
        if what == "span_err":
            return _span(
                f,
                pod,
                ts,
                operation=op,
                latency_ms=f.rng.randint(5, 50),
                trace_id=f.rng.choice(traces),
                severity="error",
                status=500,
            )
        if what == "error":
            return _error_log(f, pod, ts, svc, f.rng.choice(traces) if f.rng.random() < 0.5 else "")
        return _span(
            f, pod, ts, operation=op, latency_ms=f.rng.randint(10, 40) * base_p99, trace_id=f.rng.choice(traces)
        )

    n_own = f.rng.randint(5, 9)
    stamps = sorted([t0] + [t0 + f.ms(5, duration / S) for _ in range(n_own - 1)])
    for k, ts in enumerate(stamps):
        eid = inc.member(own(k, ts))
        if k == 0:
            inc.root_event_id = eid
    if fault in ("cpu_contention", "exception") and f.rng.random() < 0.4:
        inc.member(_metric(f, pod, t0 + f.ms(20, 60), "memory_usage", f.rng.randint(600, 900), 300, "Mi"))
    end = stamps[-1]
    callers = cv.callers(svc)
    for caller_svc in f.rng.sample(callers, k=min(len(callers), 3)):
        cands = [q for q in cv.pods_of_service[caller_svc] if q["metadata"]["uid"] != pod["metadata"]["uid"]]
        cands = [q for q in cands if f.usable(q)] if f.shun else cands
        for caller in cands[: f.rng.randint(1, 2)]:
            for _ in range(f.rng.randint(1, 3)):
                ts = t0 + f.ms(3, duration / S)
                tid = f.symptom_trace(traces) if f.knobs.sparse_traces else f.rng.choice(traces)
                failed = fault == "exception" or f.rng.random() < 0.2
                inc.member(
                    _span(
                        f,
                        caller,
                        ts,
                        operation=f"{caller_svc}->{svc}",
                        latency_ms=f.rng.randint(5, 50) if failed else f.rng.randint(8, 30) * base_p99,
                        trace_id=tid,
                        severity="error" if failed else "warning",
                        status=f.rng.choice((500, 503)) if failed else 200,
                        peer=pod,
                        peer_service=svc,
                    )
                )
                inc.footprint.add(caller["metadata"]["uid"])
                end = max(end, ts)
    hub = hub_service(cv, {svc})
    if hub:
        for ts in (t0 - f.ms(20, 150), t0 + f.ms(10, duration / S)):
            if f.rng.random() < 0.7:
                hub_pod = f.rng.choice(cv.pods_of_service[hub])
                if not f.usable(hub_pod) or hub_pod["metadata"]["uid"] == pod["metadata"]["uid"]:
                    continue
                inc.noise_ids.append(
                    _span(
                        f,
                        hub_pod,
                        ts,
                        operation=f"{hub}/handle",
                        latency_ms=f.rng.randint(300, 900),
                        trace_id=f.rng.choice(traces) if f.rng.random() < 0.3 else "",
                    )
                )
    inc.end = end + 10 * S
    return True


FAULTS: dict[str, Callable[[FaultCtx, Incident, int], bool]] = {
    "datastore_oom": datastore_oom,
    "node_notready": node_notready,
    "bad_rollout": bad_rollout,
    "configmap_change": configmap_change,
    "node_memory_pressure": node_memory_pressure,
    "node_network_loss": node_network_loss,
    "crashloop": crashloop,
    "recurring_oom": recurring_oom,
    "app_fault": app_fault,
}
CLASSIC_KINDS = tuple(k for k in FAULTS if k != "app_fault")
