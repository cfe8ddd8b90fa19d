"""Correlation leadership over NATS: the thin adapter that runs ``causegraph.lease`` against a KV bucket.

The bucket (``nats.leader_bucket``, ``nats.replicas`` replicas, entries living ``nats.leader_ttl_s``) is created
when missing; the key is the cluster name. ``run`` sends what the lease asks (create / compare-and-set renew) and
calls ``on_change`` with True on gaining leadership and False on losing it. ``on_change`` is awaited in its own
task, so renewals go on while a new leader rebuilds its state from the graph; changes are applied in order.

Errors: a KeyWrongLastSequenceError (or a key gone) is a refusal; any other NATS error is a failed request,
which the lease tolerates until its deadline. Nothing here raises into the caller's loop but ``setup``'s
``StreamReplicasError`` (the bucket cannot have the replicas asked for).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable

from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js.api import KeyValueConfig
from nats.js.errors import BucketNotFoundError, KeyValueError
from nats.js.errors import Error as JetStreamError
from nats.js.kv import KeyValue

from causegraph.lease import Change, Lease, lease_key
from ingest.jsstreams import ADMIN_TIMEOUT_S, ensure_stream, settled
from ingest.settings import NatsSettings

log = logging.getLogger(__name__)

_FAILED = (NatsError, JetStreamError, asyncio.TimeoutError, TimeoutError, ConnectionError)


def worker_name(configured: str = "") -> str:
    """This process's name in the leader key: the setting, else host-pid-random (unique across restarts)."""
    return configured or f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


class LeaderElection:
    """Holds or waits for the lease of one cluster name."""

    def __init__(
        self,
        nc: Client,
        settings: NatsSettings,
        cluster: str,
        worker: str,
        on_change: Callable[[bool], Awaitable[None]],
    ) -> None:
        self.nc = nc
        self.settings = settings
        self.key = lease_key(cluster)
        self.lease = Lease(worker, settings.leader_ttl_s)
        self._on_change = on_change
        self._kv: KeyValue | None = None
        self._changes: asyncio.Queue[bool] = asyncio.Queue()
        self._applier: asyncio.Task[None] | None = None

    async def setup(self) -> None:
        """Open the bucket (created, or updated to the replica count, when needed)."""
        admin = self.nc.jetstream(timeout=ADMIN_TIMEOUT_S)  # the lease's requests have a third of its TTL
        bucket = self.settings.leader_bucket
        config = KeyValueConfig(bucket=bucket, ttl=self.settings.leader_ttl_s, replicas=self.settings.replicas)

        async def bucket_made() -> None:
            try:
                await admin.key_value(bucket)
            except BucketNotFoundError:
                await admin.create_key_value(config)  # another worker's creation racing it is transient

        await settled(bucket_made, f"leader bucket {bucket}")
        info = await admin.stream_info(f"KV_{bucket}")
        await ensure_stream(admin, info.config, self.settings.replicas)
        self._kv = await self.nc.jetstream(timeout=max(self.settings.leader_ttl_s / 3, 0.5)).key_value(bucket)
        self._applier = asyncio.create_task(self._apply(), name="leader-changes")

    async def step(self) -> None:
        """One request: create the key (follower) or renew it (leader); the lease decides which."""
        assert self._kv is not None, "setup() first"
        lease = self.lease
        sent = time.monotonic()
        lease.trying(sent)
        try:
            if lease.leading:
                revision = await self._kv.update(self.key, lease.worker.encode(), last=lease.revision)
                lease.renewed(revision, sent)
                return
            revision = await self._kv.create(self.key, lease.worker.encode())
            self._report(lease.created(revision, sent, time.time()))
        except KeyValueError:  # wrong last revision, or the key gone: held by someone else (or about to be)
            if lease.leading and await self._still_ours():
                return
            self._report(lease.refused())
        except _FAILED as exc:
            log.debug("leader key %s: request failed: %s", self.key, exc)
            self._report(lease.failed(time.monotonic()))

    async def _still_ours(self) -> bool:
        """Whether the key names this worker (worker names are unique): then adopt its revision."""
        assert self._kv is not None
        try:
            entry = await self._kv.get(self.key)
        except (KeyValueError, *_FAILED):
            return False
        if entry.value != self.lease.worker.encode() or entry.revision is None:
            return False
        self.lease.ours_at(entry.revision)
        return True

    async def run(self, stop: asyncio.Event) -> None:
        """Request as the lease says until ``stop``; a leader whose deadline passes steps down without an answer."""
        while not stop.is_set():
            now = time.monotonic()
            wait = self.lease.next_at() - now
            if wait > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=wait)
                continue
            try:
                await asyncio.wait_for(self.step(), timeout=max(self.lease.deadline() - time.monotonic(), 0.05))
            except TimeoutError:
                self._report(self.lease.failed(time.monotonic()))

    async def resign(self) -> None:
        """Step down and delete the key at our revision, so that another worker takes over at once."""
        await self._give_up()
        await self.settle()

    async def _give_up(self) -> None:
        revision = self.lease.revision
        if self.lease.resign() is not None:
            self._report(Change.LOST)
            if self._kv is not None:
                with contextlib.suppress(*_FAILED, KeyValueError):
                    await self._kv.delete(self.key, last=revision)

    async def settle(self) -> None:
        """Wait until every change reported so far has been applied."""
        await self._changes.join()

    async def close(self) -> None:
        await self.settle()
        if self._applier is not None:
            self._applier.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._applier

    def _report(self, change: Change | None) -> None:
        if change is None:
            return
        log.info("correlation leadership of %s %s by %s", self.key, change.value, self.lease.worker)
        self._changes.put_nowait(change is Change.GAINED)

    async def _apply(self) -> None:
        while True:
            gained = await self._changes.get()
            try:
                await self._on_change(gained)
            except Exception:  # e.g. the graph down while resuming: let go, so that the next attempt starts afresh
                log.exception("applying a leadership change failed")
                if gained:
                    await self._give_up()
            finally:
                self._changes.task_done()
