"""Effects several faults share: what a failing component's callers report, and the replacement of a lost pod.

Why: callers report a dead or slow callee in many ways at once — some name it by pod IP, some by its Service's
clusterIP, some only share a trace id with it, many name nothing but their own failure — and every fault whose
victim serves traffic needs that same mix.
"""

from __future__ import annotations

from bench.accuracy.blind import signals
from bench.accuracy.blind.cluster import Pod, make_pod
from bench.accuracy.blind.model import Ctx, Incident
from bench.accuracy.blind.times import SECOND


def free_callers(x: Ctx, comp: str, limit: int = 3) -> list[Pod]:
    pods: list[Pod] = []
    for caller in x.rnd.shuffled(x.c.callers(comp))[:limit]:
        cands = [p for p in x.c.component_pods(caller) if x.free([p]) and not p.wl.wl.tooling]
        pods += x.rnd.sample(cands, x.rnd.randint(1, 2))
    return pods


def caller_symptoms(
    x: Ctx,
    inc: Incident,
    comp: str,
    victims: list[Pod],
    callers: list[Pod],
    t0: int,
    t1: int,
    *,
    outcome: str,
    victim_trace: bool = True,
) -> None:
    """Failed (or slow) calls from ``callers`` to ``comp`` between t0 and t1; each caller fails a few times."""
    svc = x.c.services.get(comp)
    for caller in callers:
        n = x.rnd.randint(2, 6)
        for _ in range(n):
            t = x.rnd.randint(t0, max(t0 + 1, t1))
            victim = x.rnd.choice(victims)
            how = x.rnd.choice(["ip", "ip", "clusterip", "trace", "nothing", "nothing"])
            if how == "ip":
                inc.sym(
                    signals.call(
                        x,
                        t,
                        caller,
                        victim.ip,
                        victim.port,
                        outcome=outcome,
                        callee_name=comp,
                        latency_ms=x.rnd.randint(1500, 9000),
                    )
                )
            elif how == "clusterip" and svc is not None and svc.cluster_ip != "None":
                inc.sym(
                    signals.call(
                        x,
                        t,
                        caller,
                        svc.cluster_ip,
                        svc.port,
                        outcome=outcome,
                        callee_name=comp,
                        latency_ms=x.rnd.randint(1500, 9000),
                    )
                )
            elif how == "trace" and victim_trace:
                tid, sid = signals.trace_ids(x)
                child = x.rnd.hex(16)
                inc.sym(
                    signals.span(
                        x,
                        t - x.rnd.randint(5, 400),
                        victim,
                        f"{comp} handle",
                        (tid, child),
                        ms=x.rnd.randint(800, 6000),
                        error=outcome != "slow",
                        parent=sid,
                    )
                )
                inc.sym(
                    signals.span(
                        x, t, caller, f"call {comp}", (tid, sid), ms=x.rnd.randint(1000, 9000), error=outcome != "slow"
                    )
                )
            else:
                kind = "db" if victims[0].wl.datastore else x.rnd.choice(["unavailable", "deadline", "http"])
                tr = signals.trace_ids(x) if x.rnd.chance(0.4) else None
                inc.sym(signals.client_error(x, t, caller, comp, kind=kind, trace=tr))
    x.claim(callers)


def replace(x: Ctx, inc: Incident, old: Pod, t: int, avoid_node: str, *, start_ok: bool = True) -> Pod:
    """The controller's replacement for a pod that is gone: SuccessfulCreate, the pod ADDED, Scheduled, and (when the
    image is on the node or pulls) Pulled/Created/Started; all routine steps of the incident (context)."""
    s, c = x.s, x.c
    nodes = [n for n in c.nodes if n.name != avoid_node and n.name not in x.claimed_nodes] or c.nodes
    node = x.rnd.choice(nodes)
    wl = old.wl
    name = old.name if wl.kind == "StatefulSet" else f"{wl.rs_name}-{x.rnd.safe(5)}"
    pod = make_pod(x.rnd, c, wl, name, node, t)
    pod.obj["status"] = {"phase": "Pending", "qosClass": "Burstable"}
    kind, owner, owner_uid = wl.owner
    msg = f"Created pod: {name}" if kind == "ReplicaSet" else f"create Pod {name} in StatefulSet {wl.name} successful"
    inc.ctx(
        s.kube(
            t,
            "SuccessfulCreate",
            msg,
            warning=False,
            obj_kind=kind,
            obj_name=owner,
            obj_uid=owner_uid,
            component="replicaset-controller" if kind == "ReplicaSet" else "statefulset-controller",
            api_version="apps/v1",
        ).uid
    )
    inc.ctx(s.change(t + 20, "ADDED", pod.obj))
    inc.ctx(s.scheduled(t + x.rnd.randint(1100, 2500), pod))
    x.claim([pod])
    if start_ok:
        t2 = t + x.rnd.randint(2, 5) * SECOND
        image = pod.images[0] if pod.images else ""
        inc.ctx(
            s.pod_event(t2, pod, "Pulled", f'Container image "{image}" already present on machine', warning=False).uid
        )
        inc.ctx(s.pod_event(t2 + 200, pod, "Created", f"Created container {pod.container}", warning=False).uid)
        inc.ctx(s.pod_event(t2 + 600, pod, "Started", f"Started container {pod.container}", warning=False).uid)
    return pod
