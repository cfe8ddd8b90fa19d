"""Correlations out to Alertmanager: each active correlation is one alert there, posted again until it resolves.

    offer(results)   any thread: the newest published version of each correlation is kept (active: to keep
                     alive; resolved: to send once, then forgotten); the sender is woken
    run(stop)        the sender: posts every kept alert in one ``POST /api/v2/alerts``, again every ``resend_s``
                     and whenever something new was offered
    failure          Alertmanager unreachable or answering non-2xx: counted (``causegraph_alertmanager_posts_total
                     {outcome="failed"}``), retried after 1 s, doubling up to ``backoff_max_s``; the correlator is
                     never blocked, and what was offered meanwhile is merged into the next post

Alertmanager de-duplicates by label set, so posting the same incident again only moves its ``endsAt``; the label
``correlation`` keeps two incidents on the same root apart.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from api.incidentalert import to_alert
from api.metrics import Metrics
from api.settings import AlertmanagerSettings
from graph import GraphStore
from model.result import CorrelationResult

log = logging.getLogger(__name__)

TTL_RESENDS = 4  # an active incident's endsAt lies this many resend intervals ahead
BACKOFF_START_S = 1.0


def wall_ms() -> int:
    return int(time.time() * 1000)


class AlertmanagerForwarder:
    """Keeps the incidents Alertmanager should show, and posts them."""

    def __init__(
        self,
        settings: AlertmanagerSettings,
        web_url: str,
        metrics: Metrics | None = None,
        *,
        clock: Callable[[], int] = wall_ms,
    ) -> None:
        self.settings = settings
        self.web_url = web_url
        self.metrics = metrics
        self.clock = clock
        self.endpoint = settings.url.rstrip("/") + "/api/v2/alerts"
        self._lock = threading.Lock()
        self._active: dict[str, CorrelationResult] = {}
        self._ending: dict[str, CorrelationResult] = {}
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.posted = 0  # successful posts
        self.failed = 0

    def offer(self, results: Sequence[CorrelationResult]) -> None:
        """Take published versions (from any thread); building ones are not incidents yet."""
        with self._lock:
            for r in results:
                if r.state == "active":
                    self._active[r.id] = r
                    self._ending.pop(r.id, None)
                elif r.state == "resolved":
                    self._active.pop(r.id, None)
                    self._ending[r.id] = r
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    @staticmethod
    def active(store: GraphStore) -> list[CorrelationResult]:
        """The stored active correlations (a restart takes them up, so that Alertmanager keeps showing them)."""
        return active_incidents(store)

    def pending(self) -> list[dict[str, Any]]:
        """The alerts the next post carries."""
        now = self.clock()
        ttl = int(TTL_RESENDS * self.settings.resend_s * 1000)
        with self._lock:
            results = [*self._active.values(), *self._ending.values()]
        return [to_alert(r, web_url=self.web_url, now_ms=now, ttl_ms=ttl) for r in results]

    async def post_once(self, client: httpx.AsyncClient) -> bool:
        """Post what is kept; True when Alertmanager took it (or there was nothing to post)."""
        with self._lock:
            sent_ending = dict(self._ending)
        alerts = self.pending()
        if not alerts:
            return True
        try:
            response = await client.post(self.endpoint, json=alerts, timeout=self.settings.timeout_s)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            self.failed += 1
            self._count("failed")
            log.warning("posting %d incidents to Alertmanager at %s failed: %s", len(alerts), self.endpoint, exc)
            return False
        with self._lock:  # resolved ones are ended now, unless a newer version came meanwhile
            for cid, version in sent_ending.items():
                if self._ending.get(cid) is version:
                    del self._ending[cid]
        self.posted += 1
        self._count("ok")
        return True

    async def run(self, stop: asyncio.Event) -> None:
        """Post on news and every ``resend_s``; back off while Alertmanager fails. Ends when ``stop`` is set."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        backoff = BACKOFF_START_S
        async with httpx.AsyncClient() as client:
            while not stop.is_set():
                self._wake.clear()
                if await self.post_once(client):
                    backoff = BACKOFF_START_S
                    await _first(stop, self._wake, self.settings.resend_s)
                else:
                    await _first(stop, None, backoff)
                    backoff = min(backoff * 2, self.settings.backoff_max_s)
            await self.post_once(client)  # what resolved while stopping

    def _count(self, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.alertmanager_posts.labels(outcome=outcome).inc()


def active_incidents(store: GraphStore, limit: int = 10_000) -> list[CorrelationResult]:
    """The stored active correlations (a restart takes them up, so Alertmanager keeps showing them)."""
    params = {"since": 0, "until": 2**62, "state": "active", "type": None, "severity": None, "namespace": None}
    rows = store.query("list_correlations", params | {"after_ts": None, "after_id": None, "limit": limit})
    return [CorrelationResult.from_json(r["document"]) for r in rows if r.get("document")]


async def _first(stop: asyncio.Event, wake: asyncio.Event | None, seconds: float) -> None:
    """Sleep ``seconds``, or less when ``stop`` or ``wake`` is set."""
    waits = [asyncio.ensure_future(stop.wait())]
    if wake is not None:
        waits.append(asyncio.ensure_future(wake.wait()))
    _done, pending = await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
