"""Resource identity: one key rule, over the kinds table, whoever builds the key."""

from __future__ import annotations

import pytest

from model.kinds import TOPOLOGY_KINDS
from model.resource import (
    CLUSTER_SCOPED,
    WORKLOAD_KINDS,
    ResourceRef,
    deployment_of_pod,
    key_namespace,
    resource_key,
)


def test_namespaced_key() -> None:
    assert resource_key("prod", "Pod", "shop", "api-1") == "prod/Pod/shop/api-1"


@pytest.mark.parametrize("namespace", ["", "_", "-", "default", "kube-system"])
def test_cluster_scoped_kinds_have_no_namespace_whatever_was_said(namespace: str) -> None:
    assert resource_key("prod", "Node", namespace, "n1") == "prod/Node//n1"
    assert resource_key("prod", "PersistentVolume", namespace, "pv") == "prod/PersistentVolume//pv"


@pytest.mark.parametrize("namespace", ["_", "-"])
def test_placeholder_namespace_of_a_url_names_none(namespace: str) -> None:
    assert key_namespace("ConfigMap", namespace) == ""


def test_cluster_scoped_comes_from_the_kinds_table() -> None:
    assert {k.kind for k in TOPOLOGY_KINDS if not k.namespaced} == CLUSTER_SCOPED
    assert {"Node", "Namespace", "PersistentVolume"} <= CLUSTER_SCOPED


def test_workload_kinds_are_listable_kinds() -> None:
    assert {k.kind for k in TOPOLOGY_KINDS} >= WORKLOAD_KINDS
    assert "Pod" not in WORKLOAD_KINDS


def test_ref_key_uses_the_default_cluster_only_when_it_names_none() -> None:
    assert ResourceRef("", "Node", "default", "n1").key("c") == "c/Node//n1"
    assert ResourceRef("a", "Pod", "ns", "p").key("c") == "a/Pod/ns/p"
    assert ResourceRef("a", "Pod", "ns", "").key() == ""
    assert ResourceRef(uid="u").key() == ""


@pytest.mark.parametrize(
    ("pod", "owner"),
    [
        ("reviews-v2-7zwg2k6m6r-79sfx", "reviews-v2"),  # <deployment>-<pod-template-hash>-<suffix>
        ("ts-food-map-service-6rzn9f6pt5-m4h2j", "ts-food-map-service"),
        ("frontend-5b6d7c8f9-abcde", ""),  # vowels: no generated suffix
        ("mysql-0", ""),  # a StatefulSet's pod
        ("web-7zwg2k6m6r", ""),  # a ReplicaSet's name, not a pod's
        ("node-exporter-x8k2p", ""),  # a DaemonSet's pod: one generated part only
    ],
)
def test_a_deployments_pod_is_known_by_its_name(pod: str, owner: str) -> None:
    assert deployment_of_pod(pod) == owner
