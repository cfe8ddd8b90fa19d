"""``/correlations``: list, one, its timeline, its graph, feedback on it."""

from __future__ import annotations

import logging
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import ValidationError

from api import problems, views
from api.deps import ReadScope, SettingsDep, StoreDep, WriteScope
from api.models import CorrelationPage, FeedbackIn, FeedbackOut, IncidentGraph, Timeline
from api.problems import ApiProblem
from graph import GraphStore
from model.result import CorrelationResult
from model.times import now_ms
from model.vocab import PATTERNS, SEVERITIES, STATES

log = logging.getLogger(__name__)
router = APIRouter(prefix="/correlations", tags=["correlations"], responses=problems.COMMON)

CorrelationId = Annotated[str, Path(min_length=1, max_length=256, description="correlation id")]
Limit = Annotated[int, Query(ge=1, le=500, description="page size (bounded by api.max_limit)")]


def _bounded(limit: int, settings_max: int) -> int:
    return min(limit, settings_max)


def _bad(exc: views.BadInput) -> ApiProblem:
    return ApiProblem(422, str(exc))


def _parse_document(text: Any, ident: str) -> CorrelationResult | None:
    try:
        return CorrelationResult.from_json(str(text))
    except (ValidationError, ValueError):
        log.warning("correlation %s has a stored document that is not a valid result; skipped", ident)
        return None


def _one(store: GraphStore, ident: str) -> dict[str, Any]:
    rows = store.query("get_correlation", {"id": ident})
    if not rows:
        raise ApiProblem(404, f"no correlation with id {ident!r}")
    return rows[0]


@router.get("", response_model=CorrelationPage, summary="List correlations, newest activity first")
def list_correlations(
    _: ReadScope,
    store: StoreDep,
    settings: SettingsDep,
    state: Annotated[str | None, Query(description=f"one of {', '.join(STATES)}", max_length=32)] = None,
    type: Annotated[str | None, Query(description=f"one of {', '.join(PATTERNS)}", max_length=64)] = None,
    severity: Annotated[str | None, Query(description=f"one of {', '.join(SEVERITIES)}", max_length=32)] = None,
    namespace: Annotated[str | None, Query(max_length=253)] = None,
    since: Annotated[str | None, Query(description="epoch ms or RFC3339; default until minus the max range")] = None,
    until: Annotated[str | None, Query(description="epoch ms or RFC3339; default now")] = None,
    cursor: Annotated[str | None, Query(max_length=600)] = None,
    limit: Limit = 50,
) -> CorrelationPage:
    checks = (("state", state, STATES), ("type", type, PATTERNS), ("severity", severity, SEVERITIES))
    for name, value, allowed in checks:
        if value is not None and value not in allowed:
            raise ApiProblem(422, f"{name}: expected one of {', '.join(allowed)}")
    try:
        start, end = views.time_range(
            views.parse_time(since, "since"),
            views.parse_time(until, "until"),
            now_ms(),
            settings.api.max_range_ms,
        )
        after_ts, after_id = views.decode_cursor(cursor)
    except views.BadInput as exc:
        raise _bad(exc) from None
    size = _bounded(limit, settings.api.max_limit)
    rows = store.query(
        "list_correlations",
        {
            "since": start,
            "until": end,
            "state": state,
            "type": type,
            "severity": severity,
            "namespace": namespace,
            "after_ts": after_ts,
            "after_id": after_id,
            "limit": size,
        },
    )
    items = [doc for r in rows if (doc := _parse_document(r["document"], str(r["id"]))) is not None]
    next_cursor = None
    if len(rows) == size and rows:
        last = rows[-1]
        next_cursor = views.encode_cursor(int(last["last_seen"]), str(last["id"]))
    return CorrelationPage(items=items, next_cursor=next_cursor)


@router.get("/{correlation_id}", response_model=CorrelationResult, summary="One correlation, its latest version")
def get_correlation(_: ReadScope, store: StoreDep, correlation_id: CorrelationId) -> CorrelationResult:
    row = _one(store, correlation_id)
    doc = _parse_document(row["document"], correlation_id)
    if doc is None:
        raise ApiProblem(500, f"correlation {correlation_id!r} has no valid stored document")
    return doc


@router.get("/{correlation_id}/timeline", response_model=Timeline, summary="Its events in time order")
def get_timeline(
    _: ReadScope, store: StoreDep, settings: SettingsDep, correlation_id: CorrelationId, limit: Limit = 500
) -> Timeline:
    row = _one(store, correlation_id)
    size = _bounded(limit, settings.api.max_limit)
    rows = store.query("correlation_timeline", {"id": correlation_id, "limit": 2 * size})
    events = views.timeline(rows, row.get("root_event_id"))[:limit]
    return Timeline.model_validate(
        {"correlation_id": correlation_id, "root_event_id": row.get("root_event_id"), "events": events}
    )


@router.get("/{correlation_id}/graph", response_model=IncidentGraph, summary="The incident's resources and events")
def get_graph(
    _: ReadScope, store: StoreDep, settings: SettingsDep, correlation_id: CorrelationId, limit: Limit = 200
) -> IncidentGraph:
    row = _one(store, correlation_id)
    size = _bounded(limit, settings.api.max_limit)
    events = views.timeline(
        store.query("correlation_timeline", {"id": correlation_id, "limit": 2 * size}), row.get("root_event_id")
    )[:size]
    found = store.query("correlation_graph", {"id": correlation_id, "limit": size})
    about = found[0]["about"] if found else []
    impacted = found[0]["impacted"] if found else []
    about_uids = [str(r["uid"]) for r in about if r.get("uid")]
    context_rows = store.query("resource_context", {"uids": about_uids, "limit": 20}) if about_uids else []
    context = [r for c in context_rows for r in c["related"]][: size * 2]
    uids = sorted({str(r["uid"]) for r in [*about, *impacted, *context] if r.get("uid")})
    edges = store.query("resource_edges_among", {"uids": uids, "limit": size * 4}) if uids else []
    doc = _parse_document(row["document"], correlation_id)
    chain = [c.model_dump() for c in doc.chain] if doc else []
    graph = views.incident_graph(events, about, impacted, context, edges, chain)
    return IncidentGraph.model_validate({"correlation_id": correlation_id, **graph})


@router.post(
    "/{correlation_id}/feedback",
    response_model=FeedbackOut,
    status_code=201,
    summary="A verdict on a correlation: correct, wrong root cause (naming the right event), not related",
)
def post_feedback(_: WriteScope, store: StoreDep, correlation_id: CorrelationId, body: FeedbackIn) -> FeedbackOut:
    _one(store, correlation_id)
    if body.verdict == "wrong_root_cause" and not body.event_id:
        raise ApiProblem(422, "event_id: wrong_root_cause needs the id of the event that is the real root cause")
    if body.event_id and not store.query("event_exists", {"id": body.event_id}):
        raise ApiProblem(422, f"event_id: no event with id {body.event_id!r}")
    rows = store.query(
        "store_feedback",
        {
            "id": f"fb-{uuid.uuid4().hex}",
            "correlation_id": correlation_id,
            "verdict": body.verdict,
            "event_id": body.event_id,
            "comment": body.comment,
            "at": now_ms(),
        },
    )
    if not rows:
        raise ApiProblem(404, f"no correlation with id {correlation_id!r}")
    return FeedbackOut.model_validate(rows[0])
