"""How traffic reaches pods: Service, Endpoints, EndpointSlice (discovery.k8s.io/v1), Ingress."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graph.schema import Label, Rel
from ingest.topology.common import (
    Obj,
    Row,
    Transformed,
    as_list,
    as_map,
    base_row,
    kv_list,
    link_scope,
    meta,
)
from model.resource import resource_key

SERVICE_NAME_LABEL = "kubernetes.io/service-name"


def service(obj: Obj, cluster: str) -> Transformed:
    out = Transformed()
    row = base_row(obj, cluster, "Service")
    spec = as_map(obj.get("spec"))
    ips = [str(ip) for ip in as_list(spec.get("clusterIPs")) or [spec.get("clusterIP")] if ip and ip != "None"]
    ports = []
    for p in as_list(spec.get("ports")):
        p = as_map(p)
        target = p.get("targetPort")
        ports.append(
            f"{p.get('name') or ''}:{p.get('port')}/{p.get('protocol') or 'TCP'}"
            + (f"->{target}" if target is not None else "")
        )
    row.update(
        {
            "type": spec.get("type") or "ClusterIP",
            "cluster_ips": ips,
            "ports": ports,
            "selector": kv_list(spec.get("selector")),
        }
    )
    if ips:
        row["cluster_ip"] = ips[0]
    out.node(Label.SERVICE, row)
    link_scope(out, row, obj, cluster)
    return out


def _target(ref: Any, cluster: str, ns: str) -> Row | None:
    """``{pod_uid}`` or ``{pod_key}`` for a targetRef to a Pod; None for anything else."""
    ref = as_map(ref)
    if ref.get("kind") != "Pod" or not ref.get("name"):
        return None
    if ref.get("uid"):
        return {"pod_uid": str(ref["uid"])}
    return {"pod_key": resource_key(cluster, "Pod", str(ref.get("namespace") or ns), str(ref["name"]))}


def _endpoint_rows(out: Transformed, row: Row, service_key: str, targets: Iterator[tuple[Any, bool]]) -> None:
    out.selects_origins.append({"service_key": service_key, "origin": row["uid"]})
    for ref, ready in targets:
        target = _target(ref, row["cluster"], row["namespace"])
        if target is not None:
            out.endpoint_selects.append({"service_key": service_key, "ready": ready, "origin": row["uid"], **target})


def endpoints(obj: Obj, cluster: str) -> Transformed:
    out = Transformed()
    row = base_row(obj, cluster, "Endpoints")
    ready: list[tuple[Any, bool]] = []
    for subset in as_list(obj.get("subsets")):
        subset = as_map(subset)
        ready += [(a, True) for a in as_list(subset.get("addresses"))]
        ready += [(a, False) for a in as_list(subset.get("notReadyAddresses"))]
    row["ready_ips"] = sorted({str(as_map(a).get("ip")) for a, ok in ready if ok and as_map(a).get("ip")})
    row["not_ready_ips"] = sorted({str(as_map(a).get("ip")) for a, ok in ready if not ok and as_map(a).get("ip")})
    out.node(Label.ENDPOINTS, row)
    link_scope(out, row, obj, cluster)
    key = resource_key(cluster, "Service", row["namespace"], row["name"])
    _endpoint_rows(out, row, key, ((as_map(a).get("targetRef"), ok) for a, ok in ready))
    return out


def endpointslice(obj: Obj, cluster: str) -> Transformed:
    out = Transformed()
    row = base_row(obj, cluster, "EndpointSlice")
    service_name = as_map(meta(obj).get("labels")).get(SERVICE_NAME_LABEL)
    eps = [as_map(e) for e in as_list(obj.get("endpoints"))]
    # API semantics: a nil ``ready`` condition means ready.
    marked = [(e, as_map(e.get("conditions")).get("ready") is not False) for e in eps]
    row["ready_ips"] = sorted({str(a) for e, ok in marked if ok for a in as_list(e.get("addresses"))})
    row["not_ready_ips"] = sorted({str(a) for e, ok in marked if not ok for a in as_list(e.get("addresses"))})
    if service_name:
        row["service_name"] = str(service_name)
    out.node(Label.ENDPOINTSLICE, row)
    link_scope(out, row, obj, cluster)
    if service_name:
        key = resource_key(cluster, "Service", row["namespace"], str(service_name))
        _endpoint_rows(out, row, key, ((e.get("targetRef"), ok) for e, ok in marked))
    return out


def _backend_service(backend: Any) -> str | None:
    backend = as_map(backend)
    name = as_map(backend.get("service")).get("name") or backend.get("serviceName")  # v1, v1beta1
    return str(name) if name else None


def ingress(obj: Obj, cluster: str) -> Transformed:
    out = Transformed()
    row = base_row(obj, cluster, "Ingress")
    spec = as_map(obj.get("spec"))
    rules = [as_map(r) for r in as_list(spec.get("rules"))]
    row["hosts"] = sorted({str(r["host"]) for r in rules if r.get("host")})
    out.node(Label.INGRESS, row)
    link_scope(out, row, obj, cluster)
    services = {_backend_service(spec.get("defaultBackend") or spec.get("backend"))}
    for r in rules:
        for path in as_list(as_map(r.get("http")).get("paths")):
            services.add(_backend_service(as_map(path).get("backend")))
    for name in sorted(s for s in services if s):
        out.rel(Rel.ROUTES_TO, row["uid"], resource_key(cluster, "Service", row["namespace"], name))
    return out


def selector_labels(selector: Any) -> list[str]:
    """A LabelSelector's ``matchLabels`` as ``k=v`` (``matchExpressions`` are not matched in the graph)."""
    return kv_list(as_map(selector).get("matchLabels"))


def is_mapping(value: Any) -> bool:
    return isinstance(value, Mapping)
