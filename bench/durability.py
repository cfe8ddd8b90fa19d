"""What the append-only file costs: events written through the EventWriter with the AOF off, fsync everysec, fsync
always, at a few batch sizes (a batch is one graph round trip: a fetched NATS batch, a POST /events body).

    .venv/bin/python -m bench.durability [--events 5000] [--batches 1,10,1000] [--repeat 3]

Each run gets a fresh embedded server on its own graph file; "AOF off" turns it off with CONFIG SET, as causegraph
ran before the AOF. The policies take turns, ``--repeat`` rounds; prints the median events/s per policy and batch
size (batch 1 writes at most 500 events).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from graph import open_store
from graph.falkor import FalkorStore
from ingest.eventwriter import EventWriter
from ingest.normalize import parse_unified

T0 = 1_777_629_600_000
POLICIES = ("off", "everysec", "always")


def _events(n: int, tag: str) -> list[object]:
    return [
        parse_unified(
            {
                "id": f"{tag}-{i}",
                "timestamp": T0 + i,
                "type": "network",
                "message": f"upstream returned 503 ({i})",
                "k8s_context": {"kind": "Pod", "namespace": "shop", "name": f"pod-{i % 500}"},
                "network": {"source_ip": f"10.0.{i % 200}.{i % 250}", "dest_ip": "10.96.0.10", "status_code": 503},
            },
            cluster="bench",
        )
        for i in range(n)
    ]


def run(policy: str, batch: int, n: int, folder: Path) -> float:
    fsync = "always" if policy == "always" else "everysec"
    path = Path(tempfile.mkdtemp(dir=folder)) / "graph.rdb"
    store = open_store(str(path), graph_name="bench", appendfsync=fsync)  # type: ignore[arg-type]
    assert isinstance(store, FalkorStore)
    try:
        if policy == "off":
            store._client.config_set("appendonly", "no")
        store.apply_schema()
        writer = EventWriter(store, "bench", batch_size=batch)
        events = _events(n, "e")
        start = time.perf_counter()
        for i in range(0, n, batch):
            writer.write(events[i : i + batch])  # type: ignore[arg-type]
        return n / (time.perf_counter() - start)
    finally:
        store.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=5000)
    ap.add_argument("--batches", default="1,10,1000")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="cg-durability-"))
    print(f"{'batch':>6} {'AOF off':>10} {'everysec':>10} {'always':>10}   events/s")
    for batch in batches:
        n = min(args.events, 500 * batch) if batch < 10 else args.events
        rates: dict[str, list[float]] = {p: [] for p in POLICIES}
        for _ in range(args.repeat):
            for policy in POLICIES:
                rates[policy].append(run(policy, batch, n, folder))
        print(f"{batch:>6} " + " ".join(f"{statistics.median(rates[p]):>10,.0f}" for p in POLICIES))
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
