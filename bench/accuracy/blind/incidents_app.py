"""Faults inside a pod: a data store OOM-killed while its callers fail, one workload OOM-killed at a steady period
(each occurrence an incident of its own), and application faults seen only through collector events.

Why these shapes: a container's memcg OOM kill leaves no Kubernetes Event (the kubelet records SystemOOM only for
processes outside pods); it is seen by an eBPF/kernel collector, in the pod's status (lastState OOMKilled, exit 137)
and in the restart; its callers see refused or reset connections until the store is back (tens of seconds). A slow
leak kills on a period set by traffic. Application faults (bad query, lock contention, CPU starvation) show only in
logs, spans and metrics, and callers report them in whatever way their client library does.
"""

from __future__ import annotations

import copy

from bench.accuracy.blind import effects, signals
from bench.accuracy.blind.cluster import Pod
from bench.accuracy.blind.model import Ctx, Incident, ref
from bench.accuracy.blind.times import MINUTE, SECOND


def _status_oom(x: Ctx, t: int, pod: Pod, restarts: int, limit_mb: int) -> str:
    """The Pod MODIFIED change the kubelet's status update makes after an OOM kill."""
    obj = copy.deepcopy(pod.obj)
    for cs in obj["status"]["containerStatuses"][:1]:
        cs["restartCount"] = restarts
        cs["lastState"] = {
            "terminated": {
                "exitCode": 137,
                "reason": "OOMKilled",
                "startedAt": cs["state"].get("running", {}).get("startedAt"),
                "finishedAt": signals_time(t),
                "containerID": cs["containerID"],
            }
        }
    obj["spec"]["containers"][0].setdefault("resources", {}).setdefault("limits", {})["memory"] = f"{limit_mb}Mi"
    return x.s.change(t, "MODIFIED", obj)


def signals_time(t: int) -> str:
    from bench.accuracy.blind.times import seconds

    return seconds(t)


def _restart(x: Ctx, inc: Incident, pod: Pod, t: int) -> None:
    image = pod.images[0] if pod.images else ""
    inc.ctx(x.s.pod_event(t, pod, "Pulled", f'Container image "{image}" already present on machine', warning=False).uid)
    inc.ctx(x.s.pod_event(t + 150, pod, "Created", f"Created container {pod.container}", warning=False).uid)
    inc.ctx(x.s.pod_event(t + 500, pod, "Started", f"Started container {pod.container}", warning=False).uid)


def _memory_ramp(x: Ctx, inc: Incident, pod: Pod, t_oom: int, limit_mb: int) -> None:
    limit = limit_mb * 1024 * 1024
    for k, frac in enumerate(sorted(x.rnd.uniform(0.82, 0.99) for _ in range(x.rnd.randint(1, 3)))):
        t = t_oom - (3 - k) * x.rnd.randint(15, 40) * SECOND
        inc.sym(
            signals.metric(
                x,
                t,
                pod,
                "container_memory_working_set_bytes",
                frac * limit,
                "B",
                "high" if frac > 0.93 else "warning",
                limit * x.rnd.uniform(0.45, 0.6),
            )
        )


def datastore_oom(x: Ctx, t0: int) -> Incident | None:
    cands = []
    for w in x.app_workloads():
        comp = x.c.component_of(w)
        if w.datastore and comp and x.c.callers(comp) and x.free(w.pods):
            cands.append((w, comp))
    if not cands:
        return None
    wl, comp = x.rnd.choice(cands)
    pod = wl.pods[0]
    limit = x.rnd.choice([256, 512, 1024, 2048])
    inc = Incident(
        "datastore_oom",
        f"{pod.name} ({comp}) OOM-killed; its callers fail",
        t0,
        ref("Pod", pod.name, x.ns),
        root_workload=ref(wl.kind, wl.name, x.ns),
    )
    x.claim(wl.pods)
    if x.rnd.chance(0.7):
        _memory_ramp(x, inc, pod, t0, limit)
    inc.root_event_id = inc.sym(signals.oom_kill(x, t0, pod, limit))
    if x.rnd.chance(0.6):
        inc.equivalents.append(inc.sym(_status_oom(x, t0 + x.rnd.randint(1, 4) * SECOND, pod, 1, limit)))
    _restart(x, inc, pod, t0 + x.rnd.randint(1, 3) * SECOND)
    down = x.rnd.randint(25, 120) * SECOND
    callers = effects.free_callers(x, comp, 3)
    effects.caller_symptoms(x, inc, comp, [pod], callers, t0, t0 + down, outcome=x.rnd.choice(["refused", "reset"]))
    end = t0 + down
    if x.rnd.chance(0.4):  # it comes back with the same working set and dies again
        t2 = t0 + x.rnd.randint(3, 6) * MINUTE
        inc.sym(signals.oom_kill(x, t2, pod, limit))
        bo = x.s.pod_event(
            t2 + 2 * SECOND,
            pod,
            "BackOff",
            f"Back-off restarting failed container {pod.container} in pod {pod.name}_{x.ns}({pod.uid})",
            warning=True,
        )
        inc.sym(bo.uid)
        x.s.bump(bo, t2 + 9 * SECOND)
        _restart(x, inc, pod, t2 + 11 * SECOND)
        effects.caller_symptoms(x, inc, comp, [pod], callers, t2, t2 + down, outcome="refused")
        end = t2 + down
    # One hop further up, the callers' callers see 5xx.
    for cc in x.rnd.sample(sorted({cp for p in callers for cp in x.c.callers(x.c.component_of(p.wl) or "")}), 1):
        up = [p for p in x.c.component_pods(cc) if x.free([p])][:1]
        mid = callers[0] if callers else pod
        mid_comp = x.c.component_of(mid.wl) or comp
        effects.caller_symptoms(x, inc, mid_comp, [mid], up, t0 + 2 * SECOND, t0 + down, outcome="5xx")
    inc.end = end + MINUTE
    return inc


def recurring_oom(x: Ctx, t0: int) -> list[Incident]:
    cands = [w for w in x.app_workloads() if not w.datastore and x.free(w.pods)]
    if not cands:
        return []
    wl = x.rnd.choice(cands)
    x.claim(wl.pods)
    pmax = (x.end - 60 * SECOND - t0) // 2 // 1000 - 15  # room for three occurrences
    if pmax < 150:
        return []
    period = x.rnd.randint(min(240, pmax), min(540, pmax))
    limit = x.rnd.choice([128, 256, 512])
    series = f"recurring-oom-{wl.name}"
    pod = x.rnd.choice(wl.pods)
    out = []
    t = t0
    k = 0
    while t < x.end - 60 * SECOND:
        k += 1
        if len(wl.pods) > 1 and x.rnd.chance(0.2):
            pod = x.rnd.choice(wl.pods)
        inc = Incident(
            "recurring_oom",
            f"{wl.name} OOM-killed every ~{period}s (occurrence {k})",
            t,
            ref("Pod", pod.name, x.ns),
            root_workload=ref(wl.kind, wl.name, x.ns),
            period_seconds=period,
            series=series,
            variant="recurring",
        )
        if x.rnd.chance(0.6):
            _memory_ramp(x, inc, pod, t, limit)
        inc.root_event_id = inc.sym(signals.oom_kill(x, t, pod, limit))
        if x.rnd.chance(0.5):
            inc.equivalents.append(inc.sym(_status_oom(x, t + x.rnd.randint(1, 4) * SECOND, pod, k, limit)))
        _restart(x, inc, pod, t + x.rnd.randint(1, 3) * SECOND)
        if x.rnd.chance(0.3):
            msg = (
                "java.lang.OutOfMemoryError: Java heap space"
                if signals.lang(pod) == "java"
                else f"runtime: out of memory: cannot allocate {x.rnd.randint(1, 64) * 1048576}-byte block"
            )
            at = t - x.rnd.randint(100, 2000)
            inc.sym(signals.app_log(x, at, pod, msg, level="fatal", logger="runtime", error_type="OutOfMemoryError"))
        inc.end = t + 2 * MINUTE
        out.append(inc)
        t += int(period * 1000 * x.rnd.uniform(0.98, 1.02))
    return out if len(out) >= 3 else []


def app_fault(x: Ctx, t0: int) -> Incident | None:
    cands = []
    for w in x.app_workloads():
        comp = x.c.component_of(w)
        if comp and not w.datastore and x.c.callers(comp) and x.free(w.pods):
            cands.append((w, comp))
    if not cands:
        return None
    wl, comp = x.rnd.choice(cands)
    pod = x.rnd.choice(wl.pods)
    mode = x.rnd.choice(["errors", "latency", "cpu", "leak"])
    inc = Incident(
        "app_fault",
        f"{pod.name}: application fault ({mode})",
        t0,
        ref("Pod", pod.name, x.ns),
        root_workload=ref(wl.kind, wl.name, x.ns),
        variant=mode,
    )
    x.claim([pod])
    end = t0 + x.rnd.randint(4, 10) * MINUTE
    firsts: list[str] = []

    def first(eid: str) -> str:
        if not any(e.split("-")[0] == eid.split("-")[0] for e in firsts):
            firsts.append(eid)
        return inc.sym(eid)

    n = x.rnd.randint(4, 10)
    for i in range(n):
        t = t0 + (end - t0) * i // n + x.rnd.randint(0, 20) * SECOND
        if mode == "errors":
            msg = x.rnd.choice(
                [
                    "ERROR 1213 (40001): Deadlock found when trying to get lock; try restarting transaction",
                    "failed to handle request: index out of range [3] with length 3",
                    "unexpected EOF while decoding response from cache",
                ]
            )
            first(
                signals.app_log(
                    x,
                    t,
                    pod,
                    msg,
                    level="error",
                    source="otel-collector",
                    logger=f"{comp}.handler",
                    error_type="RequestError",
                )
            )
        elif mode in ("latency", "leak"):
            tid, sid = signals.trace_ids(x)
            first(
                signals.span(
                    x,
                    t,
                    pod,
                    f"{comp}/{x.rnd.choice(['Get', 'List', 'Update'])}",
                    (tid, sid),
                    ms=x.rnd.randint(1200, 8000),
                    error=False,
                )
            )
        if i % 2 == 0:
            if mode == "cpu":
                first(
                    signals.metric(
                        x, t, pod, "container_cpu_cfs_throttled_seconds_total", x.rnd.uniform(40, 90), "s", "high", 2.0
                    )
                )
            elif mode == "leak":
                first(
                    signals.metric(
                        x,
                        t,
                        pod,
                        "container_memory_working_set_bytes",
                        x.rnd.uniform(600, 900) * 1048576,
                        "B",
                        "warning",
                        300 * 1048576,
                    )
                )
            else:
                first(
                    signals.metric(
                        x, t, pod, "http_server_request_duration_seconds_p99", x.rnd.uniform(2, 9), "s", "warning", 0.12
                    )
                )
    callers = effects.free_callers(x, comp, 3)
    outcome = "5xx" if mode == "errors" else "slow"
    effects.caller_symptoms(x, inc, comp, [pod], callers, t0 + 20 * SECOND, end, outcome=outcome)
    own = [e for e in inc.events if e in firsts]
    inc.root_event_id = min(own, key=lambda e: x.s.first_ts[e])
    inc.equivalents = [e for e in own if e != inc.root_event_id]
    inc.end = end
    return inc
