"""``/resources``: pick resources by kind, and one resource with its neighbourhood and latest events."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api import problems, views
from api.deps import ReadScope, SettingsDep, StoreDep, cluster_of
from api.models import ResourceList, ResourceView
from api.problems import ApiProblem
from model.resource import resource_key

router = APIRouter(prefix="/resources", tags=["resources"], responses=problems.COMMON)

Cluster = Annotated[str | None, Query(max_length=253, description="default: the configured cluster")]


@router.get("", response_model=ResourceList, summary="Live resources of one kind (for pickers)")
def list_resources(
    _: ReadScope,
    store: StoreDep,
    settings: SettingsDep,
    kind: Annotated[str, Query(min_length=1, max_length=63, pattern=r"^[A-Za-z]+$")],
    namespace: Annotated[str | None, Query(max_length=253)] = None,
    prefix: Annotated[str | None, Query(max_length=253)] = None,
    cluster: Cluster = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ResourceList:
    rows = store.query(
        "list_resources",
        {
            "kind": kind,
            "cluster": cluster_of(settings, cluster),
            "namespace": namespace,
            "prefix": prefix or None,
            "limit": min(limit, settings.api.max_limit),
        },
    )
    rows.sort(key=lambda r: (r["namespace"] or "", r["name"] or ""))
    return ResourceList.model_validate({"items": [{**r, "namespace": r["namespace"] or ""} for r in rows]})


@router.get(
    "/{kind}/{namespace}/{name}", response_model=ResourceView, summary="A resource and its neighbourhood (`_` = no ns)"
)
def get_resource(
    _: ReadScope,
    store: StoreDep,
    settings: SettingsDep,
    kind: Annotated[str, Path(min_length=1, max_length=63, pattern=r"^[A-Za-z]+$")],
    namespace: Annotated[str, Path(min_length=1, max_length=253)],
    name: Annotated[str, Path(min_length=1, max_length=253)],
    depth: Annotated[int, Query(ge=0, le=4, description="hops (bounded by api.max_depth)")] = 1,
    limit: Annotated[int, Query(ge=1, le=500, description="at most this many nodes")] = 100,
    cluster: Cluster = None,
) -> ResourceView:
    key = resource_key(cluster_of(settings, cluster), kind, namespace, name)
    found = store.query("resource_by_key", {"key": key})
    if not found:
        raise ApiProblem(404, f"no resource with key {key!r}")
    start = found[0]["resource"]
    depth = min(depth, settings.api.max_depth)
    size = min(limit, settings.api.max_limit)
    hops: list[list[dict[str, Any]]] = []
    result = views.neighbourhood(start, hops, size)
    edge_frontier = [str(start["uid"])]
    for d in range(1, depth + 1):
        if not edge_frontier:
            break
        hops.append(store.query("resource_neighbourhood", {"uids": edge_frontier, "limit": size * 4}))
        result = views.neighbourhood(start, hops, size)
        if result["truncated"]:
            break
        edge_frontier = views.frontier(result, d)
    events = store.query("resource_events", {"uid": str(start["uid"]), "limit": 20})
    return ResourceView.model_validate(
        {"resource": views.clean_props(start), "depth": depth, **result, "events": events}
    )
