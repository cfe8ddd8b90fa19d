"""Blast radius on the embedded graph: pods, workloads, service status, upstream callers, PDBs."""

from __future__ import annotations

from typing import Any

import pytest

from correlate.impact import (
    TargetNotFound,
    blast_radius_node,
    blast_radius_resource,
    pdb_violated,
    resource_key,
    service_status,
)
from graph import GraphStore
from tests import topo_builder as tb


def by_name(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {r["name"]: r for r in rows}


def test_node_loss(store: GraphStore) -> None:
    tb.build(store)
    r = blast_radius_node(store, tb.CLUSTER, "node-2")
    assert [p["name"] for p in r["pods"]] == ["api-2", "mysql-0", "noise-1"]
    s = by_name(r["services"])
    assert s["mysql"]["status"] == "down" and s["api"]["status"] == "degraded"
    assert (s["api"]["endpoints"], s["api"]["affected_endpoints"]) == (2, 1)
    assert s["frontend"]["status"] == "upstream"
    w = by_name(r["workloads"])
    assert w["api"] == {
        "kind": "Deployment",
        "namespace": "shop",
        "name": "api",
        "replicas": 2,
        "affected": 1,
        "status": "degraded",
    }
    assert w["mysql"]["status"] == "down"
    assert [b["name"] for b in r["pdb_violations"]] == ["api-pdb"]
    assert r["summary"].startswith("Node failure will impact: mysql, noise, api")


@pytest.mark.parametrize(
    ("kind", "name", "down", "upstream"),
    [
        ("ConfigMap", "app-config", {"api"}, {"frontend"}),
        ("PersistentVolumeClaim", "data", {"mysql"}, {"api", "frontend"}),
        ("Service", "mysql", {"mysql"}, {"api", "frontend"}),
        ("Deployment", "api", {"api"}, {"frontend"}),
        ("Pod", "noise-1", {"noise"}, set()),
    ],
)
def test_resource_loss(store: GraphStore, kind: str, name: str, down: set[str], upstream: set[str]) -> None:
    tb.build(store)
    r = blast_radius_resource(store, tb.CLUSTER, kind, tb.NS, name)
    assert {s["name"] for s in r["services"] if s["status"] == "down"} == down
    assert {s["name"] for s in r["services"] if s["status"] == "upstream"} == upstream
    assert r["target"]["kind"] == kind and r["target"]["uid"] == tb.uid(kind, name)


def test_unknown_target_names_it(store: GraphStore) -> None:
    tb.build(store)
    with pytest.raises(TargetNotFound, match="node-9"):
        blast_radius_node(store, tb.CLUSTER, "node-9")
    with pytest.raises(TargetNotFound, match="shop/nope"):
        blast_radius_resource(store, tb.CLUSTER, "Deployment", "shop", "nope")


def test_pure_rules() -> None:
    assert [service_status(3, n) for n in (0, 1, 3, 4)] == ["ok", "degraded", "down", "down"]
    assert pdb_violated({"lost": 1, "protected": 2, "min_available": 2})
    assert not pdb_violated({"lost": 1, "protected": 3, "min_available": "50%"})
    assert pdb_violated({"lost": 2, "protected": 3, "min_available": "50%"})
    assert pdb_violated({"lost": 2, "protected": 4, "max_unavailable": 1})
    assert not pdb_violated({"lost": 1, "protected": 4, "disruptions_allowed": 1, "min_available": 4})
    assert resource_key("prod", "Node", "x", "n1") == "prod/Node//n1"
