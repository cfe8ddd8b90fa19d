"""One benchmark scenario: an app's cluster, two or three incidents (some overlapping in time, in different parts
of the cluster), noise, and the ground truth written from the same facts as the events."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.accuracy.faults import FAULTS, FaultCtx, H, Incident, S
from bench.accuracy.formats import Line, Stream
from bench.accuracy.noise import add_noise
from bench.accuracy.topo import APPS, ClusterView, load_app
from causegraph.synthcluster import DEFAULT_START_MS

Obj = dict[str, Any]
KINDS = tuple(FAULTS)


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
    cv: ClusterView, stream: Stream, rng: random.Random, kind: str, t0: int, placed: list[Incident], n: int
) -> Incident | None:
    """Run one fault, retrying on other targets until its footprint is disjoint from incidents at the same time."""
    for attempt in range(8):
        mark = len(stream.items)
        inc = Incident(id=f"inc-{n}", kind=kind, start=t0)
        busy: set[str] = set()
        for other in placed:
            if _overlaps(other, t0, t0 + (30 * H if kind == "recurring_oom" else 10 * 60 * S)):
                busy |= other.footprint
        ctx = FaultCtx(cv=cv, stream=stream, rng=rng, avoid=busy)
        if FAULTS[kind](ctx, inc, t0) and not (inc.footprint & busy):
            return inc
        del stream.items[mark:]
        if attempt >= 3:  # crowded: move it out of the others' way in time
            t0 += 40 * 60 * S
    return None


def build(topologies: Path, index: int, seed: int, *, app: str | None = None) -> Scenario:
    """Scenario ``index`` of a run: the app and the fault kinds rotate with the index so every kind and app is
    covered; everything else is drawn from a generator seeded by (seed, index)."""
    rng = random.Random(f"{seed}/{index}")
    app = app or APPS[index % len(APPS)]
    cluster = f"bench-{index:03d}"
    start_ms = DEFAULT_START_MS + index * 86_400_000
    cv = load_app(
        topologies, app, rng, cluster=cluster, nodes=rng.randint(3, 5), seed=seed * 1000 + index, start_ms=start_ms
    )
    stream = Stream(rng=rng, cluster=cluster)
    kinds = [KINDS[index % len(KINDS)]]
    kinds += rng.sample([k for k in KINDS if k != kinds[0]], k=rng.choice((1, 2, 2)))
    base = start_ms + 20 * 60 * S
    placed: list[Incident] = []
    for i, kind in enumerate(kinds):
        # The second incident overlaps the first (within minutes); a third comes later or overlaps too.
        offset = (
            0
            if i == 0
            else (
                rng.randint(0, 240) * S
                if i == 1
                else rng.choice((rng.randint(60, 300) * S, rng.randint(20, 90) * 60 * S))
            )
        )
        inc = _inject(cv, stream, rng, kind, base + offset, placed, i + 1)
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
    lines = stream.lines()
    warnings = {line.event_id for line in lines if line.warning}
    truth: Obj = {
        "scenario": f"s{index:03d}-{app}",
        "app": app,
        "cluster": cluster,
        "incidents": [i.truth() for i in placed],
        "noise_event_ids": noise.event_ids,
        "noise_warning_ids": noise.warning_ids,
        "warning_events": len(warnings),
    }
    return Scenario(name=f"s{index:03d}-{app}", app=app, objects=cv.objects, lines=lines, truth=truth)
