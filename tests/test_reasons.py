"""The reason table: every catalogued Kubernetes reason is classified, and the category decides, not the type."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.reasons import ReasonTable, table
from model.event import SEVERITY_RANK, Category

TABLE_FILE = Path(__file__).resolve().parents[1] / "ingest" / "reasons.json"


def test_every_catalogued_reason_is_in_the_table(shared_data: Path) -> None:
    catalogue = json.loads((shared_data / "k8s-event-reasons.json").read_text())
    assert len(catalogue) == 129
    missing = sorted(e["reason"] for e in catalogue if e["reason"] not in table())
    assert not missing


@pytest.mark.parametrize(
    ("reason", "message", "category", "severity"),
    [
        ("NodeNotReady", "Node node-1 status is now: NodeNotReady", Category.NODE, "high"),
        ("BackOff", 'Back-off pulling image "x"', Category.IMAGE, "warning"),
        ("BackOff", "Back-off restarting failed container app in pod api-1", Category.CRASH, "high"),
        ("Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503", Category.PROBE, "warning"),
        ("Unhealthy", "Liveness probe failed: connection refused", Category.PROBE, "high"),
        ("OOMKilling", "Killed process 1234 (java)", Category.RESOURCE_EXHAUSTION, "high"),
        ("Evicted", "The node was low on resource: memory.", Category.RESOURCE_EXHAUSTION, "high"),
        ("FailedScheduling", "0/3 nodes are available", Category.SCHEDULING, "warning"),
        ("Preempted", "Preempted by a pod on node n1", Category.SCHEDULING, "warning"),
        ("ScalingReplicaSet", "Scaled up replica set api-7d to 3", Category.ROLLOUT, "info"),
        ("Killing", "Stopping container app", Category.LIFECYCLE, "info"),
        ("Killing", "Container app failed liveness probe, will be restarted", Category.PROBE, "warning"),
        ("Pulled", "Successfully pulled image", Category.LIFECYCLE, "info"),
        ("Created", "Created container app", Category.LIFECYCLE, "info"),
        ("Started", "Started container app", Category.LIFECYCLE, "info"),
        ("Failed", "Failed to pull image x: not found", Category.IMAGE, "high"),
        ("Failed", 'Error: configmap "app-config" not found', Category.CONFIG, "high"),
        ("oom_kill", "", Category.RESOURCE_EXHAUSTION, "critical"),
        ("http_5xx", "", Category.APPLICATION_ERROR, "high"),
        ("timeout", "", Category.NETWORK, "warning"),
        ("connection_refused", "", Category.NETWORK, "high"),
        ("crash", "", Category.CRASH, "high"),
    ],
)
def test_category_decides(reason: str, message: str, category: Category, severity: str) -> None:
    c = table().classify(reason, message, "Normal")
    assert (c.category, c.severity, c.known) == (category, severity, True)


def test_lookup_folds_case_and_unknown_reasons_fall_back_on_the_type() -> None:
    assert table().classify("OOM_KILL").category is Category.RESOURCE_EXHAUSTION
    unknown_warning = table().classify("SomethingNew", "", "Warning")
    assert (unknown_warning.category, unknown_warning.severity, unknown_warning.known) == (
        Category.INFORMATIONAL,
        "warning",
        False,
    )
    assert table().classify("SomethingNew", "", "Normal").severity == "info"


def test_every_entry_uses_the_shared_scales() -> None:
    doc = json.loads(TABLE_FILE.read_text())
    for reason, spec in doc["reasons"].items():
        for entry in (spec, *spec.get("when", ())):
            assert entry["severity"] in SEVERITY_RANK, reason
            Category(entry["category"])


def test_a_bad_severity_in_the_table_names_the_reason() -> None:
    doc = {"reasons": {"X": {"category": "node", "severity": "loud"}}, "defaults": {}}
    with pytest.raises(ValueError, match="X: unknown severity 'loud'"):
        ReasonTable(doc)
