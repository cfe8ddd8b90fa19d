"""One scenario: pick an app, materialise it, run 2-4 overlapping faults and the background, write the three files.

Why: the truth must come from the same decisions that wrote the events (never from reading them back), and the same
seed must give the same bytes, so everything here follows from one ``Rand`` and output is written with sorted keys.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.accuracy.blind import app as apps
from bench.accuracy.blind import background, cluster, incidents_app, incidents_change, incidents_node
from bench.accuracy.blind.emit import Stream
from bench.accuracy.blind.model import Ctx, Incident
from bench.accuracy.blind.rand import Rand
from bench.accuracy.blind.times import MINUTE

Obj = dict[str, Any]
Builder = Callable[[Ctx, int], "Incident | list[Incident] | None"]
FAULTS: dict[str, Builder] = {
    "config_change": incidents_change.config_change,
    "bad_rollout": incidents_change.bad_rollout,
    "crash_loop": incidents_change.crash_loop,
    "datastore_oom": incidents_app.datastore_oom,
    "node_memory_pressure": incidents_node.memory_pressure,
    "node_network_loss": incidents_node.network_loss,
    "node_not_ready": incidents_node.not_ready,
    "recurring_oom": incidents_app.recurring_oom,
    "app_fault": incidents_app.app_fault,
}
CLUSTERS = ("prod-eu1", "shop-prod", "stage-us", "k8s-main", "payments-east", "apps-2")


def build(seed: int, index: int) -> tuple[Obj, str, Obj]:
    """(topology List, events.jsonl text, truth) of scenario ``index`` of ``seed``."""
    rnd = Rand(f"blind:{seed}:{index}")
    app_name = rnd.choice(apps.APPS)
    name = rnd.choice(CLUSTERS)
    day = datetime(2025, 1, 6, tzinfo=UTC).timestamp() + rnd.randint(0, 300) * 86400
    start = int(day * 1000) + rnd.randint(0, 23 * 60) * MINUTE
    duration = rnd.randint(15, 40) * MINUTE
    c = cluster.build(rnd.child("topology"), apps.load(app_name), name, start)
    s = Stream(c, rnd.child("stream"))
    x = Ctx(s, c, rnd.child("faults"), start, start + duration)
    incidents: list[Incident] = []
    want = rnd.randint(2, 4)
    kinds = list(FAULTS)
    first = start + rnd.randint(2, 5) * MINUTE
    latest = max(first + MINUTE, start + duration - 9 * MINUTE)
    tries = 0
    faults = 0
    while faults < want and tries < 30:
        tries += 1
        kind = rnd.choice(kinds)
        if kind == "recurring_oom" and (duration < 20 * MINUTE or any(i.kind == kind for i in incidents)):
            continue
        t0 = first if faults == 0 else rnd.randint(first, min(latest, first + 8 * MINUTE))
        if kind == "recurring_oom":
            t0 = start + rnd.randint(1, 3) * MINUTE
        got = FAULTS[kind](x, t0)
        new = got if isinstance(got, list) else [got] if got is not None else []
        if not new:
            continue
        faults += 1
        for inc in new:
            nodes = sorted({p.node for p in c.pods if p.uid in x.claimed} | x.claimed_nodes)
            x.windows.append((inc.start, max(inc.end, inc.start + 2 * MINUTE), nodes))
        incidents += new
    x.end = max([x.end] + [i.end for i in incidents])
    background.add(x)
    incidents.sort(key=lambda i: (i.start, i.kind))
    truth_incs = [inc.truth(f"inc-{n}") for n, inc in enumerate(incidents, 1)]
    in_incident = {e for i in incidents for e in i.events + i.context}
    truth: Obj = {
        "cluster": name,
        "app": app_name,
        "namespace": c.namespace,
        "seed": seed,
        "index": index,
        "generator": "bench.accuracy.blind",
        "start": start,
        "end": x.end,
        "incidents": truth_incs,
        "noise_event_ids": sorted(e for e in s.first_ts if e not in in_incident),
        "warning_events": len(s.warnings),
    }
    topology: Obj = {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": c.items}
    return topology, s.render(), truth


def write(out: Path, seed: int, index: int) -> Path:
    topology, events, truth = build(seed, index)
    folder = out / f"blind-{seed}-{index:03d}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "topology.json").write_text(json.dumps(topology, indent=1, sort_keys=True) + "\n")
    (folder / "events.jsonl").write_text(events)
    (folder / "truth.json").write_text(json.dumps(truth, indent=1, sort_keys=True) + "\n")
    return folder
