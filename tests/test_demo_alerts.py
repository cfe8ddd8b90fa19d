"""causegraph.demo.alerts: the demo incident's alerts are a valid webhook payload whose alerts ingest.alerts reads
as events about the crashing pod and its Deployment, under the ids the demo waits for."""

from __future__ import annotations

from causegraph.demo.alerts import STEPS, event_ids, payload
from ingest.alerts import parse_payload
from model.event import Category
from model.resource import ResourceRef

POD = {"name": "productcatalogservice-abc-1", "namespace": "default"}


def test_the_payload_reads_as_events_about_the_pod_and_its_deployment() -> None:
    body = payload({s.workload: POD for s in STEPS}, 1_777_629_600_000, "run1")
    events, errors = parse_payload(body, "demo")
    assert errors == [] and {e.id for e in events} == event_ids(body)
    assert [(e.reason, e.resource, e.ts) for e in events] == [
        ("KubePodCrashLooping", ResourceRef("demo", "Pod", "default", POD["name"]), 1_777_629_603_000),
        (
            "KubeDeploymentReplicasMismatch",
            ResourceRef("demo", "Deployment", "default", "productcatalogservice"),
            1_777_629_609_000,
        ),
    ]
    assert [e.category for e in events] == [Category.CRASH, Category.LIFECYCLE]
    assert all(e.severity == "warning" and e.detail["labels"]["service"] == "kube-state-metrics" for e in events)
    other = payload({s.workload: POD for s in STEPS}, 1_777_629_600_000, "run2")
    assert event_ids(other).isdisjoint(event_ids(body))  # each demo run its own alerts
