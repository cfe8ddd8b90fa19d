"""Leader election over a real NATS KV bucket: one leader per cluster name, a takeover in about the ttl when the
leader dies, at once when it resigns; a leader that cannot renew stops by its deadline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import nats
from nats.aio.client import Client

from causegraph.leader import LeaderElection, worker_name
from causegraph.natsserver import NatsCluster, NatsServer
from ingest.settings import NatsSettings

TTL = 1.0


@dataclass
class Worker:
    nc: Client
    election: LeaderElection
    stop: asyncio.Event
    task: asyncio.Task[None]
    changes: list[tuple[bool, float]] = field(default_factory=list)

    @property
    def leading(self) -> bool:
        return bool(self.changes) and self.changes[-1][0]

    async def crash(self) -> None:
        """As kill -9: no resignation, the connection just goes."""
        self.task.cancel()
        await self.nc.close()


@asynccontextmanager
async def worker(urls: list[str], cluster: str = "prod", replicas: int = 1) -> AsyncIterator[Worker]:
    nc = await nats.connect(urls, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
    settings = NatsSettings(url=",".join(urls), replicas=replicas, leader_ttl_s=TTL)
    changes: list[tuple[bool, float]] = []

    async def on_change(gained: bool) -> None:
        changes.append((gained, time.monotonic()))

    election = LeaderElection(nc, settings, cluster, worker_name(), on_change)
    await election.setup()
    stop = asyncio.Event()
    w = Worker(nc, election, stop, asyncio.create_task(election.run(stop)), changes)
    try:
        yield w
    finally:
        stop.set()
        if not w.task.done():
            await w.task
            await election.resign()
        await election.close()
        if not nc.is_closed:
            await nc.close()


async def _until(check: object, timeout_s: float) -> float:
    started = time.monotonic()
    while not check():  # type: ignore[operator]
        assert time.monotonic() - started < timeout_s, "timed out"
        await asyncio.sleep(0.01)
    return time.monotonic() - started


async def test_one_leader_per_cluster_name_and_a_takeover_about_a_ttl_after_it_dies(nats_cluster: NatsCluster) -> None:
    async with (
        worker(nats_cluster.urls, replicas=3) as a,
        worker(nats_cluster.urls, replicas=3) as b,
        worker(nats_cluster.urls, cluster="staging", replicas=3) as other,
    ):
        await _until(lambda: a.leading or b.leading, 5)
        await _until(lambda: other.leading, 5)  # another cluster name: its own leader
        await asyncio.sleep(3 * TTL)  # renewals keep it: nobody else leads meanwhile
        leader, follower = (a, b) if a.leading else (b, a)
        assert leader.changes == [(True, leader.changes[0][1])] and follower.changes == []
        await leader.crash()
        took = await _until(lambda: follower.leading, 5 * TTL)
        assert TTL / 3 < took < TTL + 1.0  # the key had to expire first; then within a retry
        assert other.changes[-1][0] and len(other.changes) == 1
        info = await a.election.nc.jetstream().stream_info("KV_causegraph_leader") if not a.nc.is_closed else None
        info = info or await b.nc.jetstream().stream_info("KV_causegraph_leader")
        assert info.config.num_replicas == 3


async def test_a_resigning_leader_hands_over_at_once(nats_server: NatsServer) -> None:
    async with worker([nats_server.url]) as a:
        await _until(lambda: a.leading, 5)
        async with worker([nats_server.url]) as b:
            await asyncio.sleep(TTL)
            assert not b.leading
            a.stop.set()
            await a.task
            started = time.monotonic()
            await a.election.resign()
            assert a.changes[-1][0] is False
            await _until(lambda: b.leading, 5)
            assert time.monotonic() - started < TTL / 2  # no waiting out the ttl


async def test_a_leader_whose_key_moved_steps_down_at_its_next_renewal(nats_server: NatsServer) -> None:
    async with worker([nats_server.url]) as a:
        await _until(lambda: a.leading, 5)
        kv = await a.nc.jetstream().key_value("causegraph_leader")
        await kv.put("prod", b"an-intruder")  # another writer: the revision moved
        took = await _until(lambda: not a.leading, 5)
        assert took <= TTL / 3 + 0.3
        assert not a.election.lease.valid(time.monotonic())


async def test_a_renewal_that_timed_out_but_was_written_does_not_cost_the_lease(nats_server: NatsServer) -> None:
    async with worker([nats_server.url]) as a:
        await _until(lambda: a.leading, 5)
        kv = await a.nc.jetstream().key_value("causegraph_leader")
        await kv.update("prod", a.election.lease.worker.encode(), last=a.election.lease.revision)  # as if ours
        await asyncio.sleep(TTL)  # the next renewals find the revision moved, and the key still ours
        assert a.changes == [(True, a.changes[0][1])] and a.leading


async def test_a_leader_cut_off_from_nats_stops_by_its_deadline(nats_server: NatsServer) -> None:
    async with worker([nats_server.url]) as a:
        await _until(lambda: a.leading, 5)
        confirmed = a.election.lease.confirmed
        nats_server.stop(kill=True)
        await _until(lambda: not a.leading, 5)
        lost_at = a.changes[-1][1]
        assert lost_at <= confirmed + TTL * 2 / 3 + TTL / 3 + 0.2  # by its deadline (checked at least every renew_s)
        nats_server.start()
        await _until(lambda: a.leading, 5 * TTL)  # back, and the key expired: it leads again
