"""Liveness, readiness (graph and NATS reachable) and Prometheus metrics; no token needed."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.deps import ServicesDep
from api.metrics import CONTENT_TYPE
from api.models import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, response_model_exclude_none=True, summary="The process is alive")
def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Health,
    summary="The graph (and NATS, when on) answer",
    responses={503: {"model": Health, "description": "a dependency is unreachable"}},
)
async def readyz(services: ServicesDep) -> Response:
    checks: dict[str, str] = {}
    if services.store is None:
        checks["graph"] = "not open"
    else:
        health = await run_in_threadpool(services.store.health)
        checks["graph"] = "ok" if health.ok else "unreachable"
    if services.settings.nats.url != "none" and services.nats is not None:
        checks["nats"] = "ok" if bool(getattr(services.nats, "is_connected", False)) else "disconnected"
    elif services.extra.get("nats_required"):
        checks["nats"] = "not connected"
    ok = all(v == "ok" for v in checks.values())
    body = Health(status="ok" if ok else "unavailable", checks=checks)
    if services.correlation is not None:  # a follower is ready: it ingests; leading is reported, not required
        leading, since = services.correlation()
        body.correlation_leader = leading
        body.correlation_leader_since = datetime.fromtimestamp(since, UTC) if since else None
    headers = None if ok else {"Retry-After": "5"}
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True), status_code=200 if ok else 503, headers=headers
    )


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE: {}}}},
)
def metrics(services: ServicesDep) -> Response:
    return Response(services.metrics.render(), media_type=CONTENT_TYPE)
