"""Pure transforms of pods and controllers (no database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from graph.schema import Label, Rel
from ingest.topology import transform
from ingest.topology.workloads import container_failures, put_out

DATA = Path(__file__).resolve().parents[1] / "data" / "k8s-json"


def _pod(**status: Any) -> dict[str, Any]:
    return {
        "kind": "Pod",
        "metadata": {
            "name": "api-1",
            "namespace": "shop",
            "uid": "p1",
            "resourceVersion": "7",
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "ownerReferences": [{"kind": "ReplicaSet", "name": "api-rs", "uid": "rs1", "controller": True}],
        },
        "spec": {
            "nodeName": "n1",
            "containers": [
                {"name": "api", "image": "app:v1", "resources": {"limits": {"memory": "512Mi", "cpu": "500m"}}},
                {"name": "side", "image": "envoy:1", "resources": {"limits": {"memory": "128Mi"}}},
            ],
        },
        "status": status,
    }


def test_pod_properties_for_correlation() -> None:
    out = transform(
        _pod(
            phase="Running",
            podIP="10.0.0.7",
            hostIP="192.168.1.2",
            startTime="2026-01-01T00:00:05Z",
            conditions=[{"type": "Ready", "status": "False"}],
            containerStatuses=[
                {"name": "side", "restartCount": 1},
                {
                    "name": "api",
                    "restartCount": 3,
                    "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}},
                },
            ],
        ),
        "prod",
    )
    (row,) = out.nodes[Label.POD]
    assert row["key"] == "prod/Pod/shop/api-1" and row["uid"] == "p1"
    assert row["ip"] == "10.0.0.7" and row["ip_since"] == 1_767_225_605_000 and row["node_ip"] == "192.168.1.2"
    assert row["ready"] is False and row["phase"] == "Running" and row["restarts"] == 4
    assert row["containers"] == ["api", "side"] and row["images"] == ["app:v1", "envoy:1"]
    assert row["last_termination_reasons"] == ["OOMKilled", ""] and row["last_exit_codes"] == [137, -1]
    assert row["limits_memory"] == 640 * 2**20 and row["limits_cpu"] == 500  # summed over containers
    assert (row["owner_kind"], row["owner_name"]) == ("ReplicaSet", "api-rs")
    assert out.rels[Rel.OWNED_BY] == [{"from": "p1", "to": "rs1"}]
    assert out.rels[Rel.RUNS_ON] == [{"from": "p1", "to": "prod/Node//n1"}]
    assert out.rels[Rel.IN_NAMESPACE] == [{"from": "p1", "to": "prod/Namespace//shop"}]


def test_pod_without_ip_has_no_ip_since() -> None:
    (row,) = transform(_pod(phase="Pending"), "prod").nodes[Label.POD]
    assert "ip" not in row and "ip_since" not in row


def test_deployment_template_revision_and_refs() -> None:
    dep = {
        "kind": "Deployment",
        "metadata": {"name": "api", "namespace": "shop", "annotations": {"deployment.kubernetes.io/revision": "4"}},
        "spec": {
            "replicas": 3,
            "template": {
                "metadata": {"labels": {"app": "api"}},
                "spec": {
                    "containers": [
                        {
                            "name": "api",
                            "image": "app:v1.5.0",
                            "envFrom": [{"secretRef": {"name": "db"}}],
                            "env": [{"name": "CART_ADDR", "value": "cart:7070"}],
                            "resources": {"limits": {"memory": "1Gi"}},
                        }
                    ],
                    "volumes": [
                        {"name": "c", "configMap": {"name": "cfg"}},
                        {"name": "d", "persistentVolumeClaim": {"claimName": "data"}},
                    ],
                },
            },
        },
        "status": {"readyReplicas": 2},
    }
    out = transform(dep, "prod")
    (row,) = out.nodes[Label.DEPLOYMENT]
    assert row["uid"] == "synthetic:prod/Deployment/shop/api"  # a manifest without uid
    assert row["revision"] == "4" and row["replicas"] == 3 and row["ready_replicas"] == 2
    assert row["images"] == ["app:v1.5.0"] and row["limits_memory"] == 2**30
    assert row["template_labels"] == ["app=api"] and row["env_service_keys"] == ["prod/Service/shop/cart"]
    assert {(r["to"], r["via"]) for r in out.rels[Rel.USES]} == {
        ("prod/Secret/shop/db", "envFrom"),
        ("prod/ConfigMap/shop/cfg", "volume"),
    }
    assert out.rels[Rel.CLAIMS] == [{"from": row["uid"], "to": "prod/PersistentVolumeClaim/shop/data"}]


def test_real_replicaset_sample() -> None:
    obj = json.loads((DATA / "replicaset.k9s.json").read_text())
    out = transform(obj, "k9s")
    (row,) = out.nodes[Label.REPLICASET]
    assert row["revision"] == "2" and row["replicas"] == 1
    assert out.rels[Rel.OWNED_BY] == [{"from": row["uid"], "to": "68aa70ff-ff7c-4a67-8d4f-fc31ef27ec35"}]
    assert {r["to"] for r in out.rels[Rel.USES]} >= {"k9s/ConfigMap/default/busy"}


def test_cronjob_and_job() -> None:
    cj = {
        "kind": "CronJob",
        "metadata": {"name": "c", "namespace": "n", "uid": "c1"},
        "spec": {
            "schedule": "*/5 * * * *",
            "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "x", "image": "busybox"}]}}}},
        },
    }
    (row,) = transform(cj, "p").nodes[Label.CRONJOB]
    assert row["schedule"] == "*/5 * * * *" and row["suspend"] is False and row["images"] == ["busybox"]
    job = {
        "kind": "Job",
        "metadata": {
            "name": "c-1",
            "namespace": "n",
            "uid": "j1",
            "ownerReferences": [{"kind": "CronJob", "name": "c", "uid": "c1"}],
        },
        "spec": {"template": {"spec": {"containers": []}}},
        "status": {"failed": 2},
    }
    out = transform(job, "p")
    assert out.nodes[Label.JOB][0]["failed"] == 2
    assert out.rels[Rel.OWNED_BY] == [{"from": "j1", "to": "c1"}]


def test_failures_a_pod_status_tells() -> None:
    pod: dict[str, Any] = {
        "kind": "Pod",
        "status": {
            "reason": "Evicted",
            "message": "The node was low on resource: memory.",
            "containerStatuses": [
                {"name": "api", "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s"}}},
                {"name": "side", "state": {"waiting": {"reason": "ContainerCreating"}}},  # waiting, not failing
                {"name": "log", "state": {"running": {}}},
            ],
        },
    }
    assert container_failures(pod) == {"api": ["CrashLoopBackOff", "back-off 40s"]}
    assert put_out(pod) == ["Evicted", "The node was low on resource: memory."]
    assert put_out({"kind": "Pod", "status": {"phase": "Running"}}) == []
