"""The correlator of one serve process, run only while the process owns its cluster's correlation.

Every worker stores events; one correlates them (``causegraph.leader`` elects it, per cluster name). What a worker
stores goes to the correlator:

    the leader         its own stored batches go straight to its correlator thread (``correlate.live``)
    another worker     publishes the stored event ids on ``{stored_subject}.{key}`` (core NATS); the leader reads
                       those events back from the graph and correlates them as if it had stored them
    nobody leads       the ids are lost, the events are not: a new leader's ``Engine.resume`` correlates every
                       stored event no correlation took (and takes up the open correlations with their ids)
    an id lost         core NATS does not keep a message its subscriber missed (a NATS server died between them):
                       every SWEEP_S the leader also takes the stored warnings no correlation took yet (the
                       resume's question); a repeat of an event it already has changes nothing

Gaining leadership subscribes first, then resumes, so an event stored meanwhile comes at least once (a repeat is
one event to the engine). Losing it stops correlating at once: batches still queued are dropped (their events
stay stored, uncorrelated, for the next leader), nothing is flushed. A clean stop while leading flushes, then
resigns. The correlator thread checks the lease before each batch, so a process that stalled past its lease
does not write beside the next leader.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from api.metrics import Metrics
from causegraph.settings import Settings
from correlate import graphio
from correlate.engine import Engine
from correlate.live import CorrelatorThread
from graph import GraphStore
from model.event import WARNING_RANK, StoredEvent
from model.result import CorrelationResult

if TYPE_CHECKING:
    from causegraph.leader import LeaderElection

log = logging.getLogger(__name__)

SWEEP_S = 5.0
SWEEP_LIMIT = 10_000

Publish = Callable[[list[CorrelationResult]], Awaitable[object]]


class CorrelationOwner:
    """Starts and stops the engine as leadership comes and goes; routes stored events to whoever leads."""

    def __init__(
        self,
        store: GraphStore,
        settings: Settings,
        metrics: Metrics,
        *,
        publish: Publish | None,
        nc: Any = None,
        subject: str = "",
        may_correlate: Callable[[], bool] = lambda: True,
        drain: Callable[[], Awaitable[object]] | None = None,
        resend: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.metrics = metrics
        self._publish = publish
        self.nc = nc
        self.subject = subject
        self._may_correlate = may_correlate
        self._drain = drain
        self._resend = resend  # while not leading: what this process failed to publish when it led
        self.engine: Engine | None = None
        self.correlator: CorrelatorThread | None = None
        self.since: float | None = None  # wall time this process became the owner
        self._lock = threading.Lock()
        self._sub: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.dropped = 0  # events queued when leadership was lost (left to the next leader)
        self._swept = 0.0  # monotonic time of the last sweep

    @property
    def leading(self) -> bool:
        return self.engine is not None

    async def change(self, gained: bool) -> None:
        """``LeaderElection``'s callback."""
        await (self.gain() if gained else self.lose())

    async def gain(self) -> None:
        """Subscribe, then take up the graph's state; batches submitted meanwhile wait for the resume to end."""
        if self.engine is not None:
            return
        self._loop = asyncio.get_running_loop()
        s = self.settings
        engine = await asyncio.to_thread(Engine, self.store, s.correlate, s.kubernetes.cluster)
        self._lock.acquire()  # released by _resume, in its thread: nothing is placed before the resume
        try:
            self.engine, self.since = engine, time.time()
            self.correlator = CorrelatorThread(self._correlate_now).start()
            if self.nc is not None and self.subject:
                self._sub = await self.nc.subscribe(self.subject, cb=self._on_ids)
        except BaseException:
            self._lock.release()
            raise
        resumed = await asyncio.to_thread(self._resume, engine, int(time.time() * 1000))
        self._set_gauges()
        log.info(
            "correlator on: %d open correlations taken up, %d results", len(engine.open_correlations()), len(resumed)
        )
        await self._send(resumed)

    def _resume(self, engine: Engine, now_ms: int) -> list[CorrelationResult]:
        try:
            return engine.resume(now_ms)
        finally:
            self._lock.release()

    async def lose(self) -> None:
        """Stop at once: queued batches are dropped, nothing is flushed (the next leader resumes from the graph)."""
        engine, self.engine, self.since = self.engine, None, None
        self._set_gauges()
        await self._unsubscribe()
        if engine is not None and self.correlator is not None:
            await asyncio.to_thread(self.correlator.stop, self.settings.serve.shutdown_timeout_s)
            self.correlator = None
            log.info("correlator off: leadership lost")

    async def stop(self) -> None:
        """A clean stop while leading: correlate what is queued and what the engine holds back, then let go."""
        await self._unsubscribe()
        if self.correlator is not None:
            await asyncio.to_thread(self.correlator.stop, self.settings.serve.shutdown_timeout_s)
        if self.engine is not None:  # written to the graph, the outbox: the caller drains it
            await asyncio.to_thread(self._flush, self.engine)
        self.engine, self.correlator, self.since = None, None, None
        self._set_gauges()

    # -- stored events in ------------------------------------------------------------------------------------
    def on_stored(self, stored: Sequence[StoredEvent]) -> None:
        """The pipeline's callback (any thread): to the correlator when leading, else to the leader over NATS."""
        if not stored:
            return
        correlator = self.correlator
        if self.engine is not None and correlator is not None:
            correlator.submit(stored)
        elif self.nc is not None and self.subject and self._loop is not None:
            data = json.dumps([s.event.id for s in stored]).encode()
            future = asyncio.run_coroutine_threadsafe(self.nc.publish(self.subject, data), self._loop)
            future.add_done_callback(_log_failure)

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The loop that NATS publishes from (the follower path)."""
        self._loop = loop

    async def _on_ids(self, msg: Any) -> None:
        try:
            ids = [str(i) for i in json.loads(msg.data)]
        except (ValueError, TypeError):
            log.warning("ignored a malformed stored-events message on %s", msg.subject)
            return
        correlator = self.correlator
        if correlator is None:
            return
        stored = await asyncio.to_thread(graphio.stored_events, self.store, ids)
        await asyncio.to_thread(correlator.submit, stored)

    async def _unsubscribe(self) -> None:
        sub, self._sub = self._sub, None
        if sub is not None:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    # -- correlating -----------------------------------------------------------------------------------------
    def _correlate_now(self, stored: Sequence[StoredEvent]) -> None:
        """In the correlator thread: correlate a batch, unless leadership is gone or doubtful (then drop it)."""
        engine = self.engine
        if engine is None or not self._may_correlate():
            self.dropped += len(stored)
            return
        started = time.perf_counter()
        with self._lock:
            results = engine.process(stored, now_ms=int(time.time() * 1000))
        self.metrics.correlation_seconds.observe(time.perf_counter() - started)
        if results and self._loop is not None:
            asyncio.run_coroutine_threadsafe(self._send(results), self._loop).add_done_callback(_log_failure)

    def tick(self, now_ms: int) -> list[CorrelationResult]:
        """Time passing (a worker thread): held events past the disorder bound, quiet correlations resolving."""
        engine = self.engine
        if engine is None or not self._may_correlate():
            return []
        late: list[StoredEvent] = []
        if self.nc is not None and time.monotonic() - self._swept >= SWEEP_S:
            self._swept = time.monotonic()
            since = now_ms - self.settings.correlate.window_ms
            late = graphio.uncorrelated_events(self.store, since, min_rank=WARNING_RANK, limit=SWEEP_LIMIT)
        with self._lock:
            return (engine.process(late, now_ms) if late else []) + list(engine.tick(now_ms))

    async def run_ticks(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.settings.serve.tick_s)
            if stop.is_set():
                return
            try:
                await self._send(await asyncio.to_thread(self.tick, int(time.time() * 1000)))
                if self._drain is not None and self.leading:  # what a failed publish left (a NATS server died)
                    await self._drain()
                elif self._resend is not None and not self.leading:
                    await self._resend()
            except Exception:  # a failed tick is retried at the next one
                log.exception("correlator tick failed")

    async def _send(self, results: list[CorrelationResult]) -> None:
        if results and self._publish is not None:
            await self._publish(results)  # a failure leaves them in the graph's outbox

    def _flush(self, engine: Engine) -> None:
        with self._lock:
            engine.flush()

    def _set_gauges(self) -> None:
        self.metrics.correlation_leader.set(1 if self.engine is not None else 0)
        self.metrics.correlation_leader_since.set(self.since or 0)


def describe(owner: CorrelationOwner | None, election: LeaderElection | None) -> str:
    """The correlator's part in the serve log line."""
    if owner is None:
        return "off"
    if election is None:
        return "on"
    return f"elected ({'leader' if owner.leading else 'follower'} as {election.lease.worker})"


def _log_failure(future: Any) -> None:
    exc = future.exception()
    if exc is not None:
        log.warning("handing over stored events or results failed: %s", exc)
