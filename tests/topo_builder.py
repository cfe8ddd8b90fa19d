"""A small cluster and its events, written straight through the schema's generated statements (test helper).

frontend -> api -> mysql (CALLS); pods on node-1/node-2; api uses ConfigMap app-config; mysql-0 claims PVC data;
an unrelated ``noise`` deployment on node-2.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from graph import GraphStore
from graph.querybuilder import merge_nodes, merge_rels
from graph.schema import Label, Rel
from model.event import Category, NormalEvent, SourceKind, StoredEvent
from model.resource import ResourceRef

CLUSTER = "prod"
NS = "shop"
T0 = 1_777_629_600_000  # 2026-05-01T10:00:00Z


def key(kind: str, name: str, ns: str = NS) -> str:
    return f"{CLUSTER}/{kind}/{ns if kind not in ('Node', 'PersistentVolume') else ''}/{name}"


def uid(kind: str, name: str) -> str:
    return f"uid-{kind.lower()}-{name}"


def ref(kind: str, name: str) -> ResourceRef:
    ns = "" if kind in ("Node", "PersistentVolume") else NS
    return ResourceRef(CLUSTER, kind, ns, name, uid(kind, name))


def _node(label: Label, name: str, **props: Any) -> dict[str, Any]:
    ns = "" if label in (Label.NODE, Label.PV) else NS
    return {
        "uid": uid(label.value, name),
        "key": key(label.value, name),
        "cluster": CLUSTER,
        "kind": label.value,
        "namespace": ns,
        "name": name,
        **props,
    }


def build(store: GraphStore, *, extra_pods: int = 0) -> None:
    """Write the small cluster."""
    nodes: dict[Label, list[dict[str, Any]]] = {
        Label.NODE: [_node(Label.NODE, "node-1", ready=True), _node(Label.NODE, "node-2", ready=True)],
        Label.DEPLOYMENT: [
            _node(
                Label.DEPLOYMENT,
                d,
                replicas=r,
                ready_replicas=r,
                revision="2",
                images=[f"repo/{d}:v2"],
                limits_memory="256Mi",
            )
            for d, r in (("frontend", 2), ("api", 2), ("noise", 1))
        ],
        Label.STATEFULSET: [
            _node(Label.STATEFULSET, "mysql", replicas=1, ready_replicas=1, limits_memory="512Mi", images=["mysql:8.0"])
        ],
        Label.REPLICASET: [
            _node(Label.REPLICASET, "api-v1", revision="1", images=["repo/api:v1"], replicas=0),
            _node(Label.REPLICASET, "api-v2", revision="2", images=["repo/api:v2"], replicas=2),
            _node(Label.REPLICASET, "frontend-v2", revision="2", images=["repo/frontend:v2"], replicas=2),
            _node(Label.REPLICASET, "noise-v2", revision="2", images=["repo/noise:v2"], replicas=1),
        ],
        Label.POD: [
            _node(Label.POD, p, node_name=n, phase="Running", ready=True, limits_memory=lim)
            for p, n, lim in (
                ("frontend-1", "node-1", "256Mi"),
                ("frontend-2", "node-1", "256Mi"),
                ("api-1", "node-1", "256Mi"),
                ("api-2", "node-2", "256Mi"),
                ("mysql-0", "node-2", "512Mi"),
                ("noise-1", "node-2", "128Mi"),
                *((f"api-x{i}", "node-2", "256Mi") for i in range(extra_pods)),
            )
        ],
        Label.SERVICE: [_node(Label.SERVICE, s) for s in ("frontend", "api", "mysql", "noise")],
        Label.CONFIGMAP: [_node(Label.CONFIGMAP, "app-config", data_keys=["DB_HOST", "POOL"])],
        Label.PVC: [_node(Label.PVC, "data", phase="Bound")],
        Label.PDB: [_node(Label.PDB, "api-pdb", min_available=2)],
    }
    for label, rows in nodes.items():
        store.write(merge_nodes(label), rows)
    pods = {p["name"]: p for p in nodes[Label.POD]}
    owner = {
        "frontend-1": ("ReplicaSet", "frontend-v2"),
        "frontend-2": ("ReplicaSet", "frontend-v2"),
        "api-1": ("ReplicaSet", "api-v2"),
        "api-2": ("ReplicaSet", "api-v2"),
        "mysql-0": ("StatefulSet", "mysql"),
        "noise-1": ("ReplicaSet", "noise-v2"),
        **{f"api-x{i}": ("ReplicaSet", "api-v2") for i in range(extra_pods)},
    }
    rels: dict[Rel, list[dict[str, Any]]] = {
        Rel.OWNED_BY: [{"from": uid("Pod", p), "to": uid(k, o)} for p, (k, o) in owner.items()]
        + [
            {"from": uid("ReplicaSet", rs), "to": uid("Deployment", d)}
            for rs, d in (("api-v1", "api"), ("api-v2", "api"), ("frontend-v2", "frontend"), ("noise-v2", "noise"))
        ],
        Rel.RUNS_ON: [{"from": uid("Pod", p), "to": key("Node", v["node_name"])} for p, v in pods.items()],
        Rel.SELECTS: [
            {
                "from": uid("Service", o if k == "StatefulSet" else o.rsplit("-", 1)[0]),
                "to": uid("Pod", p),
                "ready": True,
                "via": "endpoints",
            }
            for p, (k, o) in owner.items()
        ],
        Rel.CALLS: [
            {"from": uid("Service", a), "to": key("Service", b), "source": "env", "count": 1}
            for a, b in (("frontend", "api"), ("api", "mysql"))
        ],
        Rel.USES: [
            {"from": uid("Pod", p), "to": key("ConfigMap", "app-config"), "via": "envFrom"} for p in ("api-1", "api-2")
        ],
        Rel.CLAIMS: [{"from": uid("Pod", "mysql-0"), "to": key("PersistentVolumeClaim", "data")}],
        Rel.PROTECTS: [
            {"from": uid("PodDisruptionBudget", "api-pdb"), "to": uid("Pod", p)} for p in ("api-1", "api-2")
        ],
    }
    for rel, rows in rels.items():
        store.write(merge_rels(rel), rows)


def event(
    eid: str,
    at_s: float,
    kind: str,
    name: str,
    reason: str,
    category: Category,
    *,
    severity: str = "warning",
    trace: str = "",
    source_kind: SourceKind = SourceKind.K8S_EVENT,
    message: str = "",
    detail: dict[str, Any] | None = None,
    count: int = 1,
    target: tuple[str, str] | None = None,
) -> StoredEvent:
    """A stored event ``at_s`` seconds after T0 about ``kind/name``; ``target``: the ``(kind, name)`` it was
    calling (a failed call that names its callee)."""
    r = ref(kind, name)
    ev = NormalEvent(
        id=eid,
        ts=T0 + int(at_s * 1000),
        source_kind=source_kind,
        reason=reason,
        type="Normal" if severity in ("info", "debug", "low") else "Warning",
        severity=severity,
        category=category,
        message=message,
        trace_id=trace,
        resource=r,
        count=count,
        detail=detail or {},
    )
    return StoredEvent(ev, r, "uid", True, uid(*target) if target else "")


def write_events(store: GraphStore, events: Iterable[StoredEvent]) -> None:
    """What the event writer does: Event nodes and ABOUT edges."""
    rows, about = [], []
    for s in events:
        e = s.event
        rows.append(
            {
                "id": e.id,
                "ts": e.ts,
                "last_ts": e.last_ts or e.ts,
                "reason": e.reason,
                "type": e.type,
                "severity": e.severity,
                "severity_rank": e.severity_rank,
                "category": e.category.value,
                "source_kind": e.source_kind.value,
                "message": e.message,
                "trace_id": e.trace_id,
                "count": e.count,
                "cluster": s.resource.cluster,
                "resource_key": s.resource.key(),
                "resource_uid": s.resource.uid,
                "resource_kind": s.resource.kind,
                "namespace": s.resource.namespace,
                "detail": json.dumps(e.detail),
                "target_uid": s.target_uid or None,
            }
        )
        if s.resource.uid:
            about.append({"from": e.id, "to": s.resource.uid})
    store.write(merge_nodes(Label.EVENT), rows)
    store.write(merge_rels(Rel.ABOUT), about)


def stored(store: GraphStore, events: Sequence[StoredEvent]) -> Sequence[StoredEvent]:
    write_events(store, events)
    return events
