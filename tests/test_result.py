"""The result document: field names of DESIGN §6, serialisation, its JSON Schema."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from model.result import CorrelationResult, json_schema

DOC = {
    "schema": "causegraph.correlation/v1",
    "id": "corr-abc",
    "version": 3,
    "type": "cascading_failure",
    "state": "active",
    "severity": "critical",
    "confidence": 0.91,
    "summary": "Root cause: mysql memory exhaustion affecting 3 services",
    "root_cause": {
        "event_id": "ebpf-oom-001",
        "reason": "oom_kill",
        "at": "2026-05-01T10:00:00Z",
        "resource": {"cluster": "prod", "kind": "Pod", "namespace": "production", "name": "mysql-0", "uid": "u1"},
        "description": "mysql-0 OOM at 10:00:00",
    },
    "related_events": ["ebpf-oom-001", "api-timeout-17", "frontend-503-4"],
    "chain": [{"event_id": "api-timeout-17", "resource": {"name": "api"}, "link": "calls"}],
    "impact": {"services": ["mysql", "api", "frontend"], "workloads": [], "pods": 15, "nodes": [], "namespaces": []},
    "evidence": [{"link": "calls", "from": "ebpf-oom-001", "to": "api-timeout-17", "weight": 0.8}],
    "remediation": "Increase the memory limit of statefulset/mysql (512Mi)",
    "recurrence": {"period_seconds": 21600, "occurrences": 4},
    "trace_ids": ["trace-mysql-failure-123"],
    "first_seen": "2026-05-01T10:00:00Z",
    "last_seen": "2026-05-01T10:01:00Z",
    "cypher": "MATCH (c:Correlation {id: $id})-[r]->(n) RETURN c, r, n",
}


def test_design_example_round_trips_with_public_names() -> None:
    result = CorrelationResult.model_validate(DOC)
    out = result.to_dict()
    assert out["schema"] == "causegraph.correlation/v1"
    assert out["evidence"][0]["from"] == "ebpf-oom-001"
    assert set(out) == set(DOC)
    assert CorrelationResult.from_json(result.to_json()) == result
    assert result.msg_id == "corr-abc:3"


def test_recurrence_left_out_when_absent() -> None:
    doc = {k: v for k, v in DOC.items() if k != "recurrence"}
    assert "recurrence" not in CorrelationResult.model_validate(doc).to_dict()


@pytest.mark.parametrize(
    ("field", "value"),
    [("type", "meltdown"), ("state", "open"), ("confidence", 1.5), ("version", 0), ("severity", "warning")],
)
def test_bad_values_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        CorrelationResult.model_validate({**DOC, field: value})


def test_unknown_field_refused() -> None:
    with pytest.raises(ValidationError, match="surprise"):
        CorrelationResult.model_validate({**DOC, "surprise": 1})


def test_schema_uses_public_field_names() -> None:
    props = json_schema()["properties"]
    assert "schema" in props and "schema_" not in props
    assert set(json_schema()["required"]) >= {"id", "version", "type", "state", "related_events", "cypher"}
