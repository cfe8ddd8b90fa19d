"""Collector events from NATS JetStream into the graph: at-least-once delivery made exactly-once by idempotent writes.

    stream   settings.nats.stream over settings.nats.subjects (``traces.{traceID}.{source}`` collector events;
             ``alerts.alertmanager``: Alertmanager webhook payloads, each message one payload), created when
             missing, and given the configured subjects it lacks
    consumer durable pull consumer settings.nats.durable (explicit ack, ack_wait, redelivered until acked)
    batch    at most fetch_batch messages or fetch_timeout_s, whichever comes first
    ack      only after ``Pipeline.ingest`` returned, i.e. after the graph write committed (durable: the embedded
             FalkorDB's append-only file, Neo4j's commit)
    bad      each message is checked on its own: one that cannot be parsed or is refused (``ingest.limits``), or
             that the graph refused max_deliver times, is published to settings.nats.dead_letter_subject (header
             ``Causegraph-Reason``, ``Causegraph-Subject``) and then acked; the rest of its batch is stored and acked
    failure  the graph unavailable: the batch is nakked with a growing delay and the loop waits before it fetches
             again, as long as the outage lasts (never dead-lettered); the graph refusing a batch: each message is
             tried alone, so that only the one it refuses is nakked (and dead-lettered after max_deliver)

The blocking graph write runs in a worker thread so that the NATS client keeps its heartbeats while it waits.
The client reconnects forever; a fetch during an outage fails, is logged and retried after a short pause.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, RetentionPolicy, StreamConfig

from graph import GraphError, GraphUnavailable
from ingest.jsstreams import ADMIN_TIMEOUT_S, ensure_stream, settled
from ingest.limits import load_json
from ingest.pipeline import IngestResult, Pipeline, Rejection
from ingest.settings import NatsSettings
from model.event import SourceKind, StoredEvent
from model.times import now_ms

log = logging.getLogger(__name__)

REASON_HEADER = "Causegraph-Reason"
SUBJECT_HEADER = "Causegraph-Subject"
DEAD_LETTER_STREAM_MAX_AGE_S = 7 * 24 * 3600
COLLECT_PAUSE_S = 0.01  # while a batch is stored: how often to fetch what arrived meanwhile
UNAVAILABLE_NAK_MAX_S = 5.0  # the longest a message waits for redelivery while the graph is unavailable


def subject_context(subject: str) -> tuple[str, str]:
    """``traces.{traceID}.{source}`` -> (traceID, source); other subjects give empty strings."""
    parts = subject.split(".")
    if len(parts) >= 3 and parts[0] == "traces":
        return parts[1], ".".join(parts[2:])
    return "", ""


def decode(data: bytes) -> dict[str, Any]:
    """The JSON object of a message, within the nesting limit; ``ValueError`` naming the problem otherwise."""
    obj = load_json(data)
    if not isinstance(obj, dict):
        raise ValueError(f"payload is JSON but not an object ({type(obj).__name__})")
    return obj


async def _flush_and_close(nc: Client) -> None:
    try:
        await nc.flush(timeout=2)
    except Exception:  # closing must not fail; unflushed acks are redelivered and change nothing
        log.debug("flush before close failed", exc_info=True)
    await nc.close()


@dataclass
class BatchReport:
    """What one fetch did."""

    fetched: int = 0
    stored: int = 0
    dead_lettered: int = 0
    nacked: int = 0
    reasons: list[str] = field(default_factory=list)
    alerts_unlinked: int = 0  # alerts stored whose labels name nothing in the graph
    graph_down: bool = False  # the graph was unavailable: the run loop waits before it fetches again


class NatsIngest:
    """One durable consumer feeding one pipeline."""

    def __init__(self, settings: NatsSettings, pipeline: Pipeline) -> None:
        self.settings = settings
        self.pipeline = pipeline
        self.dead_letter_stream = settings.dead_letter_stream
        self.nc: Client | None = None
        self.js: JetStreamContext | None = None
        self._sub: JetStreamContext.PullSubscription | None = None
        self.totals = BatchReport()

    async def connect(self) -> None:
        """Connect (reconnecting forever), make sure the stream exists, bind the durable pull consumer."""
        self.nc = await nats.connect(
            self.settings.servers,
            name="causegraph-ingest",
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            allow_reconnect=True,
        )
        self.js = self.nc.jetstream(timeout=ADMIN_TIMEOUT_S)
        await self.ensure_stream()
        s = self.settings
        config = ConsumerConfig(
            durable_name=s.durable,
            ack_policy=AckPolicy.EXPLICIT,
            max_deliver=-1,  # redelivered until acked: a message is dead-lettered by handle(), never dropped
            ack_wait=s.ack_wait_s,
            max_ack_pending=max(10 * s.fetch_batch, 10_000),
        )
        subject = s.subjects[0] if len(s.subjects) == 1 else ""
        js = self.js
        self._sub = await settled(
            lambda: js.pull_subscribe(subject, durable=s.durable, stream=s.stream, config=config),
            f"consumer {s.durable}",
        )
        await settled(self._redeliver_until_acked, f"consumer {s.durable}")

    async def _redeliver_until_acked(self) -> None:
        """A durable consumer made before (max_deliver 5) would drop a message after five failed deliveries, as
        during a graph outage: update it to redeliver until acked."""
        assert self.js is not None
        info = await self.js.consumer_info(self.settings.stream, self.settings.durable)
        if info.config.max_deliver not in (None, -1):
            info.config.max_deliver = -1
            await self.js.add_consumer(self.settings.stream, info.config)
            log.info("consumer %s now redelivers until acked", self.settings.durable)

    async def ensure_stream(self) -> None:
        """Create the stream (and the dead-letter stream, when named) if missing, at ``replicas`` replicas; an
        existing one keeps its config but for the replica count (``ingest.jsstreams``)."""
        assert self.js is not None
        s = self.settings
        js = self.js
        await ensure_stream(js, StreamConfig(name=s.stream, subjects=list(s.subjects)), s.replicas)
        info = await js.stream_info(s.stream)
        have = list(info.config.subjects or [])
        missing = [x for x in s.subjects if x not in have]
        if missing:  # a stream made before a subject was added (alerts.>): take the new subjects too
            info.config.subjects = have + missing
            await js.update_stream(info.config)
            log.info("stream %s now also takes %s", s.stream, missing)
        if self.dead_letter_stream:
            config = StreamConfig(
                name=self.dead_letter_stream,
                subjects=[s.dead_letter_subject],
                retention=RetentionPolicy.LIMITS,
                max_age=DEAD_LETTER_STREAM_MAX_AGE_S,
            )
            await ensure_stream(self.js, config, s.replicas)

    async def close(self, timeout_s: float = 5.0) -> None:
        """Flush the last acks, then close (drain would wait out its timeout on the idle pull subscription); a close
        that stalls past ``timeout_s`` lets the connection go: what was not acked is redelivered."""
        nc, self.nc, self.js, self._sub = self.nc, None, None, None
        if nc is None or nc.is_closed:
            return
        try:
            await asyncio.wait_for(_flush_and_close(nc), timeout=timeout_s)
        except Exception as exc:
            log.warning("closing the NATS consumer did not finish (%s); letting it go", exc)
            with contextlib.suppress(Exception):
                await nc.close()

    async def consume_once(self, timeout_s: float | None = None) -> BatchReport:
        """Fetch one batch, store it, ack/nak/dead-letter each message. Raises on NATS errors (the caller retries)."""
        return await self.handle(await self.fetch(timeout_s))

    async def fetch(self, timeout_s: float | None = None) -> list[Msg]:
        """The next batch (empty when none came within the timeout). Raises on NATS errors."""
        assert self._sub is not None, "connect() first"
        try:
            return await self._sub.fetch(self.settings.fetch_batch, timeout=timeout_s or self.settings.fetch_timeout_s)
        except TimeoutError:  # nats.errors.TimeoutError, or asyncio's from inside fetch
            return []

    async def handle(self, msgs: list[Msg]) -> BatchReport:
        """Store a fetched batch, then ack/nak/dead-letter each message."""
        report = BatchReport()
        if not msgs:
            return report
        report.fetched = len(msgs)
        received_ms = now_ms()
        good: list[Msg] = []
        items: list[dict[str, Any]] = []
        contexts: list[tuple[str, str]] = []
        for msg in msgs:
            try:
                items.append(decode(msg.data))
            except ValueError as exc:
                await self._dead_letter(msg, str(exc), report)
                continue
            good.append(msg)
            contexts.append(subject_context(msg.subject))
        if items:
            try:
                result, retry = await self._store(items, contexts, received_ms)
            except GraphUnavailable as exc:
                # Not the messages' fault: redeliver them, however often, once the graph is back.
                log.warning("graph unavailable for %d messages: %s", len(good), exc)
                for msg in good:
                    await msg.nak(delay=min(0.5 * (msg.metadata.num_delivered or 1), UNAVAILABLE_NAK_MAX_S))
                    report.nacked += 1
                report.graph_down = True
                self._add(report)
                return report
            rejected = {r.index: r.reason for r in result.rejected}
            for i, msg in enumerate(good):
                if i in retry:  # the delivery count is parsed from the reply subject only for these
                    delivered = msg.metadata.num_delivered or 1
                    if delivered < self.settings.max_deliver:
                        await msg.nak(delay=min(0.2 * delivered, 5.0))
                        report.nacked += 1
                    else:
                        await self._dead_letter(msg, f"graph write failed {delivered} times: {retry[i]}", report)
                elif i in rejected:
                    await self._dead_letter(msg, rejected[i], report)
                else:
                    await msg.ack()
            report.stored = len(result.stored)
            report.alerts_unlinked = sum(1 for x in result.stored if unlinked_alert(x))
        self._add(report)
        return report

    async def _store(
        self, items: list[dict[str, Any]], contexts: list[tuple[str, str]], received_ms: int
    ) -> tuple[IngestResult, dict[int, str]]:
        """The batch through the pipeline, and the messages to try again (index -> why).

        Should the batch fail other than by the graph being unavailable (the graph refused a statement, or a bug:
        the pipeline rejects bad input itself), each message is stored alone, so that the failure stays that
        message's: one the graph refuses is tried again up to max_deliver times, one that fails otherwise is
        rejected. ``GraphUnavailable`` propagates: the whole batch waits for the graph."""
        ingest = self.pipeline.ingest
        try:
            return await asyncio.to_thread(ingest, items, contexts=contexts, received_ms=received_ms), {}
        except GraphUnavailable:
            raise
        except Exception as exc:
            log.warning("a batch of %d messages failed (%s); storing them one by one", len(items), exc)
        result = IngestResult()
        retry: dict[int, str] = {}
        for i, (item, context) in enumerate(zip(items, contexts, strict=True)):
            try:
                one = await asyncio.to_thread(ingest, [item], contexts=[context], received_ms=received_ms)
            except GraphUnavailable:
                raise
            except GraphError as exc:
                retry[i] = str(exc)
                continue
            except Exception as exc:
                log.exception("message %d of a batch could not be stored", i)
                result.rejected.append(Rejection(i, f"could not be stored: {type(exc).__name__}: {exc}"))
                continue
            result.stored.extend(one.stored)
            result.rejected.extend(Rejection(i, r.reason) for r in one.rejected)
        return result, retry

    async def _dead_letter(self, msg: Msg, reason: str, report: BatchReport) -> None:
        """Publish to the dead-letter subject (stored by JetStream when a stream takes it), then ack the original."""
        assert self.nc is not None and self.js is not None
        headers = {REASON_HEADER: reason[:1000], SUBJECT_HEADER: msg.subject}
        subject = self.settings.dead_letter_subject
        if self.dead_letter_stream:
            await self.js.publish(subject, msg.data, headers=headers, stream=self.dead_letter_stream)
        else:
            await self.nc.publish(subject, msg.data, headers=headers)
            await self.nc.flush()
        await msg.ack()
        report.dead_lettered += 1
        report.reasons.append(reason)
        log.info("dead-lettered a message from %s: %s", msg.subject, reason)

    def _add(self, report: BatchReport) -> None:
        t = self.totals
        t.fetched += report.fetched
        t.stored += report.stored
        t.dead_lettered += report.dead_lettered
        t.nacked += report.nacked
        t.alerts_unlinked += report.alerts_unlinked

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set; NATS outages and graph failures are retried, never fatal.

        While the graph stores a batch, what arrives meanwhile is fetched (``_collect``) and becomes the next
        batch: batches are still stored one at a time, in order, and acked only once stored, and they grow with
        the backlog instead of paying a graph round trip per handful of messages. Messages collected when
        ``stop`` came are nakked for prompt redelivery.
        """
        if self._sub is None:
            await self.connect()
        pause = graph_pause = 0.1
        ahead: list[Msg] = []
        try:
            while not stop.is_set():
                try:
                    msgs, ahead = ahead or await self.fetch(), []
                    if not msgs:
                        continue
                    handling = asyncio.create_task(self.handle(msgs))
                    try:
                        ahead = await self._collect(handling)
                    finally:
                        report = await handling
                    if report.graph_down:  # what was collected meanwhile would fail too: back to the stream
                        await self._release(ahead)
                        ahead = []
                        await _wait(stop, graph_pause)
                        graph_pause = min(graph_pause * 2, UNAVAILABLE_NAK_MAX_S)
                    else:
                        graph_pause = 0.1
                    pause = 0.1
                except Exception as exc:  # an outage of NATS: reconnecting happens in the client
                    log.warning("NATS fetch failed (%s); retrying in %.1fs", exc, pause)
                    await _wait(stop, pause)
                    pause = min(pause * 2, 5.0)
        finally:
            await self._release(ahead)

    async def _collect(self, busy: asyncio.Task[BatchReport]) -> list[Msg]:
        """Fetch what arrives while ``busy`` stores the current batch (at most fetch_batch messages)."""
        assert self._sub is not None
        got: list[Msg] = []
        limit = self.settings.fetch_batch
        while not busy.done() and len(got) < limit:
            await asyncio.wait({busy}, timeout=COLLECT_PAUSE_S)
            try:
                got.extend(await self._sub.fetch(limit - len(got), timeout=COLLECT_PAUSE_S))
            except TimeoutError:  # nats.errors.TimeoutError, or asyncio's from inside fetch
                pass
            except Exception as exc:  # the next fetch reports an outage; keep what came
                log.debug("fetch while storing failed: %s", exc)
                break
        return got

    async def _release(self, msgs: list[Msg]) -> None:
        """Nak messages fetched but not stored (redelivered at once instead of after ack_wait)."""
        for msg in msgs:
            try:
                await msg.nak()
            except Exception:  # closing: unacked messages are redelivered after ack_wait all the same
                log.debug("nak of a collected message failed", exc_info=True)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds`` or until ``stop`` is set."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass


async def run(stop: asyncio.Event, settings: NatsSettings, pipeline: Pipeline) -> None:
    """Connect, consume until ``stop``, drain: the entry for ``causegraph serve``."""
    consumer = NatsIngest(settings, pipeline)
    await consumer.connect()
    try:
        await consumer.run(stop)
    finally:
        await consumer.close()


async def consume_once(consumer: NatsIngest, timeout_s: float | None = None) -> BatchReport:
    """One batch (tests, benchmarks)."""
    return await consumer.consume_once(timeout_s)


def unlinked_alert(stored: StoredEvent) -> bool:
    """An alert (not its recovery) that resolved to no resource."""
    e = stored.event
    return e.source_kind == SourceKind.ALERT and not stored.resolved_by and "recovers" not in e.detail


def headers_of(msg: Msg) -> Mapping[str, str]:
    """A message's headers (empty when it has none)."""
    return dict(msg.headers or {})
