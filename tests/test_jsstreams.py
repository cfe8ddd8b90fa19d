"""Streams at the replica count of the settings, on a real 3-node JetStream cluster and a lone server."""

from __future__ import annotations

import asyncio

import nats
import pytest
from nats.js.api import StreamConfig
from nats.js.errors import BadRequestError, NoStreamResponseError

from causegraph.natsserver import NatsCluster, NatsServer
from ingest.jsstreams import StreamReplicasError, ensure_stream, settled


async def test_a_missing_stream_is_created_with_the_replicas_and_an_existing_one_is_updated_to_them(
    nats_cluster: NatsCluster,
) -> None:
    nc = await nats.connect(nats_cluster.urls)
    js = nc.jetstream(timeout=5)
    try:
        assert await ensure_stream(js, StreamConfig(name="NEW", subjects=["new.>"]), 3)
        info = await js.stream_info("NEW")
        assert info.config.num_replicas == 3 and info.cluster is not None and len(info.cluster.replicas or []) == 2
        assert not await ensure_stream(js, StreamConfig(name="NEW", subjects=["new.>"]), 3)  # nothing to do

        await js.add_stream(StreamConfig(name="OLD", subjects=["old.>"], max_msgs=123))
        # A stream just made on a cluster answers once its leader is elected; until then, no responders.
        await settled(lambda: js.publish("old.a", b"kept"), "publish to OLD")
        assert await ensure_stream(js, StreamConfig(name="OLD", subjects=["other.>"]), 3)
        info = await js.stream_info("OLD")
        assert info.config.num_replicas == 3
        assert info.config.subjects == ["old.>"] and info.config.max_msgs == 123  # the rest of its config kept
        assert info.state.messages == 1
    finally:
        await nc.close()


async def test_more_replicas_than_servers_is_a_clear_error(nats_server: NatsServer) -> None:
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream(timeout=5)
    try:
        with pytest.raises(StreamReplicasError, match=r"stream LONE: creating with 3 replicas failed: .*at least 3"):
            await ensure_stream(js, StreamConfig(name="LONE", subjects=["lone.>"]), 3)
        await js.add_stream(StreamConfig(name="ONE", subjects=["one.>"]))
        with pytest.raises(StreamReplicasError, match=r"stream ONE: updating \(it has 1\) with 3 replicas"):
            await ensure_stream(js, StreamConfig(name="ONE", subjects=["one.>"]), 3)
    finally:
        await nc.close()


async def test_workers_making_the_same_stream_at_once_all_get_it(nats_cluster: NatsCluster) -> None:
    conns = [await nats.connect(nats_cluster.urls) for _ in range(4)]
    try:
        config = StreamConfig(name="RACE", subjects=["race.>"])
        made = await asyncio.gather(*(ensure_stream(c.jetstream(timeout=10), config, 3) for c in conns))
        assert any(made)
        info = await conns[0].jetstream().stream_info("RACE")
        assert info.config.num_replicas == 3
    finally:
        for c in conns:
            await c.close()


async def test_settled_asks_again_only_while_the_failure_is_transient() -> None:
    calls: list[int] = []

    async def slow_then_ok() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise TimeoutError
        return "made"

    assert await settled(slow_then_ok, "x") == "made" and len(calls) == 3

    async def leader_then_ok() -> str:  # a publish to a stream whose leader is being elected
        calls.append(1)
        if len(calls) < 2:
            raise NoStreamResponseError
        return "stored"

    calls.clear()
    assert await settled(leader_then_ok, "x") == "stored" and len(calls) == 2

    async def refused() -> None:
        calls.append(1)
        raise BadRequestError()

    calls.clear()
    with pytest.raises(BadRequestError):
        await settled(refused, "x")
    assert len(calls) == 1  # a refusal stands at once

    async def never() -> None:
        raise TimeoutError

    with pytest.raises(TimeoutError):
        await settled(never, "x", settle_s=0.3)
