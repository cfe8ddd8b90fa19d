"""Sustained rate and overload of a real ``causegraph serve`` process, correlator on, over a realistic mix.

    .venv/bin/python -m bench.overload [--scale 0.02] [--backlog 20000] [--rate N] [--factor 5] [--seconds 60]
                                       [--rss-bound-mb 1024] [--json]

Starts a nats-server (JetStream) and imports the synthetic cluster of ``bench.topology_import`` (``--scale`` of
150,000 pods) into an embedded FalkorDB file, then:

1. **sustained**: publishes ``--backlog`` events of the ``bench.livemix`` mix into JetStream, starts
   ``causegraph serve`` on the graph (NATS ingest, correlator and publisher on), and times until every event is
   stored and correlated (consumer lag 0, nothing pending in the correlator): events/s. ``--rate`` skips this.
2. **overload**: offers ``--factor`` times that rate for ``--seconds`` (a publisher in its own process, as
   collectors are), samples every second serve's RSS, its graph server's RSS and ``/metrics`` (consumer lag,
   correlator pending events and delay), then waits until all is drained.
3. **nothing lost**: the Event nodes in the graph == the distinct event ids published.

Prints the figures as JSON. The machine matters: say which, and what else ran on it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import nats
import psutil
from nats.js.api import StreamConfig
from nats.js.errors import BadRequestError

from bench.livemix import CLUSTER, Mix, Topo, event_id, load_topology
from causegraph.natsserver import NatsServer, free_port
from causegraph.settings import NatsSettings
from graph import open_store
from tests.serveproc import wait_ready

GAUGES = {
    "lag": "causegraph_consumer_lag",
    "pending": "causegraph_correlator_pending_events",
    "delay_s": "causegraph_correlator_delay_seconds",
    "stored": 'causegraph_events_in_total{source="nats"}',
    "rejected": 'causegraph_events_rejected_total{source="nats"}',
    "correlate_s": "causegraph_correlation_seconds_sum",
    "correlate_calls": "causegraph_correlation_seconds_count",
}


def scrape(port: int) -> dict[str, float]:
    """The gauges of ``GAUGES`` from serve's ``/metrics`` (0 for one not there yet)."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    values = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line[:1] != "#"}
    return {k: values.get(name, 0.0) for k, name in GAUGES.items()}


def start_serve(graph: Path, nats_url: str, port: int, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CAUSEGRAPH_KUBERNETES__CLUSTER": CLUSTER}
    argv = ["serve", "--graph", str(graph), "--nats", nats_url, "--kubernetes", "none", "--port", str(port), *extra]
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "causegraph", *argv], env=env, stdout=out, stderr=out)
    return wait_ready(proc, f"http://127.0.0.1:{port}/readyz", 120, "serve", log)


async def publish(url: str, topo: Topo, rate: float, count: int, prefix: str) -> dict[str, Any]:
    """Publish ``count`` events of the mix at ``rate`` per second (0: as fast as acks come back)."""
    nc = await nats.connect(url)
    js = nc.jetstream(publish_async_max_pending=2000)
    settings = NatsSettings()
    with contextlib.suppress(BadRequestError):  # serve makes the same stream when it finds none
        await js.add_stream(StreamConfig(name=settings.stream, subjects=list(settings.subjects)))
    failed = 0

    def count_failure(future: asyncio.Future[Any]) -> None:
        nonlocal failed
        failed += future.exception() is not None

    mix = Mix(topo, prefix=prefix)
    ids: set[str] = set()
    start = time.perf_counter()
    for n in range(count):
        if rate and n % 50 == 0 and (ahead := start + n / rate - time.perf_counter()) > 0:
            await asyncio.sleep(ahead)
        subject, payload = mix.next(int(time.time() * 1000))
        ids.add(event_id(payload))
        (await js.publish_async(subject, payload)).add_done_callback(count_failure)
    await js.publish_async_completed()
    if failed:
        raise RuntimeError(f"{failed} of {count} publishes were not acknowledged by JetStream")
    seconds = time.perf_counter() - start
    await nc.close()
    return {"published": count, "distinct_ids": len(ids), "seconds": seconds, "offered_rate": count / seconds}


def _publish_process(url: str, topo: Topo, rate: float, count: int, prefix: str, out: Any) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    out.put(asyncio.run(publish(url, topo, rate, count, prefix)))


def graph_server(graph: Path) -> psutil.Process:
    """The embedded graph server of ``graph`` (its own process group: it outlives a killed serve)."""
    pidfile = json.loads(graph.with_name(graph.name + ".settings").read_text())["pidfile"]
    return psutil.Process(int(Path(pidfile).read_text().strip()))


def rss_mb(procs: tuple[psutil.Process, psutil.Process]) -> tuple[float, float]:
    """(serve's RSS, its graph server's RSS) in MB."""
    return procs[0].memory_info().rss / 2**20, procs[1].memory_info().rss / 2**20


def sample(proc: tuple[psutil.Process, psutil.Process], port: int, started: float) -> dict[str, float]:
    own, graph_rss = rss_mb(proc)
    return {"t": time.perf_counter() - started, "rss_mb": own, "graph_rss_mb": graph_rss, **scrape(port)}


def wait_drained(port: int, stored_at_least: float, timeout_s: float) -> float:
    """Seconds until ``stored_at_least`` events are stored, the consumer lag is 0 and the correlator has nothing
    pending (``/metrics`` is refreshed every second: up to a second late)."""
    start = time.perf_counter()
    m: dict[str, float] = {}
    while time.perf_counter() - start < timeout_s:
        m = scrape(port)
        if m["stored"] >= stored_at_least and m["lag"] == 0 and m["pending"] == 0 and m["delay_s"] == 0:
            return time.perf_counter() - start
        time.sleep(0.5)
    raise RuntimeError(f"not drained after {timeout_s}s: {m}")


def stored_events(graph: Path) -> int:
    store = open_store(str(graph), graph_name="causegraph")
    try:
        return int(store.run("MATCH (e:Event) RETURN count(e) AS n")[0]["n"])
    finally:
        store.close()


def run(args: argparse.Namespace) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        server = NatsServer(root / "js").start()
        serve: subprocess.Popen[bytes] | None = None
        try:
            graph = root / "g" / "graph.rdb"
            graph.parent.mkdir()
            store = open_store(str(graph), graph_name="causegraph")
            try:
                topo = load_topology(store, args.scale)
            finally:
                store.close()
            port = free_port()
            out: dict[str, Any] = {"scale": args.scale, "pods": len(topo.pods), "services": len(topo.by_service)}
            extra = ("--no-correlator",) if args.no_correlator else ()
            out["correlator"] = not args.no_correlator
            distinct = 0
            if args.rate:
                rate = float(args.rate)
                serve = start_serve(graph, server.url, port, root / "serve.log", *extra)
            else:
                pub = asyncio.run(publish(server.url, topo, 0, args.backlog, "s"))
                distinct += pub["distinct_ids"]
                serve = start_serve(graph, server.url, port, root / "serve.log", *extra)
                seconds = wait_drained(port, args.backlog, 900)
                rate = args.backlog / seconds
                m = scrape(port)
                out["sustained"] = {
                    "events": args.backlog,
                    "seconds": round(seconds, 1),
                    "events_per_s": round(rate),
                    "correlator_calls": int(m["correlate_calls"]),
                    "correlator_busy_s": round(m["correlate_s"], 1),
                }
                if args.factor == 0:
                    return out
            proc = (psutil.Process(serve.pid), graph_server(graph))
            base = scrape(port)["stored"]
            count = int(rate * args.factor * args.seconds)
            queue = ctx.Queue()
            publisher = ctx.Process(
                target=_publish_process, args=(server.url, topo, rate * args.factor, count, "o", queue)
            )
            started = time.perf_counter()
            publisher.start()
            samples: list[dict[str, float]] = []
            while publisher.is_alive() and queue.empty():
                samples.append(sample(proc, port, started))
                time.sleep(max(0.0, 1.0 - (time.perf_counter() - started) % 1.0))
            offered = queue.get(timeout=60)
            publisher.join()
            distinct += offered["distinct_ids"]
            published_at = time.perf_counter()
            drain = 0.0
            while True:  # keep sampling until drained
                samples.append(m := sample(proc, port, started))
                if m["stored"] - base >= offered["published"] and m["lag"] == m["pending"] == m["delay_s"] == 0:
                    drain = time.perf_counter()
                    break
                if time.perf_counter() - published_at > args.drain_timeout:
                    drain = 0.0  # not drained: reported as such, with what was left
                    break
                time.sleep(1.0)
            stored = stored_events(graph)
            out["overload"] = {
                "rate_target": round(rate * args.factor),
                "offered_rate": round(offered["offered_rate"]),
                "published": offered["published"],
                "publish_s": round(offered["seconds"], 1),
                "peak_rss_mb": round(max(s["rss_mb"] for s in samples)),
                "peak_graph_rss_mb": round(max(s["graph_rss_mb"] for s in samples)),
                "rss_bound_mb": args.rss_bound_mb,
                "max_consumer_lag": int(max(s["lag"] for s in samples)),
                "max_correlator_pending": int(max(s["pending"] for s in samples)),
                "max_correlator_delay_s": round(max(s["delay_s"] for s in samples), 1),
                "drain_s_after_publish": round(drain - published_at, 1) if drain else None,
                "left_at_the_end": {k: samples[-1][k] for k in ("lag", "pending", "delay_s")},
                "rejected": int(samples[-1]["rejected"]),
            }
            out["lost"] = distinct - stored if drain else None  # not drained: still on its way, not lost
            out["stored_events"], out["distinct_published"] = stored, distinct
            out["within_bound"] = out["overload"]["peak_rss_mb"] <= args.rss_bound_mb
            if args.samples:
                out["samples"] = [{k: round(v, 1) for k, v in s.items()} for s in samples]
        finally:
            if serve is not None:
                serve.send_signal(signal.SIGTERM)
                try:
                    serve.wait(timeout=120)
                except subprocess.TimeoutExpired:
                    serve.kill()
            server.stop()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.overload", description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", type=float, default=0.02, help="share of 5,000 nodes / 150,000 pods (default 0.02)")
    p.add_argument("--backlog", type=int, default=20_000, help="events for the sustained-rate phase")
    p.add_argument("--rate", type=float, default=0, help="take this as the sustained rate (skips phase 1)")
    p.add_argument("--factor", type=float, default=5.0, help="offer this times the sustained rate (0: phase 1 only)")
    p.add_argument("--no-correlator", action="store_true", help="serve --no-correlator (the store's part alone)")
    p.add_argument("--seconds", type=float, default=60.0, help="for this long")
    p.add_argument("--drain-timeout", type=float, default=900.0)
    p.add_argument("--rss-bound-mb", type=float, default=1024.0, help="the stated bound on serve's RSS")
    p.add_argument("--samples", action="store_true", help="print every per-second sample too")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    out = run(args)
    print(json.dumps(out, indent=None if args.json else 2))
    return 0 if out.get("lost", 0) == 0 and out.get("within_bound", True) else 1  # None (not drained) fails too


if __name__ == "__main__":
    raise SystemExit(main())
