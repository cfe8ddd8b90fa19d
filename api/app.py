"""The FastAPI app: REST under ``/api/v1``, health and metrics at the root, the web view at ``/``.

``create_app`` takes what it serves from. Tests and the demo hand it an open store; ``serve`` hands it a
``runtime`` whose ``start``/``stop`` the lifespan awaits, so the connections and workers live exactly as long as
the server (graceful shutdown: stop taking work, finish the batch, ack, close).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api import problems
from api.auth import TokenSet
from api.deps import Services
from api.metrics import Metrics, count_alerts
from api.models import MAX_ERRORS_LISTED, Accepted, AlertsAccepted, RejectedItem
from api.routes import alerts, analysis, correlations, events, health, resources
from api.settings import AppSettings
from graph import GraphStore
from model import __version__

STATIC_DIR = Path(__file__).with_name("static")
API_PREFIX = "/api/v1"


class Runtime(Protocol):
    """What ``serve`` runs beside the API: opens connections and workers into ``services``, closes them."""

    async def start(self, services: Services) -> None: ...

    async def stop(self) -> None: ...


def make_ingest(services: Services, *, as_alerts: bool = False) -> Callable[[list[Any]], Awaitable[Accepted]]:
    """POST /events (and, ``as_alerts``, POST /alerts/alertmanager): the pipeline in a worker thread, then the
    correlator on what was stored."""
    source = "alertmanager" if as_alerts else "http"

    async def ingest(items: list[Any]) -> Accepted:
        result = await run_in_threadpool(services.pipeline.ingest, items, as_alerts=as_alerts)
        stored: Sequence[Any] = result.stored
        errors = [RejectedItem(index=r.index, reason=r.reason) for r in result.rejected[:MAX_ERRORS_LISTED]]
        services.metrics.events_in.labels(source=source).inc(len(stored))
        if result.rejected:
            services.metrics.events_rejected.labels(source=source).inc(len(result.rejected))
        unlinked = count_alerts(services.metrics, stored) if as_alerts else 0
        changed: list[str] = []
        if services.on_stored is not None and stored:
            started = time.perf_counter()
            produced = await run_in_threadpool(services.on_stored, stored)
            services.metrics.correlation_seconds.observe(time.perf_counter() - started)
            changed = sorted({str(getattr(r, "id", r)) for r in produced or ()})
        accepted = Accepted(accepted=len(stored), rejected=len(result.rejected), errors=errors, correlations=changed)
        return AlertsAccepted(**accepted.model_dump(), unlinked=unlinked) if as_alerts else accepted

    return ingest


def create_app(
    store: GraphStore | None,
    settings: AppSettings,
    *,
    pipeline: Any = None,
    nats: Any = None,
    on_stored: Callable[[Any], Any] | None = None,
    runtime: Runtime | None = None,
) -> FastAPI:
    """Build the app. ``store`` may be None when ``runtime`` opens it at start."""
    services = Services(
        settings=settings,
        tokens=TokenSet.parse(settings.api.token_hashes),
        metrics=Metrics(),
        store=store,
        pipeline=pipeline,
        nats=nats,
        on_stored=on_stored,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if runtime is not None:
            await runtime.start(services)
        try:
            yield
        finally:
            if runtime is not None:
                await runtime.stop()

    app = FastAPI(
        title="causegraph",
        version=__version__,
        description="What broke, why it broke, and what else is affected: Kubernetes events correlated over a "
        "topology graph. Protected routes need `Authorization: Bearer <token>` (scope read; write for POST).",
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url="/openapi.json",
        redoc_url=None,
    )
    app.state.services = services
    services.extra["ingest"] = make_ingest(services)
    services.extra["ingest_alerts"] = make_ingest(services, as_alerts=True)
    problems.install(app)
    if settings.api.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )

    @app.middleware("http")
    async def refuse_nul(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        # FalkorDB cannot take a NUL inside a string parameter; refuse it here rather than fail in the graph.
        raw = request.scope.get("raw_path", b"") + b"?" + request.scope.get("query_string", b"")
        if b"%00" in raw.lower() or b"\x00" in raw:
            return problems.problem_response(422, "parameters must not contain NUL characters", request)
        return await call_next(request)

    @app.middleware("http")
    async def observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        if route is None:
            template = "static"
        else:  # the route's own path lacks the include prefix
            prefix = API_PREFIX if request.url.path.startswith(API_PREFIX + "/") else ""
            template = prefix + str(getattr(route, "path", "other"))
        services.metrics.http_requests.labels(route=template, status=f"{response.status_code // 100}xx").observe(
            time.perf_counter() - started
        )
        return response

    for module in (correlations, analysis, resources, events, alerts):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(health.router)
    app.include_router(health.router, prefix=API_PREFIX, include_in_schema=False)
    app.mount("/", StaticFiles(directory=STATIC_DIR, html=True), name="web")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problems.problem_openapi(FastAPI.openapi(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
