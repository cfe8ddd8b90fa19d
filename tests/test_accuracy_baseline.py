"""The Alertmanager-like baseline: group_by (namespace, workload), 5-minute group_interval, earliest alert as root."""

from __future__ import annotations

from typing import Any

from bench.accuracy.baseline import baseline, parse_time

TOPO: list[dict[str, Any]] = [
    {"kind": "Deployment", "metadata": {"name": "cart", "namespace": "shop", "uid": "d1"}},
    {
        "kind": "ReplicaSet",
        "metadata": {
            "name": "cart-abc",
            "namespace": "shop",
            "uid": "rs1",
            "ownerReferences": [{"kind": "Deployment", "name": "cart", "uid": "d1"}],
        },
    },
    {
        "kind": "Pod",
        "metadata": {
            "name": "cart-abc-x1",
            "namespace": "shop",
            "uid": "p1",
            "ownerReferences": [{"kind": "ReplicaSet", "name": "cart-abc", "uid": "rs1"}],
        },
        "status": {"podIP": "10.244.0.5"},
    },
]


def _k8s(uid: str, ts: str, type_: str = "Warning") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"uid": uid},
        "type": type_,
        "reason": "BackOff",
        "involvedObject": {"kind": "Pod", "namespace": "shop", "name": "cart-abc-x1", "uid": "p1"},
        "firstTimestamp": ts,
        "lastTimestamp": ts,
        "count": 1,
    }


def test_groups_by_workload_within_the_interval() -> None:
    events = [
        _k8s("e1", "2026-05-01T10:00:00Z"),
        {
            "id": "c1",
            "timestamp": "2026-05-01T10:01:00.123456789Z",
            "severity": "error",
            "network": {"source_ip": "10.244.0.5", "dest_ip": "10.96.0.9", "direction": "egress"},
        },
        {
            "id": "c2",
            "timestamp": "2026-05-01T10:02:00Z",
            "severity": "warning",
            "entity": {"type": "pod", "name": "cart-abc-x1", "namespace": "shop"},
        },
        _k8s("e1", "2026-05-01T10:03:00Z"),  # the same Event updated: one alert
        _k8s("n1", "2026-05-01T10:03:00Z", type_="Normal"),  # not an alert
        {
            "id": "c3",
            "timestamp": "2026-05-01T10:20:00Z",
            "severity": "critical",
            "k8s_context": {"kind": "Pod", "name": "cart-abc-x1", "namespace": "shop", "workload_name": "cart"},
        },
        {"id": "i1", "timestamp": "2026-05-01T10:20:00Z", "severity": "info", "entity": {"name": "x"}},
        {"type": "MODIFIED", "object": {"kind": "ConfigMap", "metadata": {"uid": "cm"}}, "observed_at": "x"},
    ]
    results = baseline(TOPO, events)
    groups = sorted((r["root_cause"]["event_id"], r["related_events"]) for r in results)
    assert groups == [("c3", ["c3"]), ("e1", ["e1", "c1", "c2"])]


def test_unknown_ips_fall_in_the_unlabelled_group() -> None:
    events = [
        {
            "id": f"c{i}",
            "timestamp": f"2026-05-01T10:0{i}:00Z",
            "severity": "error",
            "network": {"source_ip": f"10.9.9.{i}", "direction": "egress"},
        }
        for i in range(3)
    ]
    assert [r["related_events"] for r in baseline(TOPO, events)] == [["c0", "c1", "c2"]]


def test_parse_time_handles_nanoseconds_and_offsets() -> None:
    assert parse_time("2026-05-01T10:00:00.5Z") == parse_time("2026-05-01T10:00:00Z") + 500
    assert parse_time("2026-05-01T12:00:00.000000001+02:00") == parse_time("2026-05-01T10:00:00Z")
