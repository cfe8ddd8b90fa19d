"""Faults a person causes or a workload has on its own: a ConfigMap/Secret change that breaks the pods mounting it,
a rollout whose new pods fail, and a workload-wide crash loop with no change at all.

Why these shapes: the kubelet refreshes mounted ConfigMaps/Secrets within about a minute (sync period plus cache
TTL), so pods that reload their config fail 30-100 s after the change, each on its own node's clock; a Deployment with
maxSurge 25% and 1-3 replicas creates one new pod and stalls on it; a crash loop without a change starts on its pods
within a minute or two of each other, often after liveness probes fail.
"""

from __future__ import annotations

import copy

from bench.accuracy.blind import effects, signals
from bench.accuracy.blind.model import Ctx, Incident, ref
from bench.accuracy.blind.times import MINUTE, SECOND


def config_change(x: Ctx, t0: int) -> Incident | None:
    c = x.c
    kinds: list[tuple[str, str]] = [("ConfigMap", n) for n in c.configmaps] + [("Secret", n) for n in c.secrets]
    options = []
    for kind, name in kinds:
        pods = [
            p
            for p in c.pods
            if not p.wl.wl.tooling
            and not p.wl.datastore
            and name in (p.configmaps if kind == "ConfigMap" else p.secrets)
        ]
        if pods and x.free(pods) and len(pods) <= 6:
            options.append((len({p.wl.name for p in pods}) > 1, kind, name, pods))
    if not options:
        return None
    shared = [o for o in options if o[0]]
    _, kind, name, pods = x.rnd.choice(shared if shared and x.rnd.chance(0.6) else options)
    obj = copy.deepcopy((c.configmaps if kind == "ConfigMap" else c.secrets)[name])
    if kind == "ConfigMap":
        key = next(iter(obj.get("data") or {"config.yaml": ""}))
        obj["data"] = {key: "logLevel: info\ntimeoutMs: 3000\nupstream:\n  retries: 3\n  timeout: 2s\n   pool: 12\n"}
    obj["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": "{}"}
    inc = Incident(
        "config_change",
        f"{kind} {name} changed; the pods mounting it crash",
        t0,
        ref(kind, name, x.ns),
        variant=kind.lower(),
    )
    inc.root_event_id = inc.sym(x.s.change(t0, "MODIFIED", obj))
    x.claim(pods)
    fix = t0 + x.rnd.randint(7, 14) * MINUTE
    why = "config" if kind == "ConfigMap" else "auth"
    for p in pods:
        signals.crash_loop(
            x,
            inc,
            p,
            t0 + x.rnd.randint(30, 100) * SECOND,
            fix + x.rnd.randint(20, 90) * SECOND,
            why,
            log_every=x.rnd.choice([1, 2]),
        )
    by_wl: dict[str, list[object]] = {}
    for p in pods:
        by_wl.setdefault(p.wl.name, []).append(p)
    for wl_name, wl_pods in by_wl.items():
        wl = c.workload(wl_name)
        comp = c.component_of(wl)
        if comp and len(wl_pods) == len(wl.pods) and x.rnd.chance(0.7):
            callers = effects.free_callers(x, comp, 2)
            effects.caller_symptoms(x, inc, comp, wl.pods, callers, t0 + 2 * MINUTE, fix, outcome="refused")
    undo = copy.deepcopy((c.configmaps if kind == "ConfigMap" else c.secrets)[name])
    inc.ctx(x.s.change(fix, "MODIFIED", undo))
    inc.end = fix + 2 * MINUTE
    return inc


def bad_rollout(x: Ctx, t0: int) -> Incident | None:
    cands = [w for w in x.app_workloads() if w.kind == "Deployment" and not w.datastore and x.free(w.pods)]
    if not cands:
        return None
    wl = x.rnd.choice(cands)
    s = x.s
    dep = copy.deepcopy(wl.obj)
    dep.pop("status", None)
    ctr = dep["spec"]["template"]["spec"]["containers"][0]
    old_image = ctr.get("image", wl.name)
    base = old_image.rsplit(":", 1)[0]
    new_image = f"{base}:v{x.rnd.randint(1, 3)}.{x.rnd.randint(0, 19)}.{x.rnd.randint(0, 9)}"
    ctr["image"] = new_image
    dep["metadata"]["generation"] += 1
    rev = int(dep["metadata"]["annotations"]["deployment.kubernetes.io/revision"]) + 1
    dep["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = str(rev)
    mode = x.rnd.choice(["crash", "crash", "image", "readiness"])
    inc = Incident(
        "bad_rollout",
        f"rollout of deployment/{wl.name} to {new_image} fails ({mode})",
        t0,
        ref("Deployment", wl.name, x.ns),
        variant=mode,
    )
    inc.root_event_id = inc.sym(s.change(t0, "MODIFIED", dep))
    x.claim(wl.pods)
    # The new ReplicaSet and its one surge pod.
    new_hash = x.rnd.safe(10)
    old = (wl.rs_name, wl.rs_uid, wl.rs_hash, wl.rs_obj)
    rs = copy.deepcopy(wl.rs_obj or {})
    rs["metadata"].update({"name": f"{wl.name}-{new_hash}", "uid": x.rnd.uid()})
    rs["metadata"]["labels"]["pod-template-hash"] = new_hash
    rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = str(rev)
    rs["spec"]["replicas"] = 1
    rs["spec"]["selector"]["matchLabels"]["pod-template-hash"] = new_hash
    rs["spec"]["template"] = copy.deepcopy(dep["spec"]["template"])
    rs["spec"]["template"].setdefault("metadata", {}).setdefault("labels", {})["pod-template-hash"] = new_hash
    rs["status"] = {"replicas": 0, "observedGeneration": 1}
    t = t0 + x.rnd.randint(100, 900)
    scaled = signals.scaled(x, t, wl, f"Scaled up replica set {wl.name}-{new_hash} to 1 from 0")
    inc.equivalents.append(inc.sym(scaled.uid))
    inc.ctx(s.change(t + 30, "ADDED", rs))
    wl.rs_name, wl.rs_uid, wl.rs_hash, wl.rs_obj = rs["metadata"]["name"], rs["metadata"]["uid"], new_hash, rs
    saved_obj = wl.obj
    wl.obj = dep
    fake_old = wl.pods[0]
    pod = effects.replace(x, inc, fake_old, t + 200, "", start_ok=False)
    wl.rs_name, wl.rs_uid, wl.rs_hash, wl.rs_obj = old
    wl.obj = saved_obj
    wl.pods.remove(pod) if pod in wl.pods else None
    fix = t0 + x.rnd.randint(8, 15) * MINUTE
    t = t + x.rnd.randint(3, 5) * SECOND
    inc.ctx(s.pod_event(t, pod, "Pulling", f'Pulling image "{new_image}"', warning=False).uid)
    if mode == "image":
        reg = new_image.split("/")[0]
        f1 = s.pod_event(
            t + 1500,
            pod,
            "Failed",
            f'Failed to pull image "{new_image}": rpc error: code = NotFound desc = failed to pull and '
            f'unpack image "{new_image}": failed to resolve reference "{new_image}": '
            f"{reg}: not found",
            warning=True,
        )
        f2 = s.pod_event(t + 1500, pod, "Failed", "Error: ErrImagePull", warning=True)
        inc.sym(f1.uid)
        inc.sym(f2.uid)
        bo = s.pod_event(t + 3000, pod, "BackOff", f'Back-off pulling image "{new_image}"', warning=False)
        f3 = s.pod_event(t + 3000, pod, "Failed", "Error: ImagePullBackOff", warning=True)
        inc.sym(bo.uid)
        inc.sym(f3.uid)
        w, delay = t + 3000, 10 * SECOND
        while w < fix:
            w += delay
            s.bump(bo, w)
            s.bump(f3, w)
            if x.rnd.chance(0.3):
                s.bump(f1, w + 800)
                s.bump(f2, w + 800)
            delay = min(delay * 2, 300 * SECOND)
    else:
        size = x.rnd.randint(20_000_000, 400_000_000)
        t2 = t + x.rnd.randint(3, 30) * SECOND
        inc.ctx(
            s.pod_event(
                t2,
                pod,
                "Pulled",
                f'Successfully pulled image "{new_image}" in '
                f"{(t2 - t) / 1000:.3f}s ({(t2 - t) / 1000:.3f}s including waiting). Image size: {size} "
                f"bytes.",
                warning=False,
            ).uid
        )
        inc.ctx(s.pod_event(t2 + 200, pod, "Created", f"Created container {pod.container}", warning=False).uid)
        inc.ctx(s.pod_event(t2 + 700, pod, "Started", f"Started container {pod.container}", warning=False).uid)
        if mode == "crash":
            signals.crash_loop(x, inc, pod, t2 + x.rnd.randint(2, 9) * SECOND, fix, x.rnd.choice(["panic", "config"]))
        else:
            probe = s.pod_event(
                t2 + 10 * SECOND,
                pod,
                "Unhealthy",
                "Readiness probe failed: HTTP probe failed with statuscode: 503",
                warning=True,
            )
            inc.sym(probe.uid)
            w = t2 + 10 * SECOND
            while w + 10 * SECOND < fix:
                w += 10 * SECOND
                s.bump(probe, w)
                if x.rnd.chance(0.08):
                    msg = "health check failed: dependency check 'migrations' not complete"
                    inc.sym(signals.app_log(x, w, pod, msg, level="error", logger="health"))
    back = copy.deepcopy(wl.obj)
    back.pop("status", None)
    back["metadata"]["generation"] = dep["metadata"]["generation"] + 1
    back["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = str(rev + 1)
    inc.ctx(s.change(fix, "MODIFIED", back))
    inc.ctx(signals.scaled(x, fix + 900, wl, f"Scaled down replica set {wl.name}-{new_hash} to 0 from 1").uid)
    inc.end = fix + MINUTE
    return inc


def crash_loop(x: Ctx, t0: int) -> Incident | None:
    cands = [w for w in x.app_workloads() if not w.datastore and x.free(w.pods)]
    multi = [w for w in cands if len(w.pods) >= 2]
    if not cands:
        return None
    wl = x.rnd.choice(multi if multi else cands)
    n = len(wl.pods) if len(wl.pods) <= 2 else x.rnd.randint(len(wl.pods) // 2 + 1, len(wl.pods))
    pods = x.rnd.sample(wl.pods, n)
    inc = Incident(
        "crash_loop",
        f"{wl.kind.lower()}/{wl.name}: {n} of {len(wl.pods)} pods crash-loop",
        t0,
        ref(wl.kind, wl.name, x.ns),
    )
    x.claim(wl.pods)
    fix = t0 + x.rnd.randint(8, 16) * MINUTE
    liveness = x.rnd.chance(0.5)
    inc.variant = "liveness" if liveness else "exit"
    firsts = []
    for p in pods:
        t = t0 + x.rnd.randint(0, 100) * SECOND
        if liveness:
            probe = x.s.pod_event(
                t,
                p,
                "Unhealthy",
                f'Liveness probe failed: Get "http://{p.ip}:{p.port}/healthz": '
                "context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
                warning=True,
            )
            firsts.append(inc.sym(probe.uid))
            x.s.bump(probe, t + 10 * SECOND)
            x.s.bump(probe, t + 20 * SECOND)
            inc.sym(
                x.s.pod_event(
                    t + 20 * SECOND,
                    p,
                    "Killing",
                    f"Container {p.container} failed liveness probe, will be restarted",
                    warning=False,
                ).uid
            )
            t += 22 * SECOND
        before = len(inc.events)
        signals.crash_loop(x, inc, p, t, fix, "panic")
        if not liveness and len(inc.events) > before:
            firsts.append(inc.events[before])
    comp = x.c.component_of(wl)
    if comp and n == len(wl.pods):
        callers = effects.free_callers(x, comp, 3)
        effects.caller_symptoms(x, inc, comp, pods, callers, t0 + MINUTE, fix, outcome=x.rnd.choice(["refused", "5xx"]))
    own = [e for e in inc.events if e in firsts]
    inc.root_event_id = min(own, key=lambda e: x.s.first_ts[e])
    inc.equivalents = [e for e in own if e != inc.root_event_id]
    inc.end = fix
    return inc
