"""api.incidentalert: a correlation result as one Alertmanager API v2 alert (labels, annotations, times)."""

from __future__ import annotations

from api.incidentalert import ALERTNAME, incident_link, to_alert
from ingest.normalize import parse_time
from model.result import CorrelationResult
from tests import apidata
from tests.apidata import CLUSTER, NS, PODS

NOW = parse_time("2026-05-01T10:05:00Z", "now")


def result(**over: object) -> CorrelationResult:
    return CorrelationResult.model_validate(apidata.document("corr-1", 0, **over))


def test_an_active_incident_is_one_alert_that_lives_for_the_ttl() -> None:
    alert = to_alert(result(), web_url="https://cg.example/", now_ms=NOW, ttl_ms=240_000)
    assert alert["labels"] == {
        "alertname": ALERTNAME,
        "correlation": "corr-1",
        "pattern": "cascading_failure",
        "severity": "critical",
        "cluster": CLUSTER,
        "namespace": NS,
        "root_kind": "Pod",
        "root_name": PODS["redis"]["name"],
        "pod": PODS["redis"]["name"],  # the kube-prometheus label of its kind: inhibit rules can match it
    }
    assert alert["annotations"] == {
        "summary": "Root cause: redis-cart memory exhaustion affecting 3 services",
        "remediation": "Increase the memory limit of deployment/redis-cart",
        "description": "redis-cart OOM at 10:00:00",
        "causegraph_url": "https://cg.example/#correlation=corr-1",
    }
    assert alert["startsAt"] == "2026-05-01T10:00:00Z" and alert["endsAt"] == "2026-05-01T10:09:00Z"
    assert alert["generatorURL"] == alert["annotations"]["causegraph_url"]


def test_a_resolved_incident_ends_at_its_last_event() -> None:
    alert = to_alert(result(state="resolved"), web_url="http://x", now_ms=NOW, ttl_ms=240_000)
    assert alert["endsAt"] == "2026-05-01T10:00:40Z"


def test_a_node_root_has_no_namespace_and_the_node_label() -> None:
    root = {"event_id": "n", "resource": {"cluster": "prod", "kind": "Node", "name": "node-1"}}
    alert = to_alert(result(root_cause=root, remediation=""), web_url="http://x", now_ms=NOW, ttl_ms=1)
    assert alert["labels"]["node"] == "node-1" and "namespace" not in alert["labels"]
    assert "remediation" not in alert["annotations"] and "description" not in alert["annotations"]


def test_the_link_escapes_the_id() -> None:
    assert incident_link("http://h:8080", "corr/a b") == "http://h:8080/#correlation=corr%2Fa%20b"
