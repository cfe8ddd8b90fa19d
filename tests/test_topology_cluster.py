"""Pure transforms of Namespace, Node, PV, PVC, ConfigMap, Secret, HPA, PDB."""

from __future__ import annotations

import json
from pathlib import Path

from graph.schema import Label, Rel
from ingest.topology import TransformError, transform

DATA = Path(__file__).resolve().parents[1] / "data" / "k8s-json"


def test_real_nodelist_conditions_zone_ip() -> None:
    nodes = json.loads((DATA / "nodelist.sonobuoy-kind-3node.json").read_text())["items"]
    rows = {r["name"]: r for n in nodes for r in transform(n, "kind").nodes[Label.NODE]}
    cp = rows["kind-control-plane"]
    assert cp["key"] == "kind/Node//kind-control-plane" and cp["namespace"] == ""
    assert cp["ip"] == "172.18.0.4" and cp["ready"] is True and cp["memory_pressure"] is False
    assert "Ready=True" in cp["conditions"] and "DiskPressure=False" in cp["conditions"]
    assert rows["kind-worker"]["ready"] is False  # this capture has a worker NotReady


def test_node_zone_label() -> None:
    n = {
        "kind": "Node",
        "metadata": {"name": "n", "labels": {"topology.kubernetes.io/zone": "eu-1a"}},
        "status": {"capacity": {"cpu": "4", "memory": "16Gi"}},
    }
    (row,) = transform(n, "p").nodes[Label.NODE]
    assert row["zone"] == "eu-1a" and row["capacity_cpu"] == 4000 and row["capacity_memory"] == 16 * 2**30


def test_secret_keeps_key_names_only() -> None:
    s = {
        "kind": "Secret",
        "metadata": {
            "name": "db",
            "namespace": "n",
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "hunter2"},
        },
        "type": "Opaque",
        "data": {"password": "aHVudGVyMg=="},
        "stringData": {"user": "root-user-x"},
    }
    out = transform(s, "p")
    assert out.nodes[Label.SECRET][0]["data_keys"] == ["password", "user"]
    text = repr(out)
    for value in ("aHVudGVyMg==", "hunter2", "root-user-x"):
        assert value not in text


def test_configmap_keys_and_hash_change_with_data() -> None:
    cm = {"kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n"}, "data": {"a": "1"}}
    h1 = transform(cm, "p").nodes[Label.CONFIGMAP][0]
    h2 = transform({**cm, "data": {"a": "2"}}, "p").nodes[Label.CONFIGMAP][0]
    assert h1["data_keys"] == ["a"] and h1["data_hash"] != h2["data_hash"]


def test_pvc_bound_to_pv_and_hpa_scales_pdb_selector() -> None:
    pvc = {
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data", "namespace": "n", "uid": "c1"},
        "spec": {"volumeName": "pv-1"},
        "status": {"phase": "Bound"},
    }
    assert transform(pvc, "p").rels[Rel.BOUND_TO] == [{"from": "c1", "to": "p/PersistentVolume//pv-1"}]
    hpa = {
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "h", "namespace": "n", "uid": "h1"},
        "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "api"}, "minReplicas": 2, "maxReplicas": 5},
    }
    assert transform(hpa, "p").rels[Rel.SCALES] == [{"from": "h1", "to": "p/Deployment/n/api"}]
    pdb = {
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "b", "namespace": "n"},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "api"}}},
    }
    row = transform(pdb, "p").nodes[Label.PDB][0]
    assert row["selector"] == ["app=api"] and row["min_available"] == "1"


def test_bad_object_names_itself_not_values() -> None:
    try:
        transform({"kind": "Pod", "metadata": {"namespace": "n"}}, "p")
    except TransformError as exc:
        assert "Pod" in str(exc) and "metadata.name" in str(exc)
    else:
        raise AssertionError("expected TransformError")
