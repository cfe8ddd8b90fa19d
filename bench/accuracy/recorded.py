"""Recorded-fault-like scenarios: the class of the published root-cause benchmarks (faults injected one after another
into one pod of a microservice app, seen only through detectors run over its logs, traces and metrics).

    .venv/bin/python -m bench.accuracy.recorded --seed 7 --count 6 [--app sock-shop] [--out DIR] [--causegraph BIN]

What is modelled, and why (no scenario of any hidden set is known here; this is the class as the benchmark describes
it: fixed detector rules set from pre-fault data, each event on its pod):

- Faults come back to back, ``--gap`` minutes apart (default 10), each lasting 5 minutes, one pod each:
  CPU, memory, disk, network delay, packet loss, socket exhaustion (RCAEval's kinds). ``--profile nezha``: Nezha's
  five kinds (CPU contention, CPU consumed, network delay, a wrong return value, an exception), 8 minutes apart,
  3 minutes each, on online-boutique and train-ticket.
- Detectors fire per pod per 30 s window: ``cpu_usage`` and ``memory_usage`` deviations are local to the pod;
  latency deviations and slow spans propagate up the call graph (a caller's span contains its callee's), weaker
  at each hop, and the entry services see some of every fault; errors show on the pod and its direct callers.
- Detectors also fire without any fault (false positives of rules set from pre-fault data), more often on entry
  services whose latency varies most.
- Events of one fault carry one of a few traces about half the time: each trace a request path from an entry down
  to the faulty service, each span the child of its caller's. No network destination, no Kubernetes Event.

Scored per fault: the result (final version) holding most of the fault window's events answers it; its root
resource is right when it is the injected pod (``pod``) or the pod's workload (``workload``). Beside it, the simplest
ranker: the pod with the most anomaly events in the fault window. The truth names each fault's own events
(``events``: on the pod and what its callers felt), so that a result holding none of any fault's is counted as
background published (``noise_only``, against ``results``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.accuracy.faults import DATASTORE
from bench.accuracy.formats import Stream
from bench.accuracy.run import read_jsonl, replay
from bench.accuracy.topo import ClusterView, load_app
from causegraph.demo.synthcluster import DEFAULT_START_MS, as_list

Obj = dict[str, Any]
S = 1000
WINDOW = 30 * S
APPS = ("online-boutique", "sock-shop", "train-ticket")
NEZHA_APPS = ("online-boutique", "train-ticket")  # the two apps Nezha injected faults into
REPO = Path(__file__).resolve().parents[2]

# Per 30 s window during the fault: probability that each detector fires on the injected pod.
ROOT_SIGNALS: dict[str, dict[str, float]] = {
    "cpu": {"cpu_usage": 0.8, "latency_p99": 0.5, "slow_span": 0.4},
    "mem": {"memory_usage": 0.8, "latency_p99": 0.15},
    "disk": {"latency_p99": 0.4, "slow_span": 0.3, "error_log": 0.1},
    "delay": {"latency_p99": 0.5, "slow_span": 0.4},
    "loss": {"latency_p99": 0.4, "slow_span": 0.3, "error_log": 0.3},
    "socket": {"error_log": 0.4, "latency_p99": 0.3},
}
# Nezha's five fault types (its fault lists: CPU stress beside or inside the container, network delay, a wrong return
# value, an exception), as its labels say each shows: CPU usage, the pod's network P90, its log templates.
NEZHA_SIGNALS: dict[str, dict[str, float]] = {
    "cpu_contention": {"cpu_usage": 0.8, "latency_p99": 0.4, "slow_span": 0.3},
    "cpu_consumed": {"cpu_usage": 0.8, "latency_p99": 0.3, "slow_span": 0.2},
    "network_delay": {"latency_p99": 0.6, "slow_span": 0.5},
    "return": {"error_log": 0.5, "slow_span": 0.1},
    "exception": {"error_log": 0.6, "latency_p99": 0.1},
}
# signals, gap and length in minutes, spread of false-positive rates over pods
PROFILES = {"rcaeval": (ROOT_SIGNALS, 10, 5, 0.0), "nezha": (NEZHA_SIGNALS, 8, 3, 1.5)}
BACKGROUND = 0.015  # false positives per detector per pod per window
ENTRY_BACKGROUND = 0.08  # on entry services' latency detectors
HOP_DECAY = 0.85


@dataclass
class Fault:
    kind: str
    pod: Obj
    service: str
    t0: int
    t1: int
    events: list[str] = field(default_factory=list)


def _upstream(cv: ClusterView, service: str, hops: int = 3) -> dict[str, int]:
    """Services that call ``service`` within ``hops``, with their distance."""
    dist = {service: 0}
    frontier = [service]
    for h in range(1, hops + 1):
        nxt = []
        for s in frontier:
            for c in cv.callers(s):
                if c not in dist:
                    dist[c] = h
                    nxt.append(c)
        frontier = nxt
    dist.pop(service)
    return dist


class Recorder:
    """Emits detector events into a Stream."""

    def __init__(self, cv: ClusterView, stream: Stream, rng: random.Random, spread: float = 0.0) -> None:
        self.cv, self.stream, self.rng = cv, stream, rng
        self.spread = spread  # how unevenly false positives fall on pods (0: evenly; see ``background``)
        self.entries = {s for s in cv.services_with_pods() if not cv.callers(s)}
        self.parents: dict[str, str] = {}  # span id -> its parent's (the caller's) span id

    def emit(self, pod: Obj, ts: int, detector: str, ctx: Obj | None = None) -> str:
        trace = ctx["trace_id"] if ctx else ""
        span = {"trace_context": {k: v for k, v in ctx.items() if v}} if ctx else {}
        svc = self.cv.service_of_pod(pod)
        w = self.cv.workload(pod)
        wl = (str(w["kind"]), str(w["metadata"]["name"]))
        if detector == "slow_span":
            ms = self.rng.randint(300, 3000)
            kind, source, category, severity = "trace", "otel-traces", "performance", "warning"
            message = f"span {svc}/handle took {ms} ms"
            trace = trace or self.stream._id("trace", ts)[:32].replace("-", "0")
            extra = {"span": {"operation": f"{svc}/handle", "duration_ms": ms, "status_code": 200}, **span}
        elif detector == "error_log":
            kind, source, category, severity = "log", "otel-logs", "application", "error"
            message = f"{svc}: error while serving request"
            extra = {"application": {"level": "error", "message": "error while serving request", "logger": svc}, **span}
        else:
            base, unit = {"cpu_usage": (0.3, " cores"), "memory_usage": (300, "Mi"), "latency_p99": (50, "ms")}[
                detector
            ]
            value = round(base * self.rng.uniform(2.0, 6.0), 2)
            kind, source, severity = "metric", "prometheus", "warning"
            category = "performance" if detector == "latency_p99" else "resource"
            message = f"{detector} {value:g}{unit} deviates from its baseline {base:g}{unit}"
            trace = ""
            extra = {"metrics": {"name": detector, "value": value, "baseline": base, "unit": unit}}
        return self.stream.collector(
            ts=ts,
            pod=pod,
            mode="k8s",
            type_=kind,
            source=source,
            category=category,
            severity=severity,
            reason=detector,
            message=message,
            trace_id=trace,
            workload=wl,
            extra=extra,
        )

    def background(self, start: int, end: int) -> None:
        """False positives all along. With ``spread``, each (pod, detector) gets its own rate, log-normally spread:
        rules set from pre-fault data fire now and then on most pods and often on a few whose metric varies most."""
        for pod in self.cv.kind("Pod"):
            svc = self.cv.service_of_pod(pod)
            if not svc:
                continue
            dets = ("cpu_usage", "memory_usage", "latency_p99", "slow_span", "error_log")
            scale = {d: self.rng.lognormvariate(0, self.spread) if self.spread else 1.0 for d in dets}
            for w in range(start, end, WINDOW):
                for det in dets:
                    p = ENTRY_BACKGROUND if svc in self.entries and det in ("latency_p99", "slow_span") else BACKGROUND
                    if self.rng.random() < min(0.5, p * scale[det]):
                        self.emit(pod, w + self.rng.randint(0, WINDOW - 1), det)

    def fault(self, f: Fault) -> None:
        rng = self.rng
        up = _upstream(self.cv, f.service)
        # Each trace is one request path, from an entry down to the faulty service: a span per service on it, each
        # the child of its caller's span (what the detectors' span events carry as trace_context).
        paths: list[dict[str, tuple[str, str]]] = []
        for i in range(rng.randint(3, 5)):
            tid = self.stream._id("ftrace", f.t0, i)[:32].replace("-", "0")
            chain, svc = [f.service], f.service
            while callers := [c for c in self.cv.callers(svc) if c in up and c not in chain]:
                svc = rng.choice(callers)
                chain.append(svc)
            ids = [self.stream._id("span", tid, s)[:16].replace("-", "0") for s in chain]
            paths.append({s: (tid, ids[k]) for k, s in enumerate(chain)})
            self.parents.update(itertools.pairwise(ids))

        def trace(svc: str) -> Obj | None:
            mine = [p for p in paths if svc in p]
            if not mine or rng.random() >= 0.5:
                return None
            tid, span = rng.choice(mine)[svc]
            return {"trace_id": tid, "span_id": span, "parent_span_id": self.parents.get(span, "")}

        signals = ROOT_SIGNALS.get(f.kind) or NEZHA_SIGNALS[f.kind]
        onset = f.t0 + rng.randint(0, 30 * S)
        for w in range(onset, f.t1, WINDOW):
            for det, p in signals.items():
                if rng.random() < p:
                    f.events.append(self.emit(f.pod, w + rng.randint(0, WINDOW - 1), det, trace(f.service)))
        latency = signals.get("latency_p99", 0.0)
        errors = signals.get("error_log", 0.0)
        for svc, hop in sorted(_upstream(self.cv, f.service).items()):
            pods = self.cv.pods_of_service[svc]
            p_lat = latency * HOP_DECAY**hop
            if svc in self.entries:
                p_lat = max(p_lat, 0.9 * latency)
            start = onset + rng.randint(10 * S, 60 * S)
            for w in range(start, f.t1, WINDOW):
                pod = rng.choice(pods)
                for det in ("latency_p99", "slow_span"):
                    if rng.random() < p_lat:
                        f.events.append(self.emit(pod, w + rng.randint(0, WINDOW - 1), det, trace(svc)))
                if hop == 1 and rng.random() < errors * 0.5:
                    f.events.append(self.emit(pod, w + rng.randint(0, WINDOW - 1), "error_log", trace(svc)))


def build(
    topologies: Path, index: int, seed: int, *, app: str | None, gap_min: int, faults: int, profile: str = "rcaeval"
) -> Obj:
    rng = random.Random(f"recorded/{seed}/{index}")
    apps = NEZHA_APPS if profile == "nezha" else APPS
    app = app or apps[index % len(apps)]
    cluster = f"rec-{seed}-{index}"
    cv = load_app(
        topologies,
        app,
        rng,
        cluster=cluster,
        nodes=rng.randint(3, 5),
        seed=seed * 1000 + index,
        start_ms=DEFAULT_START_MS,
    )
    stream = Stream(rng=rng, cluster=cluster)
    rec = Recorder(cv, stream, rng, spread=PROFILES[profile][3])
    start = DEFAULT_START_MS + 3_600 * S
    candidates = [s for s in cv.services_with_pods() if not DATASTORE.search(s)]
    made: list[Fault] = []
    t = start + 5 * 60 * S
    for _ in range(faults):
        svc = rng.choice(candidates)
        pod = rng.choice(cv.pods_of_service[svc])
        signals, _, length, _ = PROFILES[profile]
        f = Fault(rng.choice(tuple(signals)), pod, svc, t, t + length * 60 * S)
        rec.fault(f)
        made.append(f)
        t += gap_min * 60 * S
    rec.background(start, t)
    truth = {
        "app": app,
        "faults": [
            {
                "kind": f.kind,
                "pod": f.pod["metadata"]["name"],
                "workload": cv.workload(f.pod)["metadata"]["name"],
                "t0": f.t0,
                "t1": f.t1,
                "events": f.events,
            }
            for f in made
        ],
    }
    return {"name": f"rec-{seed}-{index:02d}-{app}", "objects": cv.objects, "lines": stream.lines(), "truth": truth}


def write(sc: Obj, out: Path) -> Path:
    folder = out / sc["name"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "topology.json").write_text(json.dumps(as_list(sc["objects"]), indent=1) + "\n")
    with (folder / "events.jsonl").open("w") as fh:
        for line in sc["lines"]:
            fh.write(json.dumps(line.obj, separators=(",", ":")) + "\n")
    (folder / "truth.json").write_text(json.dumps(sc["truth"], indent=1) + "\n")
    return folder


def _ms(ts: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1000)


def score(folder: Path, results: Path) -> Counter[str]:
    """Per fault: engine's root right (pod / workload) and the most-anomalies ranker right."""
    truth = json.loads((folder / "truth.json").read_text())
    events = [json.loads(x) for x in (folder / "events.jsonl").read_text().splitlines()]
    latest: dict[str, Obj] = {}
    for doc in read_jsonl(results):
        cid = doc["id"]
        if cid not in latest or doc["version"] >= latest[cid]["version"]:
            latest[cid] = doc
    member_of: dict[str, str] = {}
    for cid, doc in latest.items():
        for eid in doc.get("related_events", []):
            member_of[eid] = cid
    out: Counter[str] = Counter()
    caused = {e for f in truth["faults"] for e in f.get("events", ())}
    out["results"] = len(latest)
    out["noise_only"] = sum(1 for doc in latest.values() if caused and not caused & set(doc.get("related_events", [])))
    for f in truth["faults"]:
        window = [e for e in events if f["t0"] <= _ms(e["timestamp"]) <= f["t1"]]
        pods = Counter(e["k8s_context"]["name"] for e in window)
        out["faults"] += 1
        if pods and pods.most_common(1)[0][0] == f["pod"]:
            out["ranker"] += 1
        held = Counter(member_of[e["id"]] for e in window if e["id"] in member_of)
        if not held:
            continue
        doc = latest[held.most_common(1)[0][0]]
        res = (doc.get("root_cause") or {}).get("resource") or {}
        name = res.get("name", "")
        out["answered"] += 1
        if name == f["pod"]:
            out["pod"] += 1
        if name in (f["pod"], f["workload"]):
            out["workload"] += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench.accuracy.recorded", description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--count", type=int, default=6)
    ap.add_argument("--faults", type=int, default=8)
    ap.add_argument("--gap", type=int, default=None, help="minutes between fault starts (default: the profile's)")
    ap.add_argument("--profile", choices=sorted(PROFILES), default="rcaeval", help="fault types and their signals")
    ap.add_argument("--app", choices=APPS, default=None)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--topologies", type=Path, default=REPO / "data" / "topologies")
    ap.add_argument("--causegraph", type=Path, default=REPO / ".venv" / "bin" / "causegraph")
    args = ap.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="recorded-"))
    per_app: dict[str, Counter[str]] = {}
    for i in range(args.count):
        gap = args.gap or PROFILES[args.profile][1]
        sc = build(args.topologies, i, args.seed, app=args.app, gap_min=gap, faults=args.faults, profile=args.profile)
        folder = write(sc, out)
        results, _ = replay(folder, args.causegraph, 900, cluster=f"rec-{args.seed}-{i}")
        s = score(folder, results)
        per_app.setdefault(sc["truth"]["app"], Counter()).update(s)
        print(f"{folder.name}: {dict(s)}", file=sys.stderr)
    for app, s in sorted(per_app.items()):
        n = s["faults"] or 1
        print(
            f"{app}: faults {s['faults']}  root pod@1 {s['pod'] / n:.2f}  pod or workload@1 {s['workload'] / n:.2f}"
            f"  most-anomalies ranker {s['ranker'] / n:.2f}  answered {s['answered'] / n:.2f}"
            f"  results {s['results']} (holding no fault's events: {s['noise_only']})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
