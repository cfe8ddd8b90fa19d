"""``causegraph serve``: the ingest workers, the correlator, the publisher and the API in one process.

Each part can be switched off (flags, or ``settings.serve``). ``ServeRuntime`` opens what is on when the API's
lifespan starts and closes it in reverse when it ends: on SIGINT/SIGTERM uvicorn stops taking requests, then the
NATS consumer finishes its batch and acks, the watcher stops, the outbox is drained, NATS is drained, the graph
closed. The demo uses the same runtime.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from api.auth import Scope, new_token
from api.deps import Services
from causegraph.settings import Settings
from causegraph.wiring import open_graph

if TYPE_CHECKING:
    from fastapi import FastAPI
    from nats.aio.client import Client as NatsClient

    from api.amforward import AlertmanagerForwarder
    from api.publisher import Publisher
    from causegraph.leader import LeaderElection
    from causegraph.owner import CorrelationOwner
    from graph import GraphStore
    from ingest.live import LiveTopology
    from ingest.loader import TopologyLoader
    from ingest.natsconsumer import NatsIngest
    from ingest.pipeline import Pipeline
    from model.event import NormalEvent
    from model.result import CorrelationResult

log = logging.getLogger(__name__)
RETENTION_INTERVAL_S = 3600.0
OBSERVE_INTERVAL_S = 1.0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="run ingest, correlator, publisher and the REST API in one process")
    p.add_argument("--graph", metavar="URL", help="graph URL (default: settings)")
    p.add_argument(
        "--nats", metavar="URL[,URL...]|none", help="NATS server(s), comma-separated, or none (default: settings)"
    )
    p.add_argument("--kubernetes", choices=("auto", "none", "kubeconfig", "incluster"), help="live watch mode")
    p.add_argument("--host", help="listen address (default: settings.api.host)")
    p.add_argument("--port", type=int, help="listen port (default: settings.api.port)")
    p.add_argument("--no-correlator", action="store_true", help="store events without correlating them")
    p.add_argument("--no-publisher", action="store_true", help="do not publish results on NATS")
    p.add_argument(
        "--new-token",
        choices=("read", "write"),
        metavar="SCOPE",
        help="print a new API token of SCOPE (read|write) and its settings line, then exit",
    )
    p.set_defaults(run=run)


def apply_flags(args: argparse.Namespace, settings: Settings) -> Settings:
    """The flags override the settings (a copy; the caller's settings are left as they are)."""
    s = settings.model_copy(deep=True)
    if args.graph:
        s.graph.url = args.graph
    if args.nats:
        s.nats.url = args.nats
    if args.kubernetes:
        s.kubernetes.mode = args.kubernetes
    if args.host:
        s.api.host = args.host
    if args.port is not None:
        s.api.port = args.port
    if getattr(args, "no_correlator", False):
        s.serve.correlator = False
    if getattr(args, "no_publisher", False):
        s.serve.publisher = False
    if s.nats.url == "none":
        s.serve.nats_ingest = False
        s.serve.publisher = False
    if s.kubernetes.mode == "none":
        s.serve.kubernetes_watch = False
    return s


class ServeRuntime:
    """Opens the graph and the enabled workers into the app's ``Services``; stops them gracefully."""

    def __init__(self, settings: Settings, *, store: GraphStore | None = None) -> None:
        self.settings = settings
        self.store = store
        self._owns_store = store is None
        self.stop_event = asyncio.Event()
        self.owner: CorrelationOwner | None = None  # the correlator, run while this process leads
        self.election: LeaderElection | None = None
        self.pipeline: Pipeline | None = None
        self.publisher: Publisher | None = None
        self.consumer: NatsIngest | None = None
        self.live: LiveTopology | None = None  # the Kubernetes watch into the topology
        self.nc: NatsClient | None = None
        self.services: Services | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.forwarder: AlertmanagerForwarder | None = None  # when alertmanager.url is set
        self._gc_before: tuple[int, int, int] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._seen = {"nats": 0, "published": 0}

    # -- lifespan ----------------------------------------------------------------------------------------------
    async def start(self, services: Services) -> None:
        from causegraph.owner import describe
        from ingest.eventwriter import EventWriter
        from ingest.loader import TopologyLoader
        from ingest.pipeline import Pipeline

        s = self.settings
        self.services = services
        self._loop = asyncio.get_running_loop()
        cluster = s.kubernetes.cluster
        if self.store is None:
            self.store = await asyncio.to_thread(open_graph, s)
        services.store = self.store
        if s.alertmanager.url:
            from api.amforward import AlertmanagerForwarder

            web_url = s.alertmanager.web_url or f"http://{s.api.host}:{s.api.port}"
            self.forwarder = AlertmanagerForwarder(s.alertmanager, web_url, services.metrics)
            self._tasks.append(asyncio.create_task(self.forwarder.run(self.stop_event), name="alertmanager"))
        if s.serve.publisher or s.serve.nats_ingest or s.serve.correlator:
            await self._connect()
        if s.serve.publisher:
            await self._start_publisher()
        if s.serve.correlator:
            await self._start_correlator(services)
        elif self.publisher is not None:
            await self.publisher.drain_outbox()
        loader = TopologyLoader(self.store, cluster, s.graph.batch_size)
        writer = EventWriter(self.store, cluster, batch_size=s.graph.batch_size)
        self.pipeline = Pipeline(
            self.store,
            loader,
            writer,
            on_stored=self.owner.on_stored if self.owner else None,
            max_future_ms=s.ingest.max_future_ms,
        )
        services.pipeline = self.pipeline
        if s.serve.publisher or s.serve.nats_ingest:
            services.extra["nats_required"] = True
        if s.serve.nats_ingest:
            from ingest.natsconsumer import NatsIngest

            self.consumer = NatsIngest(s.nats, self.pipeline)
            await self.consumer.connect()
            if services.nats is None:
                services.nats = self.consumer.nc
            self._tasks.append(asyncio.create_task(self.consumer.run(self.stop_event), name="nats-ingest"))
        if s.serve.kubernetes_watch:
            await asyncio.to_thread(self._start_watcher, loader)
        if self.owner is not None:
            self._tasks.append(asyncio.create_task(self.owner.run_ticks(self.stop_event), name="correlator-tick"))
        from causegraph.gcpolicy import settle_for_live

        self._gc_before = settle_for_live()  # rarer, shorter collector pauses: the tail of the live latency
        self._tasks.append(asyncio.create_task(self._observe(), name="metrics"))
        self._tasks.append(asyncio.create_task(self._retention(), name="retention"))
        log.info(
            "serving: graph %s, nats ingest %s, publisher %s, kubernetes watch %s, correlator %s",
            self.store.url,
            "on" if self.consumer else "off",
            "on" if self.publisher else "off",
            "on" if self.live else "off",
            describe(self.owner, self.election),
        )

    async def _connect(self) -> None:
        """The connection for results, leadership and the stored-event hand-over (the consumer has its own)."""
        if self.settings.nats.url == "none":
            return
        import nats

        async def reconnected() -> None:
            if self.publisher is not None and self.owner is not None and self.owner.leading:
                await self.publisher.on_reconnect()

        self.nc = await nats.connect(
            self.settings.nats.servers,
            name="causegraph-publisher",
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            reconnected_cb=reconnected,
        )
        assert self.services is not None
        self.services.nats = self.nc

    async def _start_publisher(self) -> None:
        from api.publisher import Publisher

        assert self.nc is not None and self.store is not None  # connected and opened before the publisher starts
        self.publisher = Publisher(self.nc, self.store, self.settings.nats)
        await self.publisher.ensure_streams()  # the outbox is drained by whoever correlates, once it does

    async def _start_correlator(self, services: Services) -> None:
        """Correlate here while this process leads its cluster (alone: always; several: as elected over NATS)."""
        from causegraph.leader import LeaderElection, worker_name
        from causegraph.lease import lease_key
        from causegraph.owner import CorrelationOwner

        s = self.settings
        assert self.store is not None and self._loop is not None
        elect = s.serve.leader_election and self.nc is not None
        key = lease_key(s.kubernetes.cluster)
        self.owner = owner = CorrelationOwner(
            self.store,
            s,
            services.metrics,
            publish=self._publish,
            nc=self.nc if elect else None,
            subject=f"{s.nats.stored_subject}.{key}",
            may_correlate=lambda: self.election is None or self.election.lease.valid(time.monotonic()),
            drain=self.publisher.drain_if_missed if self.publisher is not None else None,
            resend=self.publisher.resend_unsent if self.publisher is not None else None,
        )
        owner.bind(self._loop)
        services.correlation = lambda: (owner.leading, owner.since)

        async def change(gained: bool) -> None:
            await owner.change(gained)
            if gained and self.forwarder is not None:  # Alertmanager shows again what an earlier leader had active
                assert self.store is not None
                self.forwarder.offer(await asyncio.to_thread(self.forwarder.active, self.store))
            if gained and self.publisher is not None:  # what an earlier leader wrote but could not publish
                await self.publisher.drain_outbox()

        if not elect:
            await change(True)
            return
        assert self.nc is not None  # an election runs only over NATS
        self.election = LeaderElection(self.nc, s.nats, s.kubernetes.cluster, worker_name(s.serve.worker_id), change)
        await self.election.setup()
        await self.election.step()  # alone, or first: leading before the first event comes
        await self.election.settle()
        self._tasks.append(asyncio.create_task(self.election.run(self.stop_event), name="leader-election"))

    async def _publish(self, results: list[CorrelationResult]) -> None:
        if results and self.forwarder is not None:  # Alertmanager too, with or without NATS
            self.forwarder.offer(results)
        if self.publisher is not None:
            await self.publisher.publish(results)

    def _start_watcher(self, loader: TopologyLoader) -> None:
        from ingest.kubeclient import build_client
        from ingest.live import LiveTopology

        client = build_client(self.settings.kubernetes)
        if client is None:
            log.info("no Kubernetes cluster configured or found; the live watch is off")
            return
        pipeline = self.pipeline
        assert pipeline is not None  # the pipeline is built before the watch starts

        def on_events(events: Sequence[NormalEvent]) -> None:  # change events from the topology loader
            if events:
                result = pipeline.write_events(list(events))  # a time far ahead is refused here too
                self._count("kubernetes", len(result.stored), len(result.rejected))
                if self.owner is not None:
                    self.owner.on_stored(result.stored)

        def on_k8s_events(objects: Sequence[Any]) -> None:  # Kubernetes Event objects
            result = pipeline.ingest(list(objects), source="kubernetes")
            self._count("kubernetes", len(result.stored), len(result.rejected))

        live = LiveTopology(client, loader, self.settings.kubernetes, on_events=on_events, on_k8s_events=on_k8s_events)
        self.live = live
        live.start()

    def _count(self, source: str, accepted: int, rejected: int = 0) -> None:
        if self.services is not None:
            self.services.metrics.events_in.labels(source=source).inc(accepted)
            if rejected:
                self.services.metrics.events_rejected.labels(source=source).inc(rejected)

    async def _retention(self) -> None:
        """Once an hour, remove what is past the retention (deleted objects, old events, resolved correlations)."""
        from causegraph.retention import purge

        while not self.stop_event.is_set():
            assert self.store is not None
            try:
                removed = await asyncio.to_thread(
                    purge, self.store, int(time.time() * 1000), self.settings.retention_days
                )
                if any(removed.values()):
                    log.info("retention removed %s", removed)
            except Exception:  # retried at the next run
                log.exception("retention run failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop_event.wait(), timeout=RETENTION_INTERVAL_S)

    async def _observe(self) -> None:
        """Every second, carry the workers' own counters and the lags into the Prometheus registry."""
        while not self.stop_event.is_set():
            await self.observe_once()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop_event.wait(), timeout=OBSERVE_INTERVAL_S)

    async def observe_once(self) -> None:
        """The counters (``sync_metrics``) and the consumer lag: JetStream's num_pending of the durable consumer."""
        self.sync_metrics()
        if self.services is not None and self.consumer is not None and self.consumer.js is not None:
            with contextlib.suppress(Exception):  # NATS away: the last value stays
                info = await self.consumer.js.consumer_info(self.settings.nats.stream, self.settings.nats.durable)
                self.services.metrics.consumer_lag.set(info.num_pending or 0)

    def sync_metrics(self) -> None:
        if self.services is None:
            return
        m = self.services.metrics
        if self.consumer is not None:
            t = self.consumer.totals
            m.events_in.labels(source="nats").inc(max(0, t.stored - self._seen["nats"]))
            m.events_rejected.labels(source="nats").inc(max(0, t.dead_lettered - self._seen.get("nats_dead", 0)))
            m.alerts_unlinked.inc(max(0, t.alerts_unlinked - self._seen.get("nats_unlinked", 0)))
            self._seen["nats"], self._seen["nats_dead"] = t.stored, t.dead_lettered
            self._seen["nats_unlinked"] = t.alerts_unlinked
        if self.publisher is not None:
            m.results_published.inc(max(0, self.publisher.published - self._seen["published"]))
            self._seen["published"] = self.publisher.published
        owner = self.owner
        engine, correlator = (owner.engine, owner.correlator) if owner is not None else (None, None)
        if engine is not None:
            queued = correlator.pending if correlator is not None else 0
            m.correlator_pending.set(queued + engine.held)
            m.correlator_delay.set(correlator.waiting_s() if correlator is not None else 0.0)

    async def stop(self) -> None:
        """Stop taking work, let the consumer finish its batch and ack, then close everything."""
        self.stop_event.set()
        timeout = self.settings.serve.shutdown_timeout_s
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=timeout)
            for task in pending:
                task.cancel()
        if self.live is not None:
            await asyncio.to_thread(self.live.stop, timeout)
        if self.consumer is not None:
            await self._close_consumer()
        if self.owner is not None:  # correlate what was stored and held back; results go out below
            await self.owner.stop()
        if self.election is not None:  # then let another worker take over at once
            await self.election.resign()
            await self.election.close()
        if self.publisher is not None:
            with contextlib.suppress(Exception):
                await self.publisher.drain_outbox()
        self.sync_metrics()
        if self.nc is not None and not self.nc.is_closed:
            with contextlib.suppress(Exception):
                await self.nc.close()  # every publish was awaited for its ack: nothing is in flight
        if self.store is not None and self._owns_store:
            await asyncio.to_thread(self.store.close)
        if self._gc_before is not None:
            from causegraph.gcpolicy import restore

            restore(self._gc_before)
            self._gc_before = None
        log.info("stopped cleanly")

    async def _close_consumer(self) -> None:
        """Close the consumer's connection (its batch is acked by now)."""
        if self.consumer is not None:
            await self.consumer.close()


def build_app(settings: Settings, *, store: GraphStore | None = None) -> tuple[FastAPI, ServeRuntime]:
    """The app with its runtime (serve and the demo)."""
    from api.app import create_app

    runtime = ServeRuntime(settings, store=store)
    return create_app(store, settings, runtime=runtime), runtime


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.new_token:
        token, line = new_token(Scope(args.new_token))
        print(f"token:    {token}")
        print(f"settings: CAUSEGRAPH_API__TOKEN_HASHES='[\"{line}\"]'")
        return 0
    import uvicorn

    s = apply_flags(args, settings)
    if not s.api.token_hashes:
        print(
            "causegraph: no API tokens configured: the REST API will answer 401. "
            "Create one with `causegraph serve --new-token write`.",
            file=sys.stderr,
        )
    app, _runtime = build_app(s)
    config = uvicorn.Config(
        app,
        host=s.api.host,
        port=s.api.port,
        log_level="warning",
        timeout_graceful_shutdown=int(s.serve.shutdown_timeout_s),
    )
    server = uvicorn.Server(config)
    print(f"causegraph serve: http://{s.api.host}:{s.api.port}/ (API /api/v1, OpenAPI /docs)", file=sys.stderr)
    server.run()
    return 0
