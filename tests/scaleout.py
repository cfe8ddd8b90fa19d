"""Two ``causegraph serve`` workers on one graph and a 3-node NATS cluster, for the scale-out tests and the bench.

The incident: redis OOM-killed, then the cart backing off and the frontend answering 503 (the apps of
``tests.apidata``), among informational collector events that only need storing. Event times are live (around
the wall clock), so the engine places them as a live stream. ``Watch`` records what consumers of
``correlations.results`` see: every body per ``{id}:{version}`` on a core subscription, and the stream itself.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import nats
from nats.aio.client import Client
from nats.aio.msg import Msg

from causegraph.natsserver import NatsCluster, free_port
from correlate.placement import correlation_id
from graph import GraphStore, open_store
from tests import apidata
from tests.serveproc import start_serve

LEADER_TTL_S = 3.0  # the default: shorter ones flap on this machine when it is oversubscribed


def worker_env(cluster: NatsCluster, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "CAUSEGRAPH_NATS__URL": cluster.url,
        "CAUSEGRAPH_NATS__REPLICAS": str(cluster.size),
        "CAUSEGRAPH_NATS__LEADER_TTL_S": str(LEADER_TTL_S),
        "CAUSEGRAPH_NATS__FETCH_TIMEOUT_S": "0.05",
        # What a killed worker had fetched and not acked comes back after this (the default is 30 s).
        "CAUSEGRAPH_NATS__ACK_WAIT_S": "5",
        "CAUSEGRAPH_SERVE__TICK_S": "0.5",
        "CAUSEGRAPH_KUBERNETES__CLUSTER": apidata.CLUSTER,
        **extra,
    }


def prepare_graph(graph: Path) -> None:
    """The topology, written before any worker starts (and the embedded server stopped again)."""
    graph.parent.mkdir(parents=True, exist_ok=True)
    store = open_store(str(graph), graph_name="causegraph")
    try:
        store.apply_schema()
        apidata.load_topology(store)
    finally:
        store.close()


@dataclass
class Worker:
    port: int
    proc: subprocess.Popen[bytes]

    def ready(self) -> dict[str, Any]:
        body: dict[str, Any] = httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=5).json()
        return body

    def leading(self) -> bool:
        try:
            return bool(self.ready().get("correlation_leader"))
        except httpx.HTTPError:
            return False


def start_worker(graph: Path, env: dict[str, str]) -> Worker:
    port = free_port()
    return Worker(port, start_serve(graph, port, env))


def stop_worker(w: Worker) -> None:
    """A clean stop; a worker that does not stop in a minute is killed (and the test that waits fails)."""
    if w.proc.poll() is None:
        w.proc.terminate()
        try:
            w.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            w.proc.kill()
            w.proc.wait()
            raise


def incident(now_ms: int, tag: str = "i") -> list[tuple[str, dict[str, Any]]]:
    """(subject, UnifiedEvent): the root first, then its symptoms a second apart."""
    out = [_unified(f"{tag}-oom", "redis", now_ms, "OOMKilled", "critical")]
    for k in range(6):
        pod, reason = ("cart", "BackOff") if k % 2 == 0 else ("front", "HTTP503")
        out.append(_unified(f"{tag}-{pod}-{k}", pod, now_ms + (k + 1) * 400, reason, "error"))
    return out


def noise(now_ms: int, n: int, tag: str = "n") -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"traces.t{i % 17}.ebpf", {"id": f"{tag}-{i}", "timestamp": now_ms + i, "type": "log", "message": f"ok {i}"})
        for i in range(n)
    ]


def _unified(ident: str, pod: str, ts_ms: int, reason: str, severity: str) -> tuple[str, dict[str, Any]]:
    p = apidata.PODS[pod]
    return (
        "traces.trace-incident.test",
        {
            "id": ident,
            "timestamp": ts_ms,
            "type": "kubernetes",
            "source": "test",
            "severity": severity,
            "message": f"{reason} on {p['name']}",
            "kubernetes": {"reason": reason, "event_type": "Warning", "object_kind": "Pod"},
            "k8s_context": {"kind": "Pod", "name": p["name"], "namespace": p["namespace"], "uid": p["uid"]},
        },
    )


def expected_id(events: list[tuple[str, dict[str, Any]]]) -> str:
    """The id the incident gets without any fault: that of its first event (``correlate.placement``)."""
    return correlation_id(str(events[0][1]["id"]))


@dataclass
class Watch:
    """What a consumer of correlations.results sees (a core subscription: repeats JetStream dropped included)."""

    nc: Client
    bodies: dict[str, set[bytes]] = field(default_factory=lambda: defaultdict(set))
    first_at: dict[str, float] = field(default_factory=dict)

    @classmethod
    async def start(cls, cluster: NatsCluster) -> Watch:
        nc = await nats.connect(cluster.urls, max_reconnect_attempts=-1, reconnect_time_wait=0.1)
        watch = cls(nc)

        async def seen(msg: Msg) -> None:
            msg_id = (msg.headers or {}).get("Nats-Msg-Id", "")
            watch.bodies[msg_id].add(msg.data)
            watch.first_at.setdefault(msg_id, time.monotonic())

        await nc.subscribe("correlations.results", cb=seen)
        return watch

    async def publish(self, events: list[tuple[str, dict[str, Any]]], per_s: float = 2000) -> None:
        """Publish to JetStream, each acked, retried across a server's death (no Nats-Msg-Id: a repeat is new)."""
        js = self.nc.jetstream(timeout=2)
        for i, (subject, body) in enumerate(events):
            for attempt in range(100):
                try:
                    await js.publish(subject, json.dumps(body).encode())
                    break
                except Exception:
                    if attempt == 99:
                        raise
                    await asyncio.sleep(0.1)
            if i % 50 == 49:
                await asyncio.sleep(50 / per_s)

    async def stream_versions(self) -> dict[str, list[int]]:
        """Correlation id -> the versions stored on the CORRELATIONS stream, in order."""
        js = self.nc.jetstream(timeout=5)
        sub = await js.pull_subscribe("correlations.results", stream="CORRELATIONS")
        out: dict[str, list[int]] = defaultdict(list)
        try:
            while True:
                try:
                    msgs = await sub.fetch(500, timeout=1)
                except (TimeoutError, nats.errors.TimeoutError):
                    break
                for msg in msgs:
                    doc = json.loads(msg.data)
                    out[str(doc["id"])].append(int(doc["version"]))
                    await msg.ack()
        finally:  # a 503 mid-read (a leader elected again) leaves no consumer behind
            await sub.unsubscribe()
        return dict(out)

    async def close(self) -> None:
        await self.nc.close()


def graph_state(store: GraphStore, incident_ids: list[str]) -> dict[str, Any]:
    """What the checks need from the graph."""
    ev = store.run("MATCH (e:Event) RETURN count(e) AS n, count(DISTINCT e.id) AS ids")[0]
    homes = store.run(
        "MATCH (c:Correlation)-[:INCLUDES]->(e:Event) WHERE e.id IN $ids "
        "RETURN e.id AS id, collect(DISTINCT c.id) AS corrs",
        {"ids": incident_ids},
    )
    corrs = store.run(
        "MATCH (c:Correlation) RETURN c.id AS id, c.version AS version, "
        "coalesce(c.published_version, 0) AS published, c.state AS state"
    )
    return {"events": (int(ev["n"]), int(ev["ids"])), "homes": {r["id"]: r["corrs"] for r in homes}, "corrs": corrs}
