"""The app as a whole: token scopes, problem+json errors, a graph that is down, health, metrics, CORS, the web view."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from api.auth import Scope, TokenConfigError, TokenSet, hash_token, new_token
from causegraph.natsserver import NatsServer
from graph import GraphStore, open_store
from tests import apidata

READ_ROUTES = [
    "/api/v1/correlations",
    "/api/v1/correlations/corr-1",
    "/api/v1/correlations/corr-1/timeline",
    "/api/v1/correlations/corr-1/graph",
    "/api/v1/groups",
    "/api/v1/impact/nodes/node-1",
    "/api/v1/impact/Deployment/shop/frontend",
    "/api/v1/root-cause?event_id=ev-oom",
    "/api/v1/resources/Node/_/node-1",
    "/api/v1/resources?kind=Node",
]


@pytest.fixture
def toks() -> dict[str, str]:
    return apidata.tokens()


@pytest.fixture
def app(store: GraphStore, toks: dict[str, str]) -> Any:
    apidata.load_incident(store)
    return create_app(store, apidata.settings_with(toks["hashes"]))


def test_token_set_grants_write_as_read_too() -> None:
    token, line = new_token(Scope.WRITE)
    tokens = TokenSet.parse([line])
    assert tokens.scopes(token) == {Scope.READ, Scope.WRITE}
    assert tokens.scopes(token + "x") == frozenset()
    assert line == f"write:{hash_token(token)}" and token not in line


@pytest.mark.parametrize("entry", ["admin:" + "a" * 64, "read:abc", "read:" + "g" * 64, "a" * 64])
def test_token_set_rejects_bad_entries_naming_the_index(entry: str) -> None:
    with pytest.raises(TokenConfigError, match=r"api\.token_hashes\[1\]"):
        TokenSet.parse(["read:" + "0" * 64, entry])


@pytest.mark.parametrize("path", READ_ROUTES)
async def test_every_read_route_needs_a_token(app: Any, path: str) -> None:
    async with apidata.client(app) as c:
        r = await c.get(path)
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["www-authenticate"].startswith("Bearer")


async def test_unknown_token_is_401_and_read_token_cannot_write(app: Any, toks: dict[str, str]) -> None:
    async with apidata.client(app, "cg_not-a-token") as c:
        assert (await c.get("/api/v1/correlations")).status_code == 401
    async with apidata.client(app, toks["read"]) as c:
        r = await c.post("/api/v1/events", json={"id": "x"})
        assert r.status_code == 403
        assert "write" in r.json()["detail"]
        fb = await c.post("/api/v1/correlations/corr-1/feedback", json={"verdict": "correct"})
        assert fb.status_code == 403
    async with apidata.client(app, toks["write"]) as c:
        assert (await c.get("/api/v1/correlations")).status_code == 200


async def test_no_configured_token_means_no_access_and_says_how(store: GraphStore) -> None:
    app = create_app(store, apidata.settings_with("[]"))
    async with apidata.client(app, "anything") as c:
        r = await c.get("/api/v1/correlations")
    assert r.status_code == 401
    assert "--new-token" in r.json()["detail"]


async def test_graph_down_is_503_with_retry_after(tmp_path: Path, toks: dict[str, str]) -> None:
    down = open_store(str(tmp_path / "g.rdb"), graph_name=f"t_{uuid.uuid4().hex[:8]}")
    down.close()  # stops the embedded server this store started
    app = create_app(down, apidata.settings_with(toks["hashes"]))
    async with apidata.client(app, toks["read"]) as c:
        r = await c.get("/api/v1/correlations/corr-1")
        ready = await c.get("/readyz")
    assert r.status_code == 503
    assert r.headers["retry-after"] == "5"
    assert r.headers["content-type"] == "application/problem+json"
    assert "Traceback" not in r.text and "redis" not in r.text.lower()
    assert ready.status_code == 503 and ready.json()["checks"]["graph"] == "unreachable"


async def test_store_not_open_yet_is_503(toks: dict[str, str]) -> None:
    app = create_app(None, apidata.settings_with(toks["hashes"]))
    async with apidata.client(app, toks["read"]) as c:
        r = await c.get("/api/v1/correlations")
    assert r.status_code == 503 and "retry-after" in r.headers


async def test_unknown_route_and_method_are_problems(app: Any, toks: dict[str, str]) -> None:
    async with apidata.client(app, toks["read"]) as c:
        missing = await c.get("/api/v1/nothing-here")
        wrong = await c.delete("/api/v1/correlations")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert wrong.status_code == 405 and wrong.headers["content-type"] == "application/problem+json"


async def test_health_and_readiness_with_nats(store: GraphStore, toks: dict[str, str], nats_server: NatsServer) -> None:
    import nats

    nc = await nats.connect(nats_server.url)
    app = create_app(store, apidata.settings_with(toks["hashes"]), nats=nc)
    async with apidata.client(app) as c:
        assert (await c.get("/healthz")).json() == {"status": "ok", "checks": {}}
        ready = await c.get("/readyz")
        assert ready.status_code == 200 and ready.json()["checks"] == {"graph": "ok", "nats": "ok"}
        await nc.close()
        gone = await c.get("/readyz")
    assert gone.status_code == 503 and gone.json()["checks"]["nats"] == "disconnected"


async def test_metrics_exposes_the_process_counters(app: Any, toks: dict[str, str]) -> None:
    services = app.state.services
    services.metrics.events_in.labels(source="nats").inc(7)
    services.metrics.consumer_lag.set(3)
    async with apidata.client(app, toks["read"]) as c:
        await c.get("/api/v1/correlations")
        r = await c.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert 'causegraph_events_in_total{source="nats"} 7.0' in text
    assert "causegraph_consumer_lag 3.0" in text
    assert "causegraph_results_published_total" in text
    assert "causegraph_correlation_seconds_bucket" in text
    assert 'route="/api/v1/correlations",status="2xx"' in text


async def test_each_app_has_its_own_registry(store: GraphStore, toks: dict[str, str]) -> None:
    a = create_app(store, apidata.settings_with(toks["hashes"]))
    b = create_app(store, apidata.settings_with(toks["hashes"]))
    a.state.services.metrics.results_published.inc()
    assert b.state.services.metrics.results_published._value.get() == 0


async def test_cors_is_off_unless_configured(store: GraphStore, toks: dict[str, str]) -> None:
    origin = {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    off = create_app(store, apidata.settings_with(toks["hashes"]))
    on = create_app(store, apidata.settings_with(toks["hashes"], cors_origins=["https://ops.example"]))
    async with apidata.client(off) as c:
        r = await c.get("/healthz", headers=origin)
        assert "access-control-allow-origin" not in r.headers
    async with apidata.client(on) as c:
        ok = await c.options("/api/v1/correlations", headers={**origin, "Origin": "https://ops.example"})
        assert ok.headers["access-control-allow-origin"] == "https://ops.example"
        bad = await c.get("/healthz", headers=origin)
        assert "access-control-allow-origin" not in bad.headers


async def test_web_view_and_openapi_are_served(app: Any) -> None:
    async with apidata.client(app) as c:
        page = await c.get("/")
        js = await c.get("/app.js")
        doc = await c.get("/openapi.json")
        docs = await c.get("/docs")
    assert page.status_code == 200 and "<title>causegraph</title>" in page.text
    assert js.status_code == 200 and "innerHTML" not in js.text  # data is set as text, never parsed as HTML
    assert docs.status_code == 200
    spec = doc.json()
    assert "/api/v1/correlations/{correlation_id}/timeline" in spec["paths"]
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert json.dumps(spec).count("/healthz") == 1


async def test_nul_characters_are_refused_before_the_graph(app: Any, toks: dict[str, str]) -> None:
    async with apidata.client(app, toks["write"]) as c:
        r = await c.get("/api/v1/root-cause", params={"event_id": "a\x00b"})
        fb = await c.post("/api/v1/correlations/corr-1/feedback", json={"verdict": "correct", "comment": "x\x00"})
    assert r.status_code == 422 and "NUL" in r.json()["detail"]
    assert fb.status_code == 422
