"""A 3-node NATS JetStream cluster for the tests (shared helpers): wait until it takes replicated streams."""

from __future__ import annotations

import asyncio
import time

import nats
from nats.js.api import StreamConfig

from causegraph.natsserver import NatsCluster


def wait_jetstream(cluster: NatsCluster, timeout_s: float = 30.0) -> None:
    """Return once the cluster has a JetStream meta leader and places a stream on all its servers."""
    asyncio.run(_wait(cluster, timeout_s))


async def _wait(cluster: NatsCluster, timeout_s: float) -> None:
    nc = await nats.connect(cluster.urls, max_reconnect_attempts=-1)
    js = nc.jetstream(timeout=2.0)
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            try:
                await js.add_stream(StreamConfig(name="READY", subjects=["ready.probe"], num_replicas=cluster.size))
                await js.delete_stream("READY")
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)
    finally:
        await nc.close()
