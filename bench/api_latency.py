"""API latency on the 150,000-pod synthetic cluster: ``GET /impact/nodes/{name}`` p50/p99 (target p99 < 200 ms) and
requests per second of ``GET /correlations`` with 10,000 stored correlations.

    .venv/bin/python -m bench.api_latency [--scale 1.0] [--graph DIR] [--requests 200] [--clients 4] [--json]

The cluster is the one ``bench.topology_import`` generates (5,000 Nodes, 150,000 Pods, ...), imported with the code
``causegraph import`` runs into an embedded FalkorDB (about 100 s at scale 1.0; ``--graph DIR`` keeps it and reuses it
next time). The app is served by uvicorn on 127.0.0.1 in this process; requests come over HTTP from httpx clients.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from api.app import create_app
from api.auth import Scope, new_token
from api.settings import ApiSettings
from bench.topology_import import generate
from causegraph.commands.import_ import import_paths
from causegraph.natsserver import free_port
from causegraph.settings import Settings
from graph import GraphStore, open_store
from graph.querybuilder import merge_nodes
from graph.schema import Label
from ingest.settings import KubernetesSettings

CLUSTER = "bench"
NOW = int(time.time() * 1000)


def ensure_cluster(store: GraphStore, root: Path, scale: float) -> float:
    """Import the synthetic cluster unless this graph has it already; returns the import seconds (0 if reused)."""
    if store.query(
        "list_resources", {"kind": "Node", "cluster": CLUSTER, "namespace": None, "prefix": None, "limit": 1}
    ):
        return 0.0
    files = root / "files"
    files.mkdir(parents=True, exist_ok=True)
    generate(files, scale)
    summary = import_paths(store, [files], CLUSTER)
    return summary.seconds


def store_correlations(store: GraphStore, n: int) -> None:
    """``n`` correlations with documents of realistic size, spread over the last 10 days."""
    store.run("MATCH (c:Correlation) DETACH DELETE c")
    rng = random.Random(7)
    types = ["cascading_failure", "node_failure", "resource_exhaustion", "deployment_issue", "workload_failure"]
    rows: list[dict[str, Any]] = []
    for i in range(n):
        last = NOW - rng.randint(0, 10 * 86_400_000)
        cid = f"corr-bench-{i:05d}"
        events = [f"ev-{i}-{k}" for k in range(rng.randint(2, 12))]
        doc = {
            "schema": "causegraph.correlation/v1",
            "id": cid,
            "version": 1 + rng.randint(0, 4),
            "type": rng.choice(types),
            "state": rng.choice(["active", "resolved", "resolved", "building"]),
            "severity": rng.choice(["low", "medium", "high", "critical"]),
            "confidence": round(rng.random(), 2),
            "summary": f"Root cause: deploy-{i % 7500} memory exhaustion affecting {len(events)} services",
            "root_cause": {
                "event_id": events[0],
                "reason": "OOMKilled",
                "at": "2026-05-01T10:00:00Z",
                "resource": {
                    "cluster": CLUSTER,
                    "kind": "Pod",
                    "namespace": f"ns-{i % 100}",
                    "name": f"deploy-{i % 7500}-abc-{i}",
                },
            },
            "related_events": events,
            "chain": [{"event_id": e, "link": "calls"} for e in events],
            "impact": {
                "services": [f"svc-{i % 7500}", f"svc-{(i + 1) % 7500}"],
                "pods": len(events),
                "namespaces": [f"ns-{i % 100}"],
            },
            "remediation": "Increase the memory limit or find the leak",
            "first_seen": "2026-05-01T10:00:00Z",
            "last_seen": "2026-05-01T10:05:00Z",
            "cypher": f"MATCH (c:Correlation {{id: '{cid}'}})-[r]->(n) RETURN c, r, n",
        }
        rows.append(
            {
                "id": cid,
                "type": doc["type"],
                "state": doc["state"],
                "severity": doc["severity"],
                "confidence": doc["confidence"],
                "summary": doc["summary"],
                "version": doc["version"],
                "first_seen": last - 300_000,
                "last_seen": last,
                "root_event_id": events[0],
                "namespaces": [f"ns-{i % 100}"],
                "document": json.dumps(doc),
            }
        )
    store.write(merge_nodes(Label.CORRELATION), rows)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of 5,000 nodes / 150,000 pods")
    ap.add_argument("--graph", metavar="DIR", help="keep (and reuse) the imported graph here")
    ap.add_argument("--requests", type=int, default=200, help="impact requests (sequential)")
    ap.add_argument("--list-requests", type=int, default=400, help="GET /correlations requests")
    ap.add_argument("--clients", type=int, default=4, help="concurrent clients for GET /correlations")
    ap.add_argument("--correlations", type=int, default=10_000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.graph or tmp)
        store = open_store(str(root / "graph" / "graph.rdb"), graph_name="bench")
        try:
            store.apply_schema()
            import_s = ensure_cluster(store, root, args.scale)
            store_correlations(store, args.correlations)
            token, line = new_token(Scope.READ)
            settings = Settings(
                api=ApiSettings(token_hashes=[line]), kubernetes=KubernetesSettings(mode="none", cluster=CLUSTER)
            )
            app = create_app(store, settings)
            server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
            thread = threading.Thread(target=server.run, daemon=True)
            thread.start()
            while not server.started:
                time.sleep(0.05)
            base = f"http://127.0.0.1:{server.config.port}/api/v1"
            headers = {"Authorization": f"Bearer {token}"}
            nodes = max(1, int(5_000 * args.scale))
            rng = random.Random(1)
            latencies: list[float] = []
            with httpx.Client(headers=headers, timeout=30) as client:
                for name in ("node-0", "node-1")[: min(2, args.requests)]:  # warm-up
                    client.get(f"{base}/impact/nodes/{name}").raise_for_status()
                pods_seen: list[int] = []
                for _ in range(args.requests):
                    name = f"node-{rng.randrange(nodes)}"
                    t = time.perf_counter()
                    r = client.get(f"{base}/impact/nodes/{name}")
                    latencies.append((time.perf_counter() - t) * 1000)
                    r.raise_for_status()
                    pods_seen.append(len(r.json()["pods"]))
                page = client.get(f"{base}/correlations", params={"limit": 50})
                page.raise_for_status()
                assert len(page.json()["items"]) == 50

            def one(_: int) -> float:  # a first request on a fresh connection
                with httpx.Client(headers=headers, timeout=30) as c:
                    t = time.perf_counter()
                    c.get(f"{base}/correlations", params={"limit": 50}).raise_for_status()
                    return time.perf_counter() - t

            per_client = max(1, args.list_requests // args.clients)

            def client_loop(_: int) -> list[float]:
                out = []
                with httpx.Client(headers=headers, timeout=30) as c:
                    for _i in range(per_client):
                        t = time.perf_counter()
                        c.get(f"{base}/correlations", params={"limit": 50}).raise_for_status()
                        out.append((time.perf_counter() - t) * 1000)
                return out

            one(0)
            t0 = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                list_lat = [x for chunk in pool.map(client_loop, range(args.clients)) for x in chunk]
            elapsed = time.perf_counter() - t0
            server.should_exit = True
            thread.join(timeout=30)
        finally:
            store.close()
    result = {
        "scale": args.scale,
        "import_s": round(import_s, 1),
        "impact_requests": len(latencies),
        "impact_pods_per_node_mean": round(statistics.mean(pods_seen), 1) if pods_seen else None,
        "impact_p50_ms": round(percentile(latencies, 0.50), 1) if latencies else None,
        "impact_p99_ms": round(percentile(latencies, 0.99), 1) if latencies else None,
        "impact_max_ms": round(max(latencies), 1) if latencies else None,
        "correlations_stored": args.correlations,
        "list_requests": len(list_lat),
        "list_clients": args.clients,
        "list_rps": round(len(list_lat) / elapsed, 1),
        "list_p50_ms": round(percentile(list_lat, 0.50), 1),
        "list_p99_ms": round(percentile(list_lat, 0.99), 1),
    }
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
