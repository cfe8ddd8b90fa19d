"""The eight Kubernetes-level fault kinds and the app-level faults seen only through collector events.

Each builder takes a ``Ctx`` and a start time, picks a root the scenario has not used yet (``None`` when the app
has none that fits, e.g. no datastore), emits the root's own evidence and the symptoms downstream of it, and
returns the ``Incident``s (one, or one per occurrence for a recurring OOM and per fault of a back-to-back run).
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from bench.accuracy.indep.cluster import Node, Pod, Workload, iso, make_pod, suffix
from bench.accuracy.indep.symptoms import Ctx, Incident, S, caller_sees, cascade, probe, restarts
from bench.accuracy.indep.wire import bump

Builder = Callable[[Ctx, int], list[Incident]]
MIN = 60 * S


def _free(ctx: Ctx, ws: list[Workload]) -> list[Workload]:
    """Workloads no other fault of the scenario has as its root; preferably ones no other fault touched."""
    free = [w for w in ws if w.pods and w.name not in ctx.busy and w.kind != "DaemonSet"]
    quiet = [w for w in free if w.name not in ctx.shown]
    return quiet or free


def _claim(ctx: Ctx, *names: str) -> None:
    ctx.busy.update(names)


def _top(ctx: Ctx, w: Workload) -> dict[str, str]:
    return ctx.ref(w.kind, w.name)


# ---------------------------------------------------------------- config change


def config_change(ctx: Ctx, t: int) -> list[Incident]:
    rng, cl, f = ctx.rng, ctx.cl, ctx.feed
    options = [k for k in cl.configs if f"{k[0]}/{k[1]}" not in ctx.busy and _free(ctx, cl.users_of(*k))]
    if not options:
        return []
    multi = [k for k in options if len(_free(ctx, cl.users_of(*k))) > 1]
    kind, name = rng.choice(multi if multi and rng.random() < 0.6 else options)
    users = _free(ctx, cl.users_of(kind, name))[:3]
    _claim(ctx, f"{kind}/{name}", *(u.name for u in users))
    obj = cl.configs[(kind, name)]
    rv = bump(obj, rng)
    data = obj.setdefault("data", {})
    key = rng.choice(sorted(data) or ["value"])
    data[key] = f"{data.get(key, '')}# edited {suffix(rng, 4)}\n" if kind == "ConfigMap" else f"{rng.getrandbits(64):x}"
    inc = Incident("configmap_change", t, ctx.ref(kind, name), variant=kind.lower())
    inc.root_event_id = f.change(t, obj, eid=f"{obj['metadata']['uid']}@{rv}")
    inc.add(inc.root_event_id)
    mode = "auth" if kind == "Secret" else rng.choice(["reload", "restart"])
    for w in users:
        pods = w.pods if len(w.pods) < 3 else rng.sample(w.pods, k=len(w.pods) - rng.randint(0, 1))
        for pod in pods:
            at = t + rng.randint(15, 100) * S
            if mode == "auth":
                text = rng.choice(
                    [
                        'FATAL: password authentication failed for user "app"',
                        "AUTH failed: WRONGPASS invalid username-password pair",
                        "MongoServerError: Authentication failed.",
                    ]
                )
                inc.add(
                    f.collector(
                        at,
                        kind="log",
                        severity="error",
                        message=text,
                        pod=pod,
                        application={"level": "error", "message": text, "error_type": "AuthError"},
                    )
                )
                if rng.random() < 0.7:
                    restarts(ctx, inc, pod, at + rng.randint(10, 40) * S, rng.randint(2, 6))
                else:
                    probe(ctx, inc, pod, at + 5 * S, "500", rng.randint(2, 5))
            elif mode == "restart":
                inc.ctx(f.k8s(at - 8 * S, pod, "Killing", f"Stopping container {pod.container}", warning=False))
                inc.add(
                    f.k8s(
                        at,
                        pod,
                        "Failed",
                        f"Error: couldn't find key {key} in ConfigMap {cl.namespace}/{name}",
                        count=rng.randint(2, 5),
                        field_path=f"spec.containers{{{pod.container}}}",
                    )
                )
                restarts(ctx, inc, pod, at + rng.randint(20, 50) * S, rng.randint(2, 5))
            else:
                why = rng.choice(
                    [
                        f"config reload failed: yaml: line {rng.randint(2, 40)}: did not find expected key",
                        f'invalid value for {key}: strconv.Atoi: parsing "{suffix(rng, 3)}": invalid syntax',
                    ]
                )
                restarts(ctx, inc, pod, at, rng.randint(2, 7), why)
        if rng.random() < 0.5:
            cascade(ctx, inc, w, t + 60 * S, "5xx", second_hop=0.3)
    return [inc]


# ---------------------------------------------------------------- datastore OOM


def _oom_evidence(ctx: Ctx, inc: Incident, pod: Pod, t: int, forms: list[str]) -> None:
    """The kill itself, as one to three sources report it; the first form named is the root, the rest equivalents."""
    f, rng = ctx.feed, ctx.rng
    ids: list[str] = []
    c = pod.container
    for form in forms:
        if form == "change":
            obj = copy.deepcopy(pod.obj)
            bump(obj, rng)
            st = obj["status"]["containerStatuses"][0]
            st["restartCount"] = int(st.get("restartCount", 0)) + 1
            st["lastState"] = {
                "terminated": {
                    "reason": "OOMKilled",
                    "exitCode": 137,
                    "startedAt": iso(t - 3600 * S),
                    "finishedAt": iso(t),
                }
            }
            st["state"] = {"running": {"startedAt": iso(t + 2 * S)}}
            pod.obj["status"] = obj["status"]
            rv = pod.obj["metadata"]["resourceVersion"] = obj["metadata"]["resourceVersion"]  # versions only go up
            # the version that shows the kill names it (DESIGN §4)
            ids.append(f.change(t + rng.randint(1, 4) * S, obj, eid=f"{pod.uid}@{rv}", warning=True))
        elif form == "kernel":
            proc = c.split("-")[0][:15]
            text = (
                f"Memory cgroup out of memory: Killed process {rng.randint(900, 60000)} ({proc}) total-vm:"
                f"{rng.randint(900_000, 4_000_000)}kB, anon-rss:{rng.randint(200_000, 1_000_000)}kB"
            )
            ids.append(
                f.collector(
                    t,
                    kind="kernel",
                    severity="critical",
                    message=text,
                    pod=pod,
                    kernel={"pid": rng.randint(900, 60000), "comm": proc},
                )
            )
        else:  # node-problem-detector on the node
            text = f"Killed process {rng.randint(900, 60000)} ({c[:15]}) total-vm:{rng.randint(900_000, 4_000_000)}kB"
            ids.append(f.k8s(t + rng.randint(0, 3) * S, pod.node, "OOMKilling", text, component="kernel-monitor"))
    inc.root_event_id, inc.root_equivalents = ids[0], ids[1:]
    inc.add(*ids)


def datastore_oom(ctx: Ctx, t: int) -> list[Incident]:
    rng, cl, f = ctx.rng, ctx.cl, ctx.feed
    stores = [w for w in _free(ctx, [w for w in cl.workloads.values() if w.datastore]) if cl.callers(w)]
    if not stores:
        return []
    w = rng.choice(stores)
    _claim(ctx, w.name)
    pod = rng.choice(w.pods)
    inc = Incident("datastore_oom", t, ctx.ref("Pod", pod.name), root_workload=_top(ctx, w))
    if rng.random() < 0.6:
        text = f"memory working set {rng.randint(92, 99)}% of limit"
        inc.add(
            f.collector(
                t - rng.randint(30, 120) * S,
                kind="metric",
                severity="warning",
                message=text,
                pod=pod,
                category="resource",
                metrics={
                    "metric_name": "container_memory_working_set_bytes",
                    "value": rng.randint(400, 1000) * 2**20,
                    "unit": "bytes",
                },
            )
        )
    forms = rng.choice([["change"], ["kernel"], ["change", "npd"], ["kernel", "npd"], ["change", "kernel"]])
    _oom_evidence(ctx, inc, pod, t, forms)
    if rng.random() < 0.6:
        restarts(ctx, inc, pod, t + rng.randint(20, 60) * S, rng.randint(2, 4))
    else:
        probe(ctx, inc, pod, t + rng.randint(5, 20) * S, "refused", rng.randint(1, 4))
    cascade(ctx, inc, w, t, rng.choice(["timeout", "refused"]), target_pods=[pod], second_hop=0.7)
    return [inc]


# ---------------------------------------------------------------- bad rollout


def bad_rollout(ctx: Ctx, t: int) -> list[Incident]:
    rng, cl, f = ctx.rng, ctx.cl, ctx.feed
    deps = [w for w in _free(ctx, list(cl.workloads.values())) if w.kind == "Deployment" and not w.datastore]
    if not deps:
        return []
    w = rng.choice(deps)
    _claim(ctx, w.name)
    c = w.obj["spec"]["template"]["spec"]["containers"][0]
    repo = str(c.get("image", "app")).rsplit(":", 1)[0]
    image = f"{repo}:{rng.choice(['v2.4.0-rc1', 'sha-' + suffix(rng, 7), '2025.11.3', 'latest-canary'])}"
    c["image"] = image
    rv = bump(w.obj, rng)
    w.obj["metadata"]["generation"] = int(w.obj["metadata"].get("generation", 1)) + 1
    variant = rng.choice(["image", "crash"])
    inc = Incident("bad_rollout", t, _top(ctx, w), variant=variant)
    inc.root_event_id = f.change(t, w.obj, eid=f"{w.uid}@{rv}")
    inc.add(inc.root_event_id)
    h = suffix(rng, 10)
    labels = {**w.obj["spec"]["template"]["metadata"]["labels"], "pod-template-hash": h}
    rs = copy.deepcopy(w.rs) if w.rs else {"metadata": {}}
    rs["metadata"].update(
        {
            "name": f"{w.name}-{h}",
            "uid": f"{rng.getrandbits(128):032x}",
            "labels": labels,
            "resourceVersion": str(rng.randint(10**6, 10**7)),
            "creationTimestamp": iso(t),
        }
    )
    rs["spec"]["replicas"] = 1
    rs["spec"]["template"] = copy.deepcopy(w.obj["spec"]["template"])
    f.change(t + 1 * S, rs, "ADDED")
    inc.ctx(
        f.k8s(
            t + 1 * S,
            w,
            "ScalingReplicaSet",
            f"Scaled up replica set {w.name}-{h} to 1",
            warning=False,
            component="deployment-controller",
        )
    )
    owner = ("ReplicaSet", rs["metadata"]["name"], rs["metadata"]["uid"])
    for i in range(rng.randint(1, 2)):
        node = rng.choice(cl.nodes)
        pod = make_pod(cl, w, f"{w.name}-{h}-{suffix(rng, 5)}", node, owner, labels, rng, t + 2 * S, image)
        st = pod.obj["status"]
        st["phase"], st["conditions"] = "Pending", [{"type": "Ready", "status": "False"}]
        st["containerStatuses"][0].update({"ready": False, "state": {"waiting": {"reason": "ContainerCreating"}}})
        at = t + (3 + 20 * i) * S
        f.change(at, pod.obj, "ADDED")
        inc.ctx(
            f.k8s(
                at,
                pod,
                "Scheduled",
                f"Successfully assigned {cl.namespace}/{pod.name} to {node.name}",
                warning=False,
                component="default-scheduler",
            )
        )
        inc.ctx(f.k8s(at + 2 * S, pod, "Pulling", f'Pulling image "{image}"', warning=False))
        at += rng.randint(5, 25) * S
        if variant == "image":
            why = rng.choice(["not found", "unauthorized: authentication required", "manifest unknown"])
            inc.add(
                f.k8s(
                    at,
                    pod,
                    "Failed",
                    f'Failed to pull image "{image}": rpc error: code = NotFound desc = '
                    f'failed to pull and unpack image "{image}": {why}',
                    count=rng.randint(2, 4),
                    every_s=60,
                )
            )
            inc.add(f.k8s(at + 1 * S, pod, "Failed", "Error: ErrImagePull", count=rng.randint(1, 3)))
            inc.add(
                f.k8s(
                    at + 15 * S,
                    pod,
                    "BackOff",
                    f'Back-off pulling image "{image}"',
                    warning=False,
                    count=rng.randint(3, 9),
                    every_s=30,
                )
            )
            inc.add(f.k8s(at + 16 * S, pod, "Failed", "Error: ImagePullBackOff", count=rng.randint(3, 9), every_s=30))
        else:
            inc.ctx(f.k8s(at, pod, "Pulled", f'Successfully pulled image "{image}" in 3.2s', warning=False))
            why = rng.choice(
                [
                    "panic: runtime error: invalid memory address or nil pointer dereference",
                    "Error: Cannot find module '/app/dist/server.js'",
                    'Exception in thread "main" java.lang.NoSuchMethodError: init()V',
                ]
            )
            restarts(ctx, inc, pod, at + 10 * S, rng.randint(3, 8), why)
            if rng.random() < 0.5:
                probe(ctx, inc, pod, at + 4 * S, "refused", rng.randint(1, 3))
    return [inc]


# ---------------------------------------------------------------- node faults


def _node_choice(ctx: Ctx, min_workloads: int = 2) -> Node | None:
    cands = []
    for n in ctx.cl.nodes:
        if f"node/{n.name}" in ctx.busy:
            continue
        ws = {
            p.workload.name
            for p in ctx.cl.pods_on(n)
            if p.workload.kind != "DaemonSet" and p.workload.name not in ctx.busy
        }
        if len(ws) >= min_workloads:
            cands.append(n)
    if not cands:
        return None
    n = ctx.rng.choice(cands)
    _claim(ctx, f"node/{n.name}")
    return n


def _victims(ctx: Ctx, node: Node) -> list[Pod]:
    return [p for p in ctx.cl.pods_on(node) if p.workload.name not in ctx.busy]


def _node_condition(ctx: Ctx, node: Node, t: int, ctype: str, status: str) -> str:
    obj = node.obj
    rv = bump(obj, ctx.rng)  # the version that shows the condition names it (DESIGN §4)
    for cond in obj["status"]["conditions"]:
        if cond["type"] == ctype:
            cond.update({"status": status, "lastTransitionTime": iso(t - t % 1000)})
            break
    else:
        obj["status"]["conditions"].append({"type": ctype, "status": status, "lastTransitionTime": iso(t - t % 1000)})
    return ctx.feed.change(t + ctx.rng.randint(0, 3) * S, obj, eid=f"{node.uid}@{rv}", warning=True)


def node_network_loss(ctx: Ctx, t: int) -> list[Incident]:
    rng, f = ctx.rng, ctx.feed
    node = _node_choice(ctx)
    if node is None:
        return []
    victims = _victims(ctx, node)
    silent = rng.random() < 0.4
    inc = Incident("node_network_loss", t, ctx.ref("Node", node.name, True), variant="no_node_event" if silent else "")
    if not silent:
        form = rng.choice(["condition", "collector", "both"])
        ids = []
        if form in ("collector", "both"):
            text = rng.choice(
                [
                    f"eth0: 100% packet loss to gateway 10.12.{10 + node.index % 3}.1",
                    f"node {node.name}: network partition detected, 0 of 5 peers reachable",
                ]
            )
            ids.append(
                f.collector(
                    t + rng.randint(0, 20) * S,
                    kind="network",
                    severity="critical",
                    message=text,
                    node=node,
                    tags=["packet_loss"],
                )
            )
        if form in ("condition", "both"):
            ids.append(_node_condition(ctx, node, t + rng.randint(5, 40) * S, "NetworkUnavailable", "True"))
        inc.root_event_id, inc.root_equivalents = ids[0], ids[1:]
        inc.add(*ids)
    hit = [p for p in victims if rng.random() < 0.8] or victims[:2]
    for pod in hit:
        if pod.workload.kind == "DaemonSet" and rng.random() < 0.5:
            continue
        probe(ctx, inc, pod, t + rng.randint(10, 70) * S, "timeout", rng.randint(2, 6))
        if rng.random() < 0.4:  # its own calls out fail too, seen by address only
            callee = [
                ctx.cl.workloads_of(c)
                for c in (ctx.cl.comp(pod.workload.component).callees if pod.workload.component else [])
            ]
            flat = [w for ws in callee for w in ws if w.pods]
            if flat:
                cw = rng.choice(flat)
                caller_sees(ctx, inc, pod, rng.choice(cw.pods), cw, t + rng.randint(10, 90) * S, "timeout")
    for w in {p.workload.name: p.workload for p in hit}.values():
        on_node = [p for p in hit if p.workload is w]
        if w.kind != "DaemonSet":
            cascade(ctx, inc, w, t + 10 * S, "timeout", target_pods=on_node, second_hop=0.3, max_callers=2)
    return [inc]


def node_memory_pressure(ctx: Ctx, t: int) -> list[Incident]:
    rng, f = ctx.rng, ctx.feed
    node = _node_choice(ctx)
    if node is None:
        return []
    silent = rng.random() < 0.3
    inc = Incident(
        "node_memory_pressure", t, ctx.ref("Node", node.name, True), variant="no_node_event" if silent else ""
    )
    if not silent:
        ids = [f.k8s(t, node, "EvictionThresholdMet", "Attempting to reclaim memory")]
        if rng.random() < 0.7:
            ids.append(
                f.k8s(
                    t + rng.randint(0, 5) * S,
                    node,
                    "NodeHasInsufficientMemory",
                    f"Node {node.name} status is now: NodeHasInsufficientMemory",
                    warning=False,
                )
            )
        if rng.random() < 0.5:
            ids.append(_node_condition(ctx, node, t + rng.randint(1, 10) * S, "MemoryPressure", "True"))
        if rng.random() < 0.3:  # the condition or the summary may be what arrives first
            rng.shuffle(ids)
        inc.root_event_id, inc.root_equivalents = ids[0], ids[1:]
        inc.add(*ids)
    victims = [p for p in _victims(ctx, node) if p.workload.kind != "DaemonSet"]
    rng.shuffle(victims)
    for pod in victims[: rng.randint(2, 4)]:
        at = t + rng.randint(10, 120) * S
        text = (
            f"The node was low on resource: memory. Threshold quantity: 100Mi, available: "
            f"{rng.randint(40_000, 99_000)}Ki. Container {pod.container} was using "
            f"{rng.randint(300_000, 2_000_000)}Ki, "
            f"request is {rng.choice(['128Mi', '256Mi', '512Mi'])}, has larger consumption of memory."
        )
        inc.add(f.k8s(at, pod, "Evicted", text, component="kubelet"))
        inc.touched.add(pod.workload.name)
        inc.ctx(f.k8s(at + 1 * S, pod, "Killing", f"Stopping container {pod.container}", warning=False))
        if rng.random() < 0.35:
            cascade(ctx, inc, pod.workload, at, "5xx", target_pods=[pod], second_hop=0.0, max_callers=1)
    return [inc]


def node_notready(ctx: Ctx, t: int) -> list[Incident]:
    rng, cl, f = ctx.rng, ctx.cl, ctx.feed
    node = _node_choice(ctx)
    if node is None:
        return []
    inc = Incident("node_notready", t, ctx.ref("Node", node.name, True))
    form = rng.choice(["event", "condition", "both"])
    ids = []
    if form in ("event", "both"):
        ids.append(
            f.k8s(
                t,
                node,
                "NodeNotReady",
                f"Node {node.name} status is now: NodeNotReady",
                warning=False,
                component="node-controller",
            )
        )
    if form in ("condition", "both"):
        ids.append(_node_condition(ctx, node, t + rng.randint(0, 20) * S, "Ready", "Unknown"))
    inc.root_event_id, inc.root_equivalents = ids[0], ids[1:]
    inc.add(*ids)
    for pod in _victims(ctx, node):
        at = t + rng.randint(2, 15) * S
        inc.add(f.k8s(at, pod, "NodeNotReady", "Node is not ready", component="node-controller"))
        inc.touched.add(pod.workload.name)
        if rng.random() < 0.5:
            inc.ctx(
                f.k8s(
                    at + 300 * S,
                    pod,
                    "TaintManagerEviction",
                    f"Marking for deletion Pod {cl.namespace}/{pod.name}",
                    warning=False,
                    component="taint-eviction-controller",
                )
            )
        if pod.workload.kind != "DaemonSet" and rng.random() < 0.6:
            cascade(ctx, inc, pod.workload, at, "timeout", target_pods=[pod], second_hop=0.3, max_callers=2)
    return [inc]


# ---------------------------------------------------------------- workload crash loop


def crashloop(ctx: Ctx, t: int) -> list[Incident]:
    rng, cl, f = ctx.rng, ctx.cl, ctx.feed
    ws = [w for w in _free(ctx, list(cl.workloads.values())) if len(w.pods) >= 2]
    if not ws:
        return []
    big = [w for w in ws if len(w.pods) >= 3]
    w = rng.choice(big if big and rng.random() < 0.7 else ws)
    _claim(ctx, w.name)
    inc = Incident("crashloop", t, _top(ctx, w))
    n = max(2, -(-len(w.pods) * 2 // 3))
    why = rng.choice(
        [
            "fatal error: concurrent map writes",
            "Killed: exit status 1 while warming cache",
            "java.lang.IllegalStateException: failed to start listener on :8080",
            "Segmentation fault (core dumped)",
        ]
    )
    first = ""
    for i, pod in enumerate(rng.sample(w.pods, k=n)):
        at = t + i * rng.randint(5, 45) * S
        restarts(ctx, inc, pod, at, rng.randint(3, 10), why if rng.random() < 0.5 else "")
        first = first or inc.event_ids[-1]
        if rng.random() < 0.4:
            inc.ctx(
                f.k8s(
                    at - 20 * S,
                    pod,
                    "Killing",
                    f"Container {pod.container} failed liveness probe, will be restarted",
                    warning=False,
                )
            )
    inc.root_event_id = first
    if rng.random() < 0.4:
        cascade(ctx, inc, w, t + 30 * S, "5xx", second_hop=0.2, max_callers=2)
    return [inc]


# ---------------------------------------------------------------- recurring OOM


def recurring_oom(ctx: Ctx, t: int) -> list[Incident]:
    rng, cl, f = ctx.rng, ctx.cl, ctx.feed
    ws = _free(ctx, list(cl.workloads.values()))
    if not ws:
        return []
    w = rng.choice(ws)
    _claim(ctx, w.name)
    period = rng.choice([2, 3, 4, 6]) * 3600 + rng.randint(-300, 300)
    series = f"oom-{w.name}-{suffix(rng, 4)}"
    out = []
    sticky = rng.choice(w.pods)
    for k in range(rng.randint(3, 4)):
        at = t + k * period * S + rng.randint(-int(period * 0.02), int(period * 0.02)) * S
        pod = sticky if rng.random() < 0.75 else rng.choice(w.pods)
        inc = Incident(
            "recurring_oom",
            at,
            ctx.ref("Pod", pod.name),
            root_workload=_top(ctx, w),
            period_seconds=period,
            series=series,
        )
        if rng.random() < 0.5:
            inc.add(
                f.collector(
                    at - rng.randint(20, 90) * S,
                    kind="metric",
                    severity="warning",
                    pod=pod,
                    message=f"memory usage climbing: {rng.randint(90, 99)}% of limit",
                    category="resource",
                    metrics={"metric_name": "container_memory_rss", "value": rng.randint(200, 900) * 2**20},
                )
            )
        _oom_evidence(ctx, inc, pod, at, rng.choice([["change"], ["kernel"], ["change", "npd"]]))
        if rng.random() < 0.6:
            restarts(ctx, inc, pod, at + rng.randint(15, 45) * S, rng.randint(1, 3))
        if rng.random() < 0.4 and cl.callers(w):
            cascade(ctx, inc, w, at, "refused", target_pods=[pod], second_hop=0.0, max_callers=1, spread_s=40)
        out.append(inc)
    return out


# ---------------------------------------------------------------- app faults (collector events only)


def app_faults(ctx: Ctx, t: int) -> list[Incident]:
    """Two or three faults injected one after another into one pod each, seen only by the detectors."""
    rng = ctx.rng
    out = []
    at = t
    for _ in range(rng.randint(2, 3)):
        ws = [w for w in _free(ctx, list(ctx.cl.workloads.values())) if ctx.cl.callers(w)]
        ws = ws or _free(ctx, list(ctx.cl.workloads.values()))
        if not ws:
            break
        w = rng.choice(ws)
        _claim(ctx, w.name)
        out.append(_app_fault(ctx, w, at))
        at += rng.randint(4, 7) * MIN
    return out


def _app_fault(ctx: Ctx, w: Workload, t: int) -> Incident:
    rng, f = ctx.rng, ctx.feed
    pod = rng.choice(w.pods)
    what = rng.choice(["cpu", "memory", "exception", "delay", "loss"])
    inc = Incident("app_fault", t, ctx.ref("Pod", pod.name), root_workload=_top(ctx, w), variant=what)
    end = t + rng.randint(3, 5) * MIN
    at = t + rng.randint(5, 30) * S
    first = True
    while at < end:
        span = ctx.span(inc, 0.4)
        sid = span[1] if span else ""
        if what in ("cpu", "memory"):
            metric = "container_cpu_usage_seconds_total" if what == "cpu" else "container_memory_working_set_bytes"
            eid = f.collector(
                at,
                kind="metric",
                severity="warning",
                pod=pod,
                category="resource",
                message=f"{metric} {rng.uniform(3, 9):.1f} sigma above baseline",
                metrics={"metric_name": metric, "value": round(rng.uniform(0.8, 3.9), 3)},
            )
        elif what == "exception":
            err = rng.choice(["NullPointerException", "KeyError", "TypeError", "InvalidOperationException"])
            eid = f.collector(
                at,
                kind="log",
                severity="error",
                pod=pod,
                trace=span,
                message=f"unhandled {err} in handler",
                application={
                    "level": "error",
                    "error_type": err,
                    "message": f"unhandled {err}",
                    "stack_trace": f"{err}\n  at handler.process(handler:42)",
                },
            )
        elif what == "delay":
            took = rng.randint(1200, 6000)
            eid = f.collector(
                at,
                kind="trace",
                severity="warning",
                pod=pod,
                trace=span,
                message=f"server span took {took}ms (baseline 40ms)",
                tags=["slow_span"],
                network={"latency_ns": took * 1_000_000, "direction": "ingress"},
            )
        else:
            eid = f.collector(
                at,
                kind="log",
                severity="error",
                pod=pod,
                trace=span,
                message="read tcp: connection reset by peer",
                application={"level": "error"},
            )
        inc.add(eid)
        if first:
            inc.root_event_id, first = eid, False
        callers = [c for c in ctx.cl.callers(w) if c.kind != "DaemonSet"]
        if callers and rng.random() < 0.7:
            cw = rng.choice(callers)
            style = {"cpu": "latency", "memory": "latency", "exception": "5xx", "delay": "latency", "loss": "timeout"}
            caller_sees(ctx, inc, rng.choice(cw.pods), pod, w, at + rng.randint(1, 8) * S, style[what], parent=sid)
        at += rng.randint(25, 60) * S
    return inc


BUILDERS: dict[str, Builder] = {
    "configmap_change": config_change,
    "datastore_oom": datastore_oom,
    "bad_rollout": bad_rollout,
    "node_network_loss": node_network_loss,
    "crashloop": crashloop,
    "node_memory_pressure": node_memory_pressure,
    "node_notready": node_notready,
    "recurring_oom": recurring_oom,
    "app_fault": app_faults,
}
