"""The graph model of DESIGN §3, declared once.

Each node kind names its label(s), its key and its properties; each relationship kind names its type, the
labels and keys it joins and its properties. ``graph.querybuilder`` turns these declarations into the
``UNWIND $rows ... MERGE`` statements and each backend's index statements; tests pin the generated text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import LiteralString


class Label(StrEnum):
    """Every node label; Kubernetes kinds also carry ``Resource``."""

    RESOURCE = "Resource"
    NAMESPACE = "Namespace"
    NODE = "Node"
    POD = "Pod"
    REPLICASET = "ReplicaSet"
    DEPLOYMENT = "Deployment"
    STATEFULSET = "StatefulSet"
    DAEMONSET = "DaemonSet"
    JOB = "Job"
    CRONJOB = "CronJob"
    SERVICE = "Service"
    ENDPOINTS = "Endpoints"
    ENDPOINTSLICE = "EndpointSlice"
    CONFIGMAP = "ConfigMap"
    SECRET = "Secret"
    PVC = "PersistentVolumeClaim"
    PV = "PersistentVolume"
    INGRESS = "Ingress"
    HPA = "HorizontalPodAutoscaler"
    PDB = "PodDisruptionBudget"
    EVENT = "Event"
    CORRELATION = "Correlation"
    FEEDBACK = "Feedback"


class Rel(StrEnum):
    """Every relationship type (direction = dependency direction)."""

    OWNED_BY = "OWNED_BY"
    RUNS_ON = "RUNS_ON"
    SELECTS = "SELECTS"
    USES = "USES"
    CLAIMS = "CLAIMS"
    BOUND_TO = "BOUND_TO"
    ROUTES_TO = "ROUTES_TO"
    SCALES = "SCALES"
    PROTECTS = "PROTECTS"
    IN_NAMESPACE = "IN_NAMESPACE"
    CALLS = "CALLS"
    ABOUT = "ABOUT"
    ROOT_CAUSE = "ROOT_CAUSE"
    INCLUDES = "INCLUDES"
    IMPACTS = "IMPACTS"
    FEEDBACK_ON = "FEEDBACK_ON"


# Properties every Kubernetes resource node has.
RESOURCE_PROPS: tuple[LiteralString, ...] = (
    "key",
    "cluster",
    "kind",
    "namespace",
    "name",
    "labels",
    "created_at",
    "updated_at",
    "deleted_at",
    "resource_version",
)


@dataclass(frozen=True)
class NodeKind:
    """A node label with its merge key and the properties a load may set."""

    label: Label
    key: LiteralString
    props: tuple[LiteralString, ...]
    indexed: tuple[LiteralString, ...] = ()
    resource: bool = True


@dataclass(frozen=True)
class RelKind:
    """A relationship type between two labels, matched by one key at each end."""

    type: Rel
    from_label: Label
    from_key: LiteralString
    to_label: Label
    to_key: LiteralString
    props: tuple[LiteralString, ...] = ()


def _k8s(label: Label, *props: LiteralString, indexed: tuple[LiteralString, ...] = ()) -> NodeKind:
    return NodeKind(label, "uid", RESOURCE_PROPS + props, indexed)


# Workload templates: container names, the pods' labels (selector and env-CALLS linking), services named in env.
_TEMPLATE_PROPS: tuple[LiteralString, ...] = (
    "containers",
    "requests_cpu",
    "requests_memory",
    "template_labels",
    "env_service_keys",
)

NODE_KINDS: dict[Label, NodeKind] = {
    k.label: k
    for k in (
        _k8s(Label.NAMESPACE, "phase"),
        _k8s(
            Label.NODE,
            "zone",
            "ip",
            "ready",
            "conditions",
            "memory_pressure",
            "disk_pressure",
            "pid_pressure",
            "network_unavailable",
            "unschedulable",
            "capacity_cpu",
            "capacity_memory",
        ),
        _k8s(
            Label.POD,
            "phase",
            "ready",
            "ip",
            "ip_since",
            "node_name",
            "node_ip",
            "restarts",
            "images",
            "containers",
            "last_termination_reasons",
            "last_exit_codes",
            "requests_cpu",
            "requests_memory",
            "limits_cpu",
            "limits_memory",
            "owner_kind",
            "owner_name",
            "host_network",
            "template_labels",
            "env_service_keys",
            indexed=("ip", "namespace"),
        ),
        _k8s(Label.REPLICASET, "replicas", "ready_replicas", "revision", "images", *_TEMPLATE_PROPS),
        _k8s(
            Label.DEPLOYMENT,
            "replicas",
            "ready_replicas",
            "revision",
            "images",
            "limits_memory",
            "limits_cpu",
            *_TEMPLATE_PROPS,
        ),
        _k8s(
            Label.STATEFULSET,
            "replicas",
            "ready_replicas",
            "revision",
            "images",
            "limits_memory",
            "limits_cpu",
            *_TEMPLATE_PROPS,
        ),
        _k8s(Label.DAEMONSET, "replicas", "ready_replicas", "images", "limits_memory", "limits_cpu", *_TEMPLATE_PROPS),
        _k8s(Label.JOB, "succeeded", "failed", "active", "images", *_TEMPLATE_PROPS),
        _k8s(Label.CRONJOB, "schedule", "suspend", "images", *_TEMPLATE_PROPS),
        _k8s(Label.SERVICE, "type", "cluster_ip", "cluster_ips", "ports", "selector", indexed=("cluster_ip",)),
        _k8s(Label.ENDPOINTS, "ready_ips", "not_ready_ips"),
        _k8s(Label.ENDPOINTSLICE, "service_name", "ready_ips", "not_ready_ips"),
        _k8s(Label.CONFIGMAP, "data_keys", "data_hash"),
        _k8s(Label.SECRET, "type", "data_keys"),
        _k8s(Label.PVC, "phase", "storage_class", "volume_name", "capacity"),
        _k8s(Label.PV, "phase", "storage_class", "capacity", "claim"),
        _k8s(Label.INGRESS, "hosts"),
        _k8s(Label.HPA, "min_replicas", "max_replicas", "current_replicas", "target_kind", "target_name"),
        _k8s(Label.PDB, "min_available", "max_unavailable", "disruptions_allowed", "selector"),
        NodeKind(
            Label.EVENT,
            "id",
            (
                "ts",
                "last_ts",
                "reason",
                "type",
                "severity",
                "severity_rank",
                "category",
                "source_kind",
                "source",
                "message",
                "trace_id",
                "count",
                "cluster",
                "resource_key",
                "resource_uid",
                "resource_kind",
                "namespace",
                "workload_key",
                "node_name",
                "detail",
                "target_uid",
                "correlation_id",
                "awaiting_key",
            ),
            indexed=("ts", "trace_id", "resource_key", "awaiting_key"),
            resource=False,
        ),
        NodeKind(
            Label.CORRELATION,
            "id",
            (
                "type",
                "state",
                "severity",
                "confidence",
                "summary",
                "version",
                "published_version",
                "first_seen",
                "last_seen",
                "updated_at",
                "root_event_id",
                "namespaces",
                "document",
            ),
            indexed=("state", "last_seen"),
            resource=False,
        ),
        NodeKind(
            Label.FEEDBACK,
            "id",
            ("correlation_id", "verdict", "event_id", "root_event_id", "comment", "at"),
            resource=False,
        ),
    )
}

_R = Label.RESOURCE
REL_KINDS: dict[Rel, RelKind] = {
    r.type: r
    for r in (
        RelKind(Rel.OWNED_BY, _R, "uid", _R, "uid"),
        RelKind(Rel.RUNS_ON, Label.POD, "uid", Label.NODE, "key"),
        RelKind(Rel.SELECTS, Label.SERVICE, "uid", Label.POD, "uid", ("ready", "via", "origin")),
        # Pods and workload templates (so a manifest-only graph still links its ConfigMaps, Secrets, claims).
        RelKind(Rel.USES, _R, "uid", _R, "key", ("via",)),
        RelKind(Rel.CLAIMS, _R, "uid", Label.PVC, "key"),
        RelKind(Rel.BOUND_TO, Label.PVC, "uid", Label.PV, "key"),
        RelKind(Rel.ROUTES_TO, Label.INGRESS, "uid", Label.SERVICE, "key"),
        RelKind(Rel.SCALES, Label.HPA, "uid", _R, "key"),
        RelKind(Rel.PROTECTS, Label.PDB, "uid", Label.POD, "uid"),
        RelKind(Rel.IN_NAMESPACE, _R, "uid", Label.NAMESPACE, "key"),
        RelKind(
            Rel.CALLS,
            Label.SERVICE,
            "uid",
            Label.SERVICE,
            "key",
            ("source", "count", "first_seen", "last_seen"),
        ),
        RelKind(Rel.ABOUT, Label.EVENT, "id", _R, "uid"),
        RelKind(Rel.ROOT_CAUSE, Label.CORRELATION, "id", Label.EVENT, "id"),
        RelKind(Rel.INCLUDES, Label.CORRELATION, "id", Label.EVENT, "id", ("role", "link", "weight", "via")),
        RelKind(Rel.IMPACTS, Label.CORRELATION, "id", _R, "uid", ("status",)),
        RelKind(Rel.FEEDBACK_ON, Label.FEEDBACK, "id", Label.CORRELATION, "id"),
    )
}

K8S_KINDS: tuple[Label, ...] = tuple(k.label for k in NODE_KINDS.values() if k.resource)
