"""Pure transforms of Service, Endpoints, EndpointSlice and Ingress."""

from __future__ import annotations

import json
from pathlib import Path

from graph.schema import Label, Rel
from ingest.topology import transform

DATA = Path(__file__).resolve().parents[1] / "data" / "k8s-json"


def test_service_ips_ports_selector() -> None:
    svc = {
        "kind": "Service",
        "metadata": {"name": "api", "namespace": "shop", "uid": "s1"},
        "spec": {
            "clusterIP": "10.96.0.10",
            "clusterIPs": ["10.96.0.10"],
            "selector": {"app": "api"},
            "ports": [{"name": "http", "port": 80, "targetPort": 8080}],
        },
    }
    (row,) = transform(svc, "p").nodes[Label.SERVICE]
    assert row["cluster_ip"] == "10.96.0.10" and row["cluster_ips"] == ["10.96.0.10"]
    assert row["ports"] == ["http:80/TCP->8080"] and row["selector"] == ["app=api"] and row["type"] == "ClusterIP"


def test_headless_service_has_no_cluster_ip() -> None:
    svc = {"kind": "Service", "metadata": {"name": "db", "namespace": "n"}, "spec": {"clusterIP": "None"}}
    (row,) = transform(svc, "p").nodes[Label.SERVICE]
    assert "cluster_ip" not in row and row["cluster_ips"] == []


def test_real_endpointslice_sample_ready_and_key_targets() -> None:
    obj = json.loads((DATA / "endpointslice.k9s.json").read_text())
    obj["metadata"]["labels"] = {"kubernetes.io/service-name": "fred"}
    obj["endpoints"][1]["conditions"]["ready"] = False
    out = transform(obj, "k")
    (row,) = out.nodes[Label.ENDPOINTSLICE]
    assert row["ready_ips"] == ["172.20.0.2"] and row["not_ready_ips"] == ["172.20.0.3"]
    assert [(r["service_key"], r["pod_key"], r["ready"]) for r in out.endpoint_selects] == [
        ("k/Service/blee/fred", "k/Pod/kube-system/zorg", True),
        ("k/Service/blee/fred", "k/Pod/kube-system/zorg", False),
    ]


def test_real_endpoints_sample() -> None:
    obj = json.loads((DATA / "endpoints.k9s.json").read_text())
    out = transform(obj, "k")
    assert out.nodes[Label.ENDPOINTS][0]["ready_ips"] == ["10.0.0.67"]
    assert out.endpoint_selects == [
        {
            "service_key": "k/Service/ns-1/blee",
            "pod_key": "k/Pod/blee/blah",
            "ready": True,
            "origin": "synthetic:k/Endpoints/ns-1/blee",
        }
    ]
    assert out.selects_origins == [{"service_key": "k/Service/ns-1/blee", "origin": "synthetic:k/Endpoints/ns-1/blee"}]


def test_endpoints_with_uid_targets_and_not_ready() -> None:
    obj = {
        "kind": "Endpoints",
        "metadata": {"name": "api", "namespace": "n", "uid": "e1"},
        "subsets": [
            {
                "addresses": [{"ip": "10.0.0.1", "targetRef": {"kind": "Pod", "name": "a", "uid": "pa"}}],
                "notReadyAddresses": [{"ip": "10.0.0.2", "targetRef": {"kind": "Pod", "name": "b", "uid": "pb"}}],
            }
        ],
    }
    out = transform(obj, "p")
    assert [(r["pod_uid"], r["ready"]) for r in out.endpoint_selects] == [("pa", True), ("pb", False)]


def test_ingress_routes_to_backends() -> None:
    ing = {
        "kind": "Ingress",
        "metadata": {"name": "web", "namespace": "n", "uid": "i1"},
        "spec": {
            "defaultBackend": {"service": {"name": "default"}},
            "rules": [{"host": "shop.example", "http": {"paths": [{"backend": {"service": {"name": "web"}}}]}}],
        },
    }
    out = transform(ing, "p")
    assert out.nodes[Label.INGRESS][0]["hosts"] == ["shop.example"]
    assert [r["to"] for r in out.rels[Rel.ROUTES_TO]] == ["p/Service/n/default", "p/Service/n/web"]
