"""The real-Alertmanager baseline's pure parts: a scenario's warnings as the alerts a kube-prometheus setup would fire,
and Alertmanager's webhook notifications turned back into scored groups. No I/O (``realam`` runs Alertmanager).

Alerts. Each warning-level event (the same ones the imitation in ``baseline`` takes) fires one alert, named as the
rule that would fire on it (``alertname_of``): kubernetes-mixin rules for pods and nodes (KubePodCrashLooping,
KubeContainerWaiting, KubePodNotReady, KubeNodeNotReady, NodeMemoryHighUtilization, CPUThrottlingHigh,
KubePersistentVolumeErrors) and, for what only the application sees (5xx, timeouts, error logs, slow spans), the RED
alerts a team adds (ServiceErrorRateHigh, ServiceLatencyHigh). Labels: scenario, alertname, namespace and workload
(as the imitation: kube-state-metrics labels plus the owner chain), pod or node. Alerts with equal labels are one
alert in Alertmanager: a crash-looping pod's repeated BackOffs are one alert, as in production.

Groups. A notification names its group (``groupKey``) and the alerts in it. An episode of a group runs from a
firing notification to the first notification in which all its alerts are resolved; each episode is one scored
"correlation": its members are the events whose alert was in it (an event is taken by the first notification after
it was posted that lists its alert, firing or, when it fired again and then ended between two notifications,
resolved), its root the earliest of them. Notifications in ``notifications``; those that page (something firing) in
``firing_notifications``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ingest.limits import RejectedInput
from ingest.lines import classify_line
from ingest.normalize import parse_k8s_event, parse_unified
from model.event import Category, NormalEvent

Labels = tuple[tuple[str, str], ...]  # sorted label pairs: an alert's identity


@dataclass(frozen=True)
class FiredAlert:
    """One warning event as an alert: when it happened (scenario time) and the labels it fires with."""

    event_id: str
    ts: int
    labels: Labels


def alertname_of(ev: NormalEvent) -> str:
    """The rule a kube-prometheus setup (plus per-service RED alerts) would fire on this event."""
    on_node = ev.resource.kind == "Node"
    c = ev.category
    reason = ev.reason.lower()
    if c == Category.NODE or (on_node and c in (Category.NETWORK, Category.INFORMATIONAL)):
        return "KubeNodeNotReady"
    if c == Category.SATURATION:
        return "NodeMemoryHighUtilization" if on_node else "CPUThrottlingHigh"
    if c == Category.RESOURCE_EXHAUSTION:
        if on_node:
            return "NodeMemoryHighUtilization"
        return "KubePodCrashLooping" if "oom" in reason or "memory" in reason else "CPUThrottlingHigh"
    if c == Category.CRASH:
        return "KubePodCrashLooping"
    if c in (Category.IMAGE, Category.CONFIG, Category.ROLLOUT):
        return "KubeContainerWaiting"
    if c in (Category.PROBE, Category.SCHEDULING, Category.LIFECYCLE):
        return "KubePodNotReady"
    if c == Category.STORAGE:
        return "KubePersistentVolumeErrors"
    if c == Category.PERFORMANCE:
        return "ServiceLatencyHigh"
    return "ServiceErrorRateHigh"


def normal_event(line: Mapping[str, Any]) -> NormalEvent | None:
    """The event causegraph would read from a scenario line (None for changes and what it refuses)."""
    try:
        kind = classify_line(line)
        if kind == "k8s_event":
            return parse_k8s_event(line, "")
        if kind == "watched_event" and line["type"] != "DELETED":
            return parse_k8s_event(line["object"], "")
        if kind == "unified":
            return parse_unified(line)
    except RejectedInput:
        return None
    return None


def fire(scenario: str, event_id: str, ts: int, workload_labels: tuple[str, str], ev: NormalEvent | None) -> FiredAlert:
    """The alert one warning fires (``workload_labels`` = (namespace, workload) as the imitation labels it)."""
    namespace, workload = workload_labels
    labels = {"scenario": scenario, "alertname": alertname_of(ev) if ev else "ServiceErrorRateHigh"}
    if ev is not None and ev.resource.kind == "Node":
        labels["node"] = ev.resource.name
    elif ev is not None and ev.node_name and not workload and labels["alertname"].startswith(("KubeNode", "Node")):
        labels["node"] = ev.node_name
    else:
        labels |= {"namespace": namespace, "workload": workload}
        if ev is not None and ev.resource.kind == "Pod" and ev.resource.name:
            labels["pod"] = ev.resource.name
    return FiredAlert(event_id, ts, tuple(sorted((k, v) for k, v in labels.items() if v)))


@dataclass
class Episodes:
    """Notifications in, scored groups out (``results``)."""

    pending: dict[Labels, list[tuple[float, str, int]]] = field(default_factory=dict)  # alert -> (posted, id, ts)
    open: dict[str, int] = field(default_factory=dict)  # groupKey -> index of its open episode in members
    members: list[dict[str, int]] = field(default_factory=list)  # episode -> {event id: ts}
    scenario_of: list[str] = field(default_factory=list)
    notifications: int = 0  # every webhook call
    firing_notifications: int = 0  # those with something firing: the pages

    def posted(self, alert: FiredAlert, wall_s: float) -> None:
        self.pending.setdefault(alert.labels, []).append((wall_s, alert.event_id, alert.ts))

    def notified(self, body: Mapping[str, Any], received_s: float) -> None:
        """One webhook body, received at ``received_s`` (the clock ``posted`` used)."""
        self.notifications += 1
        key = str(body.get("groupKey", ""))
        alerts = body.get("alerts", [])
        if any(a.get("status") == "firing" for a in alerts):
            self.firing_notifications += 1
            if key not in self.open:
                self.open[key] = len(self.members)
                self.members.append({})
                self.scenario_of.append(str(body.get("groupLabels", {}).get("scenario", "")))
        if key in self.open:  # events of an alert that fired again before it resolved belong to the episode too
            episode = self.members[self.open[key]]
            for a in alerts:
                labels: Labels = tuple(sorted(a.get("labels", {}).items()))
                waiting = self.pending.get(labels, [])
                taken = [p for p in waiting if p[0] <= received_s]
                self.pending[labels] = [p for p in waiting if p[0] > received_s]
                episode.update({eid: ts for _, eid, ts in taken})
        if body.get("status") == "resolved":
            self.open.pop(key, None)

    def results(self, scenario: str) -> list[dict[str, Any]]:
        """The scenario's episodes as result documents for ``bench.accuracy.metrics`` (root = earliest event)."""
        out = []
        for n, (members, where) in enumerate(zip(self.members, self.scenario_of, strict=True)):
            if where != scenario or not members:
                continue
            ordered = sorted(members.items(), key=lambda kv: (kv[1], kv[0]))
            out.append(
                {
                    "id": f"am-{n}",
                    "version": 1,
                    "type": "alert_group",
                    "root_cause": {"event_id": ordered[0][0]},
                    "related_events": [eid for eid, _ in ordered],
                }
            )
        return out

    def unnotified(self) -> int:
        """Events whose alert no notification listed (should be none once Alertmanager has flushed)."""
        return sum(len(v) for v in self.pending.values())


def scenario_alerts(
    scenario: str, lines: Sequence[tuple[str, int, tuple[str, str], Mapping[str, Any]]]
) -> list[FiredAlert]:
    """The alerts of one scenario's warnings: (event id, ts, imitation labels, the line) each."""
    return [fire(scenario, eid, ts, labels, normal_event(line)) for eid, ts, labels, line in lines]


def by_time(alerts: Iterable[FiredAlert]) -> list[FiredAlert]:
    return sorted(alerts, key=lambda a: (a.ts, a.event_id))
