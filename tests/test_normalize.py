"""Normalising: real shapes parse to the expected event; any JSON gives an event or a clear RejectedInput."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.normalize import RejectedInput, parse_k8s_event, parse_time, parse_unified
from model.event import Category, NormalEvent, SourceKind

V1_EVENT: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Event",
    "metadata": {"name": "node-1.17a", "namespace": "default", "uid": "ev-uid-1"},
    "involvedObject": {"kind": "Node", "name": "node-1", "uid": "node-uid", "namespace": "default"},
    "reason": "NodeNotReady",
    "message": "Node node-1 status is now: NodeNotReady",
    "type": "Normal",
    "count": 3,
    "firstTimestamp": "2026-01-01T00:00:00Z",
    "lastTimestamp": "2026-01-01T00:05:00Z",
    "source": {"component": "node-controller"},
}

NEW_EVENT: dict[str, Any] = {
    "apiVersion": "events.k8s.io/v1",
    "kind": "Event",
    "metadata": {"name": "api-1.17b", "namespace": "shop", "uid": "ev-uid-2"},
    "regarding": {
        "kind": "Pod",
        "name": "api-1",
        "namespace": "shop",
        "uid": "pod-uid",
        "fieldPath": "spec.containers{app}",
    },
    "reason": "BackOff",
    "note": "Back-off restarting failed container app in pod api-1_shop",
    "type": "Warning",
    "eventTime": "2026-01-01T00:00:00.123456789Z",
    "series": {"count": 7, "lastObservedTime": "2026-01-01T01:10:00.5+01:00"},
    "reportingController": "kubelet",
    "reportingInstance": "kubelet-node-1",
    "action": "Restarting",
}

UNIFIED: dict[str, Any] = {
    "id": "ebpf-oom-001",
    "timestamp": "2026-01-01T10:00:00.000000001Z",
    "type": "memory",
    "source": "ebpf",
    "severity": "critical",
    "message": "OOM killer terminated mysqld",
    "trace_context": {"trace_id": "trace-mysql-1", "span_id": "s1"},
    "k8s_context": {
        "kind": "pod",
        "name": "mysql-0",
        "namespace": "production",
        "node_name": "node-2",
        "workload_kind": "StatefulSet",
        "workload_name": "mysql",
    },
    "kernel": {"syscall": "oom_kill", "pid": 4242, "comm": "mysqld"},
    "unknown_field": {"ignored": True},
}


def test_v1_event_normal_type_but_node_failure() -> None:
    ev = parse_k8s_event(V1_EVENT, "prod")
    assert ev.id == "ev-uid-1"
    assert (ev.category, ev.severity, ev.type) == (Category.NODE, "high", "Normal")
    assert ev.is_warning
    assert ev.ts == 1_767_225_600_000 and ev.last_ts == 1_767_225_900_000 and ev.count == 3
    assert ev.resource.key() == "prod/Node//node-1"  # cluster-scoped: the Event's namespace is not the Node's
    assert ev.node_name == "node-1" and ev.source == "node-controller"
    assert ev.source_kind is SourceKind.K8S_EVENT


def test_the_real_captured_event(shared_data: Path) -> None:
    obj = json.loads((shared_data / "k8s-json" / "event.k9s-gke.json").read_text())
    ev = parse_k8s_event(obj, "gke")
    assert ev.id == "c443d4b3-cb66-11e9-990f-42010a800218"
    assert (ev.reason, ev.category, ev.severity) == ("Pulled", Category.LIFECYCLE, "info")
    assert ev.resource.uid == "c31fdeb8-cb66-11e9-990f-42010a800218"
    assert ev.node_name == "gke-k9s-default-pool-0fa2fb89-qnkc"
    assert ev.detail == {"field_path": "spec.containers{c1}"}


def test_events_k8s_io_v1_with_series() -> None:
    ev = parse_k8s_event(NEW_EVENT, "prod")
    assert ev.id == "ev-uid-2" and ev.message.startswith("Back-off restarting")
    assert (ev.category, ev.severity) == (Category.CRASH, "high")
    assert ev.ts == 1_767_225_600_123
    assert ev.last_ts == 1_767_225_600_000 + 600_500  # the offset applied
    assert ev.count == 7 and ev.source == "kubelet"
    assert ev.resource.key() == "prod/Pod/shop/api-1"
    assert ev.detail["action"] == "Restarting"


def test_unified_event_fields() -> None:
    ev = parse_unified(UNIFIED, trace_id="subject-trace", source="subject-src", cluster="prod")
    assert ev.id == "ebpf-oom-001" and ev.ts == 1_767_261_600_000
    assert (ev.category, ev.severity, ev.reason) == (Category.RESOURCE_EXHAUSTION, "critical", "oom_kill")
    assert ev.trace_id == "trace-mysql-1" and ev.source == "ebpf"  # the event's own win over the subject's
    assert ev.resource.key() == "prod/Pod/production/mysql-0"
    assert (ev.workload_kind, ev.workload_name, ev.node_name) == ("StatefulSet", "mysql", "node-2")
    assert ev.detail["kernel.pid"] == 4242


def test_subject_fills_trace_and_source() -> None:
    ev = parse_unified({"id": "x", "timestamp": 1_767_225_600_000}, trace_id="t-1", source="otel", cluster="c")
    assert (ev.trace_id, ev.source, ev.ts) == ("t-1", "otel", 1_767_225_600_000)


@pytest.mark.parametrize(
    ("network", "message", "reason", "category"),
    [
        ({"status_code": 503, "dest_ip": "10.96.0.1"}, "", "http_5xx", Category.APPLICATION_ERROR),
        ({"dest_ip": "10.96.0.1"}, "upstream request timed out", "timeout", Category.NETWORK),
        ({"dest_ip": "10.96.0.1"}, "dial tcp: connection refused", "connection_refused", Category.NETWORK),
    ],
)
def test_network_errors(network: dict[str, Any], message: str, reason: str, category: Category) -> None:
    ev = parse_unified(
        {"id": "n", "timestamp": "2026-01-01T00:00:00Z", "type": "network", "network": network, "message": message}
    )
    assert (ev.reason, ev.category) == (reason, category)
    assert ev.network is not None and ev.network.dest_ip == "10.96.0.1"
    assert ev.is_warning


@pytest.mark.parametrize(
    ("network", "message", "peer"),
    [
        (None, "connect to 10.244.1.5:11211 failed: connection refused", ("10.244.1.5", 11211)),
        (None, "dial tcp 10.0.4.7:3306: i/o timeout", ("10.0.4.7", 3306)),
        ({"source_ip": "10.0.0.9"}, "from 10.0.0.9:4000 to 10.0.0.2:6379 refused", ("10.0.0.2", 6379)),
        ({"dest_ip": "10.96.0.1", "dest_port": 80}, "retry via 10.0.0.2:6379", ("10.96.0.1", 80)),  # structured wins
        (None, "upgraded to v1.2.3.4:80 today", None),  # not an address: part of a longer token
        (None, "GET 999.1.1.1:80 failed", None),  # not an IPv4 address
        (None, "connect to 10.244.1.5 failed", None),  # no port: too often a version or an id
    ],
)
def test_the_peer_a_message_names_is_the_destination(
    network: dict[str, Any] | None, message: str, peer: tuple[str, int] | None
) -> None:
    """An error that names the address it could not reach stands for a call to that address."""
    obj: dict[str, Any] = {"id": "n", "timestamp": "2026-01-01T00:00:00Z", "type": "log", "message": message}
    if network is not None:
        obj["network"] = network
    ev = parse_unified(obj)
    found = (ev.network.dest_ip, ev.network.dest_port) if ev.network is not None and ev.network.dest_ip else None
    assert found == peer


@pytest.mark.parametrize(
    ("obj", "reason", "category"),
    [
        # a metric deviation is named by its metric; resource use above its baseline is saturation (a detector's
        # threshold crossed, not a container killed), latency is what callers feel
        (
            {"type": "metric", "metrics": {"metric_name": "cpu_usage", "value": 0.97}},
            "cpu_usage",
            "saturation",
        ),
        ({"type": "metric", "metrics": {"name": "latency_p99", "value": 900}}, "latency_p99", "performance"),
        ({"type": "trace", "category": "performance", "tags": ["slow_span"]}, "slow_span", "performance"),
        (
            {"type": "metric", "category": "memory", "metrics": {"name": "rss_bytes"}},
            "rss_bytes",
            "saturation",
        ),
        ({"type": "oom", "category": "oom", "message": "process killed"}, "oom", "resource_exhaustion"),
    ],
)
def test_metric_and_span_anomalies(obj: dict[str, Any], reason: str, category: str) -> None:
    ev = parse_unified({"id": "m", "timestamp": "2026-01-01T00:00:00Z", "severity": "warning", **obj})
    assert (ev.reason, ev.category.value) == (reason, category)


def test_severity_from_the_event_wins_over_the_table() -> None:
    ev = parse_unified(
        {"id": "n", "timestamp": "2026-01-01T00:00:00Z", "network": {"status_code": 500}, "severity": "medium"}
    )
    assert (ev.category, ev.severity, ev.type) == (Category.APPLICATION_ERROR, "medium", "Normal")


def test_an_event_naming_no_object_nor_address_is_its_workloads_else_its_nodes() -> None:
    base = {"id": "w", "timestamp": "2026-01-01T00:00:00Z", "message": "boom", "severity": "error"}
    ctx = {"namespace": "shop", "node_name": "n1", "workload_kind": "Deployment", "workload_name": "api"}
    on_workload = parse_unified({**base, "k8s_context": ctx}, cluster="c").resource
    assert (on_workload.kind, on_workload.namespace, on_workload.name) == ("Deployment", "shop", "api")
    on_node = parse_unified({**base, "k8s_context": {"node_name": "n1"}}, cluster="c").resource
    assert (on_node.kind, on_node.namespace, on_node.name) == ("Node", "", "n1")
    by_address = parse_unified(
        {**base, "k8s_context": {"node_name": "n1"}, "network": {"source_ip": "10.0.0.5", "dest_ip": "10.0.0.6"}}
    ).resource
    assert by_address.name == ""  # an address is resolved against the graph (the pod that had it then)


@pytest.mark.parametrize(
    ("said", "severity"),
    [("FATAL", "critical"), ("crit", "critical"), ("err", "error"), ("WARN", "warning"), ("notice", "low")],
)
def test_syslog_and_otel_severity_words_are_read_as_the_scale(said: str, severity: str) -> None:
    ev = parse_unified({"id": "s", "timestamp": "2026-01-01T00:00:00Z", "message": "something", "severity": said})
    assert ev.severity == severity


@pytest.mark.parametrize(
    ("obj", "field"),
    [
        ({"kind": "Event", "reason": "X", "firstTimestamp": "2026-01-01T00:00:00Z"}, "metadata.uid"),
        ({**V1_EVENT, "reason": None}, "reason"),
        ({**V1_EVENT, "firstTimestamp": None, "lastTimestamp": None}, "firstTimestamp"),
        ({**V1_EVENT, "firstTimestamp": "yesterday"}, "firstTimestamp"),
        ({**V1_EVENT, "metadata": "nope"}, "metadata"),
        ({**V1_EVENT, "count": "many"}, "count"),
        ({**V1_EVENT, "involvedObject": {"name": ["x"]}}, "involvedObject.name"),
    ],
)
def test_k8s_rejections_name_the_field(obj: dict[str, Any], field: str) -> None:
    with pytest.raises(RejectedInput, match=field.replace(".", r"\.")):
        parse_k8s_event(obj, "c")


@pytest.mark.parametrize(
    ("obj", "field"),
    [
        ({"timestamp": "2026-01-01T00:00:00Z"}, "id"),
        ({"id": "x"}, "timestamp"),
        ({"id": "x", "timestamp": "2026-13-01T00:00:00Z"}, "timestamp"),
        ({"id": "x", "timestamp": True}, "timestamp"),
        ({"id": "x", "timestamp": 1, "network": {"dest_port": 70000}}, "network.dest_port"),
        ({"id": "x", "timestamp": 1, "k8s_context": []}, "k8s_context"),
    ],
)
def test_unified_rejections_name_the_field(obj: dict[str, Any], field: str) -> None:
    with pytest.raises(RejectedInput, match=field.replace(".", r"\.")):
        parse_unified(obj)


def test_received_time_stands_in_for_a_missing_timestamp() -> None:
    assert parse_unified({"id": "x"}, received_ms=1_767_225_600_000).ts == 1_767_225_600_000


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("2026-01-01T00:00:00Z", 1_767_225_600_000),
        ("2026-01-01T00:00:00.999999999Z", 1_767_225_600_999),
        ("2026-01-01T01:00:00+01:00", 1_767_225_600_000),
        ("2025-12-31T19:00:00-0500", 1_767_225_600_000),
        (1_767_225_600, 1_767_225_600_000),
        (1_767_225_600_000_000_000, 1_767_225_600_000),
    ],
)
def test_times(text: Any, ms: int) -> None:
    assert parse_time(text, "t") == ms


def test_free_text_is_cleaned_for_the_graph_and_identity_is_refused_not_cleaned() -> None:
    ev = parse_unified({"id": "ab", "timestamp": 1, "message": "bad \ud800 surrogate\x00 " + "x" * 10_000})
    assert ev.message.startswith("bad \ufffd surrogate x")
    assert len(ev.message) == 4096
    with pytest.raises(RejectedInput, match=r"^id: contains a NUL character"):
        parse_unified({"id": "a\x00b", "timestamp": 1})  # "ab" is another event's id


# ------------------------------------------------------------------ properties: never an exception past the boundary

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=25,
)
known_keys = st.sampled_from(
    [
        "id",
        "timestamp",
        "type",
        "source",
        "severity",
        "message",
        "tags",
        "trace_context",
        "k8s_context",
        "entity",
        "network",
        "application",
        "kubernetes",
        "kernel",
        "metrics",
        "category",
        "confidence",
        "kind",
        "metadata",
        "involvedObject",
        "regarding",
        "reason",
        "count",
        "series",
        "firstTimestamp",
        "lastTimestamp",
        "eventTime",
        "note",
        "apiVersion",
        "uid",
        "name",
        "namespace",
        "status_code",
        "dest_ip",
        "trace_id",
        "lastObservedTime",
    ]
)
shaped = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(known_keys, inner, max_size=8),
    max_leaves=40,
)


def _check(result: Any) -> None:
    assert isinstance(result, NormalEvent)
    assert result.id and result.ts >= 0 and result.count >= 1
    json.dumps(result.to_dict(), default=str).encode("utf-8")


@settings(max_examples=200, deadline=None)
@given(st.one_of(json_values, shaped))
def test_any_json_to_unified_is_an_event_or_a_rejection(obj: Any) -> None:
    try:
        _check(parse_unified(obj, trace_id="t", source="s", cluster="c"))
    except RejectedInput as exc:
        assert str(exc)


@settings(max_examples=200, deadline=None)
@given(st.one_of(json_values, shaped))
def test_any_json_to_k8s_event_is_an_event_or_a_rejection(obj: Any) -> None:
    try:
        _check(parse_k8s_event(obj, "c"))
    except RejectedInput as exc:
        assert str(exc)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(known_keys, shaped, max_size=10).map(lambda d: {**d, "id": "fixed", "timestamp": 5}))
def test_unified_with_id_and_time_mostly_parses(obj: dict[str, Any]) -> None:
    try:
        _check(parse_unified(obj))
    except RejectedInput as exc:
        assert str(exc).split(":")[0]  # names a field


def test_a_spans_id_and_its_parents_are_kept_to_tell_caller_from_callee() -> None:
    ev = parse_unified(
        {
            "id": "s",
            "timestamp": "2026-01-01T00:00:00Z",
            "severity": "warning",
            "type": "trace",
            "tags": ["slow_span"],
            "trace_context": {"trace_id": "t1", "span_id": "b2", "parent_span_id": "a1"},
        }
    )
    assert (ev.trace_id, ev.detail["span_id"], ev.detail["parent_span_id"]) == ("t1", "b2", "a1")


def test_a_collector_event_keeps_the_nanoseconds_within_its_millisecond() -> None:
    ev = parse_unified({"id": "x", "timestamp": "2026-01-01T00:00:00.001250000Z"}, source="otel", cluster="c")
    assert (ev.ts, ev.ts_sub) == (1_767_225_600_001, 250_000)
