"""Blast radius, root causes of one event, and what is failing now: the engine's questions over HTTP."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api import problems
from api.deps import ReadScope, SettingsDep, StoreDep, cluster_of
from api.models import Groups, RootCauses
from api.problems import ApiProblem
from correlate import groups, impact, rootcause
from ingest.clock import event_clock
from model.resource import key_namespace
from model.times import now_ms

router = APIRouter(tags=["analysis"], responses=problems.COMMON)

Name = Annotated[str, Path(min_length=1, max_length=253, pattern=r"^[A-Za-z0-9._:-]+$")]
Namespace = Annotated[
    str, Path(min_length=1, max_length=253, pattern=r"^[A-Za-z0-9._-]+$", description="`_` for cluster-scoped kinds")
]
Kind = Annotated[str, Path(min_length=1, max_length=63, pattern=r"^[A-Za-z]+$", description="e.g. Deployment")]
Cluster = Annotated[str | None, Query(max_length=253, description="default: the configured cluster")]


@router.get("/impact/nodes/{name}", response_model=dict[str, Any], summary="The blast radius of losing a node")
def impact_of_node(_: ReadScope, store: StoreDep, settings: SettingsDep, name: Name, cluster: Cluster = None) -> Any:
    try:
        return impact.blast_radius_node(store, cluster_of(settings, cluster), name)
    except impact.TargetNotFound as exc:
        raise ApiProblem(404, str(exc)) from None


@router.get(
    "/impact/{kind}/{namespace}/{name}", response_model=dict[str, Any], summary="The blast radius of losing a resource"
)
def impact_of_resource(
    _: ReadScope,
    store: StoreDep,
    settings: SettingsDep,
    kind: Kind,
    namespace: Namespace,
    name: Name,
    cluster: Cluster = None,
) -> Any:
    try:
        return impact.blast_radius_resource(
            store, cluster_of(settings, cluster), kind, key_namespace(kind, namespace), name
        )
    except impact.TargetNotFound as exc:
        raise ApiProblem(404, str(exc)) from None


@router.get("/root-cause", response_model=RootCauses, summary="The ranked candidate causes of one event")
def root_cause(
    _: ReadScope,
    store: StoreDep,
    settings: SettingsDep,
    event_id: Annotated[str, Query(min_length=1, max_length=256)],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> RootCauses:
    try:
        causes = rootcause.rank_causes(store, event_id, limit=min(limit, settings.api.max_limit))
    except rootcause.EventNotFound as exc:
        raise ApiProblem(404, str(exc)) from None
    return RootCauses(event_id=event_id, causes=causes)


@router.get("/groups", response_model=Groups, summary="What is failing now, grouped by owner")
def failing_groups(
    _: ReadScope,
    store: StoreDep,
    settings: SettingsDep,
    cluster: Cluster = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Groups:
    clock_ms = event_clock(store, now_ms(), settings.ingest.max_future_ms)
    found = groups.failing_groups(store, cluster=cluster, limit=min(limit, settings.api.max_limit), now_ms=clock_ms)
    return Groups(cluster=cluster, groups=found)
