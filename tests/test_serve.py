"""``causegraph serve``'s runtime on a real nats-server and the embedded graph: events in over NATS and HTTP,
correlated, published on NATS, counted in /metrics; flags switch parts off; a clean stop acks and closes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest

from causegraph.cli import build_parser
from causegraph.commands.serve import apply_flags, build_app
from causegraph.natsserver import NatsServer, free_port
from causegraph.settings import Settings
from correlate.engine import Engine
from graph import GraphStore, open_store
from graph.embedded import alive
from ingest.pipeline import IngestResult, Pipeline
from model.result import CorrelationResult
from tests import apidata
from tests.apidata import PODS
from tests.fakekube import FakeKube, obj, pod
from tests.serveproc import Served, graph_server_pid, start_serve


def unified(
    ident: str, pod: str, offset_s: int, reason: str, severity: str, now_ms: int, message: str = ""
) -> dict[str, Any]:
    p = PODS[pod]
    return {
        "id": ident,
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now_ms / 1000 + offset_s)) + "Z",
        "type": "kubernetes",
        "source": "test",
        "severity": severity,
        "message": message or f"{reason} on {p['name']}",
        "kubernetes": {"reason": reason, "event_type": "Warning", "object_kind": "Pod"},
        "k8s_context": {"kind": "Pod", "name": p["name"], "namespace": p["namespace"], "uid": p["uid"]},
    }


def settings_for(nats_url: str, hashes: str) -> Settings:
    s = apidata.settings_with(hashes)
    s.nats.url = nats_url
    s.nats.stream = "TRACES"
    s.serve.tick_s = 0.2
    return s


@pytest.fixture
def toks() -> dict[str, str]:
    return apidata.tokens()


def test_flags_override_settings_and_none_switches_parts_off() -> None:
    args = build_parser().parse_args(
        ["serve", "--graph", "/tmp/x.rdb", "--nats", "none", "--kubernetes", "none", "--port", "9999"]
    )
    s = apply_flags(args, Settings())
    assert s.graph.url == "/tmp/x.rdb" and s.api.port == 9999
    assert not s.serve.nats_ingest and not s.serve.publisher and not s.serve.kubernetes_watch
    assert s.serve.correlator
    assert Settings().api.port != 9999  # the caller's settings are untouched


def test_new_token_prints_a_token_and_its_hash(capsys: pytest.CaptureFixture[str]) -> None:
    from causegraph.cli import main

    assert main(["serve", "--new-token", "read"]) == 0
    out = capsys.readouterr().out
    token = out.split("token:")[1].split()[0]
    from api.auth import hash_token

    assert f"read:{hash_token(token)}" in out


def together(results: list[dict[str, Any]]) -> bool:
    """Whether one published result holds both events of the played incident (a restart also resolves the stored
    correlation the earlier process left open, so other results come too)."""
    return any({"n-oom", "h-cart"} <= set(r["related_events"]) for r in results)


def test_serve_ingests_correlates_publishes_and_stops_cleanly(
    store: GraphStore, nats_server: NatsServer, toks: dict[str, str]
) -> None:
    apidata.load_incident(store)
    settings = settings_for(nats_server.url, toks["hashes"])
    app, runtime = build_app(settings, store=store)
    now = int(time.time() * 1000) - 60_000
    auth = {"Authorization": f"Bearer {toks['write']}"}
    with Served(app) as url:
        ready = httpx.get(f"{url}/readyz")
        assert ready.status_code == 200 and ready.json()["checks"] == {"graph": "ok", "nats": "ok"}

        async def publish_and_listen() -> list[dict[str, Any]]:
            nc = await nats.connect(nats_server.url)
            js = nc.jetstream()
            sub = await nc.subscribe("correlations.results")
            await js.publish(
                "traces.t-1.ebpf", json.dumps(unified("n-oom", "redis", 0, "OOMKilled", "critical", now)).encode()
            )
            await js.publish("traces.t-1.ebpf", b"{not json")
            got: list[dict[str, Any]] = []
            async with httpx.AsyncClient() as http:
                r = await http.post(
                    f"{url}/api/v1/events",
                    json=[
                        unified(
                            "h-cart", "cart", 5, "connection_refused", "error", now, "cannot reach redis-cart:6379"
                        ),
                        {"nonsense": True},
                    ],
                    headers=auth,
                )
                assert r.status_code == 202, r.text
                assert r.json()["accepted"] == 1 and r.json()["rejected"] == 1
            deadline = time.monotonic() + 45  # a cold Neo4j on a loaded machine plans each first query slowly
            while time.monotonic() < deadline and not together(got):
                try:
                    msg = await sub.next_msg(timeout=0.5)
                    got.append(json.loads(msg.data))
                except nats.errors.TimeoutError:
                    pass
            await nc.close()
            return got

        results = asyncio.run(publish_and_listen())
        assert results, "no correlation result was published on correlations.results"
        assert together(results), [r["related_events"] for r in results]
        stored = store.run("MATCH (e:Event) WHERE e.id IN ['n-oom', 'h-cart'] RETURN e.id AS id ORDER BY id")
        assert [r["id"] for r in stored] == ["h-cart", "n-oom"]
        runtime.sync_metrics()
        metrics = httpx.get(f"{url}/metrics").text
        assert 'causegraph_events_in_total{source="nats"} 1.0' in metrics
        assert 'causegraph_events_in_total{source="http"} 1.0' in metrics
        assert 'causegraph_events_rejected_total{source="nats"} 1.0' in metrics
        assert "causegraph_results_published_total" in metrics and "causegraph_correlation_seconds_count" in metrics
    # Stopped: the consumer acked what it stored (nothing pending or unacked), NATS closed; our store stays open.
    assert runtime.consumer.nc is None and runtime.nc.is_closed

    async def pending() -> tuple[int, int]:
        nc = await nats.connect(nats_server.url)
        info = await nc.jetstream().consumer_info("TRACES", settings.nats.durable)
        await nc.close()
        return info.num_pending, info.num_ack_pending

    assert asyncio.run(pending()) == (0, 0)
    assert store.health().ok


def test_serve_without_nats_still_takes_http_events(store: GraphStore, toks: dict[str, str]) -> None:
    apidata.load_incident(store)
    settings = settings_for("none", toks["hashes"])
    settings.serve.nats_ingest = settings.serve.publisher = False
    app, runtime = build_app(settings, store=store)
    with Served(app) as url:
        assert httpx.get(f"{url}/readyz").json()["checks"] == {"graph": "ok"}
        now = int(time.time() * 1000)
        r = httpx.post(
            f"{url}/api/v1/events",
            json=unified("solo", "front", 0, "BackOff", "error", now),
            headers={"Authorization": f"Bearer {toks['write']}"},
        )
        assert r.status_code == 202 and r.json()["accepted"] == 1
    assert runtime.nc is None and runtime.consumer is None
    assert store.run("MATCH (e:Event {id: 'solo'}) RETURN count(e) AS n") == [{"n": 1}]


def test_serve_watch_links_pods_listed_before_their_owners(store: GraphStore, fake_kube: FakeKube) -> None:
    """Kinds are listed side by side: a pod's ReplicaSet may come after it; the edges still end up in the graph."""
    deploy = fake_kube.add(obj("Deployment", "api", "prod", spec={"selector": {"matchLabels": {"app": "api"}}}))
    owner = [{"kind": "Deployment", "name": "api", "uid": deploy["metadata"]["uid"], "controller": True}]
    rs = fake_kube.add(obj("ReplicaSet", "api-1", "prod", spec={}))
    rs["metadata"]["ownerReferences"] = owner
    fake_kube.modify(rs)
    p = pod("api-1-x", "prod", labels={"app": "api"}, node="n1")
    p["metadata"]["ownerReferences"] = [{"kind": "ReplicaSet", "name": "api-1", "uid": rs["metadata"]["uid"]}]
    fake_kube.add(p)
    fake_kube.add(obj("Node", "n1"))
    settings = settings_for("none", apidata.tokens()["hashes"])
    settings.serve.nats_ingest = settings.serve.publisher = False
    settings.serve.kubernetes_watch = True
    settings.kubernetes.mode = "auto"
    settings.kubernetes.host = fake_kube.url
    settings.kubernetes.watch_events = False
    app, _ = build_app(settings, store=store)
    chain = "MATCH (:Pod {name: 'api-1-x'})-[:OWNED_BY]->(:ReplicaSet)-[:OWNED_BY]->(d:Deployment) RETURN d.name AS d"
    with Served(app):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not store.run(chain):
            time.sleep(0.1)
    assert store.run(chain) == [{"d": "api"}]
    assert store.run("MATCH (:Pod {name: 'api-1-x'})-[:RUNS_ON]->(n:Node) RETURN n.name AS n") == [{"n": "n1"}]


def _serve_process(graph: Path, port: int, hashes: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CAUSEGRAPH_API__TOKEN_HASHES": hashes, "CAUSEGRAPH_KUBERNETES__CLUSTER": "prod"}
    return start_serve(graph, port, env, "--nats", "none")


def test_serve_restarted_after_kill9_owns_the_orphaned_graph_server(tmp_path: Path, toks: dict[str, str]) -> None:
    graph = tmp_path / "g" / "graph.rdb"
    graph.parent.mkdir()
    port = free_port()
    first = _serve_process(graph, port, toks["hashes"])
    try:
        r = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/events",
            json=unified("before-crash", "front", 0, "BackOff", "warning", int(time.time() * 1000)),
            headers={"Authorization": f"Bearer {toks['write']}"},
        )
        assert r.status_code == 202 and r.json()["accepted"] == 1
        server = graph_server_pid(graph)
    finally:
        first.kill()  # kill -9 of serve
        first.wait()
    assert alive(server)  # orphaned, still serving the graph
    second = _serve_process(graph, port, toks["hashes"])
    assert graph_server_pid(graph) == server  # the restarted serve reused it
    second.terminate()  # a clean stop (uvicorn exits by the signal once it has shut down)
    assert second.wait(timeout=60) in (0, -signal.SIGTERM)
    assert "stopped cleanly" in (graph.parent.parent / "serve.log").read_text()
    deadline = time.monotonic() + 10
    while alive(server):
        assert time.monotonic() < deadline, "the graph server outlived the serve that owned it"
        time.sleep(0.05)
    assert sorted(p.name for p in graph.parent.iterdir()) == ["graph.rdb", "graph.rdb.aof"]  # saved, no registry
    store = open_store(str(graph), graph_name="causegraph")
    try:
        assert store.run("MATCH (e:Event) RETURN e.id AS id") == [{"id": "before-crash"}]
    finally:
        store.close()


def _gauge(metrics: str, name: str) -> float:
    (line,) = [x for x in metrics.splitlines() if x.startswith(f"{name} ")]
    return float(line.split()[1])


def test_metrics_show_the_consumer_lag_and_the_correlator_backlog_move_and_settle(
    store: GraphStore, nats_server: NatsServer, toks: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backlog waiting in JetStream when serve starts shows as consumer lag, then drains to 0; stored batches
    waiting for the correlator show as its pending events and delay, then 0.

    The gauges are refreshed once a second, and a fast enough ingest or correlator (speculation holds nothing back)
    empties its queue between two refreshes. So the first graph write waits until the lag was seen, and the
    correlator's first batch until its backlog was seen: the test no longer depends on catching a moment."""
    apidata.load_incident(store)
    settings = settings_for(nats_server.url, toks["hashes"])
    settings.nats.fetch_batch = 20
    now = int(time.time() * 1000)
    backlog = 2000

    async def publish() -> None:
        nc = await nats.connect(nats_server.url)
        js = nc.jetstream()
        await js.add_stream(nats.js.api.StreamConfig(name="TRACES", subjects=["traces.>"]))
        for i in range(backlog):
            severity = "warning" if i % 20 == 0 else "info"
            line = unified(f"lag-{i}", ("redis", "cart", "front")[i % 3], 0, "BackOff", severity, now + i)
            await js.publish(f"traces.t{i % 7}.ebpf", json.dumps(line).encode())
        await nc.close()

    asyncio.run(publish())
    lag_seen, backlog_seen = threading.Event(), threading.Event()
    ingest, process = Pipeline.ingest, Engine.process

    def held_ingest(self: Pipeline, *args: Any, **kwargs: Any) -> IngestResult:
        lag_seen.wait(60)
        return ingest(self, *args, **kwargs)

    def held_process(self: Engine, *args: Any, **kwargs: Any) -> list[CorrelationResult]:
        backlog_seen.wait(60)
        return process(self, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "ingest", held_ingest)
    monkeypatch.setattr(Engine, "process", held_process)
    app, _runtime = build_app(settings, store=store)
    lags: list[float] = []
    pending: list[float] = []
    delays: list[float] = []

    def scrape_until(url: str, done: Callable[[], bool], timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            metrics = httpx.get(f"{url}/metrics").text
            lags.append(_gauge(metrics, "causegraph_consumer_lag"))
            pending.append(_gauge(metrics, "causegraph_correlator_pending_events"))
            delays.append(_gauge(metrics, "causegraph_correlator_delay_seconds"))
            if done() or time.monotonic() > deadline:
                return
            time.sleep(0.2)

    with Served(app) as url:
        try:
            scrape_until(url, lambda: max(lags) > 0, 30)
            lag_seen.set()  # stored batches go to the correlator, whose first call waits: the rest queue
            scrape_until(url, lambda: max(pending) > 0 and max(delays) > 0, 30)
        finally:
            lag_seen.set()
            backlog_seen.set()
        # the three gauges are read one after another: all three at 0 at once
        scrape_until(url, lambda: lags[-1] == pending[-1] == delays[-1] == 0, 60)
    assert max(lags) > 0 and lags[-1] == 0, lags
    assert max(pending) > 0 and pending[-1] == 0, pending
    assert max(delays) > 0 and delays[-1] == 0 and min(delays) >= 0, delays
