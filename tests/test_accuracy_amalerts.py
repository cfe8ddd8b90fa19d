"""bench.accuracy.amalerts: warnings as the kube-prometheus alerts they fire, and Alertmanager notifications back
into scored groups (episodes of a group, each event taken by the first notification listing its alert)."""

from __future__ import annotations

from typing import Any

from bench.accuracy.amalerts import Episodes, FiredAlert, alertname_of, fire
from model.event import Category, NormalEvent, SourceKind
from model.resource import ResourceRef


def ev(category: Category, kind: str = "Pod", name: str = "cart-1", reason: str = "X") -> NormalEvent:
    return NormalEvent(
        id="e",
        ts=0,
        source_kind=SourceKind.K8S_EVENT,
        reason=reason,
        type="Warning",
        severity="warning",
        category=category,
        resource=ResourceRef("c", kind, "shop" if kind == "Pod" else "", name),
    )


def test_each_warning_fires_the_rule_kube_prometheus_would() -> None:
    assert alertname_of(ev(Category.CRASH)) == "KubePodCrashLooping"
    assert alertname_of(ev(Category.RESOURCE_EXHAUSTION, reason="OOMKilled")) == "KubePodCrashLooping"
    assert alertname_of(ev(Category.RESOURCE_EXHAUSTION, reason="cpu_usage")) == "CPUThrottlingHigh"
    assert alertname_of(ev(Category.RESOURCE_EXHAUSTION, "Node", "n1")) == "NodeMemoryHighUtilization"
    assert alertname_of(ev(Category.NODE, "Node", "n1")) == "KubeNodeNotReady"
    assert alertname_of(ev(Category.IMAGE)) == "KubeContainerWaiting"
    assert alertname_of(ev(Category.PROBE)) == "KubePodNotReady"
    assert alertname_of(ev(Category.SATURATION)) == "CPUThrottlingHigh"
    assert alertname_of(ev(Category.PERFORMANCE)) == "ServiceLatencyHigh"
    assert alertname_of(ev(Category.NETWORK)) == "ServiceErrorRateHigh"


def test_labels_name_the_pod_and_workload_or_the_node() -> None:
    pod = fire("s1", "e1", 5, ("shop", "cart"), ev(Category.CRASH))
    assert dict(pod.labels) == {
        "scenario": "s1",
        "alertname": "KubePodCrashLooping",
        "namespace": "shop",
        "workload": "cart",
        "pod": "cart-1",
    }
    node = fire("s1", "e2", 6, ("", ""), ev(Category.NODE, "Node", "n1"))
    assert dict(node.labels) == {"scenario": "s1", "alertname": "KubeNodeNotReady", "node": "n1"}
    # the same pod crashing again is the same alert: Alertmanager de-duplicates it
    assert fire("s1", "e3", 9, ("shop", "cart"), ev(Category.CRASH)).labels == pod.labels


def notification(key: str, status: str, *alerts: tuple[FiredAlert, str]) -> dict[str, Any]:
    return {
        "groupKey": key,
        "status": status,
        "groupLabels": {"scenario": "s1"},
        "alerts": [{"labels": dict(a.labels), "status": st} for a, st in alerts],
    }


def test_notifications_become_episodes_and_events_go_to_the_first_that_lists_their_alert() -> None:
    a = FiredAlert("e1", 10, (("alertname", "A"), ("scenario", "s1")))
    a_again = FiredAlert("e2", 20, a.labels)
    b = FiredAlert("e3", 15, (("alertname", "B"), ("scenario", "s1")))
    later = FiredAlert("e4", 99, a.labels)
    eps = Episodes()
    eps.posted(a, 1.0)
    eps.posted(b, 1.1)
    eps.notified(notification("g", "firing", (a, "firing"), (b, "firing")), 1.2)
    eps.posted(a_again, 1.5)  # fires again while firing: no new notification until it resolves
    eps.notified(notification("g", "resolved", (a, "resolved"), (b, "resolved")), 3.0)
    eps.posted(later, 4.0)
    eps.notified(notification("g", "firing", (later, "firing")), 4.2)
    assert eps.results("s1") == [
        {
            "id": "am-0",
            "version": 1,
            "type": "alert_group",
            "root_cause": {"event_id": "e1"},
            "related_events": ["e1", "e3", "e2"],
        },
        {"id": "am-1", "version": 1, "type": "alert_group", "root_cause": {"event_id": "e4"}, "related_events": ["e4"]},
    ]
    assert (eps.notifications, eps.firing_notifications, eps.unnotified()) == (3, 2, 0)
    assert eps.results("other") == []
