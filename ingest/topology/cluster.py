"""Cluster-scoped and configuration kinds: Namespace, Node, PersistentVolume(Claim), ConfigMap, Secret, HPA, PDB.

Secrets: the names of the keys only. A value of ``data`` or ``stringData`` is never read here.
"""

from __future__ import annotations

from collections.abc import Mapping

from graph.schema import Label, Rel
from ingest.topology.common import (
    Obj,
    Transformed,
    as_list,
    as_map,
    base_row,
    cpu_millis,
    link_scope,
    memory_bytes,
    meta,
    stable_hash,
)
from ingest.topology.network import selector_labels
from model.resource import resource_key

ZONE_LABELS = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
NODE_CONDITIONS = {
    "MemoryPressure": "memory_pressure",
    "DiskPressure": "disk_pressure",
    "PIDPressure": "pid_pressure",
    "NetworkUnavailable": "network_unavailable",
}


def namespace(obj: Obj, cluster: str) -> Transformed:
    out = Transformed()
    row = base_row(obj, cluster, "Namespace")
    phase = as_map(obj.get("status")).get("phase")
    if phase:
        row["phase"] = phase
    out.node(Label.NAMESPACE, row)
    return out


def node_conditions(obj: Obj) -> dict[str, str]:
    """``{type: status}`` of a Node's conditions (``"True"``, ``"False"``, ``"Unknown"``)."""
    return {
        str(c.get("type")): str(c.get("status"))
        for c in as_list(as_map(obj.get("status")).get("conditions"))
        if isinstance(c, Mapping) and c.get("type")
    }


def node(obj: Obj, cluster: str) -> Transformed:
    out = Transformed()
    row = base_row(obj, cluster, "Node")
    status = as_map(obj.get("status"))
    labels = as_map(meta(obj).get("labels"))
    conditions = node_conditions(obj)
    addresses = {str(as_map(a).get("type")): as_map(a).get("address") for a in as_list(status.get("addresses"))}
    zone = next((labels[z] for z in ZONE_LABELS if labels.get(z)), None)
    capacity = as_map(status.get("capacity"))
    row.update(
        {
            "zone": zone,
            "ip": addresses.get("InternalIP") or addresses.get("ExternalIP"),
            "conditions": sorted(f"{t}={s}" for t, s in conditions.items()),
            "unschedulable": bool(as_map(obj.get("spec")).get("unschedulable", False)),
            "capacity_cpu": cpu_millis(capacity.get("cpu")),
            "capacity_memory": memory_bytes(capacity.get("memory")),
        }
    )
    if conditions:
        row["ready"] = conditions.get("Ready") == "True"
        for ctype, prop in NODE_CONDITIONS.items():
            if ctype in conditions:
                row[prop] = conditions[ctype] == "True"
    out.node(Label.NODE, {k: v for k, v in row.items() if v is not None})
    return out


def persistentvolume(obj: Obj, cluster: str) -> Transformed:
    out = Transformed()
    row = base_row(obj, cluster, "PersistentVolume")
    spec = as_map(obj.get("spec"))
    claim = as_map(spec.get("claimRef"))
    row.update(
        {
            "phase": as_map(obj.get("status")).get("phase"),
            "storage_class": spec.get("storageClassName"),
            "capacity": as_map(spec.get("capacity")).get("storage"),
            "claim": f"{claim.get('namespace', '')}/{claim['name']}" if claim.get("name") else None,
        }
    )
    out.node(Label.PV, {k: v for k, v in row.items() if v is not None})
    return out


def persistentvolumeclaim(obj: Obj, cluster: str) -> Transformed:
    out = Transformed()
    row = base_row(obj, cluster, "PersistentVolumeClaim")
    spec, status = as_map(obj.get("spec")), as_map(obj.get("status"))
    row.update(
        {
            "phase": status.get("phase"),
            "storage_class": spec.get("storageClassName"),
            "volume_name": spec.get("volumeName"),
            "capacity": as_map(status.get("capacity")).get("storage")
            or as_map(as_map(spec.get("resources")).get("requests")).get("storage"),
        }
    )
    out.node(Label.PVC, {k: v for k, v in row.items() if v is not None})
    link_scope(out, row, obj, cluster)
    if spec.get("volumeName"):
        out.rel(Rel.BOUND_TO, row["uid"], resource_key(cluster, "PersistentVolume", "", str(spec["volumeName"])))
    return out


def data_keys(obj: Obj, *fields: str) -> list[str]:
    """The keys (never the values) of the named data fields."""
    return sorted({str(k) for f in fields for k in as_map(obj.get(f))})


def configmap(obj: Obj, cluster: str) -> Transformed:
    out = Transformed()
    row = base_row(obj, cluster, "ConfigMap")
    row["data_keys"] = data_keys(obj, "data", "binaryData")
    parts = [f"{f}:{k}={as_map(obj.get(f))[k]}" for f in ("data", "binaryData") for k in sorted(as_map(obj.get(f)))]
    row["data_hash"] = stable_hash(parts)
    out.node(Label.CONFIGMAP, row)
    link_scope(out, row, obj, cluster)
    return out


def secret(obj: Obj, cluster: str) -> Transformed:
    out = Transformed()
    row = base_row(obj, cluster, "Secret")
    row["type"] = str(obj.get("type") or "Opaque")
    row["data_keys"] = data_keys(obj, "data", "stringData")
    out.node(Label.SECRET, row)
    link_scope(out, row, obj, cluster)
    return out


def hpa(obj: Obj, cluster: str) -> Transformed:
    out = Transformed()
    row = base_row(obj, cluster, "HorizontalPodAutoscaler")
    spec, status = as_map(obj.get("spec")), as_map(obj.get("status"))
    target = as_map(spec.get("scaleTargetRef"))
    row.update(
        {
            "min_replicas": spec.get("minReplicas", 1),
            "max_replicas": spec.get("maxReplicas"),
            "current_replicas": status.get("currentReplicas"),
            "target_kind": target.get("kind"),
            "target_name": target.get("name"),
        }
    )
    out.node(Label.HPA, {k: v for k, v in row.items() if v is not None})
    link_scope(out, row, obj, cluster)
    if target.get("kind") and target.get("name"):
        key = resource_key(cluster, str(target["kind"]), row["namespace"], str(target["name"]))
        out.rel(Rel.SCALES, row["uid"], key)
    return out


def pdb(obj: Obj, cluster: str) -> Transformed:
    """A PodDisruptionBudget; PROTECTS to the pods its selector matches is linked in the graph (``finish``)."""
    out = Transformed()
    row = base_row(obj, cluster, "PodDisruptionBudget")
    spec, status = as_map(obj.get("spec")), as_map(obj.get("status"))
    row.update(
        {
            "min_available": None if spec.get("minAvailable") is None else str(spec["minAvailable"]),
            "max_unavailable": None if spec.get("maxUnavailable") is None else str(spec["maxUnavailable"]),
            "disruptions_allowed": status.get("disruptionsAllowed"),
            "selector": selector_labels(spec.get("selector")),
        }
    )
    out.node(Label.PDB, {k: v for k, v in row.items() if v is not None})
    link_scope(out, row, obj, cluster)
    return out
