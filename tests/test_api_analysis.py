"""Blast radius, root causes and failing groups over HTTP: the CLI's content, 404 problems for unknown targets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from api.app import create_app
from correlate import impact
from graph import GraphStore
from graph.querybuilder import merge_nodes, merge_rels
from graph.schema import Label, Rel
from tests import apidata


@pytest.fixture
async def api(store: GraphStore) -> AsyncIterator[Any]:
    toks = apidata.tokens()
    apidata.load_incident(store)
    app = create_app(store, apidata.settings_with(toks["hashes"]))
    async with apidata.client(app, toks["read"]) as c:
        yield c


async def test_node_blast_radius_is_the_same_as_the_cli(api: Any, store: GraphStore) -> None:
    r = await api.get("/api/v1/impact/nodes/node-1")
    assert r.status_code == 200
    assert r.json() == impact.blast_radius_node(store, "prod", "node-1")
    assert {p["name"] for p in r.json()["pods"]} == {p["name"] for p in apidata.PODS.values()}


async def test_resource_blast_radius_and_upstream(api: Any, store: GraphStore) -> None:
    r = await api.get("/api/v1/impact/Deployment/shop/redis-cart")
    assert r.status_code == 200
    body = r.json()
    assert body == impact.blast_radius_resource(store, "prod", "Deployment", "shop", "redis-cart")
    status = {s["name"]: s["status"] for s in body["services"]}
    assert status["redis-cart"] == "down" and status["cartservice"] == "upstream"


@pytest.mark.parametrize(
    "path", ["/api/v1/impact/nodes/nope", "/api/v1/impact/Deployment/shop/nope", "/api/v1/root-cause?event_id=nope"]
)
async def test_unknown_targets_are_404_problems(api: Any, path: str) -> None:
    r = await api.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert "nope" in r.json()["detail"]


async def test_bad_names_are_rejected_before_the_graph(api: Any) -> None:
    assert (await api.get("/api/v1/impact/nodes/a b")).status_code == 422
    assert (await api.get("/api/v1/impact/Deploy-ment/shop/x")).status_code == 422


async def test_root_cause_ranks_the_oom_first(api: Any) -> None:
    r = await api.get("/api/v1/root-cause", params={"event_id": "ev-front", "limit": 2})
    assert r.status_code == 200
    causes = r.json()["causes"]
    assert len(causes) == 2 and causes[0]["event_id"] == "ev-oom"
    assert (await api.get("/api/v1/root-cause", params={"event_id": "ev-front", "limit": 1000})).status_code == 422


async def test_groups_name_the_owner_of_failing_pods(api: Any, store: GraphStore) -> None:
    assert (await api.get("/api/v1/groups")).json()["groups"] == []
    store.run("MATCH (p:Pod {name: 'frontend-6f7d-klmno'}) SET p.ready = false")
    groups = (await api.get("/api/v1/groups", params={"cluster": "prod"})).json()["groups"]
    assert [(g["owner"]["kind"], g["owner"]["name"]) for g in groups] == [("Deployment", "frontend")]


async def test_a_far_future_event_in_the_graph_does_not_become_now(api: Any, store: GraphStore) -> None:
    front = apidata.PODS["front"]["uid"]
    warning = {**apidata.event("ev-warn", "front", 60, "BackOff", "error", "back-off"), "severity_rank": 6}
    store.write(merge_nodes(Label.EVENT), [warning])
    store.write(merge_rels(Rel.ABOUT), [{"from": "ev-warn", "to": front}])
    groups = (await api.get("/api/v1/groups")).json()["groups"]
    assert [g["owner"]["name"] for g in groups] == ["frontend"]
    year_9999 = 253_402_300_799_000
    future = {**warning, "id": "ev-9999", "reason": "ClockAhead", "ts": year_9999, "last_ts": year_9999}
    store.write(merge_nodes(Label.EVENT), [future])
    store.write(merge_rels(Rel.ABOUT), [{"from": "ev-9999", "to": front}])
    groups = (await api.get("/api/v1/groups")).json()["groups"]
    assert [g["owner"]["name"] for g in groups] == ["frontend"]
    assert "BackOff" in groups[0]["reasons"]  # the warning at T0+60s is still recent: "now" did not jump to 9999
