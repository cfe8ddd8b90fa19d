"""One benchmark scenario: an app's cluster, incidents, noise, and the ground truth written from the same facts as the
events. Realistic (the default knobs): two to four incidents within a few minutes in one namespace, sharing callers,
only their faulty parts kept apart, with background warnings on their own resources. Classic: two or three
incidents, the second overlapping the first in a different part of the cluster, noise kept away from them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.accuracy.faults import CLASSIC_KINDS, FAULTS, FaultCtx, H, Incident, S
from bench.accuracy.formats import Line, Stream
from bench.accuracy.knobs import Knobs
from bench.accuracy.noise import add_near_noise, add_noise
from bench.accuracy.topo import APPS, ClusterView, load_app
from causegraph.demo.synthcluster import DEFAULT_START_MS

Obj = dict[str, Any]
KINDS = tuple(FAULTS)  # realistic; classic rotates over CLASSIC_KINDS


@dataclass
class Scenario:
    name: str
    app: str
    objects: list[Obj]
    lines: list[Line]
    truth: Obj


def _overlaps(inc: Incident, start: int, end: int) -> bool:
    margin = 15 * 60 * S
    return inc.start - margin <= end and start <= inc.end + margin


def _inject(
    cv: ClusterView,
    stream: Stream,
    rng: random.Random,
    kind: str,
    t0: int,
    placed: list[Incident],
    n: int,
    knobs: Knobs | None = None,
) -> Incident | None:
    """Run one fault, retrying on other targets until it stays apart from incidents at the same time: classic,
    nothing shared; realistic, its faulty part (``core``) apart from theirs, and a faulty pod is no symptom of theirs
    (callers may be shared; a node incident's pods may be others' callers)."""
    knobs = knobs or Knobs.classic()
    for attempt in range(8):
        mark = len(stream.items)
        inc = Incident(id=f"inc-{n}", kind=kind, start=t0)
        busy: set[str] = set()
        core: set[str] = set()
        for other in placed:
            if _overlaps(other, t0, t0 + (30 * H if kind == "recurring_oom" else 10 * 60 * S)):
                busy |= other.footprint
                core |= other.core
        if knobs.overlap:
            ctx = FaultCtx(cv=cv, stream=stream, rng=rng, avoid=core, knobs=knobs, shun=core)
            ok = FAULTS[kind](ctx, inc, t0)
            clash = inc.core & core or (inc.root_resource.get("kind") != "Node" and inc.core & busy)
        else:
            ctx = FaultCtx(cv=cv, stream=stream, rng=rng, avoid=busy, knobs=knobs)
            ok = FAULTS[kind](ctx, inc, t0)
            clash = inc.footprint & busy
        if ok and not clash:
            return inc
        del stream.items[mark:]
        if attempt >= 3:  # crowded: move it out of the others' way in time
            t0 += (rng.randint(60, 180) if knobs.overlap else 40 * 60) * S
    return None


def _classic_offset(rng: random.Random, i: int) -> int:
    """The second incident overlaps the first (within minutes); a third comes later or overlaps too."""
    if i == 0:
        return 0
    if i == 1:
        return rng.randint(0, 240) * S
    return rng.choice((rng.randint(60, 300) * S, rng.randint(20, 90) * 60 * S))


def _plan(rng: random.Random, first: str, kinds_all: tuple[str, ...]) -> list[tuple[str, int]]:
    """Realistic: the fault kinds of a scenario and their start offsets (ms after the base time)."""
    if first == "app_fault":
        # Faults injected one after another into the same app, a few minutes apart (as the Nezha benchmark does),
        # sometimes with an incident of another kind in the middle of them.
        plan, t = [], 0
        for _ in range(rng.randint(2, 4)):
            plan.append(("app_fault", t))
            t += rng.randint(5, 9) * 60 * S
        if len(plan) < 4 and rng.random() < 0.5:
            other = rng.choice([k for k in kinds_all if k not in ("app_fault", "recurring_oom")])
            plan.append((other, rng.randint(0, t // S) * S))
        return plan
    # A recurring failure only as the rotation's own kind: its four to six occurrences would crowd out the rest.
    others = [k for k in kinds_all if k not in (first, "recurring_oom")]
    kinds = [first, *rng.sample(others, k=rng.choice((1, 2, 2, 3)))]
    return [(kind, 0 if i == 0 else rng.randint(0, 300) * S) for i, kind in enumerate(kinds)]


def build(topologies: Path, index: int, seed: int, *, app: str | None = None, knobs: Knobs | None = None) -> Scenario:
    """Scenario ``index`` of a run: the app and the fault kinds rotate with the index so every kind and app is
    covered; everything else is drawn from a generator seeded by (seed, index). ``knobs``: realistic by default."""
    knobs = Knobs() if knobs is None else knobs
    rng = random.Random(f"{seed}/{index}")
    app = app or APPS[index % len(APPS)]
    cluster = f"bench-{index:03d}"
    start_ms = DEFAULT_START_MS + index * 86_400_000
    cv = load_app(
        topologies, app, rng, cluster=cluster, nodes=rng.randint(3, 5), seed=seed * 1000 + index, start_ms=start_ms
    )
    stream = Stream(rng=rng, cluster=cluster)
    base = start_ms + 20 * 60 * S
    placed: list[Incident] = []
    kinds_all = tuple(FAULTS) if knobs.app_faults else CLASSIC_KINDS
    first = kinds_all[index % len(kinds_all)]
    if knobs.overlap:
        for i, (kind, offset) in enumerate(_plan(rng, first, kinds_all)):
            inc = _inject(cv, stream, rng, kind, base + offset, placed, i + 1, knobs)
            # No room for it beside the others (a node whose pods all belong to another incident's faulty
            # workload): another kind at the same time rather than fewer incidents.
            spare = [k for k in kinds_all if k not in {p.kind for p in placed} | {kind, "recurring_oom"}]
            while inc is None and spare:
                alt = spare.pop(rng.randrange(len(spare)))
                inc = _inject(cv, stream, rng, alt, base + offset, placed, i + 1, knobs)
            if inc is not None:
                placed.append(inc)
    else:
        kinds = [first, *rng.sample([k for k in kinds_all if k != first], k=rng.choice((1, 2, 2)))]
        for i, kind in enumerate(kinds):
            inc = _inject(cv, stream, rng, kind, base + _classic_offset(rng, i), placed, i + 1, knobs)
            if inc is not None:
                placed.append(inc)
    span = (start_ms, max([base + 60 * 60 * S] + [i.end + 10 * 60 * S for i in placed]))
    hours = max(1, (span[1] - span[0]) // H)
    noise = add_noise(
        cv,
        stream,
        rng,
        placed,
        span,
        churn=rng.randint(6, 12) + hours,
        chatter=rng.randint(15, 30) + 2 * hours,
        warnings=rng.randint(4, 10) + hours // 3,
    )
    warn = {line.event_id for line in stream.items if line.warning}
    for inc in placed:
        noise.event_ids += inc.noise_ids
        noise.warning_ids += [e for e in inc.noise_ids if e in warn]
    if knobs.near_noise:
        add_near_noise(cv, stream, rng, [part for inc in placed for part in inc.parts()], noise)
    lines = stream.lines()
    warnings = {line.event_id for line in lines if line.warning}
    truth: Obj = {
        "scenario": f"s{index:03d}-{app}",
        "app": app,
        "cluster": cluster,
        "knobs": knobs.label(),
        "incidents": [t for i in placed for t in i.truths()],
        "noise_event_ids": noise.event_ids,
        "noise_warning_ids": noise.warning_ids,
        "warning_events": len(warnings),
    }
    return Scenario(name=f"s{index:03d}-{app}", app=app, objects=cv.objects, lines=lines, truth=truth)
