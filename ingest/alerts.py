"""Prometheus alerts, as Alertmanager's webhook (payload version 4) sends them, -> normalised events. Pure: no I/O.

    payload  {version "4", receiver, status, alerts[], groupLabels, commonLabels, commonAnnotations, externalURL,
              groupKey, truncatedAlerts}: only ``alerts`` is read; every alert carries all of its own labels
    alert    {status firing|resolved, labels, annotations, startsAt, endsAt, generatorURL, fingerprint}

One alert is one event, id ``alert:{fingerprint}@{startsAt ms}``: Alertmanager re-sends a firing alert every
``repeat_interval`` with the same fingerprint and start, and that updates the one event instead of adding one.
Time = ``startsAt``; reason = ``alertname``; severity = the ``severity`` label (else the rule's, from
``alertrules.json``); category from ``alertrules.json`` (the category sets the cause prior in the correlator).
The resource is named by the labels kube-prometheus, kube-state-metrics and cAdvisor put on the alert and resolved
against the graph like any event's; which labels count depends on the rule (``about``): a node-exporter alert also
carries the exporter's own ``namespace``/``pod``, and a kube-state-metrics alert the exporter's ``service``.

A resolved alert updates its event (last time = ``endsAt``) and adds a recovery event (reason ``AlertResolved``,
id ``{event id}:resolved``) that ends the correlation whose root the alert is (``correlate.engine``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ingest.limits import MAX_MESSAGE, RejectedInput, identity, text
from ingest.normalize import parse_time
from model.event import SEVERITY_RANK, WARNING_RANK, Category, NormalEvent, SourceKind
from model.resource import ResourceRef

RECOVERY_REASON = "AlertResolved"
INCIDENT_ALERTNAME = "CausegraphIncident"  # what causegraph posts to Alertmanager (api.incidentalert): never taken in
SOURCE = "alertmanager"
UNSET_TIME_PREFIX = "0001-01-01"  # Go's zero time: Alertmanager's endsAt of an alert still firing
MAX_LABELS = 128
# Resource labels in the order they are tried for an alert whose rule is not listed (most specific first).
LABEL_KINDS: tuple[tuple[str, str], ...] = (
    ("pod", "Pod"),
    ("deployment", "Deployment"),
    ("statefulset", "StatefulSet"),
    ("daemonset", "DaemonSet"),
    ("job_name", "Job"),
    ("horizontalpodautoscaler", "HorizontalPodAutoscaler"),
    ("persistentvolumeclaim", "PersistentVolumeClaim"),
    ("persistentvolume", "PersistentVolume"),
    ("node", "Node"),
    ("service", "Service"),
)
_ABOUT: dict[str, tuple[str, ...]] = {  # a rule's ``about`` -> the labels that may name its resource
    "pod": ("pod",),
    "workload": ("deployment", "statefulset", "daemonset", "job_name", "horizontalpodautoscaler"),
    "pvc": ("persistentvolumeclaim",),
    "pv": ("persistentvolume",),
    "node": ("node",),
    "service": ("service",),
    "namespace": (),
    "cluster": (),
}
_KIND_OF = dict(LABEL_KINDS)
_CLUSTER_SCOPED = frozenset({"Node", "PersistentVolume", "Namespace"})
_SEVERITY_ALIASES = {"none": "info", "page": "critical", "err": "error", "crit": "critical", "warn": "warning"}


@dataclass(frozen=True)
class Rule:
    """What the data says of one alert name."""

    category: Category
    severity: str
    role: str
    about: str
    rule: str


@cache
def rules() -> dict[str, Rule]:
    """The packaged ``alertrules.json``, loaded once."""
    doc = json.loads(resources.files("ingest").joinpath("alertrules.json").read_text("utf-8"))
    out: dict[str, Rule] = {}
    for name, spec in doc["alerts"].items():
        bad = spec["severity"] not in SEVERITY_RANK or spec["about"] not in _ABOUT
        if bad or spec["role"] not in ("cause", "symptom"):
            raise ValueError(f"ingest/alertrules.json: {name}: bad severity, about or role")
        out[name] = Rule(Category(spec["category"]), spec["severity"], spec["role"], spec["about"], spec["rule"])
    return out


def is_payload(obj: Any) -> bool:
    """A whole webhook payload (as routed through NATS): ``alerts`` beside one of the group fields."""
    return isinstance(obj, Mapping) and "alerts" in obj and any(k in obj for k in ("receiver", "version", "groupKey"))


def is_alert(obj: Any) -> bool:
    """One alert: ``labels`` and ``startsAt`` (the shape of the webhook's alerts and of Alertmanager's API)."""
    return isinstance(obj, Mapping) and isinstance(obj.get("labels"), Mapping) and "startsAt" in obj


def alerts_of(payload: Any) -> list[Any]:
    """The ``alerts`` of a webhook payload, or ``RejectedInput`` naming what is wrong with the payload itself."""
    if not isinstance(payload, Mapping):
        raise RejectedInput(f"expected an Alertmanager webhook payload (a JSON object), got {type(payload).__name__}")
    version = payload.get("version")
    if version is not None and str(version) != "4":
        raise RejectedInput(f"version: {str(version)[:20]!r}, only Alertmanager's webhook payload version 4 is read")
    alerts = payload.get("alerts")
    if alerts is None:
        raise RejectedInput("alerts: missing")
    if not isinstance(alerts, list):
        raise RejectedInput(f"alerts: expected an array, got {type(alerts).__name__}")
    return alerts


def parse_payload(payload: Any, cluster: str) -> tuple[list[NormalEvent], list[str]]:
    """Every alert of a payload: the events of the good ones, and ``alerts[i]: reason`` for each bad one."""
    events: list[NormalEvent] = []
    errors: list[str] = []
    for i, alert in enumerate(alerts_of(payload)):
        try:
            events.extend(parse_alert(alert, cluster))
        except RejectedInput as exc:
            errors.append(f"alerts[{i}]: {exc}")
    return events, errors


def parse_alert(alert: Any, cluster: str) -> list[NormalEvent]:
    """One alert -> its event, and the recovery event when it is resolved; ``RejectedInput`` naming the field."""
    if not isinstance(alert, Mapping):
        raise RejectedInput(f"expected an alert (a JSON object), got {type(alert).__name__}")
    labels = _labels(alert.get("labels"))
    name = labels.get("alertname", "")
    if not name:
        raise RejectedInput("labels.alertname: missing")
    if name == INCIDENT_ALERTNAME:
        raise RejectedInput(f"labels.alertname: {name} is causegraph's own incident; route it to another receiver")
    annotations = _annotations(alert.get("annotations"))
    starts = _time(alert.get("startsAt"), "startsAt")
    if not starts:
        raise RejectedInput("startsAt: missing")
    ends = _time(alert.get("endsAt"), "endsAt")
    status = alert.get("status", "firing")
    if status not in ("firing", "resolved"):
        raise RejectedInput(f"status: expected 'firing' or 'resolved', got {str(status)[:20]!r}")
    fingerprint = identity(alert.get("fingerprint"), "fingerprint") or label_fingerprint(labels)
    rule = rules().get(name)
    resource = resource_of(labels, rule.about if rule else "", cluster)
    severity = _severity(labels.get("severity", ""), rule)
    summary, description = annotations.get("summary", ""), annotations.get("description") or annotations.get("message")
    message = text(": ".join(p for p in (summary.rstrip(". "), description or "") if p) or name, MAX_MESSAGE)
    event_id = f"alert:{fingerprint}@{starts}"
    detail: dict[str, Any] = {"status": status, "fingerprint": fingerprint, "labels": labels}
    if url := text(str(alert.get("generatorURL") or "")):
        detail["generator_url"] = url
    if rule is not None:
        detail["rule"] = rule.rule
    resolved = status == "resolved"
    ends = max(ends, starts) if ends else 0
    event = NormalEvent(
        id=event_id,
        ts=starts,
        source_kind=SourceKind.ALERT,
        reason=name,
        type="Warning" if SEVERITY_RANK[severity] >= WARNING_RANK else "Normal",
        severity=severity,
        category=rule.category if rule else Category.INFORMATIONAL,
        message=message,
        source=SOURCE,
        last_ts=ends if resolved else starts,
        resource=resource,
        node_name=resource.name if resource.kind == "Node" else "",
        detail=detail | ({"ends_at": ends} if resolved and ends else {}),
    )
    if not resolved:
        return [event]
    recovery = NormalEvent(
        id=f"{event_id}:resolved",
        ts=ends or starts,
        source_kind=SourceKind.ALERT,
        reason=RECOVERY_REASON,
        type="Normal",
        severity="info",
        category=Category.INFORMATIONAL,
        message=text(f"{name} resolved", MAX_MESSAGE),
        source=SOURCE,
        last_ts=ends or starts,
        resource=resource,
        node_name=event.node_name,
        detail={"recovers": event_id, "alertname": name, "fingerprint": fingerprint},
    )
    return [event, recovery]


def resource_of(labels: Mapping[str, str], about: str, cluster: str) -> ResourceRef:
    """The resource an alert's labels name, as its rule says to read them (``about``), else most specific first."""
    namespace = labels.get("namespace", "")
    if about == "cluster":
        return ResourceRef(cluster=cluster)
    tried = _ABOUT.get(about) or tuple(label for label, _ in LABEL_KINDS)
    for label in tried:
        name = labels.get(label, "")
        if name:
            kind = _KIND_OF[label]
            return _ref(cluster, kind, namespace, name)
    if about == "node" and (host := instance_host(labels.get("instance", ""))):
        return _ref(cluster, "Node", "", host)
    if about in ("", "namespace") and namespace:
        return _ref(cluster, "Namespace", "", namespace)
    return ResourceRef(cluster=cluster)


def instance_host(instance: str) -> str:
    """``node-1:9100`` -> ``node-1`` (kube-prometheus relabels node-exporter's instance to the node name); a URL
    is no node."""
    if not instance or "://" in instance:
        return ""
    if instance.startswith("["):
        return instance[1:].partition("]")[0]
    host, sep, port = instance.rpartition(":")
    return host if sep and port.isdigit() and ":" not in host else instance


def label_fingerprint(labels: Mapping[str, str]) -> str:
    """A stable id from the label set, for an alert sent without its fingerprint (16 hex digits, as Alertmanager's)."""
    joined = "\xff".join(f"{k}\xff{v}" for k, v in sorted(labels.items()))
    return "lab" + hashlib.sha256(joined.encode("utf-8", "surrogatepass")).hexdigest()[:13]


def _ref(cluster: str, kind: str, namespace: str, name: str) -> ResourceRef:
    return ResourceRef(cluster=cluster, kind=kind, namespace="" if kind in _CLUSTER_SCOPED else namespace, name=name)


def _labels(raw: Any) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        what = "missing" if raw is None else f"expected an object, got {type(raw).__name__}"
        raise RejectedInput(f"labels: {what}")
    if len(raw) > MAX_LABELS:
        raise RejectedInput(f"labels: {len(raw)} labels, more than {MAX_LABELS}")
    out: dict[str, str] = {}
    for key, value in raw.items():
        where = f"labels.{str(key)[:40]}"
        name = identity(key, "labels (a label name)")
        if not isinstance(value, str):
            raise RejectedInput(f"{where}: expected a string, got {type(value).__name__}")
        out[name] = identity(value, where)  # label values name resources: refused when not valid, never cut
    return out


def _annotations(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise RejectedInput(f"annotations: expected an object, got {type(raw).__name__}")
    return {text(str(k)): text(v, MAX_MESSAGE) for k, v in raw.items() if isinstance(v, str)}


def _time(raw: Any, field: str) -> int:
    if raw is None or raw == "" or (isinstance(raw, str) and raw.startswith(UNSET_TIME_PREFIX)):
        return 0
    return parse_time(raw, field)


def _severity(label: str, rule: Rule | None) -> str:
    value = label.strip().lower()
    value = _SEVERITY_ALIASES.get(value, value)
    if value in SEVERITY_RANK:
        return value
    return rule.severity if rule else "warning"
