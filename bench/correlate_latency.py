"""Live-path latency: collector events published on NATS -> ingest -> correlator -> result published on NATS.

    .venv/bin/python -m bench.correlate_latency [--rate 1000] [--seconds 20] [--scale 0.02] [--graph URL] [--json]

Starts a nats-server (JetStream) and an embedded FalkorDB holding the synthetic cluster of
``bench.topology_import`` (``--scale`` of 5,000 nodes / 150,000 pods), then runs ``causegraph serve``'s own runtime
(``ServeRuntime``: the NATS consumer, the pipeline, the engine and the publisher; no API, no Kubernetes watch)
and publishes UnifiedEvents on ``traces.{trace}.{source}`` at ``--rate`` per second for ``--seconds``:
by default 3% start an incident (an OOM kill on a pod of a called service, then timeouts to it, by its address,
from three pods of a caller over the next second: ~12% of the events), 7% are isolated warnings on random pods,
the rest info chatter.

For every event that a published result includes, ``latency_ms`` is the time to the receipt of the first result
version on ``correlations.results`` that lists it, counted from the publish of that version's newest event: an
event that waited in a ``building`` correlation for more evidence (the deliberate window) is counted from when the
evidence arrived. ``latency_with_evidence_wait_ms`` counts from the event's own publish. The consumer's fetch
wait (``--fetch-timeout``, default serve's own ``nats.fetch_timeout_s``) is counted. Prints p50/p99/max, the
events published and consumed, and the result versions. The publisher and the results reader run in a separate
process (as collectors and downstream readers do), so they do not compete with causegraph for its interpreter lock.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nats

from api.auth import TokenSet
from api.deps import Services
from api.metrics import Metrics
from bench.topology_import import generate
from causegraph.commands.import_ import import_paths
from causegraph.commands.serve import ServeRuntime
from causegraph.natsserver import NatsServer
from causegraph.settings import load_settings
from graph import GraphStore, open_store

CLUSTER = "bench"


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event(
    eid: str, pod: dict[str, Any], etype: str, severity: str, reason: str, trace: str, now: float, callee: str = ""
) -> bytes:
    """A UnifiedEvent on ``pod``; ``callee``: the address its failed call went to (it names its callee)."""
    doc: dict[str, Any] = {
        "id": eid,
        "timestamp": iso(now),
        "type": etype,
        "source": "bench",
        "severity": severity,
        "message": reason,
        "kubernetes": {"reason": reason},
        "trace_context": {"trace_id": trace},
        "k8s_context": {
            "kind": "Pod",
            "name": pod["name"],
            "namespace": pod["namespace"],
            "uid": pod["uid"],
            "cluster_name": CLUSTER,
        },
    }
    if callee:
        doc["network"] = {"source_ip": pod.get("ip") or "", "dest_ip": callee, "dest_port": 8080, "direction": "egress"}
    return json.dumps(doc).encode()


def topology(
    store: GraphStore, scale: float
) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]], list[tuple[str, str]]]:
    """Import the synthetic cluster; return its pods, the pods of each service, and the CALLS edges."""
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), scale)
        import_paths(store, [Path(tmp)], CLUSTER)
    pods = store.run("MATCH (p:Pod) RETURN p.uid AS uid, p.name AS name, p.namespace AS namespace")
    by_service: dict[str, list[dict[str, Any]]] = {}
    for r in store.run(
        "MATCH (s:Service)-[:SELECTS]->(p:Pod) RETURN s.key AS s, p.uid AS uid, p.name AS name, "
        "p.namespace AS namespace, p.ip AS ip"
    ):
        pod = {"uid": r["uid"], "name": r["name"], "namespace": r["namespace"], "ip": r["ip"] or ""}
        by_service.setdefault(r["s"], []).append(pod)
    calls = [
        (r["a"], r["b"]) for r in store.run("MATCH (a:Service)-[:CALLS]->(b:Service) RETURN a.key AS a, b.key AS b")
    ]
    return pods, by_service, [c for c in calls if c[0] in by_service and c[1] in by_service]


async def drive(
    url: str, results_subject: str, topo: dict[str, Any], opts: dict[str, Any], out: Any, done: Any
) -> None:
    """The collectors and the downstream reader, in their own process: publish at the rate, time the results.

    Own process (as real collectors are), so that publishing competes with causegraph for CPU only, not for its
    interpreter lock. Puts ``{"publish_s"}`` when all is published, then the figures once ``done`` is set.
    """
    rnd = random.Random(7)
    pods, by_service, calls = topo["pods"], topo["by_service"], topo["calls"]
    client = await nats.connect(url)
    js = client.jetstream()
    sent: dict[str, float] = {}
    latency: dict[str, float] = {}
    processing: dict[str, float] = {}  # from the newest event of the version: the evidence wait left out
    versions = 0

    async def on_result(msg: Any) -> None:
        nonlocal versions
        now = time.perf_counter()
        versions += 1
        members = [eid for eid in json.loads(msg.data)["related_events"] if eid in sent]
        newest = max((sent[eid] for eid in members), default=now)
        for eid in members:
            if eid not in latency:
                latency[eid] = now - sent[eid]
                processing[eid] = now - newest

    await client.subscribe(results_subject, cb=on_result)
    total = int(opts["rate"] * opts["seconds"])
    start = time.perf_counter()
    incident_queue: list[tuple[float, str, dict[str, Any], str, str, str, str, str]] = []
    n = 0
    while n < total:
        due = start + n / opts["rate"]
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        now_wall = time.time()
        roll = rnd.random()
        dest = ""
        if incident_queue and incident_queue[0][0] <= time.perf_counter():
            _, eid, pod, etype, sev, reason, trace, dest = incident_queue.pop(0)
        elif roll < opts["incident_share"] and calls:
            caller, callee = rnd.choice(calls)
            k = n
            trace = f"inc-{k}"
            base = time.perf_counter()
            victim = rnd.choice(by_service[callee])
            eid, pod, etype, sev, reason = f"oom-{k}", victim, "memory", "critical", "oom_kill"
            for j, p in enumerate(rnd.sample(by_service[caller], min(3, len(by_service[caller])))):
                # each caller's timeout names its callee by address, as a flow or a trace's peer does
                to = (base + 0.2 + 0.2 * j, f"to-{k}-{j}", p, "network", "error", "timeout", trace, victim["ip"])
                incident_queue.append(to)
            incident_queue.sort(key=lambda q: q[0])
        elif roll < opts["incident_share"] + opts["warning_share"]:
            eid, pod, etype, sev, reason, trace = (
                f"w-{n}",
                rnd.choice(pods),
                "network",
                "warning",
                "timeout",
                f"t-{n}",
            )
        else:
            eid, pod, etype, sev, reason, trace = f"i-{n}", rnd.choice(pods), "log", "info", "request", f"t-{n}"
        sent[eid] = time.perf_counter()
        await js.publish(f"traces.{trace}.bench", event(eid, pod, etype, sev, reason, trace, now_wall, dest))
        n += 1
    out.put({"publish_s": time.perf_counter() - start})
    while not done.is_set():
        await asyncio.sleep(0.1)
    await client.close()
    out.put(
        {
            "versions": versions,
            "ms": sorted(v * 1000 for v in latency.values()),
            "proc": sorted(v * 1000 for v in processing.values()),
        }
    )


def _drive_process(
    url: str, results_subject: str, topo: dict[str, Any], opts: dict[str, Any], out: Any, done: Any
) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    asyncio.run(drive(url, results_subject, topo, opts, out, done))


async def run(args: argparse.Namespace) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        server = NatsServer(Path(tmp) / "js").start()
        store = open_store(args.graph or str(Path(tmp) / "graph.rdb"), graph_name="latency")
        try:
            if args.graph:
                store.clear()
            store.apply_schema()
            t = time.perf_counter()
            pods, by_service, calls = topology(store, args.scale)
            import_s = time.perf_counter() - t
            settings = load_settings()
            settings.nats.url = server.url
            if args.fetch_timeout is not None:
                settings.nats.fetch_timeout_s = args.fetch_timeout
            settings.kubernetes.cluster = CLUSTER
            settings.serve.kubernetes_watch = False
            settings.serve.tick_s = 3600
            runtime = ServeRuntime(settings, store=store)
            await runtime.start(Services(settings=settings, tokens=TokenSet.parse([]), metrics=Metrics()))
            total = int(args.rate * args.seconds)
            opts = {k: getattr(args, k) for k in ("rate", "seconds", "incident_share", "warning_share")}
            topo = {"pods": pods, "by_service": by_service, "calls": calls}
            out, done = ctx.Queue(), ctx.Event()
            from bench.correlate_latency import _drive_process as target  # by module name, also when run as -m

            child = ctx.Process(target=target, args=(server.url, settings.nats.results_subject, topo, opts, out, done))
            start = time.perf_counter()
            child.start()
            publish_s = (await asyncio.to_thread(out.get))["publish_s"]
            consumed = 0
            deadline = time.perf_counter() + 60
            while time.perf_counter() < deadline:
                consumed = runtime.consumer.totals.fetched
                if consumed >= total:
                    break
                await asyncio.sleep(0.2)
            await asyncio.sleep(2)
            drain_s = time.perf_counter() - start
            done.set()
            figures = await asyncio.to_thread(out.get)
            await asyncio.to_thread(child.join)
            await runtime.stop()
        finally:
            store.close()
            server.stop()
    return {
        "rate_target": args.rate,
        "seconds": args.seconds,
        "scale": args.scale,
        "pods": len(pods),
        "import_s": round(import_s, 1),
        "published_events": total,
        "publish_rate": round(total / publish_s),
        "consumed": consumed,
        "all_consumed_after_s": round(drain_s, 1),
        "result_versions": figures["versions"],
        "events_in_results": len(figures["ms"]),
        "latency_ms": summary(figures["proc"]),
        "latency_with_evidence_wait_ms": summary(figures["ms"]),
        "fetch_timeout_s": settings.nats.fetch_timeout_s,
        "mix": {"incident_share": args.incident_share, "warning_share": args.warning_share},
    }


def summary(ms: list[float]) -> dict[str, float | None]:
    """p50/p99/max of sorted milliseconds."""
    if not ms:
        return {"p50": None, "p99": None, "max": None}
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    return {"p50": round(statistics.median(ms), 1), "p99": round(p99, 1), "max": round(ms[-1], 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rate", type=float, default=1000)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--scale", type=float, default=0.02)
    ap.add_argument("--fetch-timeout", type=float, default=None, help="the consumer's fetch wait (default: serve's)")
    ap.add_argument("--incident-share", type=float, default=0.03, help="share of events that start an incident")
    ap.add_argument("--warning-share", type=float, default=0.07, help="share of isolated warnings")
    ap.add_argument(
        "--graph",
        metavar="URL",
        help="a Neo4j to run on (bolt://neo4j:PASSWORD@127.0.0.1:PORT; its graph is cleared) instead of a fresh "
        "embedded FalkorDB",
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    result = asyncio.run(run(args))
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
