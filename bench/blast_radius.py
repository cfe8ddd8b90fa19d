"""Blast radius of a node (and of a Deployment) on the synthetic cluster at Kubernetes' published limits.

    .venv/bin/python -m bench.blast_radius [--scale 1.0] [--graph DIR] [--samples 200] [--json]

Builds the 5,000-node / 150,000-pod cluster of ``bench.topology_import`` (its generator and the code
``causegraph import`` runs) into an embedded FalkorDB under ``--graph`` (reused when it is already there), then times
``correlate.impact.blast_radius_node`` for ``--samples`` random nodes and ``blast_radius_resource`` for as many
Deployments: p50/p99/max in milliseconds, end to end (every query, plain Python results). Target: p99 < 100 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.topology_import import NODES, PODS, PODS_PER_DEPLOYMENT, generate
from causegraph.commands.import_ import import_paths
from correlate.impact import blast_radius_node, blast_radius_resource
from graph import open_store

CLUSTER = "bench"


def percentiles(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 2), "p99": round(p99, 2), "max": round(ordered[-1], 2)}


def build(folder: Path, scale: float) -> dict[str, Any]:
    """Generate and import the cluster unless ``folder`` already holds it."""
    marker = folder / "built.json"
    if marker.exists():
        info: dict[str, Any] = json.loads(marker.read_text())
        if info.get("scale") == scale:
            return info
    store = open_store(str(folder / "graph.rdb"), graph_name="blast")
    try:
        store.clear()
        store.apply_schema()
        with tempfile.TemporaryDirectory() as tmp:
            n = generate(Path(tmp), scale)
            summary = import_paths(store, [Path(tmp)], CLUSTER)
    finally:
        store.close()
    info = {"scale": scale, "objects": n, "import_s": round(summary.seconds, 1)}
    marker.write_text(json.dumps(info))
    return info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--graph", metavar="DIR", default="bench/out/blast_radius", help="where the graph is kept")
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    folder = Path(args.graph)
    folder.mkdir(parents=True, exist_ok=True)
    info = build(folder, args.scale)
    n_nodes = max(1, int(NODES * args.scale))
    n_deps = max(PODS_PER_DEPLOYMENT, int(PODS * args.scale)) // PODS_PER_DEPLOYMENT
    rnd = random.Random(1)
    store = open_store(str(folder / "graph.rdb"), graph_name="blast")
    try:
        blast_radius_node(store, CLUSTER, "node-0")  # warm the connection and the caches once
        node_ms, dep_ms, pods, services = [], [], [], []
        for _ in range(args.samples):
            name = f"node-{rnd.randrange(n_nodes)}"
            t = time.perf_counter()
            r = blast_radius_node(store, CLUSTER, name)
            node_ms.append((time.perf_counter() - t) * 1000)
            pods.append(len(r["pods"]))
            services.append(len(r["services"]))
        for _ in range(args.samples):
            d = rnd.randrange(n_deps)
            t = time.perf_counter()
            blast_radius_resource(store, CLUSTER, "Deployment", f"ns-{d % 100}", f"app-{d}")
            dep_ms.append((time.perf_counter() - t) * 1000)
    finally:
        store.close()
    result = {
        **info,
        "samples": args.samples,
        "node_ms": percentiles(node_ms),
        "deployment_ms": percentiles(dep_ms),
        "pods_per_node_mean": round(statistics.mean(pods), 1),
        "services_per_node_mean": round(statistics.mean(services), 1),
    }
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
