"""The reflector and the watcher against the fake API server (tests/fakekube.py), with a recording sink."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import pytest

from graph import GraphStore
from ingest.kubeclient import KubeClient, build_client
from ingest.loader import TopologyLoader
from ingest.settings import KubernetesSettings
from ingest.watch import Reflector, TopologyHandler, Watcher
from model.event import Category, NormalEvent, SourceKind
from model.kinds import BY_KIND, EVENT_KINDS, TOPOLOGY_KINDS, ApiKind
from tests.fakekube import FakeKube, obj, pod

POD = BY_KIND["Pod"]


class RecordingSink:
    """A test double of the TopologySink protocol: remembers every call and the state they add up to."""

    def __init__(self) -> None:
        self.applied: list[tuple[str, str]] = []  # (uid, resourceVersion), every object handed over
        self.batches: list[int] = []
        self.deletes: list[tuple[str, str]] = []
        self.marks: list[tuple[str, int]] = []  # (kind, len(seen))
        self.live: dict[str, dict[str, Any]] = {}
        self.deleted: set[str] = set()
        self.fail_applies = 0
        self.cond = threading.Condition()

    def apply(self, objects: Sequence[Mapping[str, Any]], observed_at_ms: int | None = None) -> list[NormalEvent]:
        with self.cond:
            if self.fail_applies:
                self.fail_applies -= 1
                raise RuntimeError("graph unavailable")
            self.batches.append(len(objects))
            out = []
            for o in objects:
                uid, rv = o["metadata"]["uid"], o["metadata"]["resourceVersion"]
                self.applied.append((uid, rv))
                self.live[uid] = dict(o)
                self.deleted.discard(uid)
                out.append(_change(uid, rv))
            self.cond.notify_all()
            return out

    def delete(self, obj: Mapping[str, Any], at_ms: int) -> list[NormalEvent]:
        with self.cond:
            uid = obj["metadata"]["uid"]
            self.deletes.append((uid, obj["metadata"]["resourceVersion"]))
            self.live.pop(uid, None)
            self.deleted.add(uid)
            self.cond.notify_all()
            return []

    def mark_missing(self, kind: str, seen_uids: set[str], at_ms: int) -> int:
        with self.cond:
            gone = [u for u, o in self.live.items() if o["kind"] == kind and u not in seen_uids]
            for u in gone:
                del self.live[u]
                self.deleted.add(u)
            self.marks.append((kind, len(seen_uids)))
            self.cond.notify_all()
            return len(gone)

    def live_versions(self, kind: str) -> dict[str, str]:
        with self.cond:
            return {u: o["metadata"]["resourceVersion"] for u, o in self.live.items() if o["kind"] == kind}

    def wait(self, cond: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while not cond():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("timed out waiting for the sink")
                self.cond.wait(min(left, 0.05))


def _change(uid: str, rv: str) -> NormalEvent:
    return NormalEvent(f"{uid}@{rv}", 0, SourceKind.CHANGE, "Changed", "Normal", "info", Category.INFORMATIONAL)


def fake_versions(kube: FakeKube, kind: str) -> dict[str, str]:
    return {o["metadata"]["uid"]: o["metadata"]["resourceVersion"] for o in kube.objects(kind)}


@pytest.fixture
def kclient(fake_kube: FakeKube) -> Iterator[KubeClient]:
    c = build_client(KubernetesSettings(host=fake_kube.url))
    assert c is not None
    yield c
    c.close()


def reflector(kclient: KubeClient, sink: RecordingSink, api: ApiKind = POD, **kw: Any) -> Reflector:
    opts: dict[str, Any] = {"page_size": 500, "quiet_timeout_s": 5.0, "backoff_base_s": 0.01, "watch_timeout_s": 30}
    opts.update(kw)
    return Reflector(kclient, api, TopologyHandler(api.kind, sink, None, threading.Lock()), **opts)


class Running:
    """A reflector's loop in a thread, stopped on exit."""

    def __init__(self, r: Reflector) -> None:
        self.r = r
        self.t = threading.Thread(target=r.run, daemon=True)

    def __enter__(self) -> Reflector:
        self.t.start()
        assert self.r.synced.wait(10)
        return self.r

    def __exit__(self, *exc: object) -> None:
        self.r.close()
        self.t.join(5)
        assert not self.t.is_alive()


def test_list_pages_with_limit_and_continue(fake_kube: FakeKube, kclient: KubeClient) -> None:
    for i in range(1203):
        fake_kube.add(pod(f"p{i:04d}", f"ns{i % 3}"))
    sink = RecordingSink()
    r = reflector(kclient, sink)
    assert r.list_all() is True
    lists = fake_kube.list_requests("Pod")
    assert [q.params.get("limit") for q in lists] == ["500"] * 3
    assert [bool(q.params.get("continue")) for q in lists] == [False, True, True]
    assert sink.batches == [500, 500, 203]
    assert len(set(sink.applied)) == 1203 and sink.live_versions("Pod") == fake_versions(fake_kube, "Pod")
    assert all(o["kind"] == "Pod" and o["apiVersion"] == "v1" for o in sink.live.values())
    assert sink.marks == [("Pod", 1203)]
    assert r.resource_version == str(fake_kube.resource_version)


def test_a_complete_list_marks_what_it_did_not_see(fake_kube: FakeKube, kclient: KubeClient) -> None:
    fake_kube.add(pod("a"))
    sink = RecordingSink()
    sink.apply([{"kind": "Pod", "metadata": {"uid": "gone-while-away", "resourceVersion": "1"}}])
    reflector(kclient, sink).list_all()
    assert "gone-while-away" in sink.deleted and sink.marks == [("Pod", 1)]


def test_no_mark_missing_after_a_partial_list(fake_kube: FakeKube, kclient: KubeClient) -> None:
    for i in range(1203):
        fake_kube.add(pod(f"p{i:04d}"))
    sink = RecordingSink()
    sink.apply([{"kind": "Pod", "metadata": {"uid": "stale", "resourceVersion": "1"}}])
    r = reflector(kclient, sink)
    fake_kube.fail_continue("Pod")  # the second page fails: 500
    delay = r.step()
    assert delay is not None and delay > 0
    assert sink.marks == [] and "stale" not in sink.deleted and r.resource_version is None
    assert r.step() == 0.0  # relists, completes
    assert sink.marks == [("Pod", 1203)] and "stale" in sink.deleted
    pod_versions = Counter(sink.applied[1:])
    assert len(pod_versions) == 1203 and max(pod_versions.values()) == 1  # page one not handed over twice


def test_a_failing_sink_is_retried_without_loss(fake_kube: FakeKube, kclient: KubeClient) -> None:
    fake_kube.add(pod("a"))
    sink = RecordingSink()
    sink.fail_applies = 1
    r = reflector(kclient, sink)
    assert r.step() not in (None, 0.0)
    assert r.step() == 0.0
    assert sink.live_versions("Pod") == fake_versions(fake_kube, "Pod") and sink.marks == [("Pod", 1)]


def test_added_modified_deleted_reach_the_sink(fake_kube: FakeKube, kclient: KubeClient) -> None:
    a = fake_kube.add(pod("a"))
    events: list[NormalEvent] = []
    sink = RecordingSink()
    r = Reflector(kclient, POD, TopologyHandler("Pod", sink, events.extend, threading.Lock()), backoff_base_s=0.01)
    with Running(r):
        fake_kube.wait_for_watches(1, "Pod")
        b = fake_kube.add(pod("b", "other"))
        a2 = fake_kube.modify({**pod("a"), "status": {"phase": "Failed"}})
        fake_kube.delete(pod("b", "other"))
        sink.wait(lambda: b["metadata"]["uid"] in sink.deleted)
    assert sink.applied == [
        (a["metadata"]["uid"], a["metadata"]["resourceVersion"]),
        (b["metadata"]["uid"], b["metadata"]["resourceVersion"]),
        (a["metadata"]["uid"], a2["metadata"]["resourceVersion"]),
    ]
    assert sink.live[a["metadata"]["uid"]]["status"]["phase"] == "Failed"
    assert [d[0] for d in sink.deletes] == [b["metadata"]["uid"]]
    assert [e.id for e in events] == [f"{u}@{v}" for u, v in sink.applied]


def test_a_bookmark_moves_the_resource_version_the_next_watch_starts_from(
    fake_kube: FakeKube, kclient: KubeClient
) -> None:
    sink = RecordingSink()
    with Running(reflector(kclient, sink)) as r:
        fake_kube.wait_for_watches(1, "Pod")
        first = fake_kube.watch_requests("Pod")[0].params
        assert first["allowWatchBookmarks"] == "true" and first["resourceVersion"] == r.resource_version
        for i in range(3):
            fake_kube.add(obj("ConfigMap", f"cm{i}"))  # other kinds move the version
        at = fake_kube.bookmark()
        assert at > int(first["resourceVersion"])
        deadline = time.monotonic() + 5
        while r.resource_version != str(at):
            assert time.monotonic() < deadline, "bookmark not taken"
            time.sleep(0.01)
        fake_kube.break_streams()
        fake_kube.wait_for_watches(1, "Pod")
        while len(fake_kube.watch_requests("Pod")) < 2:
            time.sleep(0.01)
        assert fake_kube.watch_requests("Pod")[1].params["resourceVersion"] == str(at)
        assert r.stats.bookmarks == 1 and len(fake_kube.list_requests("Pod")) == 1
    assert sink.applied == []


def test_410_in_the_middle_of_a_watch_relists_nothing_lost_nothing_twice(
    fake_kube: FakeKube, kclient: KubeClient
) -> None:
    pods = [fake_kube.add(pod(f"p{i:02d}")) for i in range(20)]
    sink = RecordingSink()
    with Running(reflector(kclient, sink)) as r:
        fake_kube.wait_for_watches(1, "Pod")
        for p in pods[:5]:
            fake_kube.modify({**pod(p["metadata"]["name"]), "status": {"phase": "Succeeded"}})
        sink.wait(lambda: len(sink.applied) == 25)
        fake_kube.compact()  # the open watch gets ERROR 410 ...
        for p in pods[5:10]:  # ... and these happen while it relists (or right after)
            fake_kube.modify({**pod(p["metadata"]["name"]), "status": {"phase": "Failed"}})
        for p in pods[10:13]:
            fake_kube.delete(pod(p["metadata"]["name"]))
        for i in range(3):
            fake_kube.add(pod(f"new{i}"))
        want = fake_versions(fake_kube, "Pod")
        sink.wait(lambda: sink.live_versions("Pod") == want)
        assert r.stats.relists >= 1 and len(fake_kube.list_requests("Pod")) >= 2
    twice = [k for k, n in Counter(sink.applied).items() if n > 1]
    assert twice == []
    assert len(sink.applied) == 20 + 5 + 5 + 3
    assert {p["metadata"]["uid"] for p in pods[10:13]} <= sink.deleted


def test_a_broken_stream_reconnects_and_resumes_from_the_last_version(fake_kube: FakeKube, kclient: KubeClient) -> None:
    sink = RecordingSink()
    with Running(reflector(kclient, sink)) as r:
        fake_kube.wait_for_watches(1, "Pod")
        a = fake_kube.add(pod("a"))
        sink.wait(lambda: len(sink.applied) == 1)
        assert fake_kube.break_streams() == 1
        b = fake_kube.add(pod("b"))
        sink.wait(lambda: len(sink.applied) == 2)
        watches = fake_kube.watch_requests("Pod")
        assert len(watches) >= 2 and watches[1].params["resourceVersion"] == a["metadata"]["resourceVersion"]
        assert r.stats.reconnects >= 1 and r.stats.relists == 0 and len(fake_kube.list_requests("Pod")) == 1
    assert sink.applied[1] == (b["metadata"]["uid"], b["metadata"]["resourceVersion"])


def test_a_quiet_stream_is_reopened(fake_kube: FakeKube, kclient: KubeClient) -> None:
    sink = RecordingSink()
    with Running(reflector(kclient, sink, quiet_timeout_s=0.3)) as r:
        deadline = time.monotonic() + 5
        while len(fake_kube.watch_requests("Pod")) < 3:
            assert time.monotonic() < deadline, "no reconnect after silence"
            time.sleep(0.05)
        assert {q.params["resourceVersion"] for q in fake_kube.watch_requests("Pod")} == {r.resource_version}
        fake_kube.add(pod("late"))
        sink.wait(lambda: len(sink.applied) == 1)


def test_the_server_ending_a_watch_is_not_an_error(fake_kube: FakeKube, kclient: KubeClient) -> None:
    sink = RecordingSink()
    r = reflector(kclient, sink, watch_timeout_s=1)
    r.list_all()
    fake_kube.add(pod("a"))
    assert r.step() == 0.0  # watched until the server's timeoutSeconds
    assert len(sink.applied) == 1 and r.stats.reconnects == 0


def test_403_on_one_kind_is_logged_once_and_the_others_go_on(
    fake_kube: FakeKube, kclient: KubeClient, caplog: pytest.LogCaptureFixture
) -> None:
    fake_kube.add(pod("a"))
    fake_kube.add(obj("ConfigMap", "cm"))
    fake_kube.add(obj("Secret", "s"))
    fake_kube.forbid("Secret")
    sink = RecordingSink()
    settings = KubernetesSettings(host=fake_kube.url, page_size=10)
    kinds = [POD, BY_KIND["Secret"], BY_KIND["ConfigMap"]]
    w = Watcher(kclient, sink, settings, kinds=kinds, backoff_base_s=0.01)
    caplog.set_level(logging.WARNING, logger="ingest.watch")
    w.start()
    try:
        assert w.wait_synced(10)
        fake_kube.wait_for_watches(2)
        fake_kube.add(pod("b"))
        sink.wait(lambda: len(sink.live_versions("Pod")) == 2)
    finally:
        w.stop()
    assert {o["kind"] for o in sink.live.values()} == {"Pod", "ConfigMap"}
    secret_logs = [rec for rec in caplog.records if "Secret" in rec.getMessage()]
    assert len(secret_logs) == 1 and secret_logs[0].levelno == logging.WARNING
    assert "forbidden" in secret_logs[0].getMessage()
    assert len(fake_kube.list_requests("Secret")) == 1 and fake_kube.watch_requests("Secret") == []
    assert [r.skipped != "" for r in w.reflectors] == [False, True, False]


def test_kubernetes_events_go_to_the_event_callback(fake_kube: FakeKube, kclient: KubeClient) -> None:
    ev1 = obj("Event", "e1", "default", reason="BackOff", involvedObject={"kind": "Pod", "name": "a"})
    fake_kube.add(ev1)
    got: list[dict[str, Any]] = []
    sink = RecordingSink()
    w = Watcher(kclient, sink, KubernetesSettings(), kinds=(), on_k8s_events=got.extend, backoff_base_s=0.01)
    assert [r.api for r in w.reflectors] == list(EVENT_KINDS)
    w.start()
    try:
        assert w.wait_synced(10)
        fake_kube.wait_for_watches(2, "Event")
        fake_kube.modify({**ev1, "count": 2})
        new = {**obj("Event", "e2", "default", reason="Scheduled"), "apiVersion": "events.k8s.io/v1"}
        fake_kube.add(new)
        fake_kube.delete(ev1)
        deadline = time.monotonic() + 5
        while len(got) < 3:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        time.sleep(0.1)
    finally:
        w.stop()
    # two reflectors: order only holds within one API
    assert sorted(((e["metadata"]["name"], e["apiVersion"], e.get("count") or 1) for e in got), key=str) == [
        ("e1", "v1", 1),
        ("e1", "v1", 2),
        ("e2", "events.k8s.io/v1", 1),
    ]
    assert sink.applied == [] and sink.marks == [] and sink.deletes == []


def test_the_watcher_stops_cleanly(fake_kube: FakeKube, kclient: KubeClient) -> None:
    w = Watcher(kclient, RecordingSink(), KubernetesSettings(), backoff_base_s=0.01)
    w.start()
    assert w.wait_synced(10)
    fake_kube.wait_for_watches(len(w.reflectors))
    t0 = time.monotonic()
    w.stop()
    assert time.monotonic() - t0 < 3
    deadline = time.monotonic() + 3
    while fake_kube.open_watches():
        assert time.monotonic() < deadline, "watches left open"
        time.sleep(0.02)


async def test_serve_runs_until_cancelled(fake_kube: FakeKube, kclient: KubeClient) -> None:
    import asyncio

    sink = RecordingSink()
    fake_kube.add(pod("a"))
    w = Watcher(kclient, sink, KubernetesSettings(), kinds=[POD])
    task = asyncio.create_task(w.serve())
    while not sink.applied:
        await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert w.stop_event.is_set()


def test_end_to_end_into_the_graph(fake_kube: FakeKube, kclient: KubeClient, store: GraphStore) -> None:
    fake_kube.add(obj("Namespace", "shop"))
    fake_kube.add(obj("Node", "node-1"))
    for name in ("web-1", "web-2", "db-1"):
        fake_kube.add(pod(name, "shop", labels={"app": name[:-2]}, node="node-1"))
    kinds = [BY_KIND["Namespace"], BY_KIND["Node"], POD]
    settings = KubernetesSettings(host=fake_kube.url)

    def pods() -> dict[str, Any]:
        rows = store.run("MATCH (p:Pod) RETURN p.name AS name, p.deleted_at AS deleted_at", {})
        return {r["name"]: r["deleted_at"] for r in rows}

    w = Watcher(kclient, TopologyLoader(store, "prod"), settings, kinds=kinds, backoff_base_s=0.01)
    w.start()
    try:
        assert w.wait_synced(10)
        assert pods() == {"web-1": None, "web-2": None, "db-1": None}
        fake_kube.wait_for_watches(3)
        fake_kube.delete(pod("web-2", "shop"))
        fake_kube.add(pod("web-3", "shop", node="node-1"))
        deadline = time.monotonic() + 10
        while not (pods().get("web-2") and "web-3" in pods()):
            assert time.monotonic() < deadline, pods()
            time.sleep(0.05)
    finally:
        w.stop()
    on_node = store.run("MATCH (p:Pod {name: 'web-3'})-[:RUNS_ON]->(n:Node) RETURN n.key AS key", {})
    assert [r["key"] for r in on_node] == ["prod/Node//node-1"]
    # while no watcher runs, db-1 goes; the next start's complete list marks it deleted
    fake_kube.delete(pod("db-1", "shop"))
    w2 = Watcher(kclient, TopologyLoader(store, "prod"), settings, kinds=kinds, backoff_base_s=0.01)
    w2.start()
    try:
        assert w2.wait_synced(10)
    finally:
        w2.stop()
    state = pods()
    assert state["db-1"] and state["web-2"] and state["web-1"] is None and state["web-3"] is None


def test_from_settings(fake_kube: FakeKube) -> None:
    assert Watcher.from_settings(KubernetesSettings(mode="none"), RecordingSink()) is None
    w = Watcher.from_settings(KubernetesSettings(host=fake_kube.url, watch_events=True), RecordingSink())
    assert w is not None and len(w.reflectors) == len(TOPOLOGY_KINDS)  # no Event callback: no Event reflectors
    w.client.close()
    got: list[dict[str, Any]] = []
    w = Watcher.from_settings(KubernetesSettings(host=fake_kube.url), RecordingSink(), on_k8s_events=got.extend)
    assert w is not None and len(w.reflectors) == len(TOPOLOGY_KINDS) + len(EVENT_KINDS)
    w.client.close()
