"""Nothing split: ``causegraph serve`` with its correlator on, consuming a live JetStream stream with an incident in
it (an OOM kill of a pod of the ``api`` Deployment, its BackOff series, a failed probe, 503s of its caller), is killed
with ``kill -9`` (serve, its embedded graph server, or both) at a random point and restarted. Afterwards every event
of the incident is in exactly one correlation, the one a run without the crash put it in (the same id), and no
``{id}:{version}`` was published on ``correlations.results`` with two different bodies. Real processes: nats-server,
serve, the embedded FalkorDB."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.js.api import StreamConfig

from causegraph.natsserver import NatsServer, free_port
from graph import open_store
from ingest.loader import TopologyLoader
from tests import scenario_events as sc
from tests.serveproc import graph_server_pid, start_serve

EVENTS = 1500
RATE_PER_S = 1000
STEP_MS = 10  # event time runs 10x faster than the stream: the engine correlates while the stream goes on
LEAD_MS = 10_000  # the first event is this much older than the start of the stream
INCIDENT_EVERY = 100  # one event in this many is the incident's; the rest are info logs of other pods


def incident_event(n: int, start_ms: int) -> dict[str, Any]:
    """The incident's ``n``-th event: the OOM kill first, then the BackOff Event updated again and again (one
    Event object, its count growing), a failed liveness probe, and 503s of web-1 calling the api Service."""
    ts = start_ms + n * INCIDENT_EVERY * STEP_MS
    if n == 0:
        return sc.unified(
            "inc-oom",
            ts,
            type="memory",
            severity="critical",
            message="OOM killer terminated app (memory limit 256Mi)",
            kernel={"syscall": "oom_kill", "pid": 4211, "comm": "api"},
            k8s_context={"kind": "Pod", "name": "api-1", "namespace": sc.NS, "uid": "uid-p-api-1"},
        )
    if n == 3:
        return sc.k8s_event(
            "inc-probe",
            "Unhealthy",
            'Liveness probe failed: Get "http://10.0.0.11:8080/healthz": connect: connection refused',
            "Pod",
            "api-1",
            "uid-p-api-1",
            ts,
        )
    if n % 2 == 1:
        return sc.k8s_event(
            "inc-backoff",
            "BackOff",
            "Back-off restarting failed container app in pod api-1_shop(uid-p-api-1)",
            "Pod",
            "api-1",
            "uid-p-api-1",
            start_ms + INCIDENT_EVERY * STEP_MS,  # its first time: the first BackOff
            count=n // 2 + 1,
            last=ts,
        )
    return sc.http_503(f"inc-503-{n}", ts, src_ip="10.0.0.21", dst_ip="10.96.0.11")


def stream(start_ms: int) -> list[tuple[str, dict[str, Any]]]:
    """(subject, message) in publish order, event times ``start_ms`` on in ``STEP_MS`` steps."""
    out: list[tuple[str, dict[str, Any]]] = []
    for i in range(EVENTS):
        ts = start_ms + i * STEP_MS
        if i % INCIDENT_EVERY == 0:
            out.append(("traces.trace-inc.ebpf", incident_event(i // INCIDENT_EVERY, start_ms)))
        else:
            pod = ("web-1", "uid-p-web-1") if i % 2 else ("old-1", "uid-p-old-1")
            line = sc.unified(
                f"bg-{i}",
                ts,
                type="log",
                severity="info",
                message=f"GET /items/{i} 200",
                k8s_context={"kind": "Pod", "name": pod[0], "namespace": sc.NS, "uid": pod[1]},
            )
            out.append((f"traces.t{i % 13}.ebpf", line))
    return out


def _id(message: dict[str, Any]) -> str:
    return str(message.get("id") or message["metadata"]["uid"])


INCIDENT_IDS = sorted({_id(m) for subject, m in stream(0) if subject.startswith("traces.trace-inc")})
DISTINCT = len({_id(m) for _subject, m in stream(0)})  # the BackOff Event's updates are one event


@dataclass
class Run:
    """What one run left: each incident event's correlations, and every body published per ``{id}:{version}``."""

    homes: dict[str, list[str]]
    published: dict[str, set[bytes]] = field(default_factory=dict)


def _serve(graph: Path, nats_url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CAUSEGRAPH_NATS__URL": nats_url,
        "CAUSEGRAPH_KUBERNETES__CLUSTER": sc.CLUSTER,
        "CAUSEGRAPH_NATS__FETCH_TIMEOUT_S": "0.05",
        "CAUSEGRAPH_SERVE__TICK_S": "0.2",
    }
    return start_serve(graph, port, env)


def _topology(graph: Path) -> None:
    store = open_store(str(graph), graph_name="causegraph")
    try:
        loader = TopologyLoader(store, sc.CLUSTER)
        loader.apply(sc.topology_objects())
        loader.finish()
    finally:
        store.close()


def _homes(graph: Path) -> dict[str, list[str]]:
    """Each incident event's correlations: those that include it, and the one its node names."""
    store = open_store(str(graph), graph_name="causegraph")
    try:
        rows = store.run(
            "MATCH (e:Event) WHERE e.id IN $ids OPTIONAL MATCH (c:Correlation)-[:INCLUDES]->(e) "
            "RETURN e.id AS id, e.correlation_id AS home, collect(c.id) AS corrs",
            {"ids": INCIDENT_IDS},
        )
        count = store.run("MATCH (e:Event) RETURN count(e) AS n")[0]["n"]
    finally:
        store.close()
    homes = {
        str(r["id"]): sorted({str(c) for c in r["corrs"]} | ({str(r["home"])} if r["home"] else set())) for r in rows
    }
    homes["#events"] = [str(count)]
    return homes


def _settled(homes: dict[str, list[str]]) -> bool:
    return homes.get("#events") == [str(DISTINCT)] and all(len(homes.get(i, [])) == 1 for i in INCIDENT_IDS)


async def play(root: Path, nats_server: NatsServer, kill: tuple[float, str] | None) -> Run:
    """Publish the stream to a fresh serve (``kill``: after how many seconds, which victim), wait until it settled."""
    graph = root / "g" / "graph.rdb"
    graph.parent.mkdir(parents=True)
    await asyncio.to_thread(_topology, graph)
    port = free_port()
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name="TRACES", subjects=["traces.>"]))
    published: dict[str, set[bytes]] = defaultdict(set)

    async def collect(msg: Any) -> None:
        doc = json.loads(msg.data)
        published[(msg.headers or {}).get("Nats-Msg-Id") or f"{doc['id']}:{doc['version']}"].add(msg.data)

    await nc.subscribe("correlations.results", cb=collect)
    serve = await asyncio.to_thread(_serve, graph, nats_server.url, port)
    lines = stream(int(time.time() * 1000) - LEAD_MS)

    async def publish() -> None:
        for i, (subject, line) in enumerate(lines):
            await js.publish(subject, json.dumps(line).encode())
            if i % 50 == 49:
                await asyncio.sleep(50 / RATE_PER_S)

    publishing = asyncio.create_task(publish())
    try:
        if kill is not None:
            await asyncio.sleep(kill[0])
            if kill[1] in ("graph", "both"):
                os.kill(graph_server_pid(graph), signal.SIGKILL)
            if kill[1] in ("serve", "both"):
                serve.kill()
                serve.wait()
                serve = await asyncio.to_thread(_serve, graph, nats_server.url, port)
        await publishing
        deadline = time.monotonic() + 45  # the last events are held back until they are 2 s old
        while not _settled(homes := await asyncio.to_thread(_homes, graph)) and time.monotonic() < deadline:
            await asyncio.sleep(0.3)
        await asyncio.sleep(0.5)  # the last results on their way
    finally:
        publishing.cancel()
        serve.terminate()
        serve.wait(timeout=60)
        await nc.close()
    return Run({k: v for k, v in homes.items() if k != "#events"}, dict(published))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """The same stream without a crash: where the incident's events belong."""
    root = tmp_path_factory.mktemp("reference")
    server = NatsServer(root / "jetstream").start()
    try:
        yield asyncio.run(play(root, server, None))
    finally:
        server.stop()


def test_without_a_crash_the_incident_is_one_correlation(reference: Run) -> None:
    (home,) = {tuple(v) for v in reference.homes.values()}
    assert len(home) == 1 and set(reference.homes) == set(INCIDENT_IDS)
    assert any(key.startswith(f"{home[0]}:") for key in reference.published)  # and it was published


@pytest.mark.parametrize(("seed", "victim"), [(11, "serve"), (12, "graph"), (13, "both"), (14, "serve")])
async def test_kill9_mid_incident_keeps_its_one_correlation_and_never_reuses_a_version(
    tmp_path: Path, nats_server: NatsServer, reference: Run, seed: int, victim: str
) -> None:
    at = random.Random(seed).uniform(0.1, 2.5)  # mid-stream, or after it while the last events are held back
    run = await play(tmp_path, nats_server, (at, victim))
    assert run.homes == reference.homes  # every incident event in one correlation, the reference's
    reused = {key: len(bodies) for key, bodies in run.published.items() if len(bodies) > 1}
    assert not reused  # no {id}:{version} published with two different bodies
    (home,) = reference.homes["inc-oom"]
    assert any(key.startswith(f"{home}:") for key in run.published)
