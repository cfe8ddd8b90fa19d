"""The materialised cluster must look like what an API server lists: owner chains, unique IPs, endpoints to pods."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from causegraph.demo.synthcluster import as_list, default_namespace, materialise

Obj = dict[str, Any]


def _load(shared_data: Path, app: str) -> list[Obj]:
    return [d for d in yaml.safe_load_all((shared_data / "topologies" / f"{app}.yaml").read_text()) if d]


def _by(objs: list[Obj], kind: str) -> list[Obj]:
    return [o for o in objs if o["kind"] == kind]


def test_online_boutique_is_complete_and_consistent(shared_data: Path) -> None:
    objs = materialise(_load(shared_data, "online-boutique"), nodes=3, seed=7, replicas={"frontend": 3})
    kinds = Counter(o["kind"] for o in objs)
    assert kinds["Node"] == 3 and kinds["Namespace"] == 1 and kinds["Deployment"] == 12
    assert kinds["ReplicaSet"] == 12 and kinds["Pod"] == 14
    assert kinds["Service"] == kinds["Endpoints"] == kinds["EndpointSlice"] == 12
    uids = [o["metadata"]["uid"] for o in objs]
    assert len(uids) == len(set(uids))
    assert all(o["metadata"]["resourceVersion"].isdigit() and o["metadata"]["creationTimestamp"] for o in objs)
    by_uid = {o["metadata"]["uid"]: o for o in objs}
    nodes = {n["metadata"]["name"]: n for n in _by(objs, "Node")}
    for node in nodes.values():
        assert node["metadata"]["labels"]["topology.kubernetes.io/zone"]
        assert node["status"]["addresses"][0]["type"] == "InternalIP"
        assert any(c["type"] == "Ready" and c["status"] == "True" for c in node["status"]["conditions"])
    pods = _by(objs, "Pod")
    assert len({p["status"]["podIP"] for p in pods}) == len(pods)
    assert {p["spec"]["nodeName"] for p in pods} == set(nodes)  # spread over every node
    for pod in pods:
        rs = by_uid[pod["metadata"]["ownerReferences"][0]["uid"]]
        assert rs["kind"] == "ReplicaSet" and rs["metadata"]["name"] == pod["metadata"]["generateName"][:-1]
        deploy = by_uid[rs["metadata"]["ownerReferences"][0]["uid"]]
        assert deploy["kind"] == "Deployment"
        assert pod["metadata"]["labels"]["pod-template-hash"] == rs["metadata"]["name"].rsplit("-", 1)[1]
        node = nodes[pod["spec"]["nodeName"]]
        assert pod["status"]["hostIP"] == node["status"]["addresses"][0]["address"]
        assert pod["status"]["phase"] == "Running"
        assert all(cs["ready"] for cs in pod["status"]["containerStatuses"])
        template = deploy["spec"]["template"]["spec"]["containers"][0]
        assert pod["spec"]["containers"][0].get("env") == template.get("env")
        assert pod["spec"]["containers"][0]["resources"] == template.get("resources", {})
    frontend_pods = [p for p in pods if p["metadata"]["labels"].get("app") == "frontend"]
    assert len(frontend_pods) == 3


def test_endpoints_point_at_the_selected_pods(shared_data: Path) -> None:
    objs = materialise(_load(shared_data, "online-boutique"), seed=1)
    by_uid = {o["metadata"]["uid"]: o for o in objs}
    svc = next(s for s in _by(objs, "Service") if s["metadata"]["name"] == "cartservice")
    assert svc["spec"]["clusterIP"].startswith("10.96.")
    ips = [s["spec"]["clusterIP"] for s in _by(objs, "Service")]
    assert len(ips) == len(set(ips))
    eps = next(
        s for s in _by(objs, "EndpointSlice") if s["metadata"]["labels"]["kubernetes.io/service-name"] == "cartservice"
    )
    assert eps["apiVersion"] == "discovery.k8s.io/v1"
    assert eps["metadata"]["ownerReferences"][0]["uid"] == svc["metadata"]["uid"]
    (endpoint,) = eps["endpoints"]
    pod = by_uid[endpoint["targetRef"]["uid"]]
    assert pod["metadata"]["labels"]["app"] == "cartservice"
    assert endpoint["addresses"] == [pod["status"]["podIP"]] and endpoint["conditions"]["ready"] is True
    assert eps["ports"][0]["port"] == 7070  # the resolved targetPort
    ep = next(e for e in _by(objs, "Endpoints") if e["metadata"]["name"] == "cartservice")
    assert ep["subsets"][0]["addresses"][0]["targetRef"]["uid"] == pod["metadata"]["uid"]


def test_statefulsets_configmaps_and_manifest_namespace(shared_data: Path) -> None:
    manifests = _load(shared_data, "otel-demo")
    assert default_namespace(manifests) == "otel-demo"
    objs = materialise(manifests, seed=3)
    assert {o["metadata"].get("namespace") for o in objs if o["kind"] != "Node"} <= {"otel-demo", None}
    sts = _by(objs, "StatefulSet")[0]
    sts_pods = [p for p in _by(objs, "Pod") if p["metadata"]["ownerReferences"][0]["uid"] == sts["metadata"]["uid"]]
    assert [p["metadata"]["name"] for p in sts_pods] == [f"{sts['metadata']['name']}-0"]
    assert "flagd-config" in {c["metadata"]["name"] for c in _by(objs, "ConfigMap")}
    assert as_list(objs)["kind"] == "List" and as_list(objs)["items"] is objs


def test_deterministic_for_a_seed_and_different_across_seeds(shared_data: Path) -> None:
    manifests = _load(shared_data, "sock-shop")
    a = materialise(manifests, seed=5)
    assert a == materialise(manifests, seed=5)
    b = materialise(manifests, seed=6)
    assert [o["metadata"]["uid"] for o in a] != [o["metadata"]["uid"] for o in b]


def test_rejects_a_cluster_without_nodes() -> None:
    with pytest.raises(ValueError, match="nodes"):
        materialise([], nodes=0)
