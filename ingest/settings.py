"""The ingest layer's settings: the live list/watch, the NATS streams, the input limits that are settings.

Plain models: ``causegraph.settings`` composes them into the one settings object that reads the environment
(``CAUSEGRAPH_KUBERNETES__*``, ``CAUSEGRAPH_NATS__*``, ``CAUSEGRAPH_INGEST__*``); nothing here reads it.
``NatsSettings`` also names the subjects and streams ``api.publisher`` publishes on: one NATS connection, one group.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class NatsSettings(BaseModel):
    """The collector stream in, the results out."""

    # One server, or a comma-separated list of the servers of a cluster (the client fails over between them).
    url: str = "nats://127.0.0.1:4222"
    # Replicas of every stream causegraph creates (3 on a cluster); existing streams are updated to it.
    replicas: int = Field(1, ge=1, le=5)
    stream: str = "TRACES"
    # collector events on traces.{traceID}.{source}; Alertmanager webhook payloads on alerts.alertmanager
    subjects: list[str] = ["traces.>", "alerts.>"]
    durable: str = "causegraph"
    dead_letter_subject: str = "causegraph.deadletter"
    # JetStream stream that keeps dead letters (created when missing); "" = publish them on core NATS only.
    dead_letter_stream: str = "CAUSEGRAPH_DEADLETTER"
    results_subject: str = "correlations.results"
    alerts_subject: str = "correlations.alerts"
    # JetStream streams the publisher creates when missing (one per subject, so that results and alerts each
    # de-duplicate by Nats-Msg-Id {id}:{version}); empty names: use whatever stream already covers the subjects.
    results_stream: str = "CORRELATIONS"
    alerts_stream: str = "CORRELATION_ALERTS"
    duplicate_window_s: float = Field(600.0, gt=0)
    publish_timeout_s: float = Field(2.0, gt=0)
    max_deliver: int = Field(5, ge=1)
    fetch_batch: int = Field(1000, ge=1, le=10_000)
    fetch_timeout_s: float = Field(0.2, gt=0)
    ack_wait_s: float = Field(30.0, gt=0)
    # Correlation leadership (several workers, one correlator per cluster name): a KV bucket whose key, the
    # cluster name, names the leader; the key lives leader_ttl_s after its last renewal.
    leader_bucket: str = "causegraph_leader"
    leader_ttl_s: float = Field(3.0, ge=0.5, le=300)
    # Where a worker that is not the leader tells the leader which events it stored (core NATS, per cluster).
    stored_subject: str = "causegraph.stored"

    @property
    def servers(self) -> list[str]:
        """The server URLs of ``url`` (a comma-separated list)."""
        return [u.strip() for u in self.url.split(",") if u.strip()]


class IngestSettings(BaseModel):
    """Limits on input that are not fixed in ``ingest.limits``."""

    # An event (or watch change) more than this after its arrival is refused: it would move the event clock.
    max_future_ms: int = Field(5 * 60_000, ge=0)


class KubernetesSettings(BaseModel):
    """The live list/watch of the cluster."""

    mode: str = "auto"  # auto | none | kubeconfig | incluster
    cluster: str = "default"
    page_size: int = Field(500, ge=1, le=10_000)
    watch_timeout_s: int = Field(300, ge=1)
    quiet_timeout_s: float = Field(90.0, gt=0)
    backoff_max_s: float = Field(30.0, gt=0)
    # An explicit API server URL (e.g. a proxy or the test fake) wins over kubeconfig / in-cluster discovery.
    host: str = ""
    kubeconfig: str = ""  # path; empty = the client's default (~/.kube/config or $KUBECONFIG)
    context: str = ""  # kubeconfig context; empty = current-context
    watch_events: bool = True  # also watch v1 and events.k8s.io/v1 Events
