"""The one settings object: it composes each layer's settings type and is the only reader of the environment.

Every value can be set as ``CAUSEGRAPH_<GROUP>__<NAME>`` (for example ``CAUSEGRAPH_GRAPH__URL``); the
most used ones also have a flat alias (``CAUSEGRAPH_GRAPH_URL``, ``CAUSEGRAPH_NATS_URL``). The CLI's flags
override them. The groups are owned by their layers (``graph.settings``, ``ingest.settings``,
``correlate.settings``, ``api.settings``); ``serve`` is the composition root's own.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.settings import AlertmanagerSettings, ApiSettings
from correlate.settings import CorrelateSettings
from graph.settings import GraphSettings
from ingest.settings import IngestSettings, KubernetesSettings, NatsSettings


class ServeSettings(BaseModel):
    """Which parts ``causegraph serve`` runs beside its API (each switchable) and how it stops."""

    correlator: bool = True
    publisher: bool = True
    nats_ingest: bool = True
    kubernetes_watch: bool = True
    tick_s: float = Field(5.0, gt=0)
    # Elect one correlator per cluster name over NATS (several serve processes); off: this process correlates.
    leader_election: bool = True
    worker_id: str = ""  # how this process names itself in the leader key; empty: host-pid-random
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
