"""The bundled nats-server starts with JetStream, and keeps its stream across a kill and restart; three of them
form a cluster whose replicated stream outlives one of them."""

from __future__ import annotations

import asyncio

import nats

from causegraph.natsserver import NatsCluster, NatsServer, binary
from ingest.jsstreams import settled


def test_binary_is_bundled() -> None:
    assert binary().endswith("nats-server")


async def test_jetstream_survives_restart(nats_server: NatsServer) -> None:
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await js.add_stream(name="S", subjects=["s.>"])
    await js.publish("s.1", b"x")
    await nc.close()
    nats_server.stop(kill=True)
    nats_server.start()
    nc = await nats.connect(nats_server.url)
    info = await nc.jetstream().stream_info("S")
    assert info.state.messages == 1
    await nc.close()


async def test_a_cluster_keeps_a_replicated_stream_through_a_kill_of_one_server(nats_cluster: NatsCluster) -> None:
    assert nats_cluster.url.count(",") == 2 and 'routes: ["nats-route://' in nats_cluster.config(0)
    nc = await nats.connect(nats_cluster.urls, max_reconnect_attempts=-1, reconnect_time_wait=0.1)
    js = nc.jetstream(timeout=5)
    try:
        await js.add_stream(name="R", subjects=["r.>"], num_replicas=3)
        await settled(lambda: js.publish("r.1", b"x"), "publish to R")  # answers once its leader is elected
        leader = (await js.stream_info("R")).cluster
        assert leader is not None and leader.leader is not None
        nats_cluster.stop(int(leader.leader[1:]), kill=True)  # the stream's leader: another one takes over
        for _ in range(100):
            try:
                await js.publish("r.2", b"y")
                break
            except Exception:
                await asyncio.sleep(0.1)
        info = await js.stream_info("R")
        assert info.state.messages == 2 and info.cluster is not None and info.cluster.leader != leader.leader
    finally:
        await nc.close()
