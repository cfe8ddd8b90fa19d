"""Node faults: memory pressure with evictions, loss of the pod network on one node, a node going NotReady.

Why these shapes: the kubelet's eviction manager reclaims memory one pod at a time every ~10 s and writes Evicted on
each victim (EvictionThresholdMet/NodeHasInsufficientMemory on the Node only when the threshold is seen by its
synchronous loop, so some pressure episodes show no node event at all); a broken pod network on one node shows as
probe timeouts there and as IP-only connect timeouts in both directions in the eBPF data, with at most a
node-problem-detector kernel event; a NotReady node is noticed by the node-controller ~40 s after its last heartbeat,
which marks its pods NodeNotReady and evicts them after the 300 s not-ready toleration.
"""

from __future__ import annotations

import copy

from bench.accuracy.blind import effects, signals
from bench.accuracy.blind.cluster import Node, Pod
from bench.accuracy.blind.model import Ctx, Incident, ref
from bench.accuracy.blind.times import MINUTE, SECOND


def _pick_node(x: Ctx) -> tuple[Node, list[Pod]] | None:
    opts = []
    for n in x.c.nodes:
        pods = [p for p in x.c.pods if p.node == n.name]
        app = [p for p in pods if not p.wl.wl.tooling]
        if (
            n.name not in x.claimed_nodes
            and n.name not in x.touched_nodes
            and len({p.wl.name for p in app}) >= 2
            and x.free(pods)
        ):
            opts.append((n, pods))
    if not opts:
        return None
    return x.rnd.choice(opts)


def _claim_node(x: Ctx, node: Node, pods: list[Pod]) -> None:
    x.claim(pods)
    x.claimed_nodes.add(node.name)


def _open(x: Ctx, kind: str, summary: str, t0: int, p_silent: float) -> tuple[Node, list[Pod], Incident, bool] | None:
    """A node with pods of several workloads, claimed, and its incident (``summary`` names it as ``{node}``); with
    probability ``p_silent`` the fault has no node event at all (then ``True``)."""
    got = _pick_node(x)
    if got is None:
        return None
    node, pods = got
    _claim_node(x, node, pods)
    silent = bool(p_silent) and x.rnd.chance(p_silent)
    variant = "no_node_event" if silent else "node_event"
    return (
        node,
        pods,
        Incident(kind, summary.format(node=node.name), t0, ref("Node", node.name), variant=variant),
        silent,
    )


def _finish_root(x: Ctx, inc: Incident) -> None:
    if not inc.root_event_id:
        inc.root_event_id = min(inc.events, key=lambda e: x.s.first_ts[e])


def memory_pressure(x: Ctx, t0: int) -> Incident | None:
    opened = _open(x, "node_memory_pressure", "node {node} under memory pressure evicts pods", t0, 0.35)
    if opened is None:
        return None
    node, pods, inc, silent = opened
    s = x.s
    if not silent:
        first = s.node_event(t0, node.name, "EvictionThresholdMet", "Attempting to reclaim memory", warning=True)
        inc.root_event_id = inc.sym(first.uid)
        second = s.node_event(
            t0 + x.rnd.randint(1, 9) * SECOND,
            node.name,
            "NodeHasInsufficientMemory",
            f"Node {node.name} status is now: NodeHasInsufficientMemory",
            warning=False,
        )
        inc.equivalents.append(inc.sym(second.uid))
    by_wl: dict[str, list[Pod]] = {}
    for p in pods:
        if not p.wl.wl.tooling:
            by_wl.setdefault(p.wl.name, []).append(p)
    wls = x.rnd.sample(sorted(by_wl), x.rnd.randint(2, min(4, len(by_wl))))
    victims = [x.rnd.choice(by_wl[w]) for w in wls]
    t = t0 + x.rnd.randint(2, 12) * SECOND
    for v in victims:
        avail = x.rnd.randint(60_000, 99_000)
        using = x.rnd.randint(300_000, 2_400_000)
        req = x.rnd.choice(["64Mi", "128Mi", "256Mi"])
        msg = (
            f"The node was low on resource: memory. Threshold quantity: 100Mi, available: {avail}Ki. Container "
            f"{v.container} was using {using}Ki, request is {req}, has larger consumption of memory. "
        )
        inc.sym(s.pod_event(t, v, "Evicted", msg, warning=True, container=False).uid)
        inc.sym(s.pod_event(t + 150, v, "Killing", f"Stopping container {v.container}", warning=False).uid)
        gone = copy.deepcopy(v.obj)
        gone["status"] = {
            "phase": "Failed",
            "reason": "Evicted",
            "message": msg.strip(),
            "hostIP": node.ip,
            "podIP": v.ip,
            "qosClass": "Burstable",
        }
        inc.ctx(s.change(t + 2 * SECOND, "MODIFIED", gone))
        effects.replace(x, inc, v, t + x.rnd.randint(1, 3) * SECOND, node.name)
        t += x.rnd.randint(10, 40) * SECOND
    # Pods left on the node page and miss probes while memory is short.
    for p in x.rnd.sample([p for p in pods if p not in victims and not p.wl.wl.tooling], 2):
        if x.rnd.chance(0.5):
            inc.sym(
                s.pod_event(
                    t0 + x.rnd.randint(5, 90) * SECOND,
                    p,
                    "Unhealthy",
                    f'Readiness probe failed: Get "http://{p.ip}:{p.port}/ready": context deadline '
                    "exceeded (Client.Timeout exceeded while awaiting headers)",
                    warning=True,
                ).uid
            )
    end = t + x.rnd.randint(1, 4) * MINUTE
    if not silent:
        inc.ctx(
            s.node_event(
                end,
                node.name,
                "NodeHasSufficientMemory",
                f"Node {node.name} status is now: NodeHasSufficientMemory",
                warning=False,
            ).uid
        )
    _finish_root(x, inc)
    inc.end = end
    return inc


def network_loss(x: Ctx, t0: int) -> Incident | None:
    opened = _open(x, "node_network_loss", "pod network on node {node} lost", t0, 0.4)
    if opened is None:
        return None
    node, pods, inc, silent = opened
    s = x.s
    end = t0 + x.rnd.randint(4, 10) * MINUTE
    if not silent:
        ev = s.node_event(
            t0 + x.rnd.randint(0, 20) * SECOND,
            node.name,
            "UnregisterNetDevice",
            "unregister_netdevice: waiting for eth0 to become free. Usage count = 1",
            warning=True,
            component="kernel-monitor",
        )
        inc.root_event_id = inc.sym(ev.uid)
    app = [p for p in pods if not p.wl.wl.tooling]
    for p in x.rnd.sample(app, x.rnd.randint(2, max(2, len(app)))):
        t = t0 + x.rnd.randint(8, 60) * SECOND
        kind = x.rnd.choice(["Readiness", "Readiness", "Liveness"])
        probe = s.pod_event(
            t,
            p,
            "Unhealthy",
            f'{kind} probe failed: Get "http://{p.ip}:{p.port}/'
            f'{"ready" if kind == "Readiness" else "healthz"}": context deadline exceeded '
            "(Client.Timeout exceeded while awaiting headers)",
            warning=True,
        )
        inc.sym(probe.uid)
        w = t
        for _ in range(x.rnd.randint(1, 12)):
            w += 10 * SECOND
            if w < end:
                s.bump(probe, w)
    remote = [p for p in x.c.pods if p.node != node.name]
    for p in app:
        comp = x.c.component_of(p.wl)
        for _ in range(x.rnd.randint(1, 4)):
            t = x.rnd.randint(t0 + 5 * SECOND, end)
            callee_comps = x.c.callees(comp) if comp else []
            targets = [q for cc in callee_comps for q in x.c.component_pods(cc) if q.node != node.name]
            if targets and x.rnd.chance(0.5):  # egress from the node: only the IPs
                q = x.rnd.choice(targets)
                inc.sym(signals.call(x, t, None, q.ip, q.port, outcome="timeout", callee_name=q.wl.name, src_ip=p.ip))
            else:  # ingress to the node from elsewhere
                callers = [
                    q
                    for cc in (x.c.callers(comp) if comp else [])
                    for q in x.c.component_pods(cc)
                    if q.node != node.name
                ] or remote
                q = x.rnd.choice(callers)
                inc.sym(signals.call(x, t, None, p.ip, p.port, outcome="timeout", callee_name=p.wl.name, src_ip=q.ip))
    _finish_root(x, inc)
    inc.end = end
    return inc


def not_ready(x: Ctx, t0: int) -> Incident | None:
    opened = _open(x, "node_not_ready", "node {node} stops posting status (NotReady)", t0, 0.0)
    if opened is None:
        return None
    node, pods, inc, _ = opened
    s = x.s
    if x.rnd.chance(0.4):
        gc = s.node_event(
            t0 - x.rnd.randint(20, 90) * SECOND,
            node.name,
            "ContainerGCFailed",
            "rpc error: code = DeadlineExceeded desc = context deadline exceeded",
            warning=True,
        )
        inc.equivalents.append(inc.sym(gc.uid))
    t_nr = t0 + x.rnd.randint(38, 50) * SECOND
    nr = s.node_event(
        t_nr,
        node.name,
        "NodeNotReady",
        f"Node {node.name} status is now: NodeNotReady",
        warning=False,
        component="node-controller",
    )
    inc.root_event_id = inc.sym(nr.uid)
    app = [p for p in pods if not p.wl.wl.tooling]
    for p in pods:
        inc.sym(
            s.pod_event(
                t_nr + x.rnd.randint(0, 3000),
                p,
                "NodeNotReady",
                "Node is not ready",
                warning=True,
                component="node-controller",
                container=False,
            ).uid
        )
    # Callers time out on the pods' IPs until the endpoints drop them.
    for p in app:
        comp = x.c.component_of(p.wl)
        if comp:
            callers = effects.free_callers(x, comp, 2)
            effects.caller_symptoms(
                x, inc, comp, [p], callers, t0 + 2 * SECOND, t_nr + 5 * SECOND, outcome="timeout", victim_trace=False
            )
    evict = t_nr + 300 * SECOND + x.rnd.randint(0, 5) * SECOND
    end = t0 + x.rnd.randint(9, 14) * MINUTE
    for p in app:
        if evict < end:
            inc.ctx(
                s.kube(
                    evict,
                    "TaintManagerEviction",
                    f"Marking for deletion Pod {x.ns}/{p.name}",
                    warning=False,
                    obj_kind="Pod",
                    obj_name=p.name,
                    obj_uid=p.uid,
                    component="taint-eviction-controller",
                ).uid
            )
            effects.replace(x, inc, p, evict + x.rnd.randint(1, 3) * SECOND, node.name)
    inc.ctx(s.node_event(end, node.name, "Starting", "Starting kubelet.", warning=False).uid)
    inc.ctx(
        s.node_event(
            end + 9 * SECOND, node.name, "NodeReady", f"Node {node.name} status is now: NodeReady", warning=False
        ).uid
    )
    inc.end = end
    return inc
