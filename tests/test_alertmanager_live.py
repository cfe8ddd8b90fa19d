"""The whole loop with a real Alertmanager (Debian's) and ``causegraph serve``'s runtime on a real graph:
alerts posted to Alertmanager reach causegraph through Alertmanager's own webhook (bearer token, group_by, group
wait), are correlated with the topology, and causegraph's incident shows up in Alertmanager's ``GET /api/v2/alerts``
with its labels; when the root alert resolves, Alertmanager tells causegraph, and the incident ends there too."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from api.amforward import AlertmanagerForwarder
from causegraph.commands.serve import build_app
from causegraph.natsserver import free_port
from correlate.engine import Engine
from graph import GraphStore
from model.times import iso_ms
from tests import apidata
from tests.alertmanagerproc import Alertmanager, wait_for, webhook_config
from tests.apidata import CLUSTER, NODE, NS, PODS
from tests.serveproc import Served

KSM = {"job": "kube-state-metrics", "service": "kube-state-metrics", "instance": "10.0.0.7:8080"}


def prometheus_alert(name: str, starts_ms: int, ends_ms: int = 0, **labels: str) -> dict[str, Any]:
    """An alert as Prometheus posts it to Alertmanager."""
    alert: dict[str, Any] = {
        "labels": {"alertname": name, **labels},
        "annotations": {"summary": f"{name} fired"},
        "startsAt": iso_ms(starts_ms),
        "generatorURL": "http://prometheus-k8s-0:9090/graph",
    }
    if ends_ms:
        alert["endsAt"] = iso_ms(ends_ms)
    return alert


def _only_node_rooted(incidents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The incidents once there is one left, rooted at the node, its pods joined (a node failure): a first version
    may hold the node alert alone (a critical single event), or the pods' alerts alone, whichever webhook came first."""
    labels = incidents[0]["labels"] if len(incidents) == 1 else {}
    return incidents if labels.get("root_kind") == "Node" and labels.get("pattern") == "node_failure" else []


def test_alerts_through_alertmanager_come_back_as_one_incident(store: GraphStore, tmp_path: Path) -> None:
    apidata.load_incident(store)
    toks = apidata.tokens()
    port = free_port()
    hook = f"http://127.0.0.1:{port}/api/v1/alerts/alertmanager"
    config = webhook_config(hook, toks["write"], group_by=["namespace", "alertname"])
    with Alertmanager(tmp_path / "am", config) as am:
        settings = apidata.settings_with(toks["hashes"])
        settings.nats.url = "none"
        settings.serve.nats_ingest = settings.serve.publisher = False
        settings.serve.tick_s = 0.2
        settings.correlate.disorder_ms = 0
        settings.api.port = port
        settings.alertmanager.url = am.url
        settings.alertmanager.resend_s = 1.0
        app, runtime = build_app(settings, store=store)
        Engine(store, settings.correlate, CLUSTER).resume(int(time.time() * 1000))  # plans a cold Neo4j's queries
        AlertmanagerForwarder.active(store)
        t0 = int(time.time() * 1000) - 120_000
        with Served(app, port) as url:
            # A cold Neo4j plans each first query slowly; Alertmanager gives a webhook call 10 s and then sends it
            # again, so warm the ingest and correlate path first (an alert about nothing in the graph).
            warm = {"version": "4", "alerts": [prometheus_alert("WarmUp", t0, namespace="warm", pod="w-0")]}
            auth = {"Authorization": f"Bearer {toks['write']}"}
            r = httpx.post(f"{url}/api/v1/alerts/alertmanager", json=warm, headers=auth, timeout=120)
            assert r.status_code == 202 and r.json()["unlinked"] == 1
            am.post(
                [
                    prometheus_alert("KubeNodeNotReady", t0, node=NODE["name"], severity="critical", **KSM),
                    prometheus_alert("KubePodCrashLooping", t0 + 20_000, namespace=NS, pod=PODS["cart"]["name"], **KSM),
                    prometheus_alert(
                        "KubePodCrashLooping", t0 + 30_000, namespace=NS, pod=PODS["front"]["name"], **KSM
                    ),
                ]
            )
            # Alertmanager may send one group's alerts in more than one notification: all three are stored in the end
            alerts = (
                "MATCH (e:Event {source_kind: 'alert'})-[:ABOUT]->(r:Resource) RETURN e.reason AS a, r.name AS r "
                "ORDER BY a, r"
            )
            want = [
                {"a": "KubeNodeNotReady", "r": NODE["name"]},
                {"a": "KubePodCrashLooping", "r": PODS["cart"]["name"]},
                {"a": "KubePodCrashLooping", "r": PODS["front"]["name"]},
            ]
            wait_for(lambda: store.run(alerts) == want, 60)
            # the webhook groups may arrive in either order: in the end, one incident rooted at the node
            [incident] = wait_for(lambda: _only_node_rooted(am.alerts(alertname="CausegraphIncident")), 60)
            labels = incident["labels"]
            assert labels["root_kind"] == "Node" and labels["root_name"] == NODE["name"] == labels["node"]
            assert labels["cluster"] == CLUSTER and labels["severity"] in ("high", "critical")
            assert labels["pattern"] == "node_failure" and "namespace" not in labels
            assert incident["annotations"]["causegraph_url"].startswith(f"http://127.0.0.1:{port}/#correlation=corr-")
            # the root alert resolves: Alertmanager sends it resolved (send_resolved), the incident ends there
            am.post([prometheus_alert("KubeNodeNotReady", t0, int(time.time() * 1000), node=NODE["name"], **KSM)])
            wait_for(lambda: not am.alerts(alertname="CausegraphIncident"), 60)
            state = store.run(
                "MATCH (c:Correlation) WHERE c.id = $id RETURN c.state AS s", {"id": labels["correlation"]}
            )
            assert state == [{"s": "resolved"}]
        metrics = runtime.services.metrics.render().decode() if runtime.services else ""
        assert 'causegraph_alerts_in_total{status="resolved"} 1.0' in metrics
        assert 'causegraph_alertmanager_posts_total{outcome="ok"}' in metrics
