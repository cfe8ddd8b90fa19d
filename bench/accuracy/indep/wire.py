"""The three input kinds on the wire, as their producers write them, collected into one out-of-order feed.

- Kubernetes Events: the ``v1`` JSON of the API (sometimes ``events.k8s.io/v1``); an Event that repeats is the
  same object written again with a higher ``count`` and a later ``lastTimestamp`` (one id, several lines).
- Collector events: the UnifiedEvent contract (DESIGN §4), ids of the collector's own style.
- Recorded watch changes: ``{"type", "object", "observed_at"}``; the engine names the event ``<uid>@<rv>``.

Lines are ordered by arrival (event time plus a transport delay), so a few arrive after later events.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from typing import Any

from bench.accuracy.indep.cluster import Cluster, Node, Pod, Workload, iso, suffix, uid

Obj = dict[str, Any]
SEVERE = frozenset({"warning", "high", "error", "critical"})


@dataclass
class Feed:
    """Every line of one scenario with its arrival time; which ids are warning-level."""

    cl: Cluster
    rng: random.Random
    lines: list[tuple[int, int, Obj]] = field(default_factory=list)
    warnings: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    _seq: int = 0

    def _push(self, at_ms: int, line: Obj) -> None:
        delay = self.rng.randint(200, 6000) if self.rng.random() < 0.85 else self.rng.randint(6000, 45_000)
        self._seq += 1
        self.lines.append((at_ms + delay, self._seq, line))

    def ordered(self) -> list[Obj]:
        return [line for _, _, line in sorted(self.lines, key=lambda x: (x[0], x[1]))]

    # ------------------------------------------------------------------ Kubernetes Events

    def k8s(
        self,
        at: int,
        about: Pod | Node | Workload | Obj,
        reason: str,
        message: str,
        *,
        warning: bool = True,
        component: str = "kubelet",
        count: int = 1,
        every_s: int = 30,
        field_path: str = "",
    ) -> str:
        """One Event object about ``about``; ``count`` > 1 writes it again as it repeats (same uid)."""
        ref = self._ref(about, component)
        host = about.node.name if isinstance(about, Pod) else about.name if isinstance(about, Node) else ""
        eid = uid(self.rng)
        name = f"{ref['name']}.{self.rng.getrandbits(64):016x}"[:253]
        new_api = self.rng.random() < 0.2
        written = sorted({1, count} | ({self.rng.randint(1, count)} if count > 2 else set()))
        if count > 1 and self.rng.random() < 0.3:
            written = [count]  # only the latest state was seen (a relist)
        for n in written:
            last = at + (n - 1) * every_s * 1000 + self.rng.randint(0, 900)
            if n == 1:
                last = at
            if new_api:
                line: Obj = {
                    "apiVersion": "events.k8s.io/v1",
                    "kind": "Event",
                    "metadata": {"name": name, "namespace": ref.get("namespace") or "default", "uid": eid},
                    "eventTime": micro(at, self.rng),
                    "reason": reason,
                    "note": message,
                    "type": "Warning" if warning else "Normal",
                    "regarding": ref,
                    "reportingController": component if "/" in component else f"{component}",
                    "reportingInstance": f"{component}-{host}" if host else component,
                    "action": "Reporting",
                }
                if n > 1:
                    line["series"] = {"count": n, "lastObservedTime": micro(last, self.rng)}
            else:
                line = {
                    "apiVersion": "v1",
                    "kind": "Event",
                    "metadata": {
                        "name": name,
                        "namespace": ref.get("namespace") or "default",
                        "uid": eid,
                        "resourceVersion": str(self.rng.randint(10**6, 10**8)),
                        "creationTimestamp": iso(at - at % 1000),
                    },
                    "involvedObject": ref,
                    "reason": reason,
                    "message": message,
                    "source": {"component": component, **({"host": host} if host else {})},
                    "firstTimestamp": iso(at - at % 1000),
                    "lastTimestamp": iso(last - last % 1000),
                    "count": n,
                    "type": "Warning" if warning else "Normal",
                    "eventTime": None,
                    "reportingComponent": component,
                    "reportingInstance": host,
                }
            if field_path:
                line["involvedObject" if not new_api else "regarding"]["fieldPath"] = field_path
            self._push(last, copy.deepcopy(line))
        self.ids.add(eid)
        if warning:
            self.warnings.add(eid)
        return eid

    def _ref(self, about: Pod | Node | Workload | Obj, component: str) -> Obj:
        ns = self.cl.namespace
        if isinstance(about, Pod):
            return {
                "apiVersion": "v1",
                "kind": "Pod",
                "namespace": ns,
                "name": about.name,
                "uid": about.uid,
                "resourceVersion": str(self.rng.randint(10**6, 10**8)),
            }
        if isinstance(about, Node):
            # the kubelet names its node by name in the uid field, as real clusters show
            return {"kind": "Node", "name": about.name, "uid": about.name if component == "kubelet" else about.uid}
        if isinstance(about, Workload):
            return {"apiVersion": "apps/v1", "kind": about.kind, "namespace": ns, "name": about.name, "uid": about.uid}
        m = about["metadata"]
        return {
            "apiVersion": about.get("apiVersion", "v1"),
            "kind": about["kind"],
            "namespace": ns,
            "name": m["name"],
            "uid": m["uid"],
        }

    # ------------------------------------------------------------------ collector events

    def collector(
        self,
        at: int,
        *,
        kind: str,
        severity: str,
        message: str,
        pod: Pod | None = None,
        node: Node | None = None,
        trace: tuple[str, str, str] | None = None,
        **parts: Any,
    ) -> str:
        """A UnifiedEvent; ``pod``/``node`` fill ``k8s_context`` (IP-only evidence passes neither)."""
        prefix = {"log": "log", "trace": "span", "metric": "anom", "network": "net", "kernel": "krn"}.get(kind, "ev")
        eid = f"{prefix}-{suffix(self.rng, 6)}{self.rng.getrandbits(40):010x}"
        ev: Obj = {
            "id": eid,
            "timestamp": micro(at, self.rng),
            "type": kind,
            "source": parts.pop(
                "source",
                {
                    "log": "fluent-bit",
                    "trace": "otel-collector",
                    "metric": "anomaly-detector",
                    "network": "ebpf-netmon",
                    "kernel": "ebpf-kprobe",
                }.get(kind, "collector"),
            ),
            "severity": severity,
            "message": message,
        }
        if "category" in parts:
            ev["category"] = parts.pop("category")
        if pod is not None:
            ev["k8s_context"] = {
                "kind": "Pod",
                "name": pod.name,
                "namespace": self.cl.namespace,
                "uid": pod.uid,
                "node_name": pod.node.name,
                "workload_kind": pod.workload.kind,
                "workload_name": pod.workload.name,
                "cluster_name": self.cl.name,
            }
        elif node is not None:
            ev["entity"] = {"type": "node", "name": node.name, "uid": node.uid}
            ev["k8s_context"] = {
                "kind": "Node",
                "name": node.name,
                "node_name": node.name,
                "cluster_name": self.cl.name,
            }
        if trace is not None:
            ev["trace_context"] = {
                "trace_id": trace[0],
                "span_id": trace[1],
                **({"parent_span_id": trace[2]} if trace[2] else {}),
            }
        ev.update({k: v for k, v in parts.items() if v is not None})
        self._push(at, ev)
        self.ids.add(eid)
        if severity in SEVERE:
            self.warnings.add(eid)
        return eid

    # ------------------------------------------------------------------ recorded changes

    def change(self, at: int, obj: Obj, kind: str = "MODIFIED", *, warning: bool = False, eid: str = "") -> str:
        """A recorded watch change of ``obj`` (its new state); returns the event id the engine gives it."""
        line = {"type": kind, "object": copy.deepcopy(obj), "observed_at": iso(at)}
        self._push(at, line)
        if eid:
            self.ids.add(eid)
            if warning:
                self.warnings.add(eid)
        return eid


def micro(ms: int, rng: random.Random) -> str:
    """RFC3339 with microseconds (MicroTime, collector clocks): the millisecond stays exact."""
    return iso(ms - ms % 1000)[:-1] + f".{ms % 1000:03d}{rng.randint(0, 999):03d}Z"


def bump(obj: Obj, rng: random.Random) -> str:
    """A new resourceVersion on ``obj`` (an edit); returns it."""
    rv = str(int(obj["metadata"]["resourceVersion"]) + rng.randint(50, 5000))
    obj["metadata"]["resourceVersion"] = rv
    return rv
