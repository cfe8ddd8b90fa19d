"""``POST /api/v1/alerts/alertmanager`` through the real pipeline and correlator: alerts become events about the
pods and nodes their labels name, a bad alert is that alert's problem, a bad payload a 422 problem, a re-sent alert
updates its event, and a resolved root alert resolves its correlation."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from api.app import create_app
from causegraph.settings import CorrelateSettings
from correlate.engine import Engine
from graph import GraphStore
from ingest.eventwriter import EventWriter
from ingest.loader import TopologyLoader
from ingest.pipeline import Pipeline
from tests import apidata
from tests.apidata import CLUSTER, NODE, NS, PODS

URL = "/api/v1/alerts/alertmanager"


def iso(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d}Z"


def am_alert(name: str, at_ms: int, fingerprint: str, ends_ms: int = 0, **labels: str) -> dict[str, Any]:
    return {
        "status": "resolved" if ends_ms else "firing",
        "labels": {"alertname": name, **labels},
        "annotations": {"summary": f"{name} fired"},
        "startsAt": iso(at_ms),
        "endsAt": iso(ends_ms) if ends_ms else "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph",
        "fingerprint": fingerprint,
    }


def payload(*alerts: dict[str, Any]) -> dict[str, Any]:
    return {"version": "4", "receiver": "causegraph", "status": "firing", "groupKey": "{}:{}", "alerts": list(alerts)}


class Api:
    def __init__(self, client: Any, read: Any, engine: Engine, app: Any) -> None:
        self.client, self.read, self.engine, self.app = client, read, engine, app


@pytest.fixture
async def api(store: GraphStore) -> AsyncIterator[Api]:
    apidata.load_incident(store)
    toks = apidata.tokens()
    engine = Engine(store, CorrelateSettings(disorder_ms=0), CLUSTER)
    pipeline = Pipeline(store, TopologyLoader(store, CLUSTER), EventWriter(store, CLUSTER))
    settings = apidata.settings_with(toks["hashes"])
    app = create_app(store, settings, pipeline=pipeline, on_stored=lambda s: engine.process(s))
    async with apidata.client(app, toks["write"]) as c, apidata.client(app, toks["read"]) as r:
        yield Api(c, r, engine, app)


async def test_alerts_become_events_about_their_pods_a_bad_one_is_listed(api: Api, store: GraphStore) -> None:
    now = int(time.time() * 1000) - 60_000
    body = payload(
        am_alert("KubePodCrashLooping", now, "fp-cart", namespace=NS, pod=PODS["cart"]["name"], service="ksm"),
        {"labels": {"namespace": NS}, "startsAt": iso(now)},
        am_alert("KubePodNotReady", now, "fp-ghost", namespace=NS, pod="ghost-0"),
    )
    r = await api.client.post(URL, json=body)
    assert r.status_code == 202, r.text
    answer = r.json()
    assert (answer["accepted"], answer["rejected"], answer["unlinked"]) == (2, 1, 1)
    assert answer["errors"] == [{"index": 1, "reason": "labels.alertname: missing"}]
    rows = store.run(
        "MATCH (e:Event {source_kind: 'alert'}) OPTIONAL MATCH (e)-[:ABOUT]->(r:Resource) "
        "RETURN e.reason AS reason, e.source_kind AS kind, r.name AS about ORDER BY reason"
    )
    assert rows == [
        {"reason": "KubePodCrashLooping", "kind": "alert", "about": PODS["cart"]["name"]},
        {"reason": "KubePodNotReady", "kind": "alert", "about": None},
    ]
    again = await api.client.post(URL, json=body)  # Alertmanager re-sends every repeat_interval
    assert again.json()["accepted"] == 2
    assert store.run("MATCH (e:Event {source_kind: 'alert'}) RETURN count(e) AS n") == [{"n": 2}]
    metrics = (await api.client.get("/metrics")).text
    assert 'causegraph_alerts_in_total{status="firing"} 4.0' in metrics
    assert "causegraph_alerts_unlinked_total 2.0" in metrics
    assert 'causegraph_events_rejected_total{source="alertmanager"} 2.0' in metrics


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"version": "4", "alerts": "x"}, 422, "alerts: expected an array"),
        ({"version": "4"}, 422, "alerts: missing"),
        ([{"alerts": []}], 422, "expected an Alertmanager webhook payload"),
        ({"version": "2", "alerts": []}, 422, "version: '2'"),
    ],
)
async def test_a_bad_payload_is_a_problem_naming_the_field(api: Api, body: Any, status: int, detail: str) -> None:
    r = await api.client.post(URL, json=body)
    assert r.status_code == status and r.headers["content-type"] == "application/problem+json"
    assert detail in r.json()["detail"]


async def test_write_scope_is_required(api: Api) -> None:
    assert (await api.read.post(URL, json=payload())).status_code == 403
    async with apidata.client(api.app) as anonymous:
        assert (await anonymous.post(URL, json=payload())).status_code == 401
    assert (await api.client.post(URL, json=payload())).json() == {
        "accepted": 0,
        "rejected": 0,
        "errors": [],
        "correlations": [],
        "unlinked": 0,
    }


async def test_alerts_correlate_and_the_resolved_root_alert_resolves_the_incident(api: Api) -> None:
    t0 = int(time.time() * 1000) - 600_000
    node = am_alert("KubeNodeNotReady", t0, "fp-node", node=NODE["name"], severity="critical")
    cart = am_alert("KubePodCrashLooping", t0 + 20_000, "fp-cart", namespace=NS, pod=PODS["cart"]["name"])
    front = am_alert("KubePodCrashLooping", t0 + 30_000, "fp-front", namespace=NS, pod=PODS["front"]["name"])
    r = await api.client.post(URL, json=payload(node, cart, front))
    assert r.status_code == 202 and r.json()["accepted"] == 3
    [corr] = [c for c in api.engine.open_correlations() if len(c.members) == 3]
    assert corr.state == "active"
    assert api.engine.core.root_of(corr).reason == "KubeNodeNotReady"
    resolved = am_alert("KubeNodeNotReady", t0, "fp-node", ends_ms=t0 + 300_000, node=NODE["name"])
    r = await api.client.post(URL, json=payload(resolved))
    assert r.status_code == 202 and r.json()["accepted"] == 2  # the alert's event, updated, and its recovery
    assert corr.id in r.json()["correlations"]
    assert corr.state == "resolved"


@pytest.mark.falkordb_only
def test_any_json_body_is_stored_alerts_or_a_problem(store: GraphStore) -> None:
    """Fuzzed bodies (tests/test_alerts.py's strategies) through the real route and pipeline: a 202 whose counts add
    up, or a 4xx problem; never a 500."""
    import asyncio

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from tests.test_alerts import ALERTISH, JSON

    toks = apidata.tokens()
    pipeline = Pipeline(store, TopologyLoader(store, CLUSTER), EventWriter(store, CLUSTER))
    app = create_app(store, apidata.settings_with(toks["hashes"]), pipeline=pipeline)

    async def post(body: Any) -> Any:
        async with apidata.client(app, toks["write"]) as client:
            # json.dumps writes NaN and Infinity as JavaScript does; the route must take or refuse them too
            return await client.post(URL, content=json.dumps(body), headers={"Content-Type": "application/json"})

    bodies = st.one_of(JSON, st.fixed_dictionaries({"version": st.just("4"), "alerts": st.lists(ALERTISH, max_size=4)}))

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(body=bodies)
    def check(body: Any) -> None:
        r = asyncio.run(post(body))
        assert r.status_code in (202, 400, 422), r.text
        if r.status_code == 202:
            answer = r.json()
            n = len(body["alerts"])
            assert answer["rejected"] <= n and len(answer["errors"]) == answer["rejected"]
            assert all(0 <= e["index"] < n for e in answer["errors"])
        else:
            assert r.headers["content-type"] == "application/problem+json" and r.json()["detail"]

    check()
