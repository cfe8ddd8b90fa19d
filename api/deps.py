"""What routes depend on, as ``Annotated`` types: the store, the settings, the caller's scope.

Everything lives in one ``Services`` object on ``app.state`` (set by ``create_app``, filled by the lifespan when
``serve`` owns the connections), so a route never reaches for a global.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth import Scope, TokenSet
from api.metrics import Metrics
from api.problems import ApiProblem
from api.settings import AppSettings
from graph import GraphStore, GraphUnavailable


@dataclass
class Services:
    """The parts one app serves from; ``store`` is None until the lifespan has opened it."""

    settings: AppSettings
    tokens: TokenSet
    metrics: Metrics
    store: GraphStore | None = None
    pipeline: Any = None  # ingest.pipeline.Pipeline: ingest(items) -> IngestResult
    nats: Any = None  # a connected nats.aio.client.Client, or None when NATS is off
    on_stored: Callable[[Any], Any] | None = None  # hands stored events to the correlator
    # Whether this process correlates (leads its cluster's correlation) and since when (Unix time); None: no correlator
    correlation: Callable[[], tuple[bool, float | None]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_store(services: ServicesDep) -> GraphStore:
    if services.store is None:
        raise GraphUnavailable("the graph is not open yet")
    return services.store


def get_settings(services: ServicesDep) -> AppSettings:
    return services.settings


StoreDep = Annotated[GraphStore, Depends(get_store)]
SettingsDep = Annotated[AppSettings, Depends(get_settings)]

_bearer = HTTPBearer(auto_error=False, description="Bearer token; scopes read and write (write implies read)")


def _require(scope: Scope) -> Callable[..., Scope]:
    def check(
        services: ServicesDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Scope:
        challenge = {"WWW-Authenticate": "Bearer"}
        if services.tokens.empty:
            raise ApiProblem(
                401,
                "no API tokens are configured; create one with `causegraph serve --new-token write` "
                "and set CAUSEGRAPH_API__TOKEN_HASHES",
                headers=challenge,
            )
        if credentials is None or not credentials.credentials:
            raise ApiProblem(401, "missing bearer token (Authorization: Bearer <token>)", headers=challenge)
        granted = services.tokens.scopes(credentials.credentials)
        if not granted:
            raise ApiProblem(401, "unknown bearer token", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        if scope not in granted:
            raise ApiProblem(403, f"this token lacks the {scope!s} scope")
        return scope

    return check


ReadScope = Annotated[Scope, Depends(_require(Scope.READ))]
WriteScope = Annotated[Scope, Depends(_require(Scope.WRITE))]


def cluster_of(settings: AppSettings, cluster: str | None) -> str:
    """The cluster a request means: its ``cluster`` parameter, else the configured one."""
    return cluster or settings.kubernetes.cluster
