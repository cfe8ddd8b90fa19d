"""``/api/v1/correlations`` on the real embedded graph: list filters, cursor paging, one, timeline, graph, feedback."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from api.app import create_app
from graph import GraphStore
from graph.querybuilder import merge_nodes
from graph.schema import Label
from tests import apidata
from tests.apidata import T0, correlation_row

BASE = "/api/v1/correlations"
WINDOW = {"since": str(T0 - 3_600_000), "until": str(T0 + 3_600_000)}


@pytest.fixture
def toks() -> dict[str, str]:
    return apidata.tokens()


@pytest.fixture
async def api(store: GraphStore, toks: dict[str, str]) -> AsyncIterator[Any]:
    apidata.load_incident(store)
    app = create_app(store, apidata.settings_with(toks["hashes"]))
    async with apidata.client(app, toks["read"]) as c:
        c.app = app
        yield c


async def test_list_returns_the_result_document(api: Any) -> None:
    r = await api.get(BASE, params=WINDOW)
    assert r.status_code == 200
    page = r.json()
    assert [c["id"] for c in page["items"]] == ["corr-1"]
    assert page["items"][0]["root_cause"]["event_id"] == "ev-oom"
    assert page["next_cursor"] is None


async def test_default_window_ends_now_so_old_incidents_need_since(api: Any) -> None:
    r = await api.get(BASE)
    assert r.status_code == 200
    assert r.json()["items"] == []  # T0 is in 2026-05, older than the default 31-day window before now


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "active"}, ["corr-1"]),
        ({"state": "resolved"}, []),
        ({"type": "cascading_failure"}, ["corr-1"]),
        ({"type": "node_failure"}, []),
        ({"severity": "critical"}, ["corr-1"]),
        ({"severity": "low"}, []),
        ({"namespace": "shop"}, ["corr-1"]),
        ({"namespace": "other"}, []),
        ({"since": str(T0 + 60_000)}, []),
        ({"until": "2026-05-01T09:59:00Z", "since": "2026-05-01T09:00:00Z"}, []),
        ({"until": "2026-05-01T10:00:10Z", "since": "2026-05-01T09:00:00Z"}, ["corr-1"]),
    ],
)
async def test_filters(api: Any, params: dict[str, str], expected: list[str]) -> None:
    r = await api.get(BASE, params={**WINDOW, **params})
    assert r.status_code == 200, r.text
    assert [c["id"] for c in r.json()["items"]] == expected


async def test_cursor_pages_through_everything_once(api: Any, store: GraphStore) -> None:
    rows = [correlation_row(f"corr-p{i:02d}", T0 + 1000 * (i // 2)) for i in range(25)]  # ties on last_seen
    store.write(merge_nodes(Label.CORRELATION), rows)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {**WINDOW, "limit": "7", **({"cursor": cursor} if cursor else {})}
        r = await api.get(BASE, params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        seen += [c["id"] for c in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted([r["id"] for r in rows] + ["corr-1"])
    assert len(seen) == len(set(seen)) == 26
    assert pages == 4


def _cursor(value: Any) -> str:
    """A cursor as the API encodes one, around any JSON (``\\ud800`` stays an escape: the JSON is ASCII)."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"state": "burning"}, "state"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2020-01-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "range"),
        ({"since": str(T0), "until": str(T0 - 1)}, "since"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"since": "9" * 5000}, "since"),
        ({"since": "²"}, "since"),
        ({"until": "-" + "1" * 40}, "until"),
        ({"cursor": _cursor([T0, "a\ud800b"])}, "cursor"),
        ({"cursor": _cursor([10**400, "x"])}, "cursor"),
        ({"limit": "100000"}, "limit"),
        ({"limit": "0"}, "limit"),
    ],
)
async def test_bad_parameters_are_problems(api: Any, params: dict[str, str], fragment: str) -> None:
    r = await api.get(BASE, params=params)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert fragment in r.json()["detail"]


async def test_limit_is_bounded_by_settings(store: GraphStore, toks: dict[str, str]) -> None:
    store.write(merge_nodes(Label.CORRELATION), [correlation_row(f"c{i}", T0 + i) for i in range(5)])
    app = create_app(store, apidata.settings_with(toks["hashes"], max_limit=2))
    async with apidata.client(app, toks["read"]) as c:
        r = await c.get(BASE, params={**WINDOW, "limit": "50"})
    assert len(r.json()["items"]) == 2
    assert r.json()["next_cursor"]


async def test_one_and_unknown(api: Any) -> None:
    r = await api.get(f"{BASE}/corr-1")
    assert r.status_code == 200
    assert r.json()["related_events"] == ["ev-oom", "ev-cart", "ev-front"]
    missing = await api.get(f"{BASE}/corr-nope")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert "corr-nope" in missing.json()["detail"]


async def test_timeline_in_time_order_with_the_root_marked(api: Any) -> None:
    r = await api.get(f"{BASE}/corr-1/timeline")
    assert r.status_code == 200
    events = r.json()["events"]
    assert [e["id"] for e in events] == ["ev-oom", "ev-cart", "ev-front"]
    assert [e["root"] for e in events] == [True, False, False]
    assert events[0]["role"] == "root"
    assert events[1]["link"] == "calls" and events[1]["weight"] == pytest.approx(0.8)
    assert events[0]["resource"]["name"] == "redis-cart-7d9f-abcde"
    assert r.json()["root_event_id"] == "ev-oom"


async def test_graph_has_resources_events_topology_and_chain(api: Any) -> None:
    r = await api.get(f"{BASE}/corr-1/graph")
    assert r.status_code == 200
    g = r.json()
    by_id = {n["id"]: n for n in g["nodes"]}
    names = {n["name"] for n in g["nodes"] if n["type"] == "resource"}
    assert {"redis-cart-7d9f-abcde", "cartservice-5c6b-fghij", "frontend", "node-1", "redis-cart"} <= names
    assert "impacted" in by_id["uid-service-frontend"]["roles"]
    assert by_id["event:ev-oom"]["roles"] == ["root"]
    edges = {(e["source"], e["type"], e["target"]) for e in g["edges"]}
    assert ("uid-pod-redis-cart-7d9f-abcde", "RUNS_ON", "uid-node-node-1") in edges
    assert ("uid-service-cartservice", "CALLS", "uid-service-redis-cart") in edges
    assert ("event:ev-oom", "ABOUT", "uid-pod-redis-cart-7d9f-abcde") in edges
    assert ("event:ev-oom", "CHAIN", "event:ev-cart") in edges
    assert all(e["source"] in by_id and e["target"] in by_id for e in g["edges"])


async def test_feedback_is_stored_beside_the_correlation(api: Any, store: GraphStore, toks: dict[str, str]) -> None:
    body = {"verdict": "wrong_root_cause", "event_id": "ev-cart", "comment": "cart deploy was first"}
    denied = await api.post(f"{BASE}/corr-1/feedback", json=body)
    assert denied.status_code == 403
    r = await api.post(f"{BASE}/corr-1/feedback", json=body, headers={"Authorization": f"Bearer {toks['write']}"})
    assert r.status_code == 201, r.text
    assert r.json()["verdict"] == "wrong_root_cause"
    stored = store.run(
        "MATCH (f:Feedback)-[:FEEDBACK_ON]->(c:Correlation {id: 'corr-1'}) RETURN f.verdict AS v, f.event_id AS e"
    )
    assert stored == [{"v": "wrong_root_cause", "e": "ev-cart"}]


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("corr-1", {"verdict": "wrong_root_cause"}, 422),
        ("corr-1", {"verdict": "wrong_root_cause", "event_id": "ev-none"}, 422),
        ("corr-1", {"verdict": "meh"}, 422),
        ("corr-1", {"verdict": "correct", "extra": 1}, 422),
        ("corr-none", {"verdict": "correct"}, 404),
    ],
)
async def test_bad_feedback(api: Any, toks: dict[str, str], path: str, body: dict[str, Any], status: int) -> None:
    r = await api.post(f"{BASE}/{path}/feedback", json=body, headers={"Authorization": f"Bearer {toks['write']}"})
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
