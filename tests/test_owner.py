"""The correlator that runs only while leading, on a real graph and nats-server: a follower hands what it stored to
the leader over NATS, the leader correlates it; losing leadership stops correlating at once."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import nats
import pytest

from api.metrics import Metrics
from causegraph.owner import CorrelationOwner
from causegraph.settings import KubernetesSettings, ServeSettings, Settings
from graph import GraphStore
from model.event import Category as C
from tests import topo_builder as tb

pytestmark = pytest.mark.falkordb_only


def _owner(store: GraphStore, nc: Any, published: list[Any], may: list[bool] | None = None) -> CorrelationOwner:
    async def publish(results: list[Any]) -> None:
        published.extend(results)

    settings = Settings(kubernetes=KubernetesSettings(mode="none", cluster=tb.CLUSTER))
    gate = may if may is not None else [True]
    return CorrelationOwner(
        store,
        settings,
        Metrics(),
        publish=publish,
        nc=nc,
        subject="causegraph.stored.prod",
        may_correlate=lambda: gate[0],
    )


async def _until(check: Any, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_a_follower_hands_stored_events_to_the_leader_which_correlates_them(
    store: GraphStore, nats_server: Any
) -> None:
    tb.build(store)
    a, b = await nats.connect(nats_server.url), await nats.connect(nats_server.url)
    led: list[Any] = []
    leader, follower = _owner(store, a, led), _owner(store, b, [])
    follower.bind(asyncio.get_running_loop())
    try:
        await leader.gain()
        assert leader.leading and not follower.leading and leader.since is not None
        assert leader.metrics.correlation_leader._value.get() == 1  # the gauge /metrics shows
        events = tb.stored(
            store,
            [
                tb.event("oom", 0, "Pod", "mysql-0", "OOMKilled", C.RESOURCE_EXHAUSTION, severity="critical"),
                tb.event("t1", 5, "Pod", "api-1", "timeout", C.NETWORK, target=("Service", "mysql")),
            ],
        )
        follower.on_stored(events)  # stored by the follower: only the ids travel
        await _until(lambda: any({"oom", "t1"} <= set(r.related_events) for r in led))
    finally:
        await leader.stop()
        await a.close()
        await b.close()
    assert not leader.leading and leader.metrics.correlation_leader._value.get() == 0


async def test_leadership_lost_or_doubtful_correlates_nothing(store: GraphStore, nats_server: Any) -> None:
    tb.build(store)
    nc = await nats.connect(nats_server.url)
    gate = [True]
    led: list[Any] = []
    owner = _owner(store, nc, led, gate)
    try:
        await owner.gain()
        gate[0] = False  # the lease is past its deadline: batches are dropped, left to the next leader
        oom = tb.event("oom", 0, "Pod", "mysql-0", "OOMKilled", C.RESOURCE_EXHAUSTION, severity="critical")
        owner.on_stored(tb.stored(store, [oom]))
        await _until(lambda: owner.dropped == 1)
        assert owner.tick(int(time.time() * 1000)) == []
        await owner.lose()
        assert not owner.leading and owner.correlator is None
        owner.on_stored(
            tb.stored(store, [tb.event("t1", 5, "Pod", "api-1", "timeout", C.NETWORK, target=("Service", "mysql"))])
        )
        assert led == [] and store.run("MATCH (e:Event) WHERE e.correlation_id IS NOT NULL RETURN e.id") == []
    finally:
        await owner.stop()
        await nc.close()


async def test_a_worker_that_does_not_lead_still_sends_what_it_failed_to_publish_when_it_led(store: GraphStore) -> None:
    calls: list[str] = []

    async def drain() -> None:
        calls.append("drain")

    async def resend() -> None:
        calls.append("resend")

    kube = KubernetesSettings(mode="none", cluster=tb.CLUSTER)
    settings = Settings(kubernetes=kube, serve=ServeSettings(tick_s=0.05))
    owner = CorrelationOwner(store, settings, Metrics(), publish=None, drain=drain, resend=resend)
    stop = asyncio.Event()
    ticks = asyncio.create_task(owner.run_ticks(stop))
    await _until(lambda: calls.count("resend") >= 2)
    assert "drain" not in calls  # the graph's outbox is the leader's to drain
    stop.set()
    await ticks
