"""``POST /api/v1/events`` through the real pipeline: each rejected item listed with its index and reason, bad
bodies as 4xx problems, never a 500."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from api.app import create_app
from graph import GraphStore
from ingest.eventwriter import EventWriter
from ingest.loader import TopologyLoader
from ingest.pipeline import Pipeline
from tests import apidata
from tests import scenario_events as sc

URL = "/api/v1/events"


@pytest.fixture
async def api(store: GraphStore) -> AsyncIterator[Any]:
    toks = apidata.tokens()
    pipeline = Pipeline(store, TopologyLoader(store, sc.CLUSTER), EventWriter(store, sc.CLUSTER))
    app = create_app(store, apidata.settings_with(toks["hashes"]), pipeline=pipeline)
    async with apidata.client(app, toks["write"]) as c:
        yield c


def _change(**meta: Any) -> dict[str, Any]:
    obj = sc.pod("w-1", "uid-w-1", "10.0.0.77", {"app": "w"})
    obj["metadata"].update(meta)
    return {"type": "ADDED", "object": obj, "observed_at": sc.iso(sc.T0)}


async def test_each_rejected_item_is_listed_with_its_index_and_reason(api: Any, store: GraphStore) -> None:
    items = [
        sc.unified("ok-1", sc.T0),
        sc.unified("x" * 600, sc.T0),
        _change(namespace=["x"]),
        sc.unified("future", 253_402_300_799_000),
        _change(name="w\ud800"),
        sc.unified("ok-2", sc.T0),
    ]
    body = json.dumps(items)  # ASCII: the lone surrogate travels as the escape \ud800, as a client would send it
    r = await api.post(URL, content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 202
    answer = r.json()
    assert (answer["accepted"], answer["rejected"]) == (2, 4)
    assert [e["index"] for e in answer["errors"]] == [1, 2, 3, 4]
    reasons = [e["reason"] for e in answer["errors"]]
    assert reasons[0].startswith("id: 600 characters")
    assert reasons[1].startswith("object.metadata.namespace: expected a string, got an array")
    assert reasons[2].startswith("timestamp: ")
    assert reasons[3].startswith("object.metadata.name: not valid Unicode")
    assert store.run("MATCH (e:Event) RETURN e.id AS id ORDER BY id") == [{"id": "ok-1"}, {"id": "ok-2"}]


async def test_a_deeply_nested_body_is_a_400_problem(api: Any) -> None:
    body = '{"id": "deep", "tags": ' + "[" * 10_000 + "]" * 10_000 + "}"
    r = await api.post(URL, content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    assert "nests deeper" in r.json()["detail"]


async def test_an_item_nested_past_the_limit_is_rejected_alone(api: Any) -> None:
    deep: Any = []
    for _ in range(100):
        deep = [deep]
    r = await api.post(URL, json=[{**sc.unified("d", sc.T0), "tags": deep}, sc.unified("ok", sc.T0)])
    assert r.status_code == 202
    assert r.json()["errors"] == [{"index": 0, "reason": "nesting: deeper than 64 levels"}]
    assert r.json()["accepted"] == 1
