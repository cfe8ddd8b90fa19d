"""The fake API server, checked with the official ``kubernetes`` client (what the watcher is built on)."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client, watch
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import ProtocolError

from tests.fakekube import FakeKube, obj, parse_selector, pod


@pytest.fixture
def core(fake_kube: FakeKube) -> Iterator[client.CoreV1Api]:
    cfg = client.Configuration(host=fake_kube.url)
    cfg.retries = False
    with client.ApiClient(cfg) as api:
        yield client.CoreV1Api(api)


def _watch(core: client.CoreV1Api, n: int, **kwargs: Any) -> list[dict[str, Any]]:
    """The first ``n`` events of a watch (or fewer if it times out)."""
    w = watch.Watch()
    out: list[dict[str, Any]] = []
    for ev in w.stream(core.list_namespaced_pod, "default", timeout_seconds=3, **kwargs):
        out.append(ev)
        if len(out) >= n:
            w.stop()
    return out


def test_list_pages_with_limit_and_continue_read_one_snapshot(fake_kube: FakeKube, core: client.CoreV1Api) -> None:
    for i in range(7):
        fake_kube.add(pod(f"p{i}", "ns1" if i % 2 else "ns2"))
    first = core.list_pod_for_all_namespaces(limit=3)
    assert len(first.items) == 3 and first.metadata.remaining_item_count == 4
    # a change between pages does not show in later pages: they are read at the first page's version
    fake_kube.modify({**pod("p6", "ns2"), "status": {"phase": "Failed"}})
    fake_kube.add(pod("p9", "ns1"))
    names = [p.metadata.name for p in first.items]
    token, versions = first.metadata._continue, {first.metadata.resource_version}
    while token:
        page = core.list_pod_for_all_namespaces(limit=3, _continue=token)
        names += [p.metadata.name for p in page.items]
        phases = {p.metadata.name: p.status.phase for p in page.items}
        assert phases.get("p6", "Running") == "Running"
        versions.add(page.metadata.resource_version)
        token = page.metadata._continue
    assert sorted(names) == [f"p{i}" for i in range(7)]
    assert len(versions) == 1
    assert len(core.list_pod_for_all_namespaces().items) == 8


def test_every_object_and_list_has_a_resource_version(fake_kube: FakeKube, core: client.CoreV1Api) -> None:
    a = fake_kube.add(pod("a"))
    b = fake_kube.modify(pod("a"))
    assert int(b["metadata"]["resourceVersion"]) > int(a["metadata"]["resourceVersion"])
    assert b["metadata"]["uid"] == a["metadata"]["uid"]
    listed = core.list_namespaced_pod("default")
    assert int(listed.metadata.resource_version) >= int(b["metadata"]["resourceVersion"])
    assert listed.items[0].metadata.resource_version == b["metadata"]["resourceVersion"]
    assert core.read_namespaced_pod("a", "default").metadata.uid == a["metadata"]["uid"]


def test_namespaced_path_and_label_selectors(fake_kube: FakeKube, core: client.CoreV1Api) -> None:
    fake_kube.add(pod("web-1", "shop", labels={"app": "web", "tier": "front"}))
    fake_kube.add(pod("web-2", "other", labels={"app": "web"}))
    fake_kube.add(pod("db-1", "shop", labels={"app": "db"}))
    assert [p.metadata.name for p in core.list_namespaced_pod("shop").items] == ["db-1", "web-1"]
    assert [p.metadata.name for p in core.list_namespaced_pod("shop", label_selector="app=web").items] == ["web-1"]
    allns = core.list_pod_for_all_namespaces(label_selector="app in (web),tier!=front").items
    assert [p.metadata.name for p in allns] == ["web-2"]
    assert [p.metadata.name for p in core.list_pod_for_all_namespaces(label_selector="!tier,app!=db").items] == [
        "web-2"
    ]
    assert len(core.list_pod_for_all_namespaces(label_selector="tier").items) == 1


def test_selector_parser_rejects_garbage() -> None:
    assert parse_selector("a=b, c notin (x, y)") == [
        ("a", "=", frozenset({"b"})),
        ("c", "notin", frozenset({"x", "y"})),
    ]
    with pytest.raises(ValueError, match="unable to parse"):
        parse_selector("a=b=c")


def test_bad_label_selector_is_a_400(fake_kube: FakeKube, core: client.CoreV1Api) -> None:
    with pytest.raises(ApiException) as e:
        core.list_namespaced_pod("default", label_selector="a=(")
    assert e.value.status == 400


def test_watch_replays_only_what_came_after_the_version(fake_kube: FakeKube, core: client.CoreV1Api) -> None:
    fake_kube.add(pod("a"))
    fake_kube.add(pod("b"))
    rv = core.list_namespaced_pod("default").metadata.resource_version
    fake_kube.modify({**pod("a"), "status": {"phase": "Failed"}})
    fake_kube.delete(pod("b"))
    fake_kube.add(pod("c"))
    fake_kube.add(pod("x", "elsewhere"))  # other namespace: not on this watch
    events = _watch(core, 3, resource_version=rv)
    assert [(e["type"], e["object"].metadata.name) for e in events] == [
        ("MODIFIED", "a"),
        ("DELETED", "b"),
        ("ADDED", "c"),
    ]
    assert events[0]["object"].status.phase == "Failed"
    versions = [int(e["object"].metadata.resource_version) for e in events]
    assert versions == sorted(versions) and versions[0] > int(rv)


def test_watch_without_version_starts_with_the_current_state(fake_kube: FakeKube, core: client.CoreV1Api) -> None:
    fake_kube.add(pod("a"))
    fake_kube.add(pod("b"))
    events = _watch(core, 2)
    assert [(e["type"], e["object"].metadata.name) for e in events] == [("ADDED", "a"), ("ADDED", "b")]


def test_watch_follows_live_changes_and_sends_bookmarks(fake_kube: FakeKube, core: client.CoreV1Api) -> None:
    rv = core.list_namespaced_pod("default").metadata.resource_version
    fake_kube.add(obj("ConfigMap", "cm"))  # moves the global version, not on the pod watch

    def later() -> None:
        fake_kube.wait_for_watches(1, "Pod")
        fake_kube.add(pod("live"))
        fake_kube.bookmark()

    t = threading.Thread(target=later)
    t.start()
    events = _watch(core, 2, resource_version=rv, allow_watch_bookmarks=True)
    t.join()
    assert [e["type"] for e in events] == ["ADDED", "BOOKMARK"]
    assert int(events[1]["raw_object"]["metadata"]["resourceVersion"]) == fake_kube.resource_version


def test_no_bookmarks_unless_asked(fake_kube: FakeKube, core: client.CoreV1Api) -> None:
    rv = core.list_namespaced_pod("default").metadata.resource_version

    def later() -> None:
        fake_kube.wait_for_watches(1, "Pod")
        fake_kube.bookmark()
        fake_kube.add(pod("after"))

    t = threading.Thread(target=later)
    t.start()
    events = _watch(core, 1, resource_version=rv)
    t.join()
    assert [e["type"] for e in events] == ["ADDED"]


def test_watch_from_a_compacted_version_is_410_gone(fake_kube: FakeKube, core: client.CoreV1Api) -> None:
    rv = core.list_namespaced_pod("default").metadata.resource_version
    fake_kube.add(pod("a"))
    fake_kube.compact()
    with pytest.raises(ApiException) as e:
        _watch(core, 1, resource_version=rv)
    assert e.value.status == 410
    # from the current version, watching works again
    now = core.list_namespaced_pod("default").metadata.resource_version
    fake_kube.add(pod("b"))
    assert [e["object"].metadata.name for e in _watch(core, 1, resource_version=now)] == ["b"]


def test_compaction_expires_an_open_watch_with_an_error_event(fake_kube: FakeKube, core: client.CoreV1Api) -> None:
    rv = core.list_namespaced_pod("default").metadata.resource_version

    def later() -> None:
        fake_kube.wait_for_watches(1, "Pod")
        fake_kube.add(pod("a"))
        fake_kube.compact()

    t = threading.Thread(target=later)
    t.start()
    seen: list[str] = []
    with pytest.raises(ApiException) as e:
        for ev in watch.Watch().stream(core.list_namespaced_pod, "default", resource_version=rv, timeout_seconds=3):
            seen.append(ev["type"])
    t.join()
    assert seen == ["ADDED"] and e.value.status == 410


def test_a_too_old_continue_token_is_410(fake_kube: FakeKube, core: client.CoreV1Api) -> None:
    for i in range(3):
        fake_kube.add(pod(f"p{i}"))
    token = core.list_namespaced_pod("default", limit=1).metadata._continue
    fake_kube.add(pod("late"))
    fake_kube.compact()
    with pytest.raises(ApiException) as e:
        core.list_namespaced_pod("default", limit=1, _continue=token)
    assert e.value.status == 410


def test_forbidden_kind_is_403_others_served(fake_kube: FakeKube, core: client.CoreV1Api) -> None:
    fake_kube.forbid("Secret")
    with pytest.raises(ApiException) as e:
        core.list_secret_for_all_namespaces()
    assert e.value.status == 403 and "forbidden" in str(e.value.body)
    assert core.list_config_map_for_all_namespaces().items == []
    fake_kube.allow("Secret")
    assert core.list_secret_for_all_namespaces().items == []


def test_a_failing_continue_request_is_500_once(fake_kube: FakeKube, core: client.CoreV1Api) -> None:
    for i in range(3):
        fake_kube.add(pod(f"p{i}"))
    token = core.list_namespaced_pod("default", limit=2).metadata._continue
    fake_kube.fail_continue("Pod")
    with pytest.raises(ApiException) as e:
        core.list_namespaced_pod("default", limit=2, _continue=token)
    assert e.value.status == 500
    assert [p.metadata.name for p in core.list_namespaced_pod("default", limit=2, _continue=token).items] == ["p2"]


def test_break_streams_cuts_a_watch_mid_event(fake_kube: FakeKube, core: client.CoreV1Api) -> None:
    rv = core.list_namespaced_pod("default").metadata.resource_version

    def later() -> None:
        fake_kube.wait_for_watches(1, "Pod")
        fake_kube.add(pod("a"))
        assert fake_kube.break_streams() == 1

    t = threading.Thread(target=later)
    t.start()
    seen: list[str] = []
    with pytest.raises(ProtocolError):
        for ev in watch.Watch().stream(core.list_namespaced_pod, "default", resource_version=rv, timeout_seconds=3):
            seen.append(ev["object"].metadata.name)
    t.join()
    assert seen == ["a"]


def test_watch_is_chunked_newline_delimited_json(fake_kube: FakeKube) -> None:
    fake_kube.add(pod("a"))
    fake_kube.add(pod("b"))
    host, port = fake_kube.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    conn.request("GET", "/api/v1/namespaces/default/pods?watch=1&resourceVersion=1&timeoutSeconds=1")
    resp = conn.getresponse()
    assert resp.status == 200 and resp.getheader("Transfer-Encoding") == "chunked"
    lines = resp.read().decode().splitlines()
    conn.close()
    assert len(lines) == 2 and all(line.startswith('{"type": "ADDED"') for line in lines)


def test_unknown_path_is_404(fake_kube: FakeKube) -> None:
    host, port = fake_kube.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    conn.request("GET", "/apis/nope.example/v1/things")
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    assert resp.status == 404 and b'"kind": "Status"' in body
