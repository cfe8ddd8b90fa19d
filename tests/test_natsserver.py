"""The bundled nats-server starts with JetStream, and keeps its stream across a kill and restart."""

from __future__ import annotations

import nats

from causegraph.natsserver import NatsServer, binary


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
