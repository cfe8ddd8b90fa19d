"""``causegraph demo``: the embedded FalkorDB, a bundled nats-server, the Online Boutique as a small cluster,
recorded incidents played through NATS, each told in a few lines while ``serve`` listens with the web view.

``--once`` plays the incidents, prints the stories and exits (tests); ``--duration S`` serves S seconds;
otherwise it serves until Ctrl-C, then stops everything cleanly.

``--graph neo4j-local`` runs the same demo on a local Neo4j 5 (scripts/neo4j-local.sh, in ``<dir>/neo4j``) and
prints the Neo4j Browser address and credentials; a server that was already running there is left running, one
the demo started is stopped with it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from api.auth import Scope, new_token
from causegraph.demo.incidents import INCIDENTS, Incident, Step
from causegraph.demo.story import tell
from causegraph.natsserver import NatsServer
from causegraph.settings import Settings
from causegraph.wiring import open_graph
from graph import GraphStore
from model.result import CorrelationResult

CLUSTER = "demo"
TOPOLOGY = "online-boutique"
# Shipped inside the package (a copy of data/topologies/online-boutique.yaml), so an installed wheel plays the demo.
DEMO_DIR = Path(__file__).resolve().parents[1] / "demo"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help="play recorded incidents on the Online Boutique and show them (web view)")
    p.add_argument("--once", action="store_true", help="play the incidents, print the stories, exit")
    p.add_argument("--duration", type=float, metavar="S", help="serve for S seconds, then stop (default: until Ctrl-C)")
    p.add_argument("--port", type=int, default=8080, help="web view port (default 8080; 0 = any free port)")
    p.add_argument("--dir", metavar="PATH", help="working folder for the graph and NATS (default: a temporary one)")
    p.add_argument("--topology", type=Path, default=DEMO_DIR / f"{TOPOLOGY}.yaml", help="manifests to materialise")
    p.add_argument("--wait", type=float, default=30.0, metavar="S", help="how long to wait for the stories")
    p.add_argument(
        "--graph",
        choices=("embedded", "neo4j-local"),
        default="embedded",
        help="embedded FalkorDB (default), or a local Neo4j 5 with Neo4j Browser (needs Java and Maven)",
    )
    p.set_defaults(run=run)


def load_topology(store: GraphStore, manifests_path: Path, batch_size: int) -> int:
    """Materialise the manifests as a small running cluster and load it; returns the number of objects."""
    from causegraph.demo.synthcluster import materialise
    from ingest.loader import TopologyLoader

    if not manifests_path.is_file():
        raise FileNotFoundError(f"topology manifests not found: {manifests_path}")
    manifests = [d for d in yaml.safe_load_all(manifests_path.read_text("utf-8")) if isinstance(d, dict)]
    objects = materialise(manifests, cluster=CLUSTER, nodes=3, seed=7, start_ms=int(time.time() * 1000) - 3_600_000)
    loader = TopologyLoader(store, CLUSTER, batch_size)
    loader.apply(objects)
    loader.finish()
    return len(objects)


def resolve(store: GraphStore, target: str) -> dict[str, Any]:
    """``pod:<workload>`` -> that workload's first pod; ``node:<workload>`` -> the node it runs on."""
    what, _, workload = target.partition(":")
    rows = store.query("workload_pods", {"cluster": CLUSTER, "name": workload, "limit": 1})
    if not rows:
        raise ValueError(f"demo: no pod of workload {workload!r} in the materialised cluster")
    pod = rows[0]
    if what == "node":
        return {"kind": "Node", "name": pod["node"], "namespace": "", "uid": pod["node_uid"]}
    return {"kind": "Pod", "name": pod["name"], "namespace": pod["namespace"], "uid": pod["uid"], "node": pod["node"]}


def unified_event(incident: Incident, index: int, step: Step, where: dict[str, Any], start_ms: int) -> dict[str, Any]:
    """One step as the collector's UnifiedEvent JSON."""
    ts = start_ms + int(step.at_s * 1000)
    event: dict[str, Any] = {
        "id": f"demo-{incident.key}-{index}-{start_ms}",
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts / 1000)) + f".{ts % 1000:03d}Z",
        "type": "kubernetes" if step.kubernetes else ("network" if step.network else "application"),
        "source": step.source,
        "severity": step.severity,
        "message": step.message,
        "trace_context": {"trace_id": incident.trace_id},
        "k8s_context": {
            "kind": where["kind"],
            "name": where["name"],
            "namespace": where["namespace"],
            "uid": where["uid"],
            "node_name": where.get("node", ""),
            "cluster_name": CLUSTER,
        },
    }
    for key in ("kubernetes", "network", "application"):
        if value := getattr(step, key):
            event[key] = value
    return event


# Incidents are played further apart (in event time) than the correlation window, so each stays its own story.
SPACING_MS = 20 * 60_000
ALERTS_AFTER_S = 30.0  # the longest the alerts wait for a result with their incident's collector events


def incident_start(n: int, now_ms: int) -> int:
    """When the n-th incident starts: the last one a minute before now, each earlier one SPACING_MS before."""
    return now_ms - 60_000 - (len(INCIDENTS) - 1 - n) * SPACING_MS


async def play(store: GraphStore, nats_url: str, now_ms: int) -> list[set[str]]:
    """Publish every incident's events on JetStream; returns each incident's event ids."""
    import nats

    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    expected: list[set[str]] = []
    try:
        for n, incident in enumerate(INCIDENTS):
            start = incident_start(n, now_ms)
            ids: set[str] = set()
            for i, step in enumerate(incident.steps):
                event = unified_event(incident, i, step, resolve(store, step.target), start)
                await js.publish(f"traces.{incident.trace_id}.{step.source}", json.dumps(event).encode())
                ids.add(event["id"])
            expected.append(ids)
    finally:
        await nc.close()
    return expected


async def play_alerts(
    app: Any, token: str, store: GraphStore, expected: list[set[str]], latest: dict[str, CorrelationResult], now_ms: int
) -> int:
    """Post one incident's kube-prometheus alerts through ``POST /api/v1/alerts/alertmanager`` once a result holds
    its collector events (the alerts then join that correlation, and the first stories are not held up); the
    alerts' ids join its expected ids. Returns how many were accepted."""
    import httpx

    from causegraph.demo import alerts

    n = next(i for i, inc in enumerate(INCIDENTS) if inc.key == alerts.INCIDENT)
    pods = {s.workload: resolve(store, f"pod:{s.workload}") for s in alerts.STEPS}
    body = alerts.payload(pods, incident_start(n, now_ms), str(now_ms))
    played = set(expected[n])
    expected[n] |= alerts.event_ids(body)  # before posting: the story waits for a correlation with the alerts too
    deadline = time.monotonic() + ALERTS_AFTER_S
    while time.monotonic() < deadline and not any(played <= set(r.related_events) for r in latest.values()):
        await asyncio.sleep(0.1)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo") as client:
        headers = {"Authorization": f"Bearer {token}"}
        response = await client.post("/api/v1/alerts/alertmanager", json=body, headers=headers)
    response.raise_for_status()
    accepted: int = response.json()["accepted"]
    return accepted


async def collect(
    nats_url: str,
    expected: list[set[str]],
    wait_s: float,
    subscribed: asyncio.Event,
    latest: dict[str, CorrelationResult],
) -> dict[str, CorrelationResult]:
    """Latest result per correlation, into ``latest``, until each incident is covered by one (or ``wait_s`` passes).

    ``expected`` is filled by the caller after ``subscribed`` is set (the subscription must exist before playing).
    """
    import nats

    nc = await nats.connect(nats_url)
    sub = await nc.subscribe("correlations.results")
    await nc.flush()
    subscribed.set()
    deadline = time.monotonic() + wait_s

    def covered() -> bool:
        return bool(expected) and all(any(ids <= set(r.related_events) for r in latest.values()) for ids in expected)

    try:
        while time.monotonic() < deadline and not covered():
            try:
                msg = await sub.next_msg(timeout=0.5)
            except nats.errors.TimeoutError:
                continue
            result = CorrelationResult.from_json(msg.data)
            if result.id not in latest or latest[result.id].version <= result.version:
                latest[result.id] = result
    finally:
        await nc.close()
    return latest


def stories(latest: dict[str, CorrelationResult], expected: list[set[str]], color: bool) -> list[str]:
    """One story per incident: the correlation that holds most of its events."""
    out = []
    for n, ids in enumerate(expected):
        best = max(latest.values(), key=lambda r: len(ids & set(r.related_events)), default=None)
        if best is None or not ids & set(best.related_events):
            out.append(f"● {INCIDENTS[n].title}: no correlation published yet")
            continue
        out.append(tell(best, color=color))
    return out


async def main_async(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from causegraph.commands.serve import build_app

    if getattr(args, "log_level", None) is None:
        logging.getLogger().setLevel(logging.WARNING)  # the stories are the output

    with contextlib.ExitStack() as stack:
        work = Path(args.dir) if args.dir else Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cg-demo-")))
        nats_server = NatsServer(work / "nats").start()
        stack.callback(nats_server.stop)
        token, line = new_token(Scope.WRITE)
        s = settings.model_copy(deep=True)
        s.graph.url, s.graph.name = str(work / "graph.rdb"), "demo"
        if args.graph == "neo4j-local":
            await asyncio.to_thread(_use_local_neo4j, s, work / "neo4j", stack)
        s.nats.url = nats_server.url
        s.kubernetes.mode, s.kubernetes.cluster = "none", CLUSTER
        s.api.token_hashes = [line]
        s.api.host = "127.0.0.1"
        s.api.port = args.port
        s.serve.tick_s = 2.0
        s.serve.kubernetes_watch = False
        store = await asyncio.to_thread(open_graph, s)
        stack.callback(store.close)
        await asyncio.to_thread(store.clear)
        await asyncio.to_thread(store.apply_schema)
        count = await asyncio.to_thread(load_topology, store, args.topology, s.graph.batch_size)
        print(f"causegraph demo: {args.topology.stem} materialised as {count} objects in cluster {CLUSTER!r}")
        app, runtime = build_app(s, store=store)
        server: uvicorn.Server | None = None
        serving: asyncio.Task[None] | None = None
        if args.once:
            await runtime.start(app.state.services)
        else:
            server = uvicorn.Server(uvicorn.Config(app, host=s.api.host, port=s.api.port, log_level="warning"))
            # Ctrl-C / SIGTERM end the server through its normal shutdown (lifespan: the runtime stops), then the
            # graph and nats-server close below; uvicorn's own capture would re-raise the signal afterwards.
            server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
            serving = asyncio.create_task(server.serve())
            while not server.started:
                if serving.done():
                    await serving
                    return 1
                await asyncio.sleep(0.05)
            port = server.servers[0].sockets[0].getsockname()[1]
            print(f"web view: http://127.0.0.1:{port}/#token={token}")
            print(f"API token (write): {token}")
        try:
            expected: list[set[str]] = []
            subscribed = asyncio.Event()
            latest: dict[str, CorrelationResult] = {}
            listener = asyncio.create_task(collect(nats_server.url, expected, args.wait, subscribed, latest))
            await subscribed.wait()
            now = int(time.time() * 1000)
            expected.extend(await play(store, nats_server.url, now))
            print(f"played {len(INCIDENTS)} recorded incidents through NATS ({sum(map(len, expected))} events)")
            sent = await play_alerts(app, token, store, expected, latest, now)
            print(f"posted {sent} kube-prometheus alerts of one incident to POST /api/v1/alerts/alertmanager\n")
            await listener
            for story in stories(latest, expected, color=sys.stdout.isatty()):
                print(story + "\n")
            if server is not None and serving is not None:
                if args.duration is not None:
                    await asyncio.wait({serving}, timeout=args.duration)
                    server.should_exit = True
                else:
                    print("serving; Ctrl-C to stop")
                await serving
        finally:
            if args.once:
                await runtime.stop()
        print("causegraph demo: stopped cleanly")
        return 0 if all(any(ids & set(r.related_events) for r in latest.values()) for ids in expected) else 1
    return 1


def _use_local_neo4j(settings: Settings, home: Path, stack: contextlib.ExitStack) -> None:
    """Start (or find running) the local Neo4j in ``home`` and point ``settings`` at it."""
    from pydantic import SecretStr

    from causegraph import neo4jlocal

    was_running = neo4jlocal.running(home)
    print(f"causegraph demo: starting Neo4j in {home} (the first start resolves it from Maven Central)")
    server = neo4jlocal.start(home)
    if not was_running:
        stack.callback(server.stop)
    settings.graph.url, settings.graph.user = server.url, server.user
    settings.graph.password = SecretStr(server.password)
    print(f"Neo4j Browser: {server.browser_url} (connect to {server.url} as {server.user} / {server.password})")


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        return asyncio.run(main_async(args, settings))
    except KeyboardInterrupt:
        print("\ncausegraph demo: stopped")
        return 0
