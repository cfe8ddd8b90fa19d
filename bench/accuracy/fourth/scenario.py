"""Composes one scenario: a cluster, 2-4 overlapping faults on distinct targets, background noise, the files.

The composer owns every choice that makes truth unambiguous: no two incidents share a root resource, node faults
take nodes that host no other incident's root pod, and the first two faults always overlap in time. The topology
file is written before any fault runs, so it is the cluster as it was when the recording began; everything that
changes later arrives as a recorded watch change.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from . import apps, background, cluster, faults, records
from .cluster import Cluster, Node, Pod, Workload
from .signals import Incident, Signals

Obj = dict[str, Any]
KINDS = (
    "app_fault",
    "bad_rollout",
    "configmap_change",
    "crashloop",
    "datastore_oom",
    "node_memory_pressure",
    "node_network_loss",
    "node_notready",
    "recurring_oom",
)
NODE_KINDS = ("node_memory_pressure", "node_network_loss", "node_notready")
EPOCH_MS = 1_772_409_600_000  # 2026-03-02T00:00:00Z


def event_id(line: Obj) -> str:
    """The id a line's event gets (DESIGN §4): uid@resourceVersion for a watch change, the Event object's uid, or
    the collector's ``id``."""
    if "observed_at" in line and "object" in line:
        meta = line["object"]["metadata"]
        return f"{meta['uid']}@{meta['resourceVersion']}"
    if line.get("kind") == "Event" and "metadata" in line:
        return str(line["metadata"]["uid"])
    return str(line["id"])


class Composer:
    def __init__(self, seed: int, index: int, attempt: int = 0) -> None:
        self.rng = random.Random(f"fourth:{seed}:{index}" + (f":{attempt}" if attempt else ""))
        self.seed, self.index = seed, index
        self.app = apps.load(apps.APPS[index % len(apps.APPS)])
        self.start = EPOCH_MS + self.rng.randrange(0, 40) * 86_400_000 + self.rng.randrange(0, 86_400) * 1000
        self.c: Cluster = cluster.build(self.app, self.rng, self.start)
        self.topology = json.dumps(self.c.to_list(), sort_keys=True, indent=1) + "\n"
        self.duration = self.rng.randrange(20, 46) * 60_000
        producers = {
            "ebpf": records.Producer(
                self.rng.choice(["tapio-ebpf", "ebpf-agent", "netobserv-ebpf"]),
                self.rng.choice(["hex", "prefixed"]),
                "ns",
                "uid",
            ),
            "otel": records.Producer("otel-collector", "uuid", "ns", "name"),
            "logs": records.Producer(self.rng.choice(["fluent-bit", "vector"]), "ulid", "ms", "uid"),
            "metrics": records.Producer(self.rng.choice(["prom-anomaly", "metrics-agent"]), "prefixed", "ms", "name"),
        }
        self.s = records.Stream(self.c, self.rng, self.rng.choice(["core", "core", "mixed", "new"]), producers)
        self.sig = Signals(self.c, self.s, self.rng, trace_share=self.rng.uniform(0.25, 0.6))
        self.claimed_nodes: set[str] = set()
        self.claimed_workloads: set[str] = set()
        self.overlapping = False

    # ------------------------------------------------------------ target choice
    def _app_workloads(self) -> list[Workload]:
        return [w for w in self.c.workloads.values() if w.namespace == self.c.namespace and w.pods]

    def _ok(self, w: Workload) -> bool:
        return w.name not in self.claimed_workloads and not any(p.node in self.claimed_nodes for p in w.pods)

    def _claim(self, w: Workload) -> None:
        self.claimed_workloads.add(w.name)

    def _services(self, store: bool) -> list[Workload]:
        out = [
            w
            for w in self._app_workloads()
            if w.service and self.app.is_store(w.service) == store and self._ok(w) and w.service != self.app.entry
        ]
        with_callers = [w for w in out if self.app.callers(w.service)]
        return sorted(with_callers or out, key=lambda w: w.name)

    def _node(self) -> Node | None:
        root_nodes = {p.node for name in self.claimed_workloads for p in self.c.workloads[name].pods}
        cands = [
            n
            for n in self.c.nodes
            if n.name not in self.claimed_nodes
            and n.name not in root_nodes
            and any(p.namespace == self.c.namespace and p.workload.service for p in self.c.pods_on(n.name))
        ]
        if not cands or len(self.claimed_nodes) + 1 >= len(self.c.nodes):
            return None
        n = self.rng.choice(cands)
        self.claimed_nodes.add(n.name)
        return n

    def _run(self, kind: str, t0: int, dur: int, inc_id: str) -> list[Incident] | None:
        rng, sig = self.rng, self.sig
        if kind in NODE_KINDS:
            node = self._node()
            if node is None:
                return None
            fn = {
                "node_memory_pressure": faults.node_memory_pressure,
                "node_network_loss": faults.node_network_loss,
                "node_notready": faults.node_notready,
            }[kind]
            return fn(sig, node, t0, dur, inc_id)
        if kind == "configmap_change":
            options: list[tuple[str, list[Workload]]] = []
            for name in sorted(self.c.configmaps):
                if name == "kube-root-ca.crt":
                    continue
                users = [w for w in self._app_workloads() if name in w.configmaps]
                if users and all(self._ok(w) for w in users) and len(users) <= 3:
                    options.append((name, users))
            if not options:
                return None
            name, users = rng.choice(options)
            for w in users:
                self._claim(w)
            return faults.configmap_change(sig, name, users, t0, dur, inc_id)
        if kind in ("datastore_oom", "recurring_oom"):
            stores = self._services(store=True)
            if kind == "recurring_oom" and (not stores or rng.random() < 0.4):
                stores = [w for w in self._services(store=False) if w.language in ("java", "node", "python", "go")]
            if not stores:
                return None
            w = rng.choice(stores)
            self._claim(w)
            pod: Pod = w.pods[0]
            if kind == "datastore_oom":
                return faults.datastore_oom(sig, pod, t0, dur, inc_id)
            period = rng.randrange(240, 541)
            return faults.recurring_oom(
                sig, pod, t0, self.start + self.duration - 30_000, period, inc_id, f"{inc_id}-series"
            )
        cands = self._services(store=False)
        if kind == "bad_rollout":
            cands = [w for w in cands if w.kind == "Deployment"]
        if kind == "crashloop" and rng.random() < 0.25:
            cands = cands or self._services(store=True)
        if not cands:
            return None
        w = rng.choice(cands)
        self._claim(w)
        if kind == "app_fault":
            return faults.app_fault(sig, rng.choice(w.pods), t0, dur, inc_id)
        if kind == "bad_rollout":
            return faults.bad_rollout(sig, w, t0, dur, inc_id)
        return faults.crashloop(sig, w, t0, dur, inc_id)

    # ------------------------------------------------------------ composition
    def build(self) -> tuple[str, str, str, str]:
        rng = self.rng
        end = self.start + self.duration
        n = rng.randrange(2, 5)
        first = KINDS[(self.seed * 2 + self.index * 4) % len(KINDS)]
        rest = [k for k in KINDS if k != first]
        rng.shuffle(rest)
        queue = [first, *rest]
        incidents: list[Incident] = []
        faults_done = 0
        t1 = self.start + rng.randrange(120_000, 300_000)
        for kind in queue:
            if faults_done >= n:
                break
            if faults_done == 0:
                t0 = t1
            elif faults_done == 1:
                t0 = t1 + rng.randrange(20_000, 150_000)
            else:
                t0 = rng.randrange(self.start + 180_000, end - 8 * 60_000)
            dur = min(rng.randrange(3 * 60_000, 10 * 60_000), end - 60_000 - t0)
            got = self._run(kind, t0, dur, f"inc-{faults_done + 1}")
            if got:
                incidents.extend(got)
                faults_done += 1
        noise: list[str] = []
        noise += background.chronic(self.sig, incidents, self.start, end)
        for inc in incidents:
            noise += background.near(self.sig, inc, incidents)
        background.routine(self.sig, self.start, end)
        gone_ips = {p.ip: self.c.gone[p.name] for p in self.c.pods() if p.name in self.c.gone}
        dead = {
            eid
            for eid, (pod, src, t) in self.s.origin.items()
            if (pod and self.c.gone.get(pod, t + 1) <= t) or (src and gone_ips.get(src, t + 1) <= t)
        }
        self.s.drop(dead)
        noise = [e for e in noise if e not in dead]
        for inc in incidents:
            inc.forget(dead, self.s.times, self.s.last)
        incidents = [i for i in incidents if i.event_ids]
        incidents.sort(key=lambda i: (i.start, i.id))
        self.overlapping = any(
            a.start < b.end and b.start < a.end for i, a in enumerate(incidents) for b in incidents[i + 1 :]
        )
        return self._files(incidents, noise)

    def _files(self, incidents: list[Incident], noise: list[str]) -> tuple[str, str, str, str]:
        lines = self.s.ordered()
        listed: set[str] = set(noise)
        truths = [i.truth() for i in incidents]
        for t in truths:
            listed |= set(t["event_ids"]) | set(t["context_event_ids"])
        warnings = {e for e, lvl in self.s.level.items() if lvl == "warning"}
        unlisted = warnings - listed
        assert not unlisted, f"warning events with no place in truth: {sorted(unlisted)[:5]}"
        counted: set[str] = set(noise)
        for t in truths:
            counted |= set(t["event_ids"]) | (set(t["context_event_ids"]) & warnings)
        truth = {
            "generator": "fourth",
            "app": self.app.name,
            "namespace": self.c.namespace,
            "cluster": self.c.name,
            "start": self.start,
            "end": self.start + self.duration,
            "incidents": truths,
            "noise_event_ids": sorted(set(noise)),
            "warning_events": len(counted),
        }
        events = "".join(json.dumps(obj, sort_keys=True, separators=(",", ":")) + "\n" for obj in lines)
        name = f"s{self.seed}-{self.index:03d}-{self.app.name}"
        return name, self.topology, events, json.dumps(truth, sort_keys=True, indent=1) + "\n"


def write(seed: int, index: int, out: Path) -> Path:
    """Build scenario ``index`` of ``seed`` and write its three files under ``out``; returns its folder."""
    for attempt in range(20):  # the first two faults are placed to overlap; rarely their events do not
        composer = Composer(seed, index, attempt)
        name, topology, events, truth = composer.build()
        if composer.overlapping:
            break
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "topology.json").write_text(topology)
    (folder / "events.jsonl").write_text(events)
    (folder / "truth.json").write_text(truth)
    return folder
