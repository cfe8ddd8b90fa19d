"""Any input -> one ``NormalEvent``, or a ``RejectedInput`` that names the field. Pure: no I/O, no clock.

    RejectedInput(ValueError)   the input is not an event we can store; ``str()`` names the field and why

Kubernetes Events (``v1`` and ``events.k8s.io/v1``) take their id from ``metadata.uid`` so that the API server's
updates of one Event merge into one node; UnifiedEvents (DESIGN §4) keep their own ``id``. Category and severity
come from ``ingest/reasons.json`` (the category decides, not the Normal/Warning type). Every string is cleaned
(no NUL, no lone surrogate) and bounded, every number range-checked, so that what passes here can be written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ingest.limits import MAX_MESSAGE, MAX_TEXT, RejectedInput, identity, text
from ingest.reasons import table
from model.event import SEVERITY_RANK, Category, NetworkRef, NormalEvent, SourceKind
from model.kinds import BY_KIND
from model.resource import CLUSTER_SCOPED, ResourceRef
from model.times import TimeError, bounded, epoch_ms_ns, parse_rfc3339_ns

# Severity words of syslog and OpenTelemetry's severity text, read as the UnifiedEvent scale's nearest: a collector
# that says FATAL or WARN means what critical and warning mean.
SEVERITY_ALIASES = {
    "fatal": "critical",
    "panic": "critical",
    "emerg": "critical",
    "emergency": "critical",
    "alert": "critical",
    "crit": "critical",
    "err": "error",
    "warn": "warning",
    "notice": "low",
    "trace": "debug",
    "informational": "info",
}
MAX_FIELD = MAX_TEXT
MAX_COUNT = 2**31 - 1
_KINDS_FOLDED = {k.lower(): k for k in BY_KIND} | {"event": "Event"}

# UnifiedEvent ``type`` / ``category`` values that name a category when the reason is unknown.
_TYPE_CATEGORY: dict[str, Category] = {
    "network": Category.NETWORK,
    "http": Category.NETWORK,
    "memory": Category.RESOURCE_EXHAUSTION,
    "cpu": Category.RESOURCE_EXHAUSTION,
    "disk": Category.RESOURCE_EXHAUSTION,
    "oom": Category.RESOURCE_EXHAUSTION,
    "performance": Category.PERFORMANCE,
    "resource": Category.RESOURCE_EXHAUSTION,
    "latency": Category.PERFORMANCE,
    "process": Category.CRASH,
    "log": Category.APPLICATION_ERROR,
    "error": Category.APPLICATION_ERROR,
    "application": Category.APPLICATION_ERROR,
    "node": Category.NODE,
    "storage": Category.STORAGE,
    "config": Category.CONFIG,
    "deployment": Category.ROLLOUT,
}


# ---------------------------------------------------------------- small typed readers


def _clean(s: str, limit: int = MAX_FIELD) -> str:
    return text(s, limit)


def _id(d: Mapping[str, Any], key: str, where: str = "") -> str:
    """An identity field (id, uid, name, namespace, kind, trace id): refused when not valid, never cleaned."""
    return identity(d.get(key), where + key)


def _obj(d: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    v = d.get(key)
    if v is None:
        return {}
    if not isinstance(v, Mapping):
        raise RejectedInput(f"{where}{key}: expected an object, got {type(v).__name__}")
    return v


def _str(d: Mapping[str, Any], key: str, where: str = "", limit: int = MAX_FIELD) -> str:
    v = d.get(key)
    if v is None:
        return ""
    if isinstance(v, str):
        return _clean(v, limit)
    if isinstance(v, int | float) and not isinstance(v, bool):
        return _clean(str(v), limit)
    raise RejectedInput(f"{where}{key}: expected a string, got {type(v).__name__}")


def _int(d: Mapping[str, Any], key: str, where: str, lo: int, hi: int) -> int:
    v = d.get(key)
    if v is None or v == "":
        return 0
    if isinstance(v, bool):
        raise RejectedInput(f"{where}{key}: expected an integer, got a boolean")
    if isinstance(v, str):
        text = v.strip()
        if not text.lstrip("-").isdigit() or len(text) > 20:
            raise RejectedInput(f"{where}{key}: not an integer: {text[:40]!r}")
        v = int(text)
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            raise RejectedInput(f"{where}{key}: not a finite number")
        v = int(v)
    if not isinstance(v, int):
        raise RejectedInput(f"{where}{key}: expected an integer, got {type(v).__name__}")
    if not lo <= v <= hi:
        raise RejectedInput(f"{where}{key}: {v} is outside {lo}..{hi}")
    return v


def parse_time(value: Any, field: str) -> int:
    """RFC3339 (``model.times``) or epoch s/ms/us/ns -> epoch ms; ``RejectedInput`` naming ``field`` else."""
    return parse_time_ns(value, field)[0]


def parse_time_ns(value: Any, field: str) -> tuple[int, int]:
    """``parse_time`` and the nanoseconds within its millisecond, from one parse."""
    if isinstance(value, bool):
        raise RejectedInput(f"{field}: expected a time, got a boolean")
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            raise RejectedInput(f"{field}: not a finite number")
        ms, ns = epoch_ms_ns(value)
        return _bounded(ms, field), ns
    if not isinstance(value, str):
        raise RejectedInput(f"{field}: expected an RFC3339 time, got {type(value).__name__}")
    try:
        return parse_rfc3339_ns(value, field)
    except TimeError as exc:
        raise RejectedInput(str(exc)) from None


def _bounded(ms: int, field: str) -> int:
    try:
        return bounded(ms, field)
    except TimeError as exc:
        raise RejectedInput(str(exc)) from None


def _first_time(d: Mapping[str, Any], fields: tuple[str, ...], where: str = "") -> int:
    for f in fields:
        v: Any = d
        for part in f.split("."):
            v = v.get(part) if isinstance(v, Mapping) else None
        if v not in (None, ""):
            return parse_time(v, where + f)
    return 0


def _kind(name: str) -> str:
    return _KINDS_FOLDED.get(name.lower(), name) if name else ""


# ---------------------------------------------------------------- Kubernetes Events


def parse_k8s_event(obj: Any, cluster: str) -> NormalEvent:
    """A ``v1`` or ``events.k8s.io/v1`` Event -> NormalEvent with id = ``metadata.uid`` (updates merge)."""
    if not isinstance(obj, Mapping):
        raise RejectedInput(f"Event: expected a JSON object, got {type(obj).__name__}")
    meta = _obj(obj, "metadata", "")
    new_api = str(obj.get("apiVersion", "")).startswith("events.k8s.io/") or "regarding" in obj
    ref_field = "regarding" if new_api else "involvedObject"
    ref = _obj(obj, ref_field, "")
    uid = _id(meta, "uid", "metadata.")
    if not uid:
        ns, name = _id(meta, "namespace", "metadata."), _id(meta, "name", "metadata.")
        if not name:
            raise RejectedInput("metadata.uid: missing (and no metadata.name to identify the Event by)")
        uid = f"{cluster}/Event/{ns}/{name}"
    reason = _str(obj, "reason")
    if not reason:
        raise RejectedInput("reason: missing")
    etype = _str(obj, "type")
    etype = etype if etype in ("Normal", "Warning") else "Normal"
    series = _obj(obj, "series", "")
    if new_api:
        message = _str(obj, "note", limit=MAX_MESSAGE)
        first = _first_time(
            obj, ("eventTime", "deprecatedFirstTimestamp", "deprecatedLastTimestamp", "metadata.creationTimestamp")
        )
        last = _first_time(obj, ("series.lastObservedTime", "deprecatedLastTimestamp"))
        count = _int(series, "count", "series.", 0, MAX_COUNT) or _int(obj, "deprecatedCount", "", 0, MAX_COUNT)
        dep_source = _obj(obj, "deprecatedSource", "")
        source = _str(obj, "reportingController") or _str(dep_source, "component", "deprecatedSource.")
        host = _id(dep_source, "host", "deprecatedSource.")
    else:
        message = _str(obj, "message", limit=MAX_MESSAGE)
        first = _first_time(obj, ("firstTimestamp", "eventTime", "lastTimestamp", "metadata.creationTimestamp"))
        last = _first_time(obj, ("lastTimestamp", "series.lastObservedTime"))
        count = _int(obj, "count", "", 0, MAX_COUNT) or _int(series, "count", "series.", 0, MAX_COUNT)
        src = _obj(obj, "source", "")
        source = _str(src, "component", "source.") or _str(obj, "reportingComponent")
        host = _id(src, "host", "source.")
    if not first:
        first = last
    if not first:
        raise RejectedInput(f"{'eventTime' if new_api else 'firstTimestamp/lastTimestamp'}: no time in the Event")
    last = max(last, first)
    kind = _kind(_id(ref, "kind", ref_field + "."))
    resource = _ref(
        cluster,
        kind,
        _id(ref, "namespace", ref_field + "."),
        _id(ref, "name", ref_field + "."),
        _id(ref, "uid", ref_field + "."),
    )
    c = table().classify(reason, message, etype)
    detail: dict[str, Any] = {}
    if fp := _str(ref, "fieldPath", ref_field + "."):
        detail["field_path"] = fp
    if new_api and (action := _str(obj, "action")):
        detail["action"] = action
    node_name = resource.name if kind == "Node" else host
    return NormalEvent(
        id=uid,
        ts=first,
        source_kind=SourceKind.K8S_EVENT,
        reason=reason,
        type=etype,
        severity=c.severity,
        category=c.category,
        message=message,
        source=source,
        count=max(count, 1),
        last_ts=last,
        resource=resource,
        node_name=node_name,
        detail=detail,
    )


# ---------------------------------------------------------------- collector UnifiedEvents


def parse_unified(
    obj: Any, *, trace_id: str = "", source: str = "", cluster: str = "", received_ms: int = 0
) -> NormalEvent:
    """A collector UnifiedEvent -> NormalEvent; ``trace_id``/``source`` (from the NATS subject) fill gaps.

    Without a ``timestamp`` the event takes ``received_ms`` when given (never silently "now").
    """
    if not isinstance(obj, Mapping):
        raise RejectedInput(f"UnifiedEvent: expected a JSON object, got {type(obj).__name__}")
    event_id = _id(obj, "id")
    if not event_id:
        raise RejectedInput("id: missing")
    ts_sub = 0
    if obj.get("timestamp") not in (None, ""):
        ts, ts_sub = parse_time_ns(obj["timestamp"], "timestamp")
    elif received_ms > 0:
        ts = _bounded(received_ms, "received time")
    else:
        raise RejectedInput("timestamp: missing")
    trace = _obj(obj, "trace_context", "")
    k8s = _obj(obj, "k8s_context", "")
    entity = _obj(obj, "entity", "")
    kube = _obj(obj, "kubernetes", "")
    net = _obj(obj, "network", "")
    app = _obj(obj, "application", "")
    kernel = _obj(obj, "kernel", "")
    metrics = _obj(obj, "metrics", "")
    tags = obj.get("tags")
    tag_list = [_clean(t) for t in tags if isinstance(t, str)] if isinstance(tags, list) else []

    message = (
        _str(obj, "message", limit=MAX_MESSAGE)
        or _str(app, "message", "application.", MAX_MESSAGE)
        or _str(kube, "message", "kubernetes.", MAX_MESSAGE)
    )
    network = _network(net) if net else None
    etype = _str(obj, "type")
    reason, cls = _unified_reason(obj, kube, app, kernel, network, [*_metric_names(metrics), *tag_list], etype, message)
    severity = _str(obj, "severity").lower()
    severity = SEVERITY_ALIASES.get(severity, severity)
    if severity not in SEVERITY_RANK:
        severity = cls[1] if cls else "info"
    category = cls[0] if cls else _fallback_category(_str(obj, "category"), etype, network)

    resource = _unified_resource(k8s, entity, kube, cluster)
    if not (resource.uid or resource.name) and not (network and (network.source_ip or network.dest_ip)):
        resource = _where_else(k8s, resource)
    detail: dict[str, Any] = {}
    for prefix, part in (("kernel", kernel), ("network", net), ("metrics", metrics), ("application", app)):
        for key, value in part.items():
            if isinstance(value, str | int | float) and not isinstance(value, bool) and key != "message":
                detail[f"{prefix}.{key}"] = _clean(value) if isinstance(value, str) else value
    for key in ("span_id", "parent_span_id"):  # a span and its parent name caller and callee (correlate.spans)
        if span := _str(trace, key, "trace_context."):
            detail[key] = span
    if tag_list:
        detail["tags"] = tag_list[:32]
    confidence = obj.get("confidence")
    if isinstance(confidence, int | float) and not isinstance(confidence, bool) and 0 <= confidence <= 1:
        detail["confidence"] = float(confidence)
    return NormalEvent(
        id=event_id,
        ts=ts,
        source_kind=SourceKind.COLLECTOR,
        reason=reason,
        type="Warning" if SEVERITY_RANK[severity] >= SEVERITY_RANK["warning"] else "Normal",
        severity=severity,
        category=category,
        message=message,
        source=_str(obj, "source") or _clean(source),
        trace_id=_id(trace, "trace_id", "trace_context.") or _clean(trace_id),
        count=1,
        last_ts=ts,
        ts_sub=ts_sub,
        resource=resource,
        network=_with_peer(network, message),
        node_name=_id(k8s, "node_name", "k8s_context."),
        workload_kind=_kind(_id(k8s, "workload_kind", "k8s_context.")),
        workload_name=_id(k8s, "workload_name", "k8s_context."),
        detail=detail,
    )


# An IPv4 address with its port, not inside a longer dotted or word token ("dial tcp 10.0.4.7:3306: i/o timeout").
_PEER = re.compile(r"(?<![\w.:])((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}):(\d{1,5})(?![\w.])")


def _with_peer(network: NetworkRef | None, message: str) -> NetworkRef | None:
    """The event's network part, with the peer its message names when the collector gave no destination: an
    error log or a connection failure that says which address it could not reach ("connect to 10.0.4.7:3306
    failed") is evidence of a call to what holds that address, as a structured destination would be."""
    if network is not None and network.dest_ip:
        return network
    source = network.source_ip if network is not None else ""
    for found in _PEER.finditer(message):
        ip, port = found.group(1), int(found.group(2))
        if ip != source and 0 < port <= 65535:
            return replace(network or NetworkRef(), dest_ip=ip, dest_port=port)
    return network


def _network(net: Mapping[str, Any]) -> NetworkRef:
    return NetworkRef(
        source_ip=_id(net, "source_ip", "network."),
        dest_ip=_id(net, "dest_ip", "network."),
        dest_port=_int(net, "dest_port", "network.", 0, 65535),
        status_code=_int(net, "status_code", "network.", 0, 999),
        direction=_str(net, "direction", "network.").lower(),
    )


def _unified_reason(
    obj: Mapping[str, Any],
    kube: Mapping[str, Any],
    app: Mapping[str, Any],
    kernel: Mapping[str, Any],
    network: NetworkRef | None,
    tags: list[str],
    etype: str,
    message: str,
) -> tuple[str, tuple[Category, str] | None]:
    """The first candidate the reason table knows wins; else the first candidate at all."""
    candidates = [
        _str(kube, "reason", "kubernetes."),
        _str(obj, "reason"),
        _str(app, "error_type", "application."),
        _str(kernel, "syscall", "kernel."),
    ]
    if network is not None:
        if network.status_code >= 500:
            candidates.append("http_5xx")
        elif network.status_code >= 400:
            candidates.append("http_4xx")
    low = message.lower()
    for needle, reason in (
        ("out of memory", "oom_kill"),
        ("oom killer", "oom_kill"),
        ("oom-killer", "oom_kill"),
        ("oom-kill", "oom_kill"),
        ("oom_kill", "oom_kill"),
        ("oomkill", "oom_kill"),
        ("timed out", "timeout"),
        ("timeout", "timeout"),
        ("connection refused", "connection_refused"),
        ("connection reset", "connection_reset"),
    ):
        if needle in low:
            candidates.append(reason)
    candidates += [*tags, etype]
    reasons = table()
    first = ""
    for cand in candidates:
        if not cand:
            continue
        first = first or cand
        found = reasons.lookup(cand, message)
        if found is not None:
            return cand, (found.category, found.severity)
    return first or "event", None


def _metric_names(metrics: Mapping[str, Any]) -> list[str]:
    """A metric deviation is named by its metric (``cpu_usage``, ``latency_p99``)."""
    return [n for n in (_str(metrics, "metric_name", "metrics."), _str(metrics, "name", "metrics.")) if n]


def _fallback_category(category: str, etype: str, network: NetworkRef | None) -> Category:
    """The category a collector names; a metric's deviation in resource use is saturation, not exhaustion (a
    detector's threshold crossed, not a container killed)."""
    for value in (category.lower(), etype.lower()):
        found = Category(value) if value in Category._value2member_map_ else _TYPE_CATEGORY.get(value)
        if found is not None:
            metric = etype.lower() == "metric" and found == Category.RESOURCE_EXHAUSTION and value != "oom"
            return Category.SATURATION if metric else found
    return Category.NETWORK if network is not None else Category.INFORMATIONAL


def _unified_resource(
    k8s: Mapping[str, Any], entity: Mapping[str, Any], kube: Mapping[str, Any], cluster: str
) -> ResourceRef:
    cluster = _id(k8s, "cluster_name", "k8s_context.") or cluster
    kind = _kind(_id(k8s, "kind", "k8s_context."))
    name = _id(k8s, "name", "k8s_context.")
    namespace = _id(k8s, "namespace", "k8s_context.")
    uid = _id(k8s, "uid", "k8s_context.") or _id(entity, "uid", "entity.")
    if not (kind and name):
        kind = _kind(_id(entity, "type", "entity.")) or kind
        name = _id(entity, "name", "entity.") or name
        namespace = namespace or _id(entity, "namespace", "entity.")
    if not (kind and name):
        obj_ref = _id(kube, "object", "kubernetes.")
        if "/" in obj_ref:
            head, _, tail = obj_ref.rpartition("/")
            kind, name = _kind(head.rpartition("/")[2]), tail
        elif obj_ref:
            kind, name = _kind(_id(kube, "object_kind", "kubernetes.")), obj_ref
    return _ref(cluster, kind, namespace, name, uid)


def _where_else(k8s: Mapping[str, Any], found: ResourceRef) -> ResourceRef:
    """An event that names no object and no address: its workload (``workload_kind``/``workload_name``), else its
    node (``node_name``: a kernel or node agent's event is about the host), else nothing."""
    workload_kind, workload = (
        _kind(_id(k8s, "workload_kind", "k8s_context.")),
        _id(k8s, "workload_name", "k8s_context."),
    )
    if workload_kind and workload:
        return _ref(found.cluster, workload_kind, _id(k8s, "namespace", "k8s_context."), workload, "")
    if node := _id(k8s, "node_name", "k8s_context."):
        return _ref(found.cluster, "Node", "", node, "")
    return found


def _ref(cluster: str, kind: str, namespace: str, name: str, uid: str) -> ResourceRef:
    """Cluster-scoped kinds have an empty namespace in their key, whatever the source said."""
    if kind in CLUSTER_SCOPED:
        namespace = ""
    return ResourceRef(cluster=cluster, kind=kind, namespace=namespace, name=name, uid=uid)
