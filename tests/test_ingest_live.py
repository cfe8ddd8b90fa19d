"""The live topology's start-up: relationships wait for the first lists of every kind, then are written and linked;
later changes write their own at once (a fake Kubernetes API faithful to list/watch, the real graph)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from graph import GraphStore
from ingest.kubeclient import KubeClient, build_client
from ingest.live import LiveTopology
from ingest.loader import TopologyLoader
from ingest.settings import KubernetesSettings
from tests.fakekube import FakeKube, obj, pod


@pytest.fixture
def kclient(fake_kube: FakeKube) -> Iterator[KubeClient]:
    c = build_client(KubernetesSettings(host=fake_kube.url))
    assert c is not None
    yield c


def _on_node(store: GraphStore) -> set[str]:
    rows = store.run("MATCH (p:Pod)-[:RUNS_ON]->(n:Node) RETURN p.name AS name", {})
    return {r["name"] for r in rows}


def test_relationships_wait_for_the_first_lists_then_changes_write_their_own(
    fake_kube: FakeKube, kclient: KubeClient, store: GraphStore
) -> None:
    fake_kube.add(obj("Namespace", "shop"))
    fake_kube.add(obj("Node", "node-1"))
    fake_kube.add(obj("Service", "web", "shop", spec={"selector": {"app": "web"}}))
    for name in ("web-1", "web-2"):
        fake_kube.add(pod(name, "shop", labels={"app": "web"}, node="node-1"))
    loader = TopologyLoader(store, "prod")
    live = LiveTopology(kclient, loader, KubernetesSettings(host=fake_kube.url))
    assert loader.defer_relationships  # from the start: a pod may be listed before its node
    live.start()
    try:
        assert live.linked.wait(20), "the first lists never finished"
        assert not loader.defer_relationships
        assert _on_node(store) == {"web-1", "web-2"}
        selected = store.run("MATCH (:Service {name: 'web'})-[:SELECTS]->(p:Pod) RETURN p.name AS name", {})
        assert {r["name"] for r in selected} == {"web-1", "web-2"}  # linked by the selector once all was listed
        fake_kube.add(pod("web-3", "shop", labels={"app": "web"}, node="node-1"))
        deadline = time.monotonic() + 10
        while "web-3" not in _on_node(store):
            assert time.monotonic() < deadline, "a pod added after the first lists got no RUNS_ON"
            time.sleep(0.05)
    finally:
        live.stop(5.0)
    assert live.watcher.stop_event.is_set()
