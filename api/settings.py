"""The API's settings, and what the app reads of the composed settings object.

``ApiSettings`` is a plain model: ``causegraph.settings`` composes it into the one settings object that reads the
environment (``CAUSEGRAPH_API__*``). The app also reads the cluster name, the future bound and the NATS URL, which
other layers own, so it takes any object with those groups (``AppSettings``); ``causegraph.settings.Settings`` is one.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, Field

from ingest.settings import IngestSettings, KubernetesSettings, NatsSettings


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


class AppSettings(Protocol):
    """The groups of the composed settings the app reads."""

    @property
    def api(self) -> ApiSettings: ...

    @property
    def ingest(self) -> IngestSettings: ...

    @property
    def kubernetes(self) -> KubernetesSettings: ...

    @property
    def nats(self) -> NatsSettings: ...


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
