"""Prometheus metrics, one registry per app (tests build many apps; a global registry would collide).

The ingest workers, the correlator and the publisher report through the ``Metrics`` object the app holds, so
``GET /metrics`` shows the whole process: events in by source, rejected, results published, consumer lag,
the correlator's backlog and delay, correlation time and request latency. Under overload the lag shows where the
work waits: JetStream (consumer lag) or the correlator (its pending events and delay).
"""

from __future__ import annotations

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

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)
