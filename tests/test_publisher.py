"""Publishing on a real nats-server: dedupe by {id}:{version}, alerts, and the outbox drained after an outage."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import nats

from api.publisher import Outgoing, Publisher
from causegraph.natsserver import NatsServer
from correlate.engine import Engine
from correlate.settings import CorrelateSettings
from graph import GraphStore
from ingest.settings import NatsSettings
from model.event import Category as C
from tests import topo_builder as tb

SETTINGS = NatsSettings(publish_timeout_s=0.3)


async def stream_ids(js: Any, stream: str) -> list[str]:
    """Every Nats-Msg-Id stored in ``stream``, in order."""
    info = await js.stream_info(stream)
    out = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        msg = await js.get_msg(stream, seq)
        out.append((msg.headers or {}).get("Nats-Msg-Id", ""))
    return out


def incident(store: GraphStore) -> tuple[Engine, list[Any]]:
    tb.build(store)
    engine = Engine(store, CorrelateSettings(), tb.CLUSTER)
    first = tb.stored(
        store,
        [
            tb.event("oom", 0, "Pod", "mysql-0", "OOMKilled", C.RESOURCE_EXHAUSTION, severity="high"),
            tb.event("t1", 5, "Pod", "api-1", "timeout", C.NETWORK, target=("Service", "mysql")),
        ],
    )
    return engine, engine.process(first)


async def test_publish_marks_and_dedupes(store: GraphStore, nats_server: NatsServer) -> None:
    nc = await nats.connect(nats_server.url)
    try:
        pub = Publisher(nc, store, SETTINGS)
        await pub.ensure_streams()
        _, results = incident(store)
        assert [r.version for r in results] == [1]
        assert await pub.publish(results) == 1
        assert await pub.publish(results) == 1  # a repeat is acknowledged as a duplicate, not stored
        assert await stream_ids(pub.js, "CORRELATIONS") == [results[0].msg_id]
        assert await stream_ids(pub.js, "CORRELATION_ALERTS") == [results[0].msg_id]  # severity high
        assert store.query("correlation_outbox", {"limit": 10}) == []
    finally:
        await nc.close()


async def test_outbox_drained_after_outage_each_version_once(store: GraphStore, nats_server: NatsServer) -> None:
    holder: dict[str, Publisher] = {}

    async def reconnected() -> None:
        await holder["pub"].on_reconnect()

    nc = await nats.connect(
        nats_server.url, reconnected_cb=reconnected, max_reconnect_attempts=-1, reconnect_time_wait=0.1
    )
    try:
        pub = holder["pub"] = Publisher(nc, store, SETTINGS)
        await pub.ensure_streams()
        engine, results = incident(store)
        await pub.publish(results)
        nats_server.stop()
        more = engine.process(
            tb.stored(
                store,
                [
                    tb.event("f1", 8, "Pod", "frontend-1", "http_503", C.NETWORK, target=("Service", "api")),
                    tb.event("x1", 9, "Node", "node-1", "NodeNotReady", C.NODE, severity="critical"),
                ],
            )
        )
        assert {r.id for r in more} and await pub.publish(more) == 0  # NATS down: kept in the outbox
        pending = store.query("correlation_outbox", {"limit": 10})
        assert {r["id"] for r in pending} == {r.id for r in more}
        nats_server.start()
        for _ in range(100):
            if not store.query("correlation_outbox", {"limit": 10}):
                break
            await asyncio.sleep(0.05)
        assert store.query("correlation_outbox", {"limit": 10}) == []
        await pub.drain_outbox()  # a second drain sends nothing
        ids = await stream_ids(pub.js, "CORRELATIONS")
        assert len(ids) == len(set(ids)), ids
        assert set(ids) == {results[0].msg_id} | {r.msg_id for r in more}
    finally:
        await nc.close()


async def first_publish_fails(
    nc: Any, store: GraphStore, nats_server: NatsServer
) -> tuple[Publisher, Engine, list[Any]]:
    """An incident's first version, published while the nats-server is down (it fails), then the server back."""
    pub = Publisher(nc, store, SETTINGS)
    await pub.ensure_streams()
    engine, results = incident(store)
    nats_server.stop()
    assert await pub.publish(results) == 0
    nats_server.start()
    return pub, engine, results


async def until_sent(send: Callable[[], Awaitable[int]], want: int) -> int:
    """``send()`` again until it sends ``want`` (the client reconnects meanwhile); what the last try sent."""
    sent = 0
    for _ in range(100):
        sent = await send()
        if sent >= want:
            break
        await asyncio.sleep(0.05)
    return sent


def test_outgoing_from_document_keeps_bytes() -> None:
    doc = '{"id":"corr-1","version":4,"severity":"low"}'
    out = Outgoing.from_document(doc)
    assert (out.msg_id, out.data, out.severity) == ("corr-1:4", doc.encode(), "low")


async def test_a_version_that_failed_is_sent_again_even_after_a_later_one_got_through(
    store: GraphStore, nats_server: NatsServer
) -> None:
    nc = await nats.connect(nats_server.url, max_reconnect_attempts=-1, reconnect_time_wait=0.1)
    try:
        pub, engine, results = await first_publish_fails(nc, store, nats_server)
        assert list(pub.unsent) == [results[0].msg_id]
        more = engine.process(
            tb.stored(store, [tb.event("f1", 8, "Pod", "frontend-1", "http_503", C.NETWORK, target=("Service", "api"))])
        )
        later = [r for r in more if r.id == results[0].id]
        assert [r.version for r in later] == [results[0].version + 1]
        await until_sent(lambda: pub.publish(later), len(later))  # v2 goes through once the client is back
        assert store.query("correlation_outbox", {"limit": 10}) == []  # the graph's outbox has nothing: v2 is newer
        await pub.drain_outbox()
        assert not pub.unsent
        ids = await stream_ids(pub.js, "CORRELATIONS")
        assert sorted(ids) == sorted({results[0].msg_id, *(r.msg_id for r in later)})  # v1 too, after v2
    finally:
        await nc.close()


async def test_a_process_that_no_longer_leads_sends_what_it_failed_to_and_leaves_the_outbox_to_the_leader(
    store: GraphStore, nats_server: NatsServer
) -> None:
    nc = await nats.connect(nats_server.url, max_reconnect_attempts=-1, reconnect_time_wait=0.1)
    try:
        pub, engine, results = await first_publish_fails(nc, store, nats_server)  # while this process leads
        # Meanwhile the next leader wrote another correlation; its outbox entry is that leader's to send.
        down = tb.event("n1", 900, "Node", "node-2", "NodeNotReady", C.NODE, severity="high")
        other = engine.process(tb.stored(store, [down]))
        assert other and other[0].id != results[0].id
        assert await until_sent(pub.resend_unsent, 1) == 1 and not pub.unsent  # once the client is back
        assert await stream_ids(pub.js, "CORRELATIONS") == [results[0].msg_id]
        assert [r["id"] for r in store.query("correlation_outbox", {"limit": 10})] == [other[0].id]
    finally:
        await nc.close()
