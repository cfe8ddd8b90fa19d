"""Naming the pattern and the severity, without a database."""

from __future__ import annotations

from correlate import model as m
from correlate.patterns import name_pattern, pods_of, services_of, severity, workloads_of
from tests.correlate_members import member


def test_single_and_recurring() -> None:
    x = member("a", 0, "BackOff", "crash")
    assert name_pattern([x], x) == "single_event"
    assert name_pattern([x], x, recurring=True) == "recurring_failure"


def test_root_kind_decides_first() -> None:
    node = member("n", 0, "NodeNotReady", "node", kind="Node")
    cm = member("c", 0, "ConfigMapChanged", "config", kind="ConfigMap", source_kind="change")
    dep = member("d", 0, "ImageChanged", "rollout", kind="Deployment", source_kind="change")
    pod = member("p", 1, "BackOff", "crash", workload="api", link=m.OWNER)
    assert name_pattern([node, pod], node) == "node_failure"
    assert name_pattern([cm, pod], cm) == "config_change"
    assert name_pattern([dep, pod], dep) == "deployment_issue"


def test_cascade_needs_two_services_and_a_call_link() -> None:
    db = member("db", 0, "OOMKilled", "resource_exhaustion", services=("mysql",))
    api = member("api", 1, "timeout", "network", services=("api",), link=m.CALLS)
    assert name_pattern([db, api], db) == "cascading_failure"
    named = member("api", 1, "timeout", "network", services=("api",), link=m.TARGET)  # a call naming mysql
    assert name_pattern([db, named], db) == "cascading_failure"
    same = member("db2", 1, "BackOff", "crash", services=("mysql",), link=m.SAME_RESOURCE)
    assert name_pattern([db, same], db) == "resource_exhaustion"


def test_network_partition_and_workload_failure() -> None:
    a = member("a", 0, "connection_refused", "network", services=("a",))
    b = member("b", 1, "connection_refused", "network", services=("b",), link=m.CALLS)
    assert name_pattern([a, b], a) == "network_partition"
    p1 = member("p1", 0, "BackOff", "crash", workload="api")
    p2 = member("p2", 1, "BackOff", "crash", workload="api", link=m.SAME_WORKLOAD)
    assert name_pattern([p1, p2], p1) == "workload_failure"


def test_impact_helpers() -> None:
    svc = member("s", 0, "http_503", "network", kind="Service", name="web")
    pod = member("p", 0, "BackOff", "crash", name="api-1", workload="api", services=("api",))
    assert services_of([svc, pod]) == ["api", "web"]
    assert workloads_of([svc, pod]) == ["deployment/shop/api"]
    assert pods_of([svc, pod]) == ["shop/api-1"]


def test_severity_from_worst_and_spread() -> None:
    lone = member("a", 0, "BackOff", "crash", rank=4)
    assert severity([lone], "single_event") == "medium"
    assert severity([member("a", 0, "x", "crash", rank=2)], "single_event") == "low"
    assert severity([member("a", 0, "x", "crash", rank=7)], "single_event") == "critical"
    spread = [member(f"m{i}", i, "timeout", "network", services=(f"s{i}",)) for i in range(3)]
    assert severity(spread, "cascading_failure") == "critical"
    assert severity(spread[:2], "cascading_failure") == "high"
