"""One scenario: an app on its cluster, two or three faults started minutes apart, background warnings around
them, written as the three files ``bench.accuracy.run`` replays and scores.

Truth (the schema ``bench/accuracy/metrics.py`` reads): per incident its event ids, Normal bookkeeping as
context ids, the root event (empty when no event is about the root, e.g. a node that lost its network without
saying so), equivalent reports of the same fact, the root resource and, for pod roots, the pod's workload; the
noise ids; how many events are warning-level.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from bench.accuracy.indep.apps import app_names, load
from bench.accuracy.indep.background import noise, traffic
from bench.accuracy.indep.cluster import build, iso
from bench.accuracy.indep.kinds import BUILDERS, MIN
from bench.accuracy.indep.symptoms import Ctx, Incident, S
from bench.accuracy.indep.wire import Feed

Obj = dict[str, Any]
BASE_MS = 1_775_030_400_000  # 2026-04-01T08:00:00Z
DAY = 86_400 * S


def scenario(seed: int, index: int, kinds: list[str], out: Path) -> Obj:
    """Write scenario ``index`` of ``seed`` under ``out``; returns its truth."""
    rng = random.Random(f"indep:{seed}:{index}")
    names = app_names()
    app = load(names[(index + seed) % len(names)])
    start = BASE_MS + index * DAY + rng.randint(0, 12 * 60) * MIN
    cl = build(app, rng, start, index)
    # the cluster as listed before anything happened (the faults edit these objects for their recorded changes)
    topology = json.dumps({"apiVersion": "v1", "kind": "List", "items": cl.items})
    feed = Feed(cl, rng)
    ctx = Ctx(cl, feed, rng)
    incidents: list[Incident] = []
    fallback = [k for k in BUILDERS if k not in kinds]
    rng.shuffle(fallback)
    t = start + 2 * MIN
    for kind in kinds:
        made = BUILDERS[kind](ctx, t)
        while not made and fallback:
            made = BUILDERS[fallback.pop()](ctx, t)
        for inc in made:
            ctx.shown |= inc.touched
        incidents += made
        t += rng.randint(20, 300) * S
    traffic_ids = traffic(ctx, start - 10 * MIN)
    hot_w = set(ctx.shown)
    hot_n = {str(i.root_resource["name"]) for i in incidents if i.root_resource["kind"] == "Node"}
    hot_n |= {p.node.name for p in cl.pods() if p.workload.name in hot_w and rng.random() < 0.3}
    noise_ids = noise(ctx, start - 3 * MIN, t + 12 * MIN, hot_w, hot_n, rng.randint(70, 120))
    for inc in incidents:  # the later occurrences of a recurring failure have their own surroundings
        if inc.start > t + 30 * MIN:
            noise_ids += noise(ctx, inc.start - 5 * MIN, inc.start + 8 * MIN, hot_w, hot_n, rng.randint(3, 8))
    name = f"indep-{seed:03d}-{index:02d}-{app.name}"
    truth: Obj = {
        "generator": "bench.accuracy.indep",
        "scenario": name,
        "app": app.name,
        "cluster": cl.name,
        "namespace": cl.namespace,
        "call_env": cl.call_env,
        "start": iso(start),
        "incidents": [inc.truth(f"{name}/{n}") for n, inc in enumerate(incidents, 1)],
        "noise_event_ids": noise_ids + traffic_ids,
        "warning_events": len(feed.warnings),
    }
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "topology.json").write_text(topology)
    with (folder / "events.jsonl").open("w") as fh:
        for line in feed.ordered():
            fh.write(json.dumps(line, separators=(",", ":")) + "\n")
    (folder / "truth.json").write_text(json.dumps(truth, indent=1))
    return truth


def deck(seed: int, count: int) -> list[list[str]]:
    """The fault kinds of each scenario: every kind about equally often, two or three distinct ones each."""
    rng = random.Random(f"indep-deck:{seed}")
    pool: list[str] = []
    plan: list[list[str]] = []
    for _ in range(count):
        want = rng.choice([2, 3, 3])
        picked: list[str] = []
        while len(picked) < want:
            fresh = [k for k in pool if k not in picked]
            if not fresh:
                more = list(BUILDERS)
                rng.shuffle(more)
                pool += more
                continue
            pool.remove(fresh[0])
            picked.append(fresh[0])
        plan.append(picked)
    return plan
