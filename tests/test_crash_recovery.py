"""Nothing lost: ``causegraph serve`` consuming a live JetStream stream is killed with ``kill -9`` (serve, its
embedded graph server, or both) at a random point; after a restart every published event is stored exactly once,
and nothing went to the dead letter. Real processes: nats-server, serve, the embedded FalkorDB."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import nats
import pytest
from nats.js.api import StreamConfig

from causegraph.natsserver import NatsServer, free_port
from graph import open_store
from graph.embedded import alive
from tests.serveproc import graph_server_pid, start_serve

EVENTS = 1500
RATE_PER_S = 1000


def _serve(graph: Path, nats_url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CAUSEGRAPH_NATS__URL": nats_url,
        "CAUSEGRAPH_SERVE__CORRELATOR": "false",  # the store's part; the engine's is its own
        "CAUSEGRAPH_SERVE__PUBLISHER": "false",
        "CAUSEGRAPH_NATS__FETCH_TIMEOUT_S": "0.05",
    }
    return start_serve(graph, port, env)


def _stored(graph: Path) -> tuple[int, int]:
    """(events, distinct ids), read beside the serve that owns the graph."""
    store = open_store(str(graph), graph_name="causegraph")
    try:
        row = store.run("MATCH (e:Event) RETURN count(e) AS n, count(DISTINCT e.id) AS ids")[0]
        return int(row["n"]), int(row["ids"])
    finally:
        store.close()


@pytest.mark.parametrize(("seed", "victim"), [(1, "serve"), (2, "graph"), (3, "both")])
async def test_kill9_at_a_random_point_loses_nothing_and_duplicates_nothing(
    tmp_path: Path, nats_server: NatsServer, seed: int, victim: str
) -> None:
    rng = random.Random(seed)
    graph = tmp_path / "g" / "graph.rdb"
    graph.parent.mkdir()
    port = free_port()
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name="TRACES", subjects=["traces.>"]))
    serve = await asyncio.to_thread(_serve, graph, nats_server.url, port)
    now_ms = int(time.time() * 1000)

    async def publish() -> None:
        for i in range(EVENTS):
            event = {"id": f"ev-{i}", "timestamp": now_ms + i, "type": "log", "message": f"event {i}"}
            await js.publish(f"traces.t{i % 13}.ebpf", json.dumps(event).encode())
            if i % 50 == 49:
                await asyncio.sleep(50 / RATE_PER_S)

    publishing = asyncio.create_task(publish())
    try:
        await asyncio.sleep(rng.uniform(0.2, 0.8 * EVENTS / RATE_PER_S))
        server = graph_server_pid(graph)
        if victim in ("graph", "both"):
            os.kill(server, signal.SIGKILL)
        if victim in ("serve", "both"):
            serve.kill()
            serve.wait()
            serve = await asyncio.to_thread(_serve, graph, nats_server.url, port)
        await publishing
        deadline = time.monotonic() + 90
        while (stored := await asyncio.to_thread(_stored, graph))[0] < EVENTS and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        assert stored == (EVENTS, EVENTS)  # every published event, each once
        assert (await js.consumer_info("TRACES", "causegraph")).num_pending == 0
        with pytest.raises(nats.js.errors.NotFoundError):
            await js.get_last_msg("CAUSEGRAPH_DEADLETTER", "causegraph.deadletter")  # nothing dead-lettered
        server = graph_server_pid(graph)
    finally:
        publishing.cancel()
        serve.terminate()
        serve.wait(timeout=60)
        await nc.close()
    assert not alive(server)  # the serve that owned the graph (started it or took it over) stopped it
