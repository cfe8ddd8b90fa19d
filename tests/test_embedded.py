"""The embedded FalkorDB server's life on real processes: an append-only file, so that what was acknowledged
survives kill -9 of the server; one owner, taken over when the owner dies; nothing left behind on close."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nats
import psutil
import pytest
from redislite.falkordb_client import FalkorDB

from causegraph.natsserver import NatsServer
from graph import GraphStore, open_store
from graph.embedded import alive, aof_dirname, server_config, stop_server
from graph.falkor import FalkorStore
from ingest.eventwriter import EventWriter
from ingest.natsconsumer import NatsIngest
from ingest.pipeline import Pipeline
from ingest.settings import NatsSettings
from tests import scenario_events as sc


def _open(path: Path, **kw: str) -> FalkorStore:
    store = open_store(str(path), graph_name="g", **kw)  # type: ignore[arg-type]
    assert isinstance(store, FalkorStore)
    return store


def _events(store: GraphStore) -> int:
    return int(store.run("MATCH (e:Event) RETURN count(e) AS n")[0]["n"])


def _servers_in(folder: Path) -> list[int]:
    """The pids of the redis servers working in ``folder`` (redis moves to its data folder)."""
    found = []
    for p in psutil.process_iter(["name"]):
        with contextlib.suppress(psutil.Error):
            if "redis" in (p.info["name"] or "") and p.cwd() == str(folder) and alive(p.pid):
                found.append(p.pid)
    return found


def _kill9(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not alive(pid)


async def test_events_acked_to_jetstream_survive_kill9_of_the_graph_server(
    tmp_path: Path, nats_server: NatsServer
) -> None:
    path = tmp_path / "graph.rdb"
    store = _open(path)
    store.apply_schema()
    tag = uuid.uuid4().hex[:8]
    settings = NatsSettings(url=nats_server.url, stream=f"T_{tag}", durable=f"d_{tag}", dead_letter_stream="")
    consumer = NatsIngest(settings, Pipeline(store, None, EventWriter(store, sc.CLUSTER)))
    await consumer.connect()
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    for i in range(300):
        await js.publish(f"traces.t{i % 7}.ebpf", json.dumps(sc.unified(f"e-{i}", sc.T0 + i)).encode())
    while consumer.totals.stored < 300:
        assert (await consumer.consume_once()).fetched > 0
    assert consumer.nc is not None
    await consumer.nc.flush()
    for _ in range(100):  # JetStream takes the acks in on its own time
        info = await js.consumer_info(settings.stream, settings.durable)
        if (info.num_ack_pending, info.num_pending) == (0, 0):
            break
        await asyncio.sleep(0.05)
    assert (info.num_ack_pending, info.num_pending) == (0, 0)  # every one acknowledged: JetStream will not resend
    await consumer.close()
    await nc.close()
    server = store.owned_pid
    assert server is not None
    _kill9(server)  # within the second everysec would wait to fsync
    store.close()
    again = _open(path)
    try:
        assert again.owned_pid not in (None, server)
        assert _events(again) == 300
    finally:
        again.close()


def test_the_aof_sits_beside_the_graph_file_and_the_fsync_policy_is_a_setting(tmp_path: Path) -> None:
    store = _open(tmp_path / "g.rdb", appendfsync="always")
    try:
        config = store._client.config_get("append*")
        assert (config["appendonly"], config["appendfsync"]) == ("yes", "always")
        assert (tmp_path / "g.rdb.aof").is_dir()
    finally:
        store.close()
    assert aof_dirname(Path("/x/graph.rdb")) == "graph.rdb.aof"
    assert aof_dirname(Path("/x/my graph.rdb")) == "appendonlydir"
    with pytest.raises(ValueError, match="appendfsync: expected one of everysec, always"):
        server_config(tmp_path / "g.rdb", "no")  # type: ignore[arg-type]


def test_a_graph_saved_without_an_aof_keeps_its_data_when_the_aof_is_turned_on(tmp_path: Path) -> None:
    path = tmp_path / "graph.rdb"
    old = FalkorDB(str(path), serverconfig={"save": ["900 1"]})  # as causegraph ran before the AOF
    old.client._cleanup = lambda *a, **k: None
    old.select_graph("g").query("UNWIND range(1, 50) AS i CREATE (:Pod {uid: toString(i)})")
    stop_server(old.client.pid, old.client.pidfile)
    store = _open(path)
    try:
        assert store.run("MATCH (p:Pod) RETURN count(p) AS n") == [{"n": 50}]
        assert store._client.config_get("appendonly") == {"appendonly": "yes"}
    finally:
        store.close()


_OWNER = textwrap.dedent(
    """
    import sys, time
    from graph import open_store
    store = open_store(sys.argv[1], graph_name="g")
    store.run("CREATE (:Pod {uid: 'before'})")
    print(store.owned_pid, store._owned.redis_dir, flush=True)
    time.sleep(600)
    """
)


def test_a_server_orphaned_by_kill9_of_its_owner_is_taken_over_stopped_and_cleaned_up(tmp_path: Path) -> None:
    path = tmp_path / "graph.rdb"
    owner = subprocess.Popen([sys.executable, "-c", _OWNER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None
        server_pid, redis_dir = owner.stdout.readline().split()
    finally:
        owner.kill()  # kill -9 of serve: its graph server lives on
        owner.wait()
    server = int(server_pid)
    assert alive(server)
    store = _open(path)
    assert store.owned_pid == server  # reused, and owned
    store.run("CREATE (:Pod {uid: 'after'})")
    store.close()
    assert not alive(server)
    assert not Path(redis_dir).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.rdb", "graph.rdb.aof"]
    again = _open(path)
    try:
        assert again.run("MATCH (p:Pod) RETURN p.uid AS uid ORDER BY uid") == [{"uid": "after"}, {"uid": "before"}]
    finally:
        again.close()


def test_a_live_owner_keeps_its_server(tmp_path: Path) -> None:
    path = tmp_path / "graph.rdb"
    first = _open(path)
    second = _open(path)
    try:
        assert first.owned_pid is not None and second.owned_pid is None
        second.close()
        assert first.owned_pid is not None and alive(first.owned_pid)
        assert first.health().ok
    finally:
        first.close()


def test_a_registry_left_by_a_dead_server_starts_a_new_one(tmp_path: Path) -> None:
    path = tmp_path / "graph.rdb"
    store = _open(path)
    store.run("CREATE (:Pod {uid: 'kept'})")
    dead = store.owned_pid
    assert dead is not None and store._owned is not None
    redis_dir = Path(store._owned.redis_dir)
    _kill9(dead)
    again = _open(path)  # the old store was never closed (its process died with the server, say)
    try:
        assert again.owned_pid not in (None, dead)
        assert not redis_dir.exists()  # the dead server's folder went with its registry
        assert again.run("MATCH (p:Pod) RETURN p.uid AS uid") == [{"uid": "kept"}]
    finally:
        again.close()
    assert psutil.pid_exists(dead) is False or not alive(dead)


def test_an_owned_server_that_dies_is_started_again_with_every_acknowledged_write(tmp_path: Path) -> None:
    store = _open(tmp_path / "graph.rdb")
    try:
        store.run("CREATE (:Pod {uid: 'one'})")
        first = store.owned_pid
        assert first is not None
        _kill9(first)
        assert store.run("MATCH (p:Pod) RETURN p.uid AS uid") == [{"uid": "one"}]  # a new server, the AOF replayed
        second = store.owned_pid
        assert second not in (None, first) and alive(second)
        _kill9(second)
        store.write_many([("UNWIND $rows AS r CREATE (:Pod {uid: r.uid})", [{"uid": "two"}])])
        assert store.owned_pid not in (None, second)
        _kill9(store.owned_pid or 0)
        assert store.health().ok
        assert store.run("MATCH (p:Pod) RETURN p.uid AS uid ORDER BY uid") == [{"uid": "one"}, {"uid": "two"}]
    finally:
        store.close()


def test_a_user_whose_server_died_opens_the_graph_again_and_two_at_once_start_one_server(tmp_path: Path) -> None:
    """Several workers on one file: whoever finds the server gone first starts the next one (under the file's
    lock), the others use it; never two servers on one append-only file."""
    owner = _open(tmp_path / "graph.rdb")
    users = [_open(tmp_path / "graph.rdb") for _ in range(2)]
    try:
        owner.run("CREATE (:Pod {uid: 'kept'})")
        pid = owner.owned_pid
        assert pid is not None and all(u.owned_pid is None for u in users)
        _kill9(pid)
        with ThreadPoolExecutor(2) as pool:  # both find it dead at once
            answers = list(pool.map(lambda u: u.run("MATCH (p:Pod) RETURN p.uid AS uid"), users))
        assert answers == [[{"uid": "kept"}], [{"uid": "kept"}]]
        started = [u.owned_pid for u in users if u.owned_pid is not None]
        assert len(started) == 1 and alive(started[0])  # one of them started it and owns it
        assert owner.run("MATCH (p:Pod) RETURN count(p) AS n") == [{"n": 1}]  # the old owner now only uses it
        assert owner.owned_pid is None
        assert _servers_in(tmp_path) == started
    finally:
        for store in (*users, owner):
            store.close()


def test_the_last_user_of_a_server_whose_owner_died_stops_it(tmp_path: Path) -> None:
    path = tmp_path / "graph.rdb"
    owner = subprocess.Popen([sys.executable, "-c", _OWNER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None
        server = int(owner.stdout.readline().split()[0])
        user = _open(path)  # beside a live owner: only uses it
        assert user.owned_pid is None
    finally:
        owner.kill()
        owner.wait()
    assert user.run("MATCH (p:Pod) RETURN p.uid AS uid") == [{"uid": "before"}]
    user.close()
    assert not alive(server)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.rdb", "graph.rdb.aof"]
