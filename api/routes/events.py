"""``POST /events``: one event or an array, any input kind of DESIGN §4, through the same pipeline as NATS.

Each item is checked on its own (``ingest.limits``); the 202 answer lists each rejected item with its index and
reason, and the rest are stored. A body that cannot be read at all (not JSON, nested past what the parser takes,
too large) is a 400/413 problem."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request

from api import problems
from api.deps import ServicesDep, WriteScope
from api.models import Accepted
from api.problems import ApiProblem
from ingest.limits import MAX_DEPTH

router = APIRouter(tags=["ingest"], responses=problems.COMMON)

MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_ITEMS = 5000


async def read_json(request: Request) -> Any:
    """The body as JSON, or a 400/413 problem (too large, not JSON, nested past the limit)."""
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY_BYTES:
            raise ApiProblem(413, f"the body exceeds {MAX_BODY_BYTES // (1024 * 1024)} MiB; send smaller batches")
    try:
        data = json.loads(body or b"null")
    except RecursionError:
        raise ApiProblem(400, f"the body nests deeper than {MAX_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiProblem(400, f"the body is not JSON: {exc}") from None
    return data


async def _read_items(request: Request) -> list[Any]:
    data = await read_json(request)
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(i, dict) for i in items):
        raise ApiProblem(422, "expected one JSON object or an array of objects (events, Kubernetes objects, changes)")
    if len(items) > MAX_ITEMS:
        raise ApiProblem(413, f"at most {MAX_ITEMS} items per request")
    return items


@router.post(
    "/events",
    status_code=202,
    response_model=Accepted,
    responses=problems.responses(400, 413),
    summary="Ingest one event or an array (collector UnifiedEvent, Kubernetes Event, watch change)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            {"type": "object"},
                            {"type": "array", "items": {"type": "object"}, "minItems": 1, "maxItems": MAX_ITEMS},
                        ]
                    }
                }
            },
        }
    },
)
async def post_events(_: WriteScope, services: ServicesDep, request: Request) -> Accepted:
    if services.pipeline is None:
        raise ApiProblem(503, "event ingest is not running in this process", headers={"Retry-After": "30"})
    items = await _read_items(request)
    ingest = services.extra["ingest"]
    outcome: Accepted = await ingest(items)
    return outcome
