"""Neo4j and FalkorDB side by side: topology import and node blast radius on the same synthetic cluster.

    .venv/bin/python -m bench.engines [--scales 0.2 1.0] [--samples 100] [--batch-sizes 1000] [--json]

For each scale (1.0 = 5,000 Nodes and 150,000 Pods, as in ``bench.topology_import``; 0.2 = 30,000 Pods) the files
are generated once, then imported with ``import_paths`` (what ``causegraph import`` runs) into a fresh embedded
FalkorDB and into a local Neo4j 5 (scripts/neo4j-local.sh in ``--neo4j-dir``, heap ``NEO4J_HEAP``, default here 2g),
once per batch size given; then ``blast_radius_node`` is timed on random nodes. One run each; the table gives the
figures and Neo4j / FalkorDB as a ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.topology_import import NODES, generate
from causegraph import neo4jlocal
from causegraph.commands.import_ import import_paths
from correlate.impact import blast_radius_node
from graph import GraphStore, open_store

CLUSTER = "bench"


def _p(ms: list[float], q: float) -> float:
    ordered = sorted(ms)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 2)


def measure(store: GraphStore, files: Path, scale: float, batch_size: int, samples: int) -> dict[str, Any]:
    """Import ``files`` into the empty ``store``, then time node blast radius on ``samples`` random nodes."""
    store.clear()
    store.apply_schema()
    summary = import_paths(store, [files], CLUSTER, batch_size)
    objects = sum(summary.objects.values())
    rnd = random.Random(1)
    n_nodes = max(1, int(NODES * scale))
    blast_radius_node(store, CLUSTER, "node-0")  # warm the connection and the caches once
    ms, pods = [], []
    for _ in range(samples):
        t = time.perf_counter()
        r = blast_radius_node(store, CLUSTER, f"node-{rnd.randrange(n_nodes)}")
        ms.append((time.perf_counter() - t) * 1000)
        pods.append(len(r["pods"]))
    return {
        "objects": objects,
        "import_s": round(summary.seconds, 1),
        "objects_per_s": round(objects / summary.seconds),
        "blast_p50_ms": _p(ms, 0.5),
        "blast_p99_ms": _p(ms, 0.99),
        "pods_per_node": round(statistics.mean(pods), 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", type=float, nargs="+", default=[0.2, 1.0])
    ap.add_argument("--samples", type=int, default=100)
    ap.add_argument("--batch-sizes", type=int, nargs="+", default=[1000], help="Neo4j import batch sizes to try")
    ap.add_argument("--neo4j-dir", type=Path, default=Path("bench/out/neo4j"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    os.environ.setdefault("NEO4J_HEAP", "2g")
    os.environ.setdefault("NEO4J_PAGECACHE", "1g")
    was_running = neo4jlocal.running(args.neo4j_dir)
    server = neo4jlocal.start(args.neo4j_dir)
    results: list[dict[str, Any]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="cg-engines-") as tmp:
            for scale in args.scales:
                files = Path(tmp) / f"files-{scale}"
                files.mkdir()
                generate(files, scale)
                falkor = open_store(str(Path(tmp) / f"falkor-{scale}" / "graph.rdb"), graph_name="engines")
                try:
                    f = measure(falkor, files, scale, 1000, args.samples)
                finally:
                    falkor.clear()
                    falkor.close()
                results.append({"scale": scale, "engine": "falkordb", "batch_size": 1000, **f})
                for batch in args.batch_sizes:
                    neo = open_store(server.url, user=server.user, password=server.password)
                    try:
                        n = measure(neo, files, scale, batch, args.samples)
                    finally:
                        neo.clear()
                        neo.close()
                    ratio = {
                        "import_time_ratio": round(n["import_s"] / f["import_s"], 2),
                        "blast_p50_ratio": round(n["blast_p50_ms"] / f["blast_p50_ms"], 2),
                    }
                    results.append({"scale": scale, "engine": "neo4j", "batch_size": batch, **n, **ratio})
                    print(json.dumps(results[-1]), file=sys.stderr)
    finally:
        if not was_running:
            server.stop()
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    head = ("pods", "engine", "batch", "objects", "import s", "obj/s", "blast p50 ms", "p99 ms", "Neo4j/Falkor")
    print(" | ".join(head))
    for r in results:
        pods = int(150_000 * r["scale"])
        ratio = f"import x{r['import_time_ratio']}, blast x{r['blast_p50_ratio']}" if r["engine"] == "neo4j" else ""
        row = (pods, r["engine"], r["batch_size"], r["objects"], r["import_s"], r["objects_per_s"])
        print(" | ".join(map(str, (*row, r["blast_p50_ms"], r["blast_p99_ms"], ratio))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
