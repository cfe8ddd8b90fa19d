"""The baseline: what Alertmanager does with the same input. Every warning-level event is an alert labelled with
its namespace and workload (as kube-state-metrics/collector labels would give them); alerts are grouped by
(namespace, workload), and a group stays open while its alerts keep coming within the 5-minute group_interval
(then they resolve). Root = the earliest alert of the group. Returns §6-shaped result dicts for ``metrics``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

Obj = dict[str, Any]
GROUP_INTERVAL_MS = 5 * 60 * 1000
WARNING_SEVERITIES = frozenset({"warning", "high", "error", "critical"})


def parse_time(text: str) -> int:
    """RFC3339 (seconds to nanoseconds, Z or offset) -> epoch ms."""
    t = text.strip().replace("z", "Z")
    if t.endswith("Z"):
        t = t[:-1] + "+00:00"
    main, _, frac_tz = t.partition(".")
    if frac_tz:
        digits = frac_tz[: len(frac_tz) - len(frac_tz.lstrip("0123456789"))]
        tz = frac_tz[len(digits) :]
        t = f"{main}.{digits[:6].ljust(6, '0')}{tz}"
    dt = datetime.fromisoformat(t)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


class Labeller:
    """Namespace/workload labels for pods, by uid, name or IP, from the topology and ADDED objects."""

    def __init__(self, objects: Iterable[Mapping[str, Any]]) -> None:
        self.by_uid: dict[str, Mapping[str, Any]] = {}
        self.pod_by_name: dict[tuple[str, str], Mapping[str, Any]] = {}
        self.by_ip: dict[str, Mapping[str, Any]] = {}
        for o in objects:
            self.learn(o)

    def learn(self, o: Mapping[str, Any]) -> None:
        meta = o.get("metadata") or {}
        if meta.get("uid"):
            self.by_uid[meta["uid"]] = o
        if o.get("kind") == "Pod":
            self.pod_by_name[(meta.get("namespace", ""), meta.get("name", ""))] = o
            ip = (o.get("status") or {}).get("podIP")
            if ip:
                self.by_ip[ip] = o
        if o.get("kind") == "Service":
            ip = (o.get("spec") or {}).get("clusterIP")
            if ip and ip != "None":
                self.by_ip[ip] = o

    def workload(self, o: Mapping[str, Any]) -> str:
        """Follow controller ownerReferences up to the top (Deployment/StatefulSet/...)."""
        seen = 0
        while seen < 5:
            refs = (o.get("metadata") or {}).get("ownerReferences") or []
            if not refs:
                break
            parent = self.by_uid.get(refs[0].get("uid", ""))
            if parent is None:
                name = str(refs[0].get("name", ""))
                return name.rsplit("-", 1)[0] if refs[0].get("kind") == "ReplicaSet" else name
            o, seen = parent, seen + 1
        return str((o.get("metadata") or {}).get("name", "")) if o.get("kind") != "Node" else ""

    def labels_of(self, kind: str, namespace: str, name: str, uid: str) -> tuple[str, str]:
        o = self.by_uid.get(uid) or (self.pod_by_name.get((namespace, name)) if kind == "Pod" else None)
        if kind == "Node":
            return "", ""
        if o is None:
            return namespace, name.rsplit("-", 2)[0] if kind == "Pod" else name
        return namespace or (o.get("metadata") or {}).get("namespace", ""), self.workload(o)

    def labels_of_ip(self, ip: str) -> tuple[str, str]:
        o = self.by_ip.get(ip)
        if o is None:
            return "", ""
        ns = (o.get("metadata") or {}).get("namespace", "")
        return ns, self.workload(o)


def alert_of(line: Mapping[str, Any], lab: Labeller) -> tuple[str, int, tuple[str, str]] | None:
    """(event id, time, (namespace, workload)) of a warning-level line; None for the rest."""
    if "object" in line and "type" in line and "id" not in line:  # recorded watch change: learn, never alert
        obj = line.get("object") or {}
        if isinstance(obj, Mapping):
            lab.learn(obj)
        return None
    if line.get("kind") == "Event":
        if line.get("type") != "Warning":
            return None
        ref = line.get("involvedObject") or line.get("regarding") or {}
        ts_text = (
            line.get("lastTimestamp")
            or (line.get("series") or {}).get("lastObservedTime")
            or line.get("eventTime")
            or line.get("firstTimestamp")
            or (line.get("metadata") or {}).get("creationTimestamp")
        )
        labels = lab.labels_of(ref.get("kind", ""), ref.get("namespace", ""), ref.get("name", ""), ref.get("uid", ""))
        return str(line["metadata"]["uid"]), parse_time(str(ts_text)), labels
    if "id" in line:
        if str(line.get("severity", "")).lower() not in WARNING_SEVERITIES:
            return None
        ts = parse_time(str(line.get("timestamp")))
        ctx = line.get("k8s_context") or {}
        ent = line.get("entity") or {}
        net = line.get("network") or {}
        if ctx:
            labels = (str(ctx.get("namespace", "")), str(ctx.get("workload_name") or ctx.get("name", "")))
        elif ent:
            labels = lab.labels_of("Pod", str(ent.get("namespace", "")), str(ent.get("name", "")), "")
        else:
            ip = net.get("dest_ip") if net.get("direction") == "ingress" else net.get("source_ip")
            labels = lab.labels_of_ip(str(ip or ""))
        return str(line["id"]), ts, labels
    return None


def baseline(topology: Iterable[Mapping[str, Any]], events: Iterable[Mapping[str, Any]]) -> list[Obj]:
    """Group the warning-level events like Alertmanager (group_by namespace, workload; 5m group_interval)."""
    lab = Labeller(topology)
    alerts: dict[str, tuple[int, tuple[str, str]]] = {}
    for line in events:
        a = alert_of(line, lab)
        if a is not None and a[0] not in alerts:  # an Event updated again is the same alert
            alerts[a[0]] = (a[1], a[2])
    by_key: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for eid, (ts, key) in alerts.items():
        by_key.setdefault(key, []).append((ts, eid))
    results: list[Obj] = []
    for key in sorted(by_key):
        group: list[tuple[int, str]] = []
        for ts, eid in sorted(by_key[key]):
            if group and ts - group[-1][0] > GROUP_INTERVAL_MS:
                results.append(_result(key, group, len(results)))
                group = []
            group.append((ts, eid))
        if group:
            results.append(_result(key, group, len(results)))
    return results


def _result(key: tuple[str, str], group: list[tuple[int, str]], n: int) -> Obj:
    return {
        "id": f"am-{n}",
        "version": 1,
        "type": "alert_group",
        "summary": f"{len(group)} alerts for namespace={key[0]!r} workload={key[1]!r}",
        "root_cause": {"event_id": group[0][1]},
        "related_events": [eid for _, eid in group],
    }
