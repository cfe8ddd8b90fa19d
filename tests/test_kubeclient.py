"""The Kubernetes adapter against the fake API server: configuration, list pages, watch streams, error classes."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.kubeclient import (
    KubeClient,
    KubeError,
    KubeForbidden,
    KubeGone,
    KubeTransient,
    WatchStream,
    build_client,
    classify,
)
from ingest.settings import KubernetesSettings
from tests.fakekube import FakeKube, pod


@pytest.fixture
def kclient(fake_kube: FakeKube) -> Iterator[KubeClient]:
    c = build_client(KubernetesSettings(host=fake_kube.url))
    assert c is not None
    yield c
    c.close()


def test_modes() -> None:
    assert build_client(KubernetesSettings(mode="none", host="http://127.0.0.1:1")) is None
    with pytest.raises(ValueError, match=r"kubernetes\.mode"):
        build_client(KubernetesSettings(mode="bogus"))
    missing = KubernetesSettings(mode="auto", kubeconfig="/nonexistent/kubeconfig")
    assert build_client(missing) is None


def test_kubeconfig_mode(fake_kube: FakeKube, tmp_path: Path) -> None:
    fake_kube.add(pod("a"))
    cfg = tmp_path / "config"
    cfg.write_text(
        f"""apiVersion: v1
kind: Config
clusters: [{{name: fake, cluster: {{server: "{fake_kube.url}"}}}}]
users: [{{name: u, user: {{token: not-a-real-token}}}}]
contexts: [{{name: fake, context: {{cluster: fake, user: u}}}}, {{name: other, context: {{cluster: fake, user: u}}}}]
current-context: other
"""
    )
    c = build_client(KubernetesSettings(mode="kubeconfig", kubeconfig=str(cfg), context="fake"))
    assert c is not None and c.host == fake_kube.url
    try:
        assert [p["metadata"]["name"] for p in c.list_page("/api/v1/pods", limit=10)["items"]] == ["a"]
    finally:
        c.close()


def test_classify() -> None:
    assert isinstance(classify(403, "x"), KubeForbidden)
    assert isinstance(classify(401, "x"), KubeForbidden)
    assert isinstance(classify(404, "x"), KubeForbidden)
    assert isinstance(classify(410, "x"), KubeGone)
    for code in (0, 429, 500, 503):
        assert isinstance(classify(code, "x"), KubeTransient)
    e = classify(400, "bad")
    assert type(e) is KubeError and e.status == 400


def test_list_page_and_its_errors(fake_kube: FakeKube, kclient: KubeClient) -> None:
    for i in range(3):
        fake_kube.add(pod(f"p{i}", labels={"n": str(i)}))
    page = kclient.list_page("/api/v1/pods", limit=2)
    assert len(page["items"]) == 2 and page["metadata"]["continue"]
    rest = kclient.list_page("/api/v1/pods", limit=2, continue_token=page["metadata"]["continue"])
    assert [p["metadata"]["name"] for p in rest["items"]] == ["p2"]
    assert len(kclient.list_page("/api/v1/pods", limit=10, label_selector="n in (0,2)")["items"]) == 2
    fake_kube.add(pod("late"))
    fake_kube.compact()
    with pytest.raises(KubeGone):
        kclient.list_page("/api/v1/pods", limit=2, continue_token=page["metadata"]["continue"])
    fake_kube.forbid("Pod")
    with pytest.raises(KubeForbidden, match="forbidden") as e:
        kclient.list_page("/api/v1/pods", limit=2)
    assert e.value.status == 403
    with pytest.raises(KubeForbidden):
        kclient.list_page("/apis/nope.example/v1/things", limit=2)


def test_connection_refused_is_transient() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = build_client(KubernetesSettings(host=f"http://127.0.0.1:{port}"))
    assert c is not None
    c.api.configuration.retries = False
    c.api.rest_client.pool_manager.connection_pool_kw["retries"] = False
    try:
        with pytest.raises(KubeTransient):
            c.list_page("/api/v1/pods", limit=1)
    finally:
        c.close()


def _watch(kclient: KubeClient, rv: str, quiet: float = 5.0) -> WatchStream:
    return kclient.watch("/api/v1/pods", resource_version=rv, timeout_s=5, quiet_timeout_s=quiet)


def test_watch_events_and_410(fake_kube: FakeKube, kclient: KubeClient) -> None:
    rv = kclient.list_page("/api/v1/pods", limit=1)["metadata"]["resourceVersion"]
    fake_kube.add(pod("a"))
    got = []
    with pytest.raises(KubeGone):
        for ev in _watch(kclient, rv):
            got.append((ev["type"], ev["object"]["metadata"]["name"]))
            fake_kube.compact()  # the open watch gets ERROR 410
    assert got == [("ADDED", "a")]
    with pytest.raises(KubeGone, match="410"):
        list(_watch(kclient, rv))


def test_watch_break_and_silence_are_transient(fake_kube: FakeKube, kclient: KubeClient) -> None:
    rv = str(fake_kube.resource_version)
    with pytest.raises(KubeTransient, match="ReadTimeout"):
        list(_watch(kclient, rv, quiet=0.2))
    stream = _watch(kclient, rv)
    threading.Timer(0.2, fake_kube.break_streams).start()
    with pytest.raises(KubeTransient, match="broke"):
        list(stream)


def test_close_from_another_thread_ends_the_iteration(fake_kube: FakeKube, kclient: KubeClient) -> None:
    stream = _watch(kclient, str(fake_kube.resource_version))
    threading.Timer(0.2, stream.close).start()
    t0 = time.monotonic()
    assert list(stream) == []
    assert time.monotonic() - t0 < 2


def test_malformed_lines_are_transient() -> None:
    s = WatchStream(None, "/api/v1/pods")
    with pytest.raises(KubeTransient, match="malformed"):
        s._event(b"{not json")
    with pytest.raises(KubeTransient, match="without type"):
        s._event(b'{"type": "ADDED"}')
    with pytest.raises(KubeForbidden):
        s._event(b'{"type": "ERROR", "object": {"kind": "Status", "code": 403, "message": "no"}}')
