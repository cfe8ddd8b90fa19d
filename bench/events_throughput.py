"""Collector events from JetStream into the embedded graph: sustained rate, and publish -> stored delay.

    .venv/bin/python -m bench.events_throughput [--events 50000] [--rate 1000] [--seconds 10] [--json]

A bundled nats-server (JetStream, temporary store) and an embedded FalkorDB (temporary file) are started; the
shop topology of ``tests/scenario_events.py`` is loaded. A separate publisher process (as a collector would be)
sends UnifiedEvents on ``traces.{trace}.{source}``: one third HTTP 503s between pod and service IPs (resolved by
IP, traffic CALLS), one third naming a pod (resolved by key), one third naming nothing (stored unresolved).

1. throughput: ``--events`` are published first, then the real ``NatsIngest.run`` (the loop ``causegraph serve``
   runs: the next batch is fetched while one is stored) -> ``Pipeline`` -> ``EventWriter`` consumes them (batches
   of at most 1,000 messages or 200 ms); events/s = events / time to store them all.
2. latency: with the consumer running, events are published at ``--rate`` per second for ``--seconds``; each id
   carries its publish time (wall clock, same machine), and ``on_stored`` (called after the write committed)
   records stored - published. Prints p50/p90/p99/max.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _event(i: int, eid: str, ts_ms: int) -> dict[str, Any]:
    from tests import scenario_events as sc

    kind = i % 3
    if kind == 0:
        return sc.http_503(eid, ts_ms)
    if kind == 1:
        return sc.unified(
            eid,
            ts_ms,
            type="memory",
            severity="high",
            message="memory pressure",
            k8s_context={"kind": "Pod", "name": "api-1", "namespace": sc.NS},
        )
    return sc.unified(eid, ts_ms, type="log", severity="error", message=f"error {i}")


def _publisher(url: str, count: int, rate: float, prefix: str) -> None:
    """Child process: publish ``count`` events (as fast as possible when rate is 0), then flush."""
    sys.path.insert(0, str(ROOT))
    import nats

    from tests import scenario_events as sc

    async def main() -> None:
        nc = await nats.connect(url)
        start = time.perf_counter()
        for i in range(count):
            if rate:
                due = start + i / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            eid = f"{prefix}-{i}-{time.time_ns()}"
            payload = json.dumps(_event(i, eid, sc.T0 + i)).encode()
            await nc.publish(f"traces.trace-{i % 50}.ebpf", payload)
            if rate or i % 5000 == 4999:
                await nc.flush()
        await nc.flush()
        await nc.close()

    asyncio.run(main())


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _run(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    from causegraph.natsserver import NatsServer
    from graph import open_store
    from ingest.eventwriter import EventWriter
    from ingest.loader import TopologyLoader
    from ingest.natsconsumer import NatsIngest
    from ingest.pipeline import Pipeline
    from ingest.settings import NatsSettings
    from model.event import StoredEvent
    from tests import scenario_events as sc

    server = NatsServer(tmp / "js").start()
    store = open_store(str(tmp / "graph.rdb"), graph_name="bench")
    store.apply_schema()
    loader = TopologyLoader(store, sc.CLUSTER)
    loader.apply(sc.topology_objects())
    loader.finish()
    delays: list[float] = []

    batches: list[int] = []

    def on_stored(events: list[StoredEvent]) -> None:
        batches.append(len(events))
        now = time.time_ns()
        for s in events:
            if s.new and s.event.id.startswith("lat-"):
                delays.append((now - int(s.event.id.rsplit("-", 1)[1])) / 1e6)

    writer = EventWriter(store, sc.CLUSTER)
    settings = NatsSettings(url=server.url, stream="TRACES", durable="bench", fetch_batch=1000, fetch_timeout_s=0.2)
    consumer = NatsIngest(settings, Pipeline(store, loader, writer, on_stored))
    ctx = mp.get_context("spawn")
    try:
        await consumer.connect()
        # 1. throughput
        pub = ctx.Process(target=_publisher, args=(server.url, args.events, 0.0, "thr"))
        pub.start()
        await asyncio.to_thread(pub.join)
        batches.clear()
        start = time.perf_counter()
        stop = asyncio.Event()
        task = asyncio.create_task(consumer.run(stop))  # the loop ``causegraph serve`` runs
        while consumer.totals.stored < args.events and time.perf_counter() - start < 600:
            await asyncio.sleep(0.005)
        took = time.perf_counter() - start
        stop.set()
        await task
        thr_batches = list(batches)
        stored_nodes = store.run("MATCH (e:Event) RETURN count(e) AS n")[0]["n"]
        calls = store.run("MATCH ()-[c:CALLS]->() WHERE c.source = 'traffic' RETURN sum(c.count) AS n")[0]["n"]
        # 2. latency at a steady rate
        stop = asyncio.Event()
        task = asyncio.create_task(consumer.run(stop))
        n_lat = int(args.rate * args.seconds)
        pub = ctx.Process(target=_publisher, args=(server.url, n_lat, args.rate, "lat"))
        pub_start = time.perf_counter()
        pub.start()
        await asyncio.to_thread(pub.join)
        publish_s = time.perf_counter() - pub_start
        deadline = time.perf_counter() + 30
        while len(delays) < n_lat and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        stop.set()
        await task
    finally:
        await consumer.close()
        store.close()
        server.stop()
    return {
        "throughput": {
            "events": args.events,
            "seconds": round(took, 3),
            "events_per_s": round(consumer_total(args.events, took)),
            "event_nodes": stored_nodes,
            "traffic_calls_counted": calls,
            "batches": len(thr_batches),
            "mean_batch": round(statistics.mean(thr_batches), 1) if thr_batches else 0,
        },
        "latency": {
            "rate_per_s": args.rate,
            "events": n_lat,
            "stored": len(delays),
            "publish_seconds": round(publish_s, 2),
            "p50_ms": round(_pct(delays, 0.50), 1) if delays else None,
            "p90_ms": round(_pct(delays, 0.90), 1) if delays else None,
            "p99_ms": round(_pct(delays, 0.99), 1) if delays else None,
            "max_ms": round(max(delays), 1) if delays else None,
        },
    }


def consumer_total(events: int, seconds: float) -> float:
    return events / seconds if seconds > 0 else 0.0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events", type=int, default=50_000)
    p.add_argument("--rate", type=float, default=1000.0)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="cg-events-bench-") as tmp:
        result = asyncio.run(_run(args, Path(tmp)))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        t, lat = result["throughput"], result["latency"]
        print(
            f"throughput: {t['events']} events in {t['seconds']}s = {t['events_per_s']}/s "
            f"({t['event_nodes']} Event nodes, {t['batches']} batches of {t['mean_batch']} on average, "
            f"{t['traffic_calls_counted']} calls counted)"
        )
        print(
            f"latency at {lat['rate_per_s']:.0f}/s for {lat['events']} events ({lat['stored']} stored): "
            f"p50 {lat['p50_ms']} ms, p90 {lat['p90_ms']} ms, p99 {lat['p99_ms']} ms, max {lat['max_ms']} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
