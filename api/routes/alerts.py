"""``POST /alerts/alertmanager``: Alertmanager's webhook (payload version 4) in, each alert an event of the pipeline.

Point an Alertmanager ``webhook_config`` here with a write token (``http_config.authorization.credentials``). A
payload that is not one (not an object, no ``alerts`` array, another version) is a 422 problem naming the field;
inside a good payload each alert stands alone: a bad one is listed in the 202 answer's ``errors`` with its index in
``alerts`` and the reason, the others are stored and correlated. ``unlinked`` counts the alerts whose labels name
nothing in the graph (stored all the same, and counted in ``causegraph_alerts_unlinked_total``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from api import problems
from api.deps import ServicesDep, WriteScope
from api.models import AlertsAccepted
from api.problems import ApiProblem
from api.routes.events import MAX_ITEMS, read_json
from ingest.alerts import alerts_of
from ingest.limits import RejectedInput

router = APIRouter(tags=["ingest"], responses=problems.COMMON)


@router.post(
    "/alerts/alertmanager",
    status_code=202,
    response_model=AlertsAccepted,
    responses=problems.responses(400, 413),
    summary="Ingest Alertmanager's webhook payload (version 4): each alert becomes an event",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["alerts"],
                        "properties": {
                            "version": {"type": "string", "enum": ["4"]},
                            "alerts": {"type": "array", "items": {"type": "object"}, "maxItems": MAX_ITEMS},
                        },
                    }
                }
            },
        }
    },
)
async def post_alertmanager(_: WriteScope, services: ServicesDep, request: Request) -> AlertsAccepted:
    if services.pipeline is None:
        raise ApiProblem(503, "event ingest is not running in this process", headers={"Retry-After": "30"})
    try:
        alerts = alerts_of(await read_json(request))
    except RejectedInput as exc:
        raise ApiProblem(422, str(exc)) from None
    if len(alerts) > MAX_ITEMS:
        raise ApiProblem(413, f"at most {MAX_ITEMS} alerts per request")
    if not alerts:
        return AlertsAccepted(accepted=0, rejected=0)
    outcome: AlertsAccepted = await services.extra["ingest_alerts"](alerts)
    return outcome
