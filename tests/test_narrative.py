"""What a person reads: summaries and remediations name the thing and the action (no database)."""

from __future__ import annotations

import pytest

from correlate import model as m
from correlate.narrative import Facts, Revision, changed_keys, describe, memory, period_text, remediation, summary, what
from tests.correlate_members import member


def test_cascade_summary_counts_services() -> None:
    db = member(
        "db",
        0,
        "OOMKilled",
        "resource_exhaustion",
        name="mysql-0",
        workload="mysql",
        wkind="StatefulSet",
        services=("mysql",),
        limits_memory="512Mi",
    )
    members = [
        db,
        member("a", 1, "timeout", "network", services=("api",), link=m.CALLS),
        member("f", 2, "http_503", "network", services=("frontend",), link=m.CALLS),
    ]
    assert (
        summary("cascading_failure", db, members, Facts()) == "Root cause: mysql memory exhaustion affecting 3 services"
    )
    assert remediation("cascading_failure", db, members, Facts()) == (
        "Increase the memory limit of statefulset/mysql (512Mi) or find the leak"
    )


def test_oom_count_and_limit_from_the_event_detail() -> None:
    db = member("db", 0, "OOMKilled", "resource_exhaustion", workload="mysql", wkind="StatefulSet")
    db.detail = {"limits_memory": "1Gi"}
    again = member("db2", 1_800_000, "OOMKilled", "resource_exhaustion", workload="mysql", wkind="StatefulSet")
    text = remediation("resource_exhaustion", db, [db, again], Facts())
    assert "(1Gi)" in text and "OOM-killed 2 times in 30m" in text


def test_workload_failure_and_node_failure_summaries() -> None:
    pod = member("p", 0, "BackOff", "crash", workload="api-server", workload_replicas=12)
    assert summary("workload_failure", pod, [pod], Facts(failing_pods=10)) == (
        "Deployment 'api-server' experiencing widespread failures: 10 of 12 pods"
    )
    alone = member("p", 0, "http_5xx", "application_error", workload="text-service", workload_replicas=3)
    assert summary("workload_failure", alone, [alone], Facts(failing_pods=1, workload_pods=3)) == (
        "Pod p of deployment/text-service failing (http_5xx, 1 of its 3 pods)"
    )
    replaced = member("p", 0, "BackOff", "crash", workload="mongodb-rate", workload_replicas=1)
    assert summary("workload_failure", replaced, [replaced], Facts(failing_pods=2, workload_pods=1)) == (
        "Deployment 'mongodb-rate' experiencing widespread failures: 2 pods"
    )
    node = member("n", 0, "NodeNotReady", "node", kind="Node", name="node-7")
    facts = Facts(node_services=("payment-service", "order-service"))
    assert summary("node_failure", node, [node], facts) == (
        "Node node-7 failure (NodeNotReady) will impact: payment-service, order-service"
    )
    assert "kubectl cordon node-7" in remediation("node_failure", node, [node], facts)


def test_rollback_names_revision_and_image() -> None:
    dep = member("d", 0, "ImageChanged", "rollout", kind="Deployment", name="api", workload="api", source_kind="change")
    facts = Facts(rollback_to=Revision("4", ("repo/api:v1.9",)), current=Revision("5"))
    text = remediation("deployment_issue", dep, [dep], facts)
    assert "revision 4" in text and "repo/api:v1.9" in text and "--to-revision=4" in text
    assert "(revision 5)" in summary("deployment_issue", dep, [dep], facts)


def test_config_change_names_the_keys_never_values() -> None:
    cm = member("c", 0, "SecretChanged", "config", kind="Secret", name="db-creds", source_kind="change")
    cm.detail = {"keys": ["PASSWORD"]}
    assert changed_keys(cm) == ["PASSWORD"]
    assert "PASSWORD" in remediation("config_change", cm, [cm], Facts())
    assert "keys: PASSWORD" in summary("config_change", cm, [cm], Facts())


def test_recurring_summary_says_the_period() -> None:
    oom = member("o", 0, "OOMKilled", "resource_exhaustion", workload="cart")
    facts = Facts(period_seconds=21600, occurrences=4, since_image="v2.1.0")
    assert (
        summary("recurring_failure", oom, [oom], facts)
        == "OOM every ~6h on deployment/cart since image v2.1.0, 4th time"
    )
    assert "4 OOMs so far" in remediation("recurring_failure", oom, [oom], facts)


@pytest.mark.parametrize(("seconds", "text"), [(21600, "~6h"), (2700, "~45m"), (172800, "~2d"), (30, "~1m")])
def test_period_text(seconds: int, text: str) -> None:
    assert period_text(seconds) == text


def test_single_event_and_fallbacks() -> None:
    x = member("x", 0, "FailedMount", "storage", name="web-1")
    x.message = "MountVolume.SetUp failed\nsecond line"
    assert summary("single_event", x, [x], Facts()) == "FailedMount on pod/web-1: MountVolume.SetUp failed"
    assert "volume claims" in remediation("workload_failure", x, [x], Facts())
    assert what(member("p", 0, "Unhealthy", "probe")) == "failing health checks"
    assert describe(x) == "web-1 FailedMount at 00:00:00"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (268435456, "256Mi"),
        ("536870912", "512Mi"),
        (2**30, "1Gi"),
        ("512Mi", "512Mi"),
        (1500 * 2**20, "1500Mi"),
        (10 * 2**30 + 1, "10.0Gi"),
        (0, ""),
    ],
)
def test_memory_limits_read_as_people_write_them(value: object, text: str) -> None:
    assert memory(value) == text
