"""What an incident is for the truth file, and what every fault builder is given.

Why: the fault builders only decide what happens; the truth fields the scorer reads (metrics.py) are kept in one
place so that every kind fills them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bench.accuracy.blind.cluster import Cluster, Pod, WorkloadInfo
from bench.accuracy.blind.emit import Stream
from bench.accuracy.blind.rand import Rand

Obj = dict[str, Any]


def ref(kind: str, name: str, namespace: str = "") -> Obj:
    return {"kind": kind, "namespace": namespace, "name": name}


@dataclass
class Incident:
    kind: str
    summary: str
    start: int
    root_resource: Obj
    root_workload: Obj | None = None
    root_event_id: str = ""
    equivalents: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)  # scored: the root and the symptoms
    context: list[str] = field(default_factory=list)  # part of it, not scored: routine steps, changes, recovery
    variant: str = ""
    period_seconds: int | None = None
    series: str | None = None
    end: int = 0

    def sym(self, eid: str) -> str:
        if eid not in self.events:
            self.events.append(eid)
        return eid

    def ctx(self, eid: str) -> str:
        if eid not in self.context and eid not in self.events:
            self.context.append(eid)
        return eid

    def truth(self, iid: str) -> Obj:
        out: Obj = {
            "id": iid,
            "kind": self.kind,
            "summary": self.summary,
            "event_ids": list(self.events),
            "root_event_id": self.root_event_id,
            "root_equivalents": [e for e in self.equivalents if e != self.root_event_id],
            "root_resource": self.root_resource,
            "context_event_ids": list(self.context),
            "variant": self.variant,
        }
        if self.root_workload is not None:
            out["root_workload"] = self.root_workload
        if self.period_seconds:
            out["period_seconds"] = self.period_seconds
            out["series"] = self.series
        return out


@dataclass
class Ctx:
    s: Stream
    c: Cluster
    rnd: Rand
    start: int
    end: int
    claimed: set[str] = field(default_factory=set)  # uids of pods some incident already speaks about
    claimed_nodes: set[str] = field(default_factory=set)
    touched_nodes: set[str] = field(default_factory=set)  # nodes with pods some incident speaks about
    windows: list[tuple[int, int, list[str]]] = field(default_factory=list)  # (start, end, node names) per incident

    def free(self, pods: list[Pod]) -> bool:
        return all(p.uid not in self.claimed and p.node not in self.claimed_nodes for p in pods)

    def claim(self, pods: list[Pod]) -> None:
        for p in pods:
            self.claimed.add(p.uid)
            self.touched_nodes.add(p.node)

    def app_workloads(self) -> list[WorkloadInfo]:
        return [w for w in self.c.workloads if not w.wl.tooling and w.pods]

    @property
    def ns(self) -> str:
        return self.c.namespace
