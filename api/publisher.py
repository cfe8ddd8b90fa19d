"""Publish correlation results on NATS JetStream, at least once, exactly once per version on the stream.

Each version goes to ``correlations.results``; high and critical ones also to ``correlations.alerts``; the header
``Nats-Msg-Id: {id}:{version}`` lets JetStream drop a repeat. The graph is the outbox: a Correlation whose
``published_version`` is below its ``version`` has not been acknowledged yet. ``publish`` marks what the stream
acknowledged; ``drain_outbox`` (on start and on every reconnect) publishes the latest document of each correlation
that was written while NATS was away. A version whose publish failed is also kept in memory (``unsent``) and sent
again, before anything else, at the next drain: consumers see every version this process produced at least once,
even when a later one got through first (a NATS server died between them). A process that no longer leads drains
no outbox (the leader does) but still sends what it holds unsent (``resend_unsent``). Only a version both unsent
and lost with the process (``kill -9``) is skipped: the graph keeps the latest document, which the next drain sends.

Errors: a NATS failure while publishing is logged and leaves the result in the outbox; it never raises into the
correlator.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nats.errors import Error as NatsError
from nats.js.api import StreamConfig
from nats.js.errors import Error as JetStreamError

from graph import GraphStore
from ingest.jsstreams import ADMIN_TIMEOUT_S, ensure_stream
from ingest.settings import NatsSettings
from model.result import CorrelationResult
from model.vocab import Severity

log = logging.getLogger(__name__)

ALERT_SEVERITIES = frozenset({Severity.HIGH, Severity.CRITICAL})
_PUBLISH_ERRORS = (NatsError, JetStreamError, asyncio.TimeoutError, TimeoutError, ConnectionError)


@dataclass(frozen=True)
class Outgoing:
    """One document to send: its dedupe id, severity and exact bytes."""

    id: str
    version: int
    severity: str
    data: bytes

    @property
    def msg_id(self) -> str:
        return f"{self.id}:{self.version}"

    @classmethod
    def of(cls, result: CorrelationResult) -> Outgoing:
        return cls(result.id, result.version, result.severity, result.to_json().encode())

    @classmethod
    def from_document(cls, document: str) -> Outgoing:
        doc = json.loads(document)
        return cls(str(doc["id"]), int(doc["version"]), str(doc.get("severity", "")), document.encode())


class Publisher:
    """Publishes result versions and drains the graph outbox. ``nc`` is a connected ``nats.aio.client.Client``."""

    def __init__(self, nc: Any, store: GraphStore, settings: NatsSettings) -> None:
        self.nc = nc
        self.js = nc.jetstream(timeout=settings.publish_timeout_s)
        self.store = store
        self.settings = settings
        self.published = 0
        self.unsent: dict[str, Outgoing] = {}  # failed publishes by {id}:{version}, oldest first
        self.missed = False  # a publish failed since the last complete drain: the outbox may hold something
        self._lock = asyncio.Lock()

    async def ensure_streams(self) -> None:
        """Create the results and alerts streams when no stream covers their subjects yet; ours (by name) are kept
        at ``replicas`` replicas, a stream of someone else's that covers the subject is left as it is."""
        s = self.settings
        admin = self.nc.jetstream(timeout=ADMIN_TIMEOUT_S)
        for name, subject in ((s.results_stream, s.results_subject), (s.alerts_stream, s.alerts_subject)):
            if not name:
                continue
            try:
                found = await self.js.find_stream_name_by_subject(subject)
            except JetStreamError:
                found = name
            if found == name:
                config = StreamConfig(name=name, subjects=[subject], duplicate_window=s.duplicate_window_s)
                await ensure_stream(admin, config, s.replicas)

    async def publish(self, results: Sequence[CorrelationResult]) -> int:
        """Send each version; mark the acknowledged ones in the graph. Returns how many were acknowledged."""
        return await self._send([Outgoing.of(r) for r in results])

    async def drain_outbox(self, batch: int = 500) -> int:
        """Publish every correlation version written but not yet acknowledged; returns how many were sent."""
        held = len(self.unsent)
        total = await self.resend_unsent()
        if total < held:
            return total  # NATS is still away
        while True:
            rows = await asyncio.to_thread(self.store.query, "correlation_outbox", {"limit": batch})
            items = [Outgoing.from_document(r["document"]) for r in rows if r.get("document")]
            drafts = [
                {"id": o.id, "version": int(r["version"])}
                for o, r in zip(items, rows, strict=True)
                if o.version != int(r["version"])
            ]
            if drafts:  # a later unpublished change rewrote the document: that version's body is gone, never guessed
                await asyncio.to_thread(self.store.query, "mark_published", {"rows": drafts})
                log.warning("%d unpublished versions were superseded before they could be sent", len(drafts))
                items = [o for o, r in zip(items, rows, strict=True) if o.version == int(r["version"])]
            if not items and not drafts:
                self.missed = bool(self.unsent)
                return total
            sent = await self._send(items)
            total += sent
            if sent < len(items):
                return total  # NATS went away again; the rest waits for the next reconnect

    async def resend_unsent(self) -> int:
        """Send again the versions whose publish failed (kept in memory), and nothing of the graph's outbox: what a
        process that lost leadership during an outage still owes its consumers. Returns how many went out."""
        return await self._send(list(self.unsent.values())) if self.unsent else 0

    async def drain_if_missed(self) -> int:
        """``drain_outbox`` when a publish failed since the last drain; else nothing (no race with live publishes)."""
        return await self.drain_outbox() if self.missed or self.unsent else 0

    async def on_reconnect(self) -> None:
        """For ``reconnected_cb``: drain what was missed while disconnected."""
        try:
            await self.drain_outbox()
        except Exception:  # a callback must not kill the client's loop
            log.exception("draining the correlation outbox failed")

    async def _send(self, items: Sequence[Outgoing]) -> int:
        """Send every item (pipelined: all publishes go out, then the acks are awaited together); mark the acked."""
        async with self._lock:
            outcomes = await asyncio.gather(*(self._one(item) for item in items), return_exceptions=True)
            acked: list[dict[str, Any]] = []
            for item, outcome in zip(items, outcomes, strict=True):
                if isinstance(outcome, BaseException):
                    if not isinstance(outcome, _PUBLISH_ERRORS):
                        raise outcome
                    log.warning("publishing %s failed (kept in the outbox): %s", item.msg_id, outcome)
                    self.unsent.setdefault(item.msg_id, item)
                    self.missed = True
                    continue
                self.unsent.pop(item.msg_id, None)
                acked.append({"id": item.id, "version": item.version})
            if acked:  # off the event loop: a graph round trip would stall every consumer and publisher on it
                await asyncio.to_thread(self.store.query, "mark_published", {"rows": acked})
                self.published += len(acked)
        return len(acked)

    async def _one(self, item: Outgoing) -> None:
        headers = {"Nats-Msg-Id": item.msg_id}
        await self.js.publish(self.settings.results_subject, item.data, headers=headers)
        if item.severity in ALERT_SEVERITIES:
            await self.js.publish(self.settings.alerts_subject, item.data, headers=headers)
