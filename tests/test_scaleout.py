"""Two serve workers on one graph, a real 3-node NATS JetStream cluster (3-replica streams), and a fault in the
middle of a live incident. After each: every event stored exactly once; the incident in exactly one correlation,
with the id it has without the fault; no ``{id}:{version}`` published with two bodies; every version of every
correlation on ``correlations.results``; nothing left in the outbox or pending on the consumer."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from causegraph.natsserver import NatsCluster
from graph import GraphStore, open_store
from graph.embedded import alive
from ingest.jsstreams import TRANSIENT
from tests import scaleout as so
from tests.serveproc import graph_server_pid

NOISE = 600


@dataclass
class Bed:
    cluster: NatsCluster
    graph: Path
    workers: list[so.Worker]
    watch: so.Watch
    store: GraphStore

    def leader(self) -> so.Worker:
        leaders = [w for w in self.workers if w.proc.poll() is None and w.leading()]
        assert len(leaders) == 1, f"{len(leaders)} leaders"
        return leaders[0]


@asynccontextmanager
async def bed(tmp_path: Path, cluster: NatsCluster) -> AsyncIterator[Bed]:
    graph = tmp_path / "g" / "graph.rdb"
    so.prepare_graph(graph)
    env = so.worker_env(cluster)
    watch = await so.Watch.start(cluster)
    workers = list(await asyncio.gather(*(asyncio.to_thread(so.start_worker, graph, env) for _ in range(2))))
    store = open_store(str(graph), graph_name="causegraph")  # beside the workers: only uses their server
    try:
        yield Bed(cluster, graph, workers, watch, store)
    finally:
        try:
            await asyncio.gather(*(asyncio.to_thread(so.stop_worker, w) for w in workers))
        finally:
            store.close()
            await watch.close()


async def run_incident(b: Bed, fault: Callable[[], Awaitable[None]] | None, *, twice: bool = False) -> None:
    """Publish the noise and the incident, the fault half-way through; then check everything."""
    now = int(time.time() * 1000)
    events = so.incident(now)
    noise = so.noise(now, NOISE)
    first = noise[: NOISE // 2] + events[:4]
    rest = noise[NOISE // 2 :] + events[4:]
    await b.watch.publish(first)
    if fault is not None:
        await fault()
    await b.watch.publish(rest)
    if twice:
        await b.watch.publish(first + rest)
    await settled(b, [str(e["id"]) for _, e in events], NOISE + len(events), so.expected_id(events))


async def settled(b: Bed, incident_ids: list[str], total: int, corr_id: str, timeout_s: float = 40.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        state = await asyncio.to_thread(so.graph_state, b.store, incident_ids)
        try:
            versions = await b.watch.stream_versions() if _graph_done(state, incident_ids, total) else {}
        except TRANSIENT:  # the stream's or consumer's leader is elected again (a server died, one is busy): not yet
            versions = {}
        if versions.get(corr_id) and _stream_done(state, versions):
            break
        assert time.monotonic() < deadline, f"not settled: {state}, stream {versions}"
        await asyncio.sleep(0.5)
    assert state["events"] == (total, total)  # every event stored, each once
    assert {e: homes for e, homes in state["homes"].items()} == {e: [corr_id] for e in incident_ids}
    repeated = {k: len(v) for k, v in b.watch.bodies.items() if len(v) > 1}
    assert not repeated, f"versions published with different bodies: {repeated}"
    js = b.watch.nc.jetstream(timeout=5)
    info = await js.consumer_info("TRACES", "causegraph")
    assert info.num_pending == 0 and info.num_ack_pending == 0
    stream = await js.stream_info("TRACES")
    assert stream.config.num_replicas == 3


def _graph_done(state: dict[str, object], incident_ids: list[str], total: int) -> bool:
    homes = state["homes"]
    assert isinstance(homes, dict)
    return state["events"] == (total, total) and set(homes) == set(incident_ids)


def _stream_done(state: dict[str, object], versions: dict[str, list[int]]) -> bool:
    """Every correlation published up to its graph version, each version on the stream (1..version, no gap)."""
    corrs = state["corrs"]
    assert isinstance(corrs, list)
    for c in corrs:
        version = int(c["version"] or 0)
        if version and (
            c["published"] != version or sorted(set(versions.get(c["id"], []))) != [*range(1, version + 1)]
        ):
            return False
    return True


async def test_the_same_events_published_twice(tmp_path: Path, nats_cluster: NatsCluster) -> None:
    async with bed(tmp_path, nats_cluster) as b:
        leader = b.leader()  # exactly one
        await run_incident(b, None, twice=True)
        gauges = {w is leader: _metrics(w) for w in b.workers}
        assert "causegraph_correlation_leader 1.0" in gauges[True]
        assert "causegraph_correlation_leader 0.0" in gauges[False]
        assert "causegraph_correlation_leader_since_seconds 0.0" in gauges[False]
        consumers = await b.watch.nc.jetstream().consumers_info("TRACES")
        assert [c.name for c in consumers] == ["causegraph"]  # one durable consumer ...
        assert all(_nats_in(_metrics(w)) > 0 for w in b.workers)  # ... that both workers took events from


async def test_kill9_of_the_correlation_leader_mid_incident(tmp_path: Path, nats_cluster: NatsCluster) -> None:
    async with bed(tmp_path, nats_cluster) as b:
        killed: list[so.Worker] = []

        async def kill_leader() -> None:
            await asyncio.sleep(1.0)  # the incident is open and published by now
            leader = b.leader()
            leader.proc.send_signal(signal.SIGKILL)
            leader.proc.wait()
            killed.append(leader)

        await run_incident(b, kill_leader)
        survivor = b.leader()
        assert survivor is not killed[0]
        assert survivor.ready()["correlation_leader_since"]


async def test_kill9_of_one_nats_server_mid_stream(tmp_path: Path, nats_cluster: NatsCluster) -> None:
    async with bed(tmp_path, nats_cluster) as b:

        async def kill_stream_leader() -> None:
            info = await b.watch.nc.jetstream(timeout=5).stream_info("TRACES")
            assert info.cluster is not None and info.cluster.leader is not None
            b.cluster.stop(int(info.cluster.leader[1:]), kill=True)

        await run_incident(b, kill_stream_leader)
        b.leader()


async def test_the_graph_server_killed_and_started_again_mid_stream(tmp_path: Path, nats_cluster: NatsCluster) -> None:
    async with bed(tmp_path, nats_cluster) as b:
        killed: list[int] = []

        async def kill_graph() -> None:
            pid = graph_server_pid(b.graph)
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

        await run_incident(b, kill_graph)
        assert not alive(killed[0]) and graph_server_pid(b.graph) != killed[0]
        b.leader()


def _nats_in(metrics: str) -> float:
    lines = [x for x in metrics.splitlines() if x.startswith('causegraph_events_in_total{source="nats"}')]
    return float(lines[0].split()[-1]) if lines else 0.0


def _metrics(w: so.Worker) -> str:
    import httpx

    return httpx.get(f"http://127.0.0.1:{w.port}/metrics", timeout=5).text
