"""Prometheus metrics, one registry per app (tests build many apps; a global registry would collide).

The ingest workers, the correlator and the publisher report through the ``Metrics`` object the app holds, so
``GET /metrics`` shows the whole process: events in by source, rejected, results published, consumer lag,
the correlator's backlog and delay, correlation time and request latency. Under overload the lag shows where the
work waits: JetStream (consumer lag) or the correlator (its pending events and delay).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    """The process's counters; every instance has its own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.events_in = Counter(
            "causegraph_events_in", "Events accepted, by source (http, nats, kubernetes)", ["source"], registry=r
        )
        self.events_rejected = Counter(
            "causegraph_events_rejected", "Events rejected (unparseable or invalid), by source", ["source"], registry=r
        )
        self.results_published = Counter(
            "causegraph_results_published", "Correlation results published on NATS", registry=r
        )
        self.alerts_in = Counter(
            "causegraph_alerts_in", "Prometheus alerts stored, by status (firing, resolved)", ["status"], registry=r
        )
        self.alerts_unlinked = Counter(
            "causegraph_alerts_unlinked", "Alerts stored whose labels name no resource in the graph", registry=r
        )
        self.alertmanager_posts = Counter(
            "causegraph_alertmanager_posts",
            "Correlations posted to Alertmanager's API, by outcome (ok, failed: retried with backoff)",
            ["outcome"],
            registry=r,
        )
        self.consumer_lag = Gauge(
            "causegraph_consumer_lag", "Messages pending for the NATS consumer (JetStream num_pending)", registry=r
        )
        self.correlator_pending = Gauge(
            "causegraph_correlator_pending_events",
            "Stored events not yet placed by the correlator (queued for its thread, or held within the disorder bound)",
            registry=r,
        )
        self.correlator_delay = Gauge(
            "causegraph_correlator_delay_seconds",
            "How long the oldest stored batch not yet correlated has waited for the correlator (0 when none waits)",
            registry=r,
        )
        self.correlation_seconds = Histogram(
            "causegraph_correlation_seconds",
            "Time to correlate one batch of stored events",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=r,
        )
        self.http_requests = Histogram(
            "causegraph_http_request_seconds",
            "API request latency by route template and status class",
            ["route", "status"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5),
            registry=r,
        )
        self.correlation_leader = Gauge(
            "causegraph_correlation_leader",
            "1 while this process owns its cluster's correlation (the elected leader), else 0",
            registry=r,
        )
        self.correlation_leader_since = Gauge(
            "causegraph_correlation_leader_since_seconds",
            "When this process became the correlation leader (Unix time; 0 while it is not)",
            registry=r,
        )

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)


def count_alerts(metrics: Metrics, stored: Iterable[Any]) -> int:
    """Count the stored alerts by status and those that resolved to no resource; returns how many are unlinked."""
    unlinked = 0
    for s in stored:
        event = s.event
        if event.source_kind != "alert" or "recovers" in event.detail:
            continue
        metrics.alerts_in.labels(status=str(event.detail.get("status", "firing"))).inc()
        if not s.resolved_by:
            unlinked += 1
    if unlinked:
        metrics.alerts_unlinked.inc(unlinked)
    return unlinked
