"""Delay from a watch event to the graph write, at a steady rate of changes.

    .venv/bin/python -m bench.watch_latency [--rate 1000] [--seconds 10] [--pods 2000] [--json]

The fake API server (tests/fakekube.py) runs in its own process, as an API server would, and modifies pods at
``--rate`` changes per second for ``--seconds``. This process runs the real ``ingest.watch.Watcher`` (list, then
watch) into the real ``ingest.loader.TopologyLoader`` over an embedded FalkorDB. For every change, the delay is
(graph write returned) - (just before the change was made in the fake), both on the system-wide monotonic clock.
Prints p50/p90/p99/max, the rate reached, the batch sizes the watcher formed, and any change never written.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from graph import open_store
from ingest.kubeclient import build_client
from ingest.loader import TopologyLoader
from ingest.settings import KubernetesSettings
from ingest.watch import Watcher
from model.event import NormalEvent
from model.kinds import BY_KIND


def _fake_side(conn: Connection, pods: int, nodes: int) -> None:
    """Child process: serve the fake API, seed it, then drive changes when told."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.fakekube import FakeKube, obj, pod

    kinds = (BY_KIND["Namespace"], BY_KIND["Node"], BY_KIND["Pod"])
    with FakeKube(kinds) as kube:
        kube.add(obj("Namespace", "bench"))
        for i in range(nodes):
            kube.add(obj("Node", f"node-{i}"))
        for i in range(pods):
            kube.add(pod(f"p{i:05d}", "bench", labels={"app": f"a{i % 50}"}, node=f"node-{i % nodes}"))
        conn.send(kube.url)
        rate, seconds = conn.recv()
        total = int(rate * seconds)
        made: dict[str, int] = {}
        start = time.monotonic()
        for i in range(total):
            due = start + i / rate
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            p = pod(f"p{i % pods:05d}", "bench", labels={"app": f"a{i % 50}"}, node=f"node-{i % pods % nodes}")
            p["metadata"]["annotations"] = {"bench/seq": str(i)}
            t0 = time.monotonic_ns()
            stored = kube.modify(p)
            made[f"{stored['metadata']['uid']}@{stored['metadata']['resourceVersion']}"] = t0
        elapsed = time.monotonic() - start
        conn.send((made, elapsed))
        conn.recv()  # until the watcher side is done


class TimedSink:
    """The real loader, timing when each object's write returned."""

    def __init__(self, loader: TopologyLoader) -> None:
        self.loader = loader
        self.done: dict[str, int] = {}
        self.batches: list[int] = []
        self.write_ms: list[float] = []

    def apply(self, objects: Sequence[Mapping[str, Any]], observed_at_ms: int | None = None) -> list[NormalEvent]:
        t = time.monotonic_ns()
        out = self.loader.apply(objects, observed_at_ms)
        t1 = time.monotonic_ns()
        self.batches.append(len(objects))
        self.write_ms.append((t1 - t) / 1e6)
        for o in objects:
            self.done[f"{o['metadata']['uid']}@{o['metadata']['resourceVersion']}"] = t1
        return out

    def delete(self, obj: Mapping[str, Any], at_ms: int) -> list[NormalEvent]:
        return self.loader.delete(obj, at_ms)

    def mark_missing(self, kind: str, seen_uids: set[str], at_ms: int) -> int:
        return self.loader.mark_missing(kind, seen_uids, at_ms)


def _pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def run(rate: float, seconds: float, pods: int, nodes: int) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    here, there = ctx.Pipe()
    child = ctx.Process(target=_fake_side, args=(there, pods, nodes), daemon=True)
    child.start()
    tmp = tempfile.TemporaryDirectory(prefix="cg-watchbench-")
    store = open_store(str(Path(tmp.name) / "graph.rdb"), graph_name="watchbench")
    watcher: Watcher | None = None
    try:
        store.apply_schema()
        url = here.recv()
        settings = KubernetesSettings(host=url)
        client = build_client(settings)
        assert client is not None
        sink = TimedSink(TopologyLoader(store, "bench"))
        kinds = [BY_KIND["Namespace"], BY_KIND["Node"], BY_KIND["Pod"]]
        watcher = Watcher(client, sink, settings, kinds=kinds)
        t_sync = time.monotonic()
        watcher.start()
        if not watcher.wait_synced(60):
            raise RuntimeError("initial list did not finish in 60 s")
        sync_s = time.monotonic() - t_sync
        time.sleep(0.5)  # the watches are open
        seeded = len(sink.done)
        sink.done.clear()
        sink.batches.clear()
        sink.write_ms.clear()
        here.send((rate, seconds))
        made, elapsed = here.recv()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not all(k in sink.done for k in made):
            time.sleep(0.05)
        here.send("done")
        lat_ms = [(sink.done[k] - t0) / 1e6 for k, t0 in made.items() if k in sink.done]
        return {
            "rate_target": rate,
            "rate_reached": round(len(made) / elapsed, 1),
            "changes": len(made),
            "written": len(lat_ms),
            "lost": len(made) - len(lat_ms),
            "initial_list": {"objects": seeded, "seconds": round(sync_s, 2)},
            "latency_ms": {
                "p50": round(_pct(lat_ms, 50), 2),
                "p90": round(_pct(lat_ms, 90), 2),
                "p99": round(_pct(lat_ms, 99), 2),
                "max": round(max(lat_ms), 2),
                "mean": round(statistics.fmean(lat_ms), 2),
            },
            "batches": {
                "count": len(sink.batches),
                "mean_size": round(statistics.fmean(sink.batches), 1),
                "max_size": max(sink.batches),
                "write_ms_p50": round(_pct(sink.write_ms, 50), 2),
                "write_ms_p99": round(_pct(sink.write_ms, 99), 2),
            },
        }
    finally:
        if watcher is not None:
            watcher.stop()
        store.close()
        child.join(10)
        if child.is_alive():
            child.terminate()
        tmp.cleanup()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rate", type=float, default=1000.0, help="changes per second (default 1000)")
    ap.add_argument("--seconds", type=float, default=10.0, help="how long to drive changes (default 10)")
    ap.add_argument("--pods", type=int, default=2000, help="pods in the cluster (default 2000)")
    ap.add_argument("--nodes", type=int, default=50)
    ap.add_argument("--json", action="store_true", help="print JSON only")
    args = ap.parse_args(argv)
    res = run(args.rate, args.seconds, args.pods, args.nodes)
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    lat, b = res["latency_ms"], res["batches"]
    print(
        f"watch -> graph write, {res['changes']} pod changes at {res['rate_reached']}/s "
        f"(target {res['rate_target']:.0f}/s), {res['written']} written, {res['lost']} never written"
    )
    print(f"  delay ms: p50 {lat['p50']}  p90 {lat['p90']}  p99 {lat['p99']}  max {lat['max']}  mean {lat['mean']}")
    print(
        f"  sink batches: {b['count']} (mean {b['mean_size']} objects, max {b['max_size']}), "
        f"write ms p50 {b['write_ms_p50']} p99 {b['write_ms_p99']}"
    )
    il = res["initial_list"]
    print(f"  initial list: {il['objects']} objects in {il['seconds']} s")
    return 0 if res["lost"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
