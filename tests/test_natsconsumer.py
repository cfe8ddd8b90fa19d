"""The JetStream consumer against a real nats-server and the embedded graph: exactly once in the graph,
bad messages dead-lettered with their reason, a server crash loses nothing, a failed write is redelivered."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import Any, LiteralString

import nats
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig

from causegraph.natsserver import NatsServer
from graph import GraphStore, QueryError, TransientGraphError
from graph.interface import Statements
from ingest.eventwriter import EventWriter
from ingest.loader import TopologyLoader
from ingest.natsconsumer import REASON_HEADER, SUBJECT_HEADER, NatsIngest, decode, subject_context
from ingest.pipeline import Pipeline
from ingest.settings import NatsSettings
from tests import scenario_events as sc


class FlakyStore:
    """The real store, except that the first ``failures`` event upserts raise a transient error."""

    def __init__(self, inner: GraphStore, failures: int) -> None:
        self.inner = inner
        self.failures = failures
        self.backend = inner.backend
        self.url = inner.url

    def query(self, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        if name == "upsert_events" and self.failures > 0:
            self.failures -= 1
            raise TransientGraphError("injected: leader switch")
        return self.inner.query(name, params)

    def run(self, text: LiteralString, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        return self.inner.run(text, params)

    def write(self, text: LiteralString, rows: Sequence[Mapping[str, Any]], batch_size: int | None = None) -> int:
        return self.inner.write(text, rows, batch_size)

    def write_many(self, statements: Statements) -> None:
        self.inner.write_many(statements)

    def write_jobs(
        self, text: LiteralString, rows: Sequence[Mapping[str, Any]], batch_size: int | None = None
    ) -> Iterator[Callable[[], object]]:
        return self.inner.write_jobs(text, rows, batch_size)

    def apply_schema(self) -> None:
        self.inner.apply_schema()

    def health(self) -> Any:
        return self.inner.health()

    def clear(self) -> None:
        self.inner.clear()

    def close(self) -> None:
        self.inner.close()


def _settings(server: NatsServer, **kw: Any) -> NatsSettings:
    tag = uuid.uuid4().hex[:8]
    base: dict[str, Any] = {
        "url": server.url,
        "stream": f"TRACES_{tag}",
        "durable": f"cg_{tag}",
        "dead_letter_stream": f"DL_{tag}",
        "fetch_batch": 50,
        "fetch_timeout_s": 0.2,
        "max_deliver": 3,
        "ack_wait_s": 2.0,
    }
    return NatsSettings(**(base | kw))


@pytest.fixture
async def publisher(nats_server: NatsServer) -> AsyncIterator[Client]:
    nc = await nats.connect(nats_server.url, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
    yield nc
    await nc.close()


def _event(i: int) -> bytes:
    return json.dumps(sc.unified(f"e-{i}", sc.T0 + i, type="log", message=f"event {i}")).encode()


def _count(store: GraphStore) -> int:
    return int(store.run("MATCH (e:Event) RETURN count(e) AS n")[0]["n"])


async def _drain(consumer: NatsIngest, rounds: int = 3) -> None:
    """Consume until a few fetches in a row bring nothing."""
    empty = 0
    while empty < rounds:
        report = await consumer.consume_once()
        empty = empty + 1 if report.fetched == 0 else 0


def test_subject_context_and_decode() -> None:
    assert subject_context("traces.abc123.ebpf") == ("abc123", "ebpf")
    assert subject_context("traces.abc.otel.collector") == ("abc", "otel.collector")
    assert subject_context("other.x") == ("", "")
    with pytest.raises(ValueError, match="not JSON"):
        decode(b"{x")
    with pytest.raises(ValueError, match="not UTF-8"):
        decode(b"\xff\xfe")
    with pytest.raises(ValueError, match="not an object"):
        decode(b"[1]")


async def test_duplicates_and_malformed_in_between(
    nats_server: NatsServer, publisher: Client, store: GraphStore
) -> None:
    settings = _settings(nats_server, ack_wait_s=30.0)  # counts asserted: a slow first write is no lost ack
    consumer = NatsIngest(settings, Pipeline(store, None, EventWriter(store, sc.CLUSTER)))
    await consumer.connect()
    dead: list[Msg] = []

    async def collect(msg: Msg) -> None:
        dead.append(msg)

    sub = await publisher.subscribe(settings.dead_letter_subject, cb=collect)
    js = publisher.jetstream()
    payloads = [
        (b"{not json", "traces.t1.ebpf"),
        (_event(1), "traces.t1.ebpf"),
        (_event(2), "traces.t2.otel"),
        (_event(1), "traces.t1.ebpf"),  # duplicate
        (b"[1, 2]", "traces.t1.ebpf"),
        (json.dumps({"id": "late", "timestamp": "yesterday"}).encode(), "traces.t3.ebpf"),
        (_event(3), "traces.t3.ebpf"),
        (_event(2), "traces.t2.otel"),  # duplicate
        (json.dumps({"id": "no-trace", "timestamp": 5}).encode(), "traces.trace-from-subject.kernel"),
    ]
    for data, subject in payloads:
        await js.publish(subject, data)
    await _drain(consumer)
    await publisher.flush()
    assert _count(store) == 4
    row = store.run("MATCH (e:Event {id: 'no-trace'}) RETURN e.trace_id AS t, e.source AS s")[0]
    assert row == {"t": "trace-from-subject", "s": "kernel"}
    assert consumer.totals.dead_lettered == 3
    await asyncio.sleep(0.1)
    reasons = sorted(m.headers[REASON_HEADER] for m in dead if m.headers)
    assert len(reasons) == 3
    assert any("not JSON" in r for r in reasons)
    assert any("not an object" in r for r in reasons)
    assert any(r.startswith("timestamp: not an RFC3339 time") for r in reasons)
    assert all(m.headers and m.headers[SUBJECT_HEADER].startswith("traces.") for m in dead)
    # and the dead letters are kept in their stream
    info = await js.stream_info(settings.dead_letter_stream)
    assert info.state.messages == 3
    # nothing is left unacknowledged
    ci = await js.consumer_info(settings.stream, settings.durable)
    assert ci.num_ack_pending == 0 and ci.num_pending == 0
    await sub.unsubscribe()
    await consumer.close()


async def test_alertmanager_payloads_on_their_subject(
    nats_server: NatsServer, publisher: Client, store: GraphStore
) -> None:
    """One message is one webhook payload: its good alerts are stored; one with a bad alert is dead-lettered naming
    it. A stream made before the alerts subject existed takes it on (``ensure_stream``)."""
    settings = _settings(nats_server, ack_wait_s=30.0)  # a cold Neo4j's first writes must not look like a lost ack
    js = publisher.jetstream()
    await js.add_stream(StreamConfig(name=settings.stream, subjects=["traces.>"]))
    consumer = NatsIngest(settings, Pipeline(store, None, EventWriter(store, sc.CLUSTER)))
    await consumer.connect()
    assert (await js.stream_info(settings.stream)).config.subjects == ["traces.>", "alerts.>"]

    def alert(name: str, fingerprint: str) -> dict[str, Any]:
        labels = {"alertname": name, "namespace": "ghost", "pod": "p-0"}
        return {"status": "firing", "labels": labels, "startsAt": sc.iso(sc.T0), "fingerprint": fingerprint}

    good = {"version": "4", "receiver": "cg", "alerts": [alert("KubePodCrashLooping", "f1")]}
    mixed = {"version": "4", "receiver": "cg", "alerts": [alert("KubePodNotReady", "f2"), {"labels": {}}]}
    dead = await js.subscribe(settings.dead_letter_subject, stream=settings.dead_letter_stream)
    for payload in (good, mixed, good):  # the last: re-sent, the same event
        await js.publish("alerts.alertmanager", json.dumps(payload).encode())
    await _drain(consumer)
    rows = store.run("MATCH (e:Event) RETURN e.reason AS r, e.source_kind AS k ORDER BY r")
    assert rows == [{"r": "KubePodCrashLooping", "k": "alert"}, {"r": "KubePodNotReady", "k": "alert"}]
    msg = await dead.next_msg(timeout=2)
    assert msg.headers and msg.headers[REASON_HEADER] == "alerts[1]: labels.alertname: missing"
    assert msg.headers[SUBJECT_HEADER] == "alerts.alertmanager"
    assert consumer.totals.dead_lettered == 1 and consumer.totals.alerts_unlinked == 3
    await consumer.close()


async def test_server_killed_and_restarted_mid_stream_loses_nothing(
    nats_server: NatsServer, publisher: Client, store: GraphStore
) -> None:
    settings = _settings(nats_server, fetch_batch=20)
    consumer = NatsIngest(settings, Pipeline(store, None, EventWriter(store, sc.CLUSTER)))
    await consumer.connect()
    js = publisher.jetstream()
    for i in range(100):
        await js.publish(f"traces.t{i % 5}.ebpf", _event(i))
    await consumer.consume_once()  # part of the stream only
    assert 0 < _count(store) < 100
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    nats_server.stop(kill=True)
    await asyncio.sleep(0.5)
    nats_server.start()
    for i in range(100, 200):
        for _ in range(100):
            try:
                await js.publish(f"traces.t{i % 5}.ebpf", _event(i), timeout=1)
                break
            except Exception:  # still reconnecting
                await asyncio.sleep(0.1)
    for _ in range(200):
        if _count(store) == 200:
            break
        await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert _count(store) == 200
    await consumer.close()


async def test_a_failed_graph_write_is_redelivered_and_stored_once(
    nats_server: NatsServer, publisher: Client, store: GraphStore
) -> None:
    settings = _settings(nats_server)
    flaky = FlakyStore(store, failures=1)
    consumer = NatsIngest(settings, Pipeline(flaky, None, EventWriter(flaky, sc.CLUSTER)))
    await consumer.connect()
    js = publisher.jetstream()
    await js.publish("traces.t1.ebpf", _event(1))
    await js.publish("traces.t1.ebpf", _event(2))
    first = await consumer.consume_once()
    assert (first.fetched, first.nacked, first.stored) == (2, 2, 0)
    assert _count(store) == 0
    ci = await js.consumer_info(settings.stream, settings.durable)
    assert ci.num_ack_pending + ci.num_pending + ci.num_redelivered >= 2  # not acknowledged
    for _ in range(30):
        await consumer.consume_once(timeout_s=0.3)
        if _count(store) == 2:
            break
    assert _count(store) == 2
    assert consumer.totals.dead_lettered == 0
    await _drain(consumer)
    assert _count(store) == 2
    await consumer.close()


async def test_an_unavailable_graph_never_dead_letters_and_everything_is_stored_when_it_is_back(
    nats_server: NatsServer, publisher: Client, store: GraphStore
) -> None:
    settings = _settings(nats_server, max_deliver=2)
    flaky = FlakyStore(store, failures=3)  # more failed deliveries than max_deliver
    consumer = NatsIngest(settings, Pipeline(flaky, None, EventWriter(flaky, sc.CLUSTER)))
    await consumer.connect()
    js = publisher.jetstream()
    await js.publish("traces.t1.ebpf", _event(1))
    await js.publish("traces.t1.ebpf", _event(2))
    for _ in range(100):
        await consumer.consume_once(timeout_s=0.3)
        if _count(store) == 2:
            break
    assert _count(store) == 2
    assert consumer.totals.dead_lettered == 0 and consumer.totals.nacked >= 3
    await consumer.close()


class RefusingStore(FlakyStore):
    """The real store, except that the graph refuses every event upsert that holds event ``refused``."""

    def __init__(self, inner: GraphStore, refused: str) -> None:
        super().__init__(inner, 0)
        self.refused = refused

    def query(self, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        rows = (params or {}).get("new") or []
        if name == "upsert_events" and any(r.get("id") == self.refused for r in rows):
            raise QueryError(name, "injected: refused")
        return self.inner.query(name, params)


async def test_a_message_the_graph_refuses_is_dead_lettered_after_max_deliver_and_alone(
    nats_server: NatsServer, publisher: Client, store: GraphStore
) -> None:
    settings = _settings(nats_server, max_deliver=2)
    refusing = RefusingStore(store, "e-2")
    consumer = NatsIngest(settings, Pipeline(refusing, None, EventWriter(refusing, sc.CLUSTER)))
    await consumer.connect()
    js = publisher.jetstream()
    for i in range(1, 4):
        await js.publish("traces.t1.ebpf", _event(i))
    first = await consumer.consume_once()
    assert (first.fetched, first.stored, first.nacked, first.dead_lettered) == (3, 2, 1, 0)
    for _ in range(30):
        await consumer.consume_once(timeout_s=0.3)
        if consumer.totals.dead_lettered:
            break
    assert consumer.totals.dead_lettered == 1
    dl = await js.get_last_msg(settings.dead_letter_stream, settings.dead_letter_subject)
    assert dl.headers is not None and "graph write failed 2 times" in dl.headers[REASON_HEADER]
    assert json.loads(dl.data)["id"] == "e-2"
    assert sorted(r["id"] for r in store.run("MATCH (e:Event) RETURN e.id AS id")) == ["e-1", "e-3"]
    await consumer.close()


async def test_run_stores_in_order_what_arrives_while_a_batch_is_stored_as_the_next_batch(
    nats_server: NatsServer, publisher: Client, store: GraphStore
) -> None:
    seen: list[list[str]] = []

    class Slow(Pipeline):
        def ingest(self, items: Sequence[Any], **kw: Any) -> Any:
            seen.append([str(item["id"]) for item in items])
            import time

            time.sleep(0.15)  # a slow graph: what arrives meanwhile must wait, then come in one batch
            return super().ingest(items, **kw)

    # an ack wait far longer than any write: a graph slow to start (Neo4j's first writes) must not have the stream
    # deliver again what is being stored, which is not what this test is about
    settings = _settings(nats_server, fetch_batch=1000, fetch_timeout_s=0.05, ack_wait_s=60.0)
    consumer = NatsIngest(settings, Slow(store, None, EventWriter(store, sc.CLUSTER)))
    await consumer.connect()
    js = publisher.jetstream()
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    for i in range(60):
        await js.publish(f"traces.t{i % 5}.ebpf", _event(i))
        await asyncio.sleep(0.005)
    for _ in range(100):
        if _count(store) == 60:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert [eid for batch in seen for eid in batch] == [f"e-{i}" for i in range(60)]  # each once, in order
    assert len(seen) <= 8  # not one graph round trip per handful of messages
    for _ in range(40):  # an ack is a message of its own: the server counts it a moment after it is sent
        ci = await js.consumer_info(settings.stream, settings.durable)
        if ci.num_ack_pending == 0:
            break
        await asyncio.sleep(0.05)
    assert ci.num_ack_pending == 0 and ci.num_pending == 0
    await consumer.close()


def _watch_change(**meta: Any) -> bytes:
    obj = sc.pod("w-1", "uid-w-1", "10.0.0.77", {"app": "w"})
    obj["metadata"].update(meta)
    return json.dumps({"type": "ADDED", "object": obj, "observed_at": sc.iso(sc.T0)}).encode()


async def test_poison_messages_are_dead_lettered_alone_and_the_rest_of_their_batch_is_stored(
    nats_server: NatsServer, publisher: Client, store: GraphStore
) -> None:
    settings = _settings(nats_server, fetch_batch=50)
    pipeline = Pipeline(store, TopologyLoader(store, sc.CLUSTER), EventWriter(store, sc.CLUSTER))
    consumer = NatsIngest(settings, pipeline)
    await consumer.connect()
    js = publisher.jetstream()
    poison = [
        b'{"id": "deep", "tags": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
        _watch_change(name="w\ud800"),
        _watch_change(namespace=["x"]),
        json.dumps(sc.unified("year-9999", 253_402_300_799_000)).encode(),
        json.dumps(sc.unified("x" * 513, sc.T0)).encode(),
    ]
    for i in range(16):
        await js.publish(f"traces.t{i}.ebpf", _event(i))
        if i % 3 == 0 and poison:
            await js.publish("traces.bad.ebpf", poison.pop(0))
    for data in poison:
        await js.publish("traces.bad.ebpf", data)
    report = await consumer.consume_once()
    assert (report.fetched, report.stored, report.dead_lettered) == (21, 16, 5)
    assert _count(store) == 16
    reasons = sorted(report.reasons)
    assert reasons[0].startswith("id: 513 characters")
    assert reasons[1] == "nesting: deeper than 64 levels"
    assert reasons[2].startswith("object.metadata.name: not valid Unicode")
    assert reasons[3].startswith("object.metadata.namespace: expected a string, got an array")
    assert reasons[4].startswith("timestamp: ")
    info = await js.stream_info(settings.dead_letter_stream)
    assert info.state.messages == 5
    ci = await js.consumer_info(settings.stream, settings.durable)
    assert ci.num_ack_pending == 0 and ci.num_pending == 0
    assert store.run("MATCH (p:Pod {uid: 'uid-w-1'}) RETURN count(p) AS n") == [{"n": 0}]
    await consumer.close()


async def test_a_consumer_made_with_max_deliver_is_updated_to_redeliver_until_acked(
    nats_server: NatsServer, publisher: Client, store: GraphStore
) -> None:
    settings = _settings(nats_server)
    js = publisher.jetstream()
    await js.add_stream(StreamConfig(name=settings.stream, subjects=list(settings.subjects)))
    old = ConsumerConfig(durable_name=settings.durable, ack_policy=AckPolicy.EXPLICIT, max_deliver=5)
    await js.add_consumer(settings.stream, old)
    consumer = NatsIngest(settings, Pipeline(store, None, EventWriter(store, sc.CLUSTER)))
    await consumer.connect()
    assert (await js.consumer_info(settings.stream, settings.durable)).config.max_deliver == -1
    await consumer.close()
