"""``/api/v1/resources``: a resource, its neighbourhood by depth (bounded), its events; never a secret value."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from api.app import create_app
from graph import GraphStore
from tests import apidata


@pytest.fixture
async def api(store: GraphStore) -> AsyncIterator[Any]:
    toks = apidata.tokens()
    apidata.load_incident(store)
    app = create_app(store, apidata.settings_with(toks["hashes"], max_depth=2))
    async with apidata.client(app, toks["read"]) as c:
        yield c


async def test_pod_with_depth_one(api: Any) -> None:
    r = await api.get("/api/v1/resources/Pod/shop/redis-cart-7d9f-abcde", params={"depth": 1})
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["resource"]["name"] == "redis-cart-7d9f-abcde" and "_labels" not in view["resource"]
    names = {(n["kind"], n["name"], n["depth"]) for n in view["nodes"]}
    assert ("Node", "node-1", 1) in names
    assert ("Service", "redis-cart", 1) in names
    assert ("Secret", "redis-password", 1) in names
    edges = {(e["source"], e["type"], e["target"]) for e in view["edges"]}
    assert ("uid-service-redis-cart", "SELECTS", "uid-pod-redis-cart-7d9f-abcde") in edges
    assert [e["id"] for e in view["events"]] == ["ev-oom"]


async def test_depth_two_reaches_the_callers_and_is_bounded_by_settings(api: Any) -> None:
    two = (await api.get("/api/v1/resources/Pod/shop/redis-cart-7d9f-abcde", params={"depth": 2})).json()
    names = {n["name"] for n in two["nodes"]}
    assert "cartservice" in names and "cartservice-5c6b-fghij" in names  # via the service's CALLS, the node's pods
    assert max(n["depth"] for n in two["nodes"]) == 2
    four = (await api.get("/api/v1/resources/Pod/shop/redis-cart-7d9f-abcde", params={"depth": 4})).json()
    assert four["depth"] == 2  # api.max_depth
    too_deep = await api.get("/api/v1/resources/Pod/shop/redis-cart-7d9f-abcde", params={"depth": 50})
    assert too_deep.status_code == 422


async def test_node_limit_truncates(api: Any) -> None:
    view = (await api.get("/api/v1/resources/Node/_/node-1", params={"depth": 2, "limit": 3})).json()
    assert len(view["nodes"]) == 3 and view["truncated"] is True


async def test_cluster_scoped_and_missing(api: Any) -> None:
    assert (await api.get("/api/v1/resources/Node/_/node-1")).json()["resource"]["kind"] == "Node"
    missing = await api.get("/api/v1/resources/Pod/shop/nope")
    assert missing.status_code == 404 and "prod/Pod/shop/nope" in missing.json()["detail"]


async def test_secret_values_never_leave(api: Any, store: GraphStore) -> None:
    # Even if a loader had stored a value, the API does not show it.
    store.run("MATCH (s:Secret {name: 'redis-password'}) SET s.data = 'hunter2', s.value = 'hunter2'")
    r = await api.get("/api/v1/resources/Secret/shop/redis-password", params={"depth": 1})
    assert r.status_code == 200
    assert "hunter2" not in r.text
    assert r.json()["resource"]["data_keys"] == ["password"]


async def test_list_by_kind_for_pickers(api: Any) -> None:
    r = await api.get("/api/v1/resources", params={"kind": "Service"})
    assert [i["name"] for i in r.json()["items"]] == ["cartservice", "frontend", "redis-cart"]
    nodes = await api.get("/api/v1/resources", params={"kind": "Node", "prefix": "node-"})
    assert nodes.json()["items"] == [{"kind": "Node", "namespace": "", "name": "node-1"}]


async def test_resources_and_impact_resolve_a_node_to_the_same_key(api: Any) -> None:
    """``/resources/Node/default/n`` and ``/impact/Node/default/n`` use the one key rule (a Node has no namespace)."""
    seen = await api.get("/api/v1/resources/Node/default/node-1")
    hit = await api.get("/api/v1/impact/Node/default/node-1")
    assert seen.status_code == 200 and hit.status_code == 200, (seen.text, hit.text)
    assert seen.json()["resource"]["key"] == "prod/Node//node-1"
    assert hit.json()["target"]["uid"] == seen.json()["resource"]["uid"]
