"""The one settings object. Nothing else in the code base reads the environment.

Every value can be set as ``CAUSEGRAPH_<GROUP>__<NAME>`` (for example ``CAUSEGRAPH_GRAPH__URL``); the
most used ones also have a flat alias (``CAUSEGRAPH_GRAPH_URL``, ``CAUSEGRAPH_NATS_URL``). The CLI's flags
override them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_GRAPH_URL = "./.causegraph/graph.rdb"


class GraphSettings(BaseModel):
    """Where the graph lives (DESIGN §2) and how it is written."""

    url: str = DEFAULT_GRAPH_URL
    name: str = "causegraph"
    user: str = "neo4j"
    password: SecretStr = SecretStr("")
    batch_size: int = Field(1000, ge=1, le=100_000)
    retries: int = Field(5, ge=0, le=50)
    timeout_s: float = Field(30.0, gt=0)
    # Embedded FalkorDB: when its append-only file is fsynced. Either way a write survives kill -9 of the
    # server; "everysec" may lose up to a second of writes to a crash of the machine, "always" none, and is slower.
    appendfsync: Literal["everysec", "always"] = "everysec"


class NatsSettings(BaseModel):
    """The collector stream in, the results out."""

    url: str = "nats://127.0.0.1:4222"
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


class CorrelateSettings(BaseModel):
    """Windows and thresholds of the engine (DESIGN §5)."""

    window_ms: int = Field(15 * 60_000, ge=1_000)
    # Events are placed once the newest event is this much younger: arrival out of event-time order within this
    # bound (clock skew, delivery jitter, batches) changes nothing; it is also the least delay before a result.
    disorder_ms: int = Field(2_000, ge=0, le=60_000)
    join_threshold: float = Field(0.5, ge=0, le=1)
    active_min_events: int = Field(2, ge=1)
    # Distinct (resource, reason) symptoms an incident needs when none of its events is a cause (an OOM kill, a
    # node condition, a change): fewer are background warnings that happen to touch each other.
    active_min_symptoms: int = Field(3, ge=1)
    active_min_confidence: float = Field(0.5, ge=0, le=1)
    resolve_quiet_ms: int = Field(30 * 60_000, ge=1_000)
    max_hops: int = Field(4, ge=1, le=8)
    recurrence_min: int = Field(2, ge=2)
    # A lone warning that nothing explains is published only when critical or repeated this many times.
    singleton_min_count: int = Field(3, ge=1)


class ApiSettings(BaseModel):
    """The REST service."""

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    # sha256 hex digests of bearer tokens, each "scope:digest" with scope read or write.
    token_hashes: list[str] = []
    cors_origins: list[str] = []
    max_limit: int = Field(500, ge=1)
    max_depth: int = Field(4, ge=1)
    max_range_ms: int = Field(31 * 24 * 3600_000, ge=1)


class AlertmanagerSettings(BaseModel):
    """Correlations out to Alertmanager's API (DESIGN §6): each active correlation is one alert there."""

    url: str = ""  # e.g. http://alertmanager:9093; empty: nothing is posted
    # The web view as people reach it, for the link in each alert; empty: http://{api.host}:{api.port}
    web_url: str = ""
    # Active incidents are posted again this often, each with endsAt 4 intervals ahead: Alertmanager keeps them while
    # causegraph runs and ends them by itself if it stops.
    resend_s: float = Field(60.0, gt=0)
    timeout_s: float = Field(5.0, gt=0)
    backoff_max_s: float = Field(60.0, gt=0)  # a failed post is retried after 1 s, doubling up to this


class ServeSettings(BaseModel):
    """Which parts ``causegraph serve`` runs in its one process (each switchable) and how it stops."""

    api: bool = True
    correlator: bool = True
    publisher: bool = True
    nats_ingest: bool = True
    kubernetes_watch: bool = True
    tick_s: float = Field(5.0, gt=0)
    shutdown_timeout_s: float = Field(15.0, gt=0)


class Settings(BaseSettings):
    """All of causegraph's configuration, validated at start."""

    model_config = SettingsConfigDict(
        env_prefix="CAUSEGRAPH_", env_nested_delimiter="__", extra="ignore", populate_by_name=True
    )

    graph: GraphSettings = GraphSettings()
    nats: NatsSettings = NatsSettings()
    ingest: IngestSettings = IngestSettings()
    kubernetes: KubernetesSettings = KubernetesSettings()
    correlate: CorrelateSettings = CorrelateSettings()
    api: ApiSettings = ApiSettings()
    serve: ServeSettings = ServeSettings()
    alertmanager: AlertmanagerSettings = AlertmanagerSettings()
    graph_url: str | None = None
    nats_url: str | None = None
    log_level: str = "INFO"
    retention_days: int = Field(14, ge=1)
    # Tests only: where to find a Neo4j to run the Neo4j job against.
    test_neo4j_uri: str | None = None

    def model_post_init(self, _context: object) -> None:
        if self.graph_url:
            self.graph.url = self.graph_url
        if self.nats_url:
            self.nats.url = self.nats_url


def load_settings(**overrides: object) -> Settings:
    """Read the environment once, then apply explicit overrides (from the CLI)."""
    return Settings(**overrides)  # type: ignore[arg-type]
