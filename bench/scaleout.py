"""Scale-out figures: ``causegraph serve`` workers (real processes) on one embedded graph and a 3-node NATS cluster
(3-replica streams), the realistic mix of ``bench.correlate_latency`` (3% incidents, 7% isolated warnings, the rest
info chatter) over its synthetic cluster (``--scale`` of 5,000 nodes / 150,000 pods).

    .venv/bin/python -m bench.scaleout throughput --workers 1|2 [--rate 2000] [--seconds 8] [--ttl 3]
        a backlog of rate x seconds events of the mix, published before the workers start; events/s = what they
        store and ack from all ready to the consumer drained (nothing pending, nothing unacked); the CPU seconds
        the workers and the NATS servers spent meanwhile
    .venv/bin/python -m bench.scaleout failover [--trials 10] [--ttl 3]
        two workers; kill -9 the leader, publish a critical OOM every 100 ms; failover = kill -> the first result
        (from the new leader) that lists an event published after the kill; also kill -> leadership gained
        (``/readyz`` polled every 20 ms). The killed worker is started again between trials.
    .venv/bin/python -m bench.scaleout live [--rate 200] [--seconds 30] [--no-kill]
        two workers, the mix at --rate; the leader is killed at a third of the run; the live-path latency of
        ``bench.correlate_latency`` (result received - newest event of that version published), p50/p99/max
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import nats
import psutil
from nats.js.api import StreamConfig

from bench.correlate_latency import CLUSTER, event, summary, topology
from causegraph.natsserver import NatsCluster, free_port
from graph import open_store


def worker_env(cluster: NatsCluster, ttl_s: float) -> dict[str, str]:
    return {
        **os.environ,
        "CAUSEGRAPH_NATS__URL": cluster.url,
        "CAUSEGRAPH_NATS__REPLICAS": "3",
        "CAUSEGRAPH_NATS__LEADER_TTL_S": str(ttl_s),
        "CAUSEGRAPH_NATS__ACK_WAIT_S": "10",
        "CAUSEGRAPH_NATS__FETCH_TIMEOUT_S": "0.05",
        "CAUSEGRAPH_KUBERNETES__CLUSTER": CLUSTER,
    }


class Worker:
    def __init__(self, graph: Path, env: dict[str, str]) -> None:
        self.graph, self.env, self.port = graph, env, free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        self.launch()
        return self.wait_ready()

    def launch(self) -> None:
        argv = ["serve", "--graph", str(self.graph), "--kubernetes", "none", "--port", str(self.port)]
        with (self.graph.parent / "serve.log").open("ab") as log:
            cmd = [sys.executable, "-m", "causegraph", *argv]
            self.proc = subprocess.Popen(cmd, env=self.env, stdout=log, stderr=log)

    def wait_ready(self) -> Worker:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.ready() is not None:
                return self
            time.sleep(0.05)
        raise TimeoutError("a worker did not get ready")

    def ready(self) -> dict[str, Any] | None:
        try:
            r = httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=1)
            return dict(r.json()) if r.status_code == 200 else None
        except httpx.HTTPError:
            return None

    def leading(self) -> bool:
        return bool((self.ready() or {}).get("correlation_leader"))

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)


async def wait_jetstream(cluster: NatsCluster) -> None:
    nc = await nats.connect(cluster.urls)
    js = nc.jetstream(timeout=2)
    for _ in range(150):
        try:
            await js.add_stream(StreamConfig(name="READY", subjects=["ready.x"], num_replicas=3))
            await js.delete_stream("READY")
            break
        except Exception:
            await asyncio.sleep(0.2)
    await nc.close()


def setup(tmp: Path, scale: float) -> tuple[NatsCluster, Path, dict[str, Any]]:
    cluster = NatsCluster(tmp / "nats").start()
    asyncio.run(wait_jetstream(cluster))
    graph = tmp / "g" / "graph.rdb"
    graph.parent.mkdir(parents=True)
    store = open_store(str(graph), graph_name="causegraph")
    try:
        store.apply_schema()
        pods, by_service, calls = topology(store, scale)
    finally:
        store.close()
    return cluster, graph, {"pods": pods, "by_service": by_service, "calls": calls}


def _cpu(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            t = psutil.Process(pid).cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            pass
    return total


def throughput(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """A backlog of the mix is published first; the workers start together; events/s counts what they store and ack
    from the moment all of them are ready until the consumer is drained (what the first took before is left out)."""
    cluster, graph, topo = setup(tmp, args.scale)
    env = worker_env(cluster, args.ttl)
    total = int(args.rate * args.seconds)
    t = time.perf_counter()
    asyncio.run(_backlog(cluster, topo, total))
    publish_s = time.perf_counter() - t
    workers = [Worker(graph, env) for _ in range(args.workers)]
    try:
        for w in workers:
            w.launch()
        for w in workers:
            w.wait_ready()
        ready = time.perf_counter()
        acked_before = asyncio.run(_acked(cluster))
        worker_pids = [w.proc.pid for w in workers if w.proc]
        nats_pids = [p.pid for p in cluster.procs if p]
        cpu0 = (_cpu(worker_pids), _cpu(nats_pids))
        drained = asyncio.run(_drained(cluster))
        elapsed = time.perf_counter() - ready
        cpu1 = (_cpu(worker_pids), _cpu(nats_pids))
    finally:
        for w in workers:
            w.stop()
        cluster.stop()
    counted = total - acked_before
    return {
        "workers": args.workers,
        "ttl_s": args.ttl,
        "backlog": total,
        "backlog_publish_s": round(publish_s, 1),
        "stored_before_all_ready": acked_before,
        "drained": drained,
        "events_per_s": round(counted / elapsed),
        "cpu_s": {"workers": round(cpu1[0] - cpu0[0], 1), "nats": round(cpu1[1] - cpu0[1], 1)},
        "elapsed_s": round(elapsed, 1),
        "cores": os.cpu_count(),
        "load_average": os.getloadavg()[0],
    }


async def _backlog(cluster: NatsCluster, topo: dict[str, Any], total: int) -> None:
    """The mix of ``bench.correlate_latency`` (3% incidents: an OOM on a callee's pod, timeouts on 3 callers' pods;
    7% isolated warnings; the rest info), published 200 at a time."""
    rnd = random.Random(7)
    pods, by_service, calls = topo["pods"], topo["by_service"], topo["calls"]
    now = time.time()
    msgs: list[tuple[str, bytes]] = []
    while len(msgs) < total:
        n, roll = len(msgs), rnd.random()
        if roll < 0.03 and calls:
            caller, callee = rnd.choice(calls)
            tr = f"inc-{n}"
            msgs.append(
                (tr, event(f"oom-{n}", rnd.choice(by_service[callee]), "memory", "critical", "oom_kill", tr, now))
            )
            for j, p in enumerate(rnd.sample(by_service[caller], min(3, len(by_service[caller])))):
                msgs.append((tr, event(f"to-{n}-{j}", p, "network", "error", "timeout", tr, now + 0.2 * (j + 1))))
        elif roll < 0.10:
            msgs.append((f"t-{n}", event(f"w-{n}", rnd.choice(pods), "network", "warning", "timeout", f"t-{n}", now)))
        else:
            msgs.append((f"t-{n}", event(f"i-{n}", rnd.choice(pods), "log", "info", "request", f"t-{n}", now)))
        now += 0.001
    nc = await nats.connect(cluster.urls)
    js = nc.jetstream(timeout=30)
    await js.add_stream(StreamConfig(name="TRACES", subjects=["traces.>"], num_replicas=3))
    for i in range(0, len(msgs), 200):
        await asyncio.gather(*(js.publish(f"traces.{tr}.bench", body) for tr, body in msgs[i : i + 200]))
    await nc.close()


async def _acked(cluster: NatsCluster) -> int:
    nc = await nats.connect(cluster.urls)
    try:
        info = await nc.jetstream(timeout=5).consumer_info("TRACES", "causegraph")
        return int(info.ack_floor.stream_seq or 0) if info.ack_floor else 0
    finally:
        await nc.close()


async def _drained(cluster: NatsCluster, timeout_s: float = 300) -> bool:
    nc = await nats.connect(cluster.urls)
    js = nc.jetstream(timeout=5)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            info = await js.consumer_info("TRACES", "causegraph")
            if info.num_pending == 0 and info.num_ack_pending == 0:
                return True
            await asyncio.sleep(0.1)
        return False
    finally:
        await nc.close()


def failover(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    cluster, graph, topo = setup(tmp, args.scale)
    env = worker_env(cluster, args.ttl)
    workers = [Worker(graph, env).start(), Worker(graph, env).start()]
    gained: list[float] = []
    first_result: list[float] = []
    try:
        for trial in range(args.trials):
            time.sleep(1.0)
            leader = next(w for w in workers if w.leading())
            other = next(w for w in workers if w is not leader)
            g, r = asyncio.run(_one_failover(cluster, topo, leader, other, trial))
            gained.append(g)
            first_result.append(r)
            leader.start()  # two workers again for the next trial
    finally:
        for w in workers:
            w.stop()
        cluster.stop()

    def stats(xs: list[float]) -> dict[str, float]:
        return {"median_s": round(statistics.median(xs), 2), "worst_s": round(max(xs), 2)}

    return {
        "trials": args.trials,
        "ttl_s": args.ttl,
        "leadership_gained": stats(gained),
        "first_result_from_new_leader": stats(first_result),
        "all_s": [round(x, 2) for x in first_result],
    }


async def _one_failover(
    cluster: NatsCluster, topo: dict[str, Any], leader: Worker, other: Worker, trial: int
) -> tuple[float, float]:
    nc = await nats.connect(cluster.urls)
    js = nc.jetstream(timeout=5)
    after: set[str] = set()
    got: asyncio.Future[float] = asyncio.get_running_loop().create_future()

    async def on_result(msg: Any) -> None:
        if not got.done() and after.intersection(json.loads(msg.data)["related_events"]):
            got.set_result(time.monotonic())

    await nc.subscribe("correlations.results", cb=on_result)
    pods = topo["pods"]
    await asyncio.to_thread(leader.kill)
    t0 = time.monotonic()
    gained = 0.0
    n = 0
    while not got.done() and time.monotonic() - t0 < 60:
        eid = f"fo-{trial}-{n}"
        after.add(eid)
        await js.publish(
            f"traces.fo{trial}.bench",
            event(eid, pods[n % len(pods)], "memory", "critical", "oom_kill", f"fo{trial}-{n}", time.time()),
        )
        n += 1
        for _ in range(5):
            if not gained and await asyncio.to_thread(other.leading):
                gained = time.monotonic() - t0
            await asyncio.sleep(0.02)
    result = (await asyncio.wait_for(got, 60)) - t0
    await nc.close()
    return gained, result


def live(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    cluster, graph, topo = setup(tmp, args.scale)
    env = worker_env(cluster, args.ttl)
    workers = [Worker(graph, env).start(), Worker(graph, env).start()]
    try:
        from bench.correlate_latency import _drive_process

        ctx = mp.get_context("spawn")
        out, done = ctx.Queue(), ctx.Event()
        opts = {"rate": args.rate, "seconds": args.seconds, "incident_share": 0.03, "warning_share": 0.07}
        child = ctx.Process(target=_drive_process, args=(cluster.urls, "correlations.results", topo, opts, out, done))
        child.start()
        time.sleep(args.seconds / 3)
        leader = next(w for w in workers if w.leading())
        if not args.no_kill:
            leader.kill()
        killed_at = time.monotonic()
        out.get()
        asyncio.run(_drained(cluster))
        time.sleep(5)
        done.set()
        figures = out.get()
        child.join()
    finally:
        for w in workers:
            w.stop()
        cluster.stop()
    return {
        "rate": args.rate,
        "seconds": args.seconds,
        "killed_leader_after_s": None if args.no_kill else round(args.seconds / 3, 1),
        "recovered_s_before_end": round(time.monotonic() - killed_at, 1),
        "result_versions": figures["versions"],
        "events_in_results": len(figures["ms"]),
        "latency_ms": summary(figures["proc"]),
        "latency_with_evidence_wait_ms": summary(figures["ms"]),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=("throughput", "failover", "live"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rate", type=float, default=None)
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--scale", type=float, default=0.02)
    ap.add_argument("--no-kill", action="store_true", help="live: the same run without the failover (baseline)")
    ap.add_argument("--ttl", type=float, default=3.0, help="the leader key's ttl (nats.leader_ttl_s)")
    args = ap.parse_args(argv)
    defaults = {"throughput": (2000.0, 8.0), "failover": (0.0, 0.0), "live": (200.0, 30.0)}[args.what]
    args.rate = args.rate or defaults[0]
    args.seconds = args.seconds or defaults[1]
    run = {"throughput": throughput, "failover": failover, "live": live}[args.what]
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(run(args, Path(tmp)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
