"""ingest.alerts: Alertmanager's webhook payload -> events; recorded real payloads (tests/data/alertmanager/README.md);
any JSON in gives events or a RejectedInput naming the field (hypothesis)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from correlate.scoring import prior
from ingest.alerts import (
    RECOVERY_REASON,
    alerts_of,
    instance_host,
    label_fingerprint,
    parse_alert,
    parse_payload,
    resource_of,
    rules,
)
from ingest.limits import RejectedInput
from ingest.normalize import parse_time
from model.event import Category, SourceKind
from model.resource import ResourceRef

DATA = Path(__file__).parent / "data" / "alertmanager"
STARTS = "2026-05-01T10:00:00.123Z"
T0 = parse_time(STARTS, "t")


def alert(name: str, status: str = "firing", ends: str = "0001-01-01T00:00:00Z", **labels: str) -> dict[str, Any]:
    return {
        "status": status,
        "labels": {"alertname": name, **labels},
        "annotations": {"summary": f"{name} summary", "description": f"{name} description"},
        "startsAt": STARTS,
        "endsAt": ends,
        "generatorURL": "http://prometheus:9090/graph",
        "fingerprint": "0123456789abcdef",
    }


def test_kube_state_metrics_alert_is_about_its_pod_not_the_exporter_service() -> None:
    a = alert(
        "KubePodCrashLooping",
        severity="warning",
        namespace="shop",
        pod="cartservice-5c6b-fghij",
        container="server",
        job="kube-state-metrics",
        service="kube-state-metrics",
        instance="10.0.3.7:8080",
    )
    [ev] = parse_alert(a, "prod")
    assert ev.id == f"alert:0123456789abcdef@{T0}"
    assert (ev.ts, ev.last_ts, ev.reason, ev.severity, ev.type) == (T0, T0, "KubePodCrashLooping", "warning", "Warning")
    assert ev.category == Category.CRASH and ev.source_kind == SourceKind.ALERT and ev.source == "alertmanager"
    assert ev.resource == ResourceRef("prod", "Pod", "shop", "cartservice-5c6b-fghij")
    assert ev.message == "KubePodCrashLooping summary: KubePodCrashLooping description"
    assert ev.detail["labels"]["container"] == "server" and "kubernetes-mixin" in ev.detail["rule"]
    assert parse_alert(a, "prod")[0].id == ev.id  # re-sent every repeat_interval: the same event


def test_node_exporter_alert_is_about_the_node_named_by_instance() -> None:
    a = alert(
        "NodeFilesystemSpaceFillingUp",
        severity="critical",
        namespace="monitoring",
        pod="node-exporter-x7k2p",
        container="kube-rbac-proxy",
        instance="node-1:9100",
        job="node-exporter",
    )
    [ev] = parse_alert(a, "prod")
    assert ev.resource == ResourceRef("prod", "Node", "", "node-1") and ev.node_name == "node-1"
    assert ev.category == Category.RESOURCE_EXHAUSTION and ev.severity == "critical"
    [ev] = parse_alert(alert("KubeNodeNotReady", node="node-2", job="kube-state-metrics"), "prod")
    assert ev.resource == ResourceRef("prod", "Node", "", "node-2") and ev.severity == "warning"  # the rule's


@pytest.mark.parametrize(
    ("name", "labels", "expected"),
    [
        ("KubeDeploymentReplicasMismatch", {"namespace": "shop", "deployment": "web"}, ("Deployment", "shop", "web")),
        ("KubeStatefulSetReplicasMismatch", {"namespace": "db", "statefulset": "pg"}, ("StatefulSet", "db", "pg")),
        (
            "KubeDaemonSetRolloutStuck",
            {"namespace": "kube-system", "daemonset": "cni"},
            ("DaemonSet", "kube-system", "cni"),
        ),
        ("KubeJobFailed", {"namespace": "batch", "job_name": "nightly-1"}, ("Job", "batch", "nightly-1")),
        (
            "KubePersistentVolumeFillingUp",
            {"namespace": "db", "persistentvolumeclaim": "data-pg-0"},
            ("PersistentVolumeClaim", "db", "data-pg-0"),
        ),
        ("TargetDown", {"namespace": "shop", "service": "cart", "job": "cart"}, ("Service", "shop", "cart")),
        ("KubeQuotaExceeded", {"namespace": "shop", "resource": "cpu"}, ("Namespace", "", "shop")),
        ("KubeMemoryOvercommit", {"namespace": "shop"}, ("", "", "")),  # about the cluster: stored unlinked
        ("MyAppErrors", {"namespace": "shop", "pod": "a-1", "service": "x"}, ("Pod", "shop", "a-1")),
        ("MyAppErrors", {"namespace": "shop"}, ("Namespace", "", "shop")),
        ("MyAppErrors", {"instance": "node-1:9100"}, ("", "", "")),  # an unknown rule's instance names nothing
    ],
)
def test_the_resource_comes_from_the_labels_the_rule_sets(
    name: str, labels: dict[str, str], expected: tuple[str, str, str]
) -> None:
    [ev] = parse_alert(alert(name, **labels), "prod")
    assert (ev.resource.kind, ev.resource.namespace, ev.resource.name) == expected


def test_resolved_alert_updates_its_event_and_adds_a_recovery() -> None:
    ends = "2026-05-01T10:20:00Z"
    firing, recovery = parse_alert(alert("KubePodNotReady", "resolved", ends, namespace="shop", pod="p-1"), "prod")
    assert firing.id == f"alert:0123456789abcdef@{T0}" and firing.last_ts == parse_time(ends, "e")
    assert firing.detail["status"] == "resolved" and firing.severity == "warning"
    assert recovery.id == firing.id + ":resolved" and recovery.reason == RECOVERY_REASON
    assert recovery.ts == parse_time(ends, "e") and recovery.severity == "info" and recovery.type == "Normal"
    assert recovery.detail["recovers"] == firing.id and recovery.resource == firing.resource


def test_severity_label_wins_and_unknown_values_fall_back() -> None:
    assert parse_alert(alert("KubePodCrashLooping", severity="critical"), "c")[0].severity == "critical"
    assert parse_alert(alert("Watchdog", severity="none"), "c")[0].severity == "info"
    assert parse_alert(alert("Watchdog", severity="none"), "c")[0].type == "Normal"
    assert parse_alert(alert("KubePersistentVolumeErrors"), "c")[0].severity == "critical"  # the rule's own
    assert parse_alert(alert("MyAppErrors", severity="sev2"), "c")[0].severity == "warning"
    assert parse_alert(alert("MyAppErrors"), "c")[0].category == Category.INFORMATIONAL


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda a: a["labels"].pop("alertname"), "labels.alertname: missing"),
        (lambda a: a["labels"].update(alertname="CausegraphIncident"), "causegraph's own incident"),
        (lambda a: a.pop("labels"), "labels: missing"),
        (lambda a: a.update(labels=["x"]), "labels: expected an object"),
        (lambda a: a["labels"].update(pod=3), "labels.pod: expected a string"),
        (lambda a: a["labels"].update(pod="x" * 600), "labels.pod: 600 characters"),
        (lambda a: a.update(startsAt="yesterday"), "startsAt: not an RFC3339 time"),
        (lambda a: a.pop("startsAt"), "startsAt: missing"),
        (lambda a: a.update(status="pending"), "status: expected 'firing' or 'resolved'"),
        (lambda a: a.update(annotations="x"), "annotations: expected an object"),
        (lambda a: a.update(fingerprint={"a": 1}), "fingerprint: expected a string"),
    ],
)
def test_a_bad_alert_is_refused_naming_the_field(mutate: Any, reason: str) -> None:
    a = alert("KubePodCrashLooping", namespace="shop", pod="p")
    mutate(a)
    with pytest.raises(RejectedInput, match=reason.replace("(", r"\(")):
        parse_alert(a, "prod")


def test_payload_errors_name_the_alert_and_the_good_ones_stay() -> None:
    payload = {"version": "4", "alerts": [alert("A", pod="p", namespace="n"), {"labels": {}}, alert("B")]}
    events, errors = parse_payload(payload, "prod")
    assert [e.reason for e in events] == ["A", "B"]
    assert errors == ["alerts[1]: labels.alertname: missing"]
    for bad, reason in [
        ([], "expected an Alertmanager webhook payload"),
        ({"version": "4"}, "alerts: missing"),
        ({"alerts": {}}, "alerts: expected an array"),
        ({"version": "3", "alerts": []}, "version: '3'"),
    ]:
        with pytest.raises(RejectedInput, match=reason):
            alerts_of(bad)


def test_recorded_payload_without_fingerprint_and_with_offset_and_nanoseconds() -> None:
    """tests/data/alertmanager/gist-webhook-v4.json: older Alertmanager, no fingerprint field."""
    payload = json.loads((DATA / "gist-webhook-v4.json").read_text())
    [ev], errors = parse_payload(payload, "prod")
    labels = payload["alerts"][0]["labels"]
    assert errors == [] and ev.id == f"alert:{label_fingerprint(labels)}@{ev.ts}"
    assert ev.ts == parse_time("2018-08-03T07:52:26.739Z", "t")  # +02:00 offset, nanoseconds cut to ms
    assert ev.reason == "Test" and ev.severity == "warning" and ev.message == "some description"
    assert ev.resource.kind == "" and ev.detail["generator_url"].startswith("http://example.com:9090/graph")


def test_recorded_payload_with_fingerprint_and_a_url_instance() -> None:
    """tests/data/alertmanager/crate-sample-v4-payload.json: a blackbox probe alert; a URL is no resource."""
    payload = json.loads((DATA / "crate-sample-v4-payload.json").read_text())
    [ev], errors = parse_payload(payload, "prod")
    assert errors == [] and ev.id == f"alert:1a30ba71cca2921f@{parse_time('2023-02-06T13:08:45.828Z', 't')}"
    assert ev.severity == "critical" and ev.resource == ResourceRef(cluster="prod")
    assert ev.message.startswith("BlackBox Probe Failure: https://server.example.org: Instance")


def test_instance_host_and_label_fingerprint() -> None:
    assert instance_host("node-1:9100") == "node-1" and instance_host("node-1") == "node-1"
    assert instance_host("[fd00::1]:9100") == "fd00::1" and instance_host("https://x.org") == ""
    assert label_fingerprint({"a": "1", "b": "2"}) == label_fingerprint({"b": "2", "a": "1"})
    assert label_fingerprint({"a": "1"}) != label_fingerprint({"a": "2"}) and len(label_fingerprint({})) == 16
    assert resource_of({"node": "n"}, "cluster", "c") == ResourceRef(cluster="c")


def test_every_rule_names_its_source_and_its_role_agrees_with_the_correlators_prior() -> None:
    table = rules()
    assert {"KubePodCrashLooping", "KubeNodeNotReady", "TargetDown", "NodeFilesystemSpaceFillingUp"} <= set(table)
    for name, rule in table.items():
        assert rule.rule, name
        cause = prior(rule.category, name) >= 0.5
        assert cause == (rule.role == "cause"), (name, rule.category, prior(rule.category, name))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=25,
)
ALERTISH = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from(["firing", "resolved", "x"]) | JSON,
        "labels": st.dictionaries(st.sampled_from(["alertname", "pod", "namespace", "node", "severity"]), JSON) | JSON,
        "annotations": st.dictionaries(st.text(max_size=10), JSON) | JSON,
        "startsAt": st.sampled_from([STARTS, "0001-01-01T00:00:00Z", "", "2026-13-01T00:00:00Z"]) | JSON,
        "endsAt": st.sampled_from([STARTS, "0001-01-01T00:00:00Z"]) | JSON,
        "fingerprint": JSON,
    },
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(JSON, ALERTISH, st.fixed_dictionaries({"version": st.just("4"), "alerts": st.lists(ALERTISH)})))
def test_any_json_is_events_or_a_named_refusal(value: Any) -> None:
    try:
        events, errors = parse_payload(value, "prod")
    except RejectedInput as exc:
        assert str(exc)
    else:
        assert all(e.id.startswith("alert:") and e.ts >= 0 for e in events)
        assert all(err.startswith("alerts[") for err in errors)
    try:
        for ev in parse_alert(value, "prod"):
            assert ev.reason and ev.severity and ev.last_ts >= ev.ts
    except RejectedInput as exc:
        assert str(exc)


def test_recorded_debian_alertmanager_payloads_firing_then_resolved() -> None:
    """tests/data/alertmanager/debian-0.25-*.json: Debian's Alertmanager 0.25, a kube-state-metrics alert."""
    firing = json.loads((DATA / "debian-0.25-kubepodcrashlooping-firing.json").read_text())
    resolved = json.loads((DATA / "debian-0.25-kubepodcrashlooping-resolved.json").read_text())
    [fired], errors = parse_payload(firing, "prod")
    assert errors == [] and fired.resource == ResourceRef("prod", "Pod", "shop", "cartservice-5c6b-fghij")
    assert fired.ts == parse_time("2026-05-01T10:00:00.123Z", "t") and fired.category == Category.CRASH
    assert fired.message == "Pod is crash looping: " + firing["alerts"][0]["annotations"]["description"]
    [ended, recovery], errors = parse_payload(resolved, "prod")
    assert errors == [] and ended.id == fired.id == f"alert:e037ba52bf9fc6e3@{fired.ts}"
    assert ended.last_ts == parse_time("2026-05-01T10:20:00Z", "t") and recovery.detail["recovers"] == fired.id
