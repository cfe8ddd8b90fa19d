"""Blast radius: what losing a node, or any resource, takes down or degrades, and who upstream feels it.

Step 1 (Cypher) finds the pods that go with the target; step 2 (Cypher, batched over those pods) finds their
workloads, the services selecting them with their ready endpoints, the PodDisruptionBudgets protecting them and
the services calling the hurt ones; the status of each is decided here (``service_status``, ``pdb_violated``).

A service is ``down`` when all its ready endpoints are lost, ``degraded`` when some are, ``upstream`` when it
calls (transitively) a service that is down or degraded. A Service as target is itself ``down``.
"""

from __future__ import annotations

from typing import Any

from graph import GraphStore
from model.resource import resource_key


class TargetNotFound(LookupError):
    """No resource with that key: the message names it."""


def service_status(endpoints: int, lost: int) -> str:
    """``down`` when every ready endpoint is lost, ``degraded`` when some are, else ``ok``."""
    if lost <= 0:
        return "ok"
    return "down" if lost >= endpoints else "degraded"


def _as_count(value: Any, total: int) -> int | None:
    """A PDB number: an int, or a percentage of ``total`` (rounded up as Kubernetes does for minAvailable)."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if text.endswith("%"):
        try:
            pct = float(text[:-1])
        except ValueError:
            return None
        return -(-int(pct * total) // 100)
    try:
        return int(text)
    except ValueError:
        return None


def pdb_violated(row: dict[str, Any]) -> bool:
    """Whether losing ``lost`` of the ``protected`` pods breaks the budget."""
    lost, protected = int(row["lost"] or 0), int(row["protected"] or 0)
    allowed = row.get("disruptions_allowed")
    if allowed is not None and str(allowed).lstrip("-").isdigit():
        return lost > int(allowed)
    min_available = _as_count(row.get("min_available"), protected)
    if min_available is not None:
        return protected - lost < min_available
    max_unavailable = _as_count(row.get("max_unavailable"), protected)
    return max_unavailable is not None and lost > max_unavailable


def blast_radius_node(store: GraphStore, cluster: str, name: str) -> dict[str, Any]:
    """The blast radius of losing node ``name``: ``{target, pods, workloads, services, pdb_violations, summary}``."""
    key = resource_key(cluster, "Node", "", name)
    rows = store.query("blast_radius_node", {"key": key})
    if not rows:
        raise TargetNotFound(f"no node {name!r} in cluster {cluster!r} (key {key})")
    target = {"cluster": cluster, "kind": "Node", "namespace": "", "name": name, "uid": rows[0]["target_uid"]}
    return _radius(store, target, rows)


def blast_radius_resource(store: GraphStore, cluster: str, kind: str, namespace: str, name: str) -> dict[str, Any]:
    """The blast radius of losing any resource (Deployment, ConfigMap, Secret, PVC, Service, Pod, Node...)."""
    if kind == "Node":
        return blast_radius_node(store, cluster, name)
    key = resource_key(cluster, kind, namespace, name)
    rows = store.query("blast_radius_resource", {"key": key})
    if not rows:
        raise TargetNotFound(f"no {kind} {namespace}/{name} in cluster {cluster!r} (key {key})")
    target = {"cluster": cluster, "kind": kind, "namespace": namespace, "name": name, "uid": rows[0]["target_uid"]}
    return _radius(store, target, rows)


def _radius(store: GraphStore, target: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    pods = sorted({(r["namespace"], r["name"], r["uid"]) for r in rows if r.get("uid")}, key=lambda t: (t[0], t[1]))
    uids = [p[2] for p in pods]
    workloads = []
    for w in store.query("blast_radius_workloads", {"uids": uids}) if uids else []:
        total = int(w["pods"] or 0)
        affected = int(w["affected"] or 0)
        workloads.append(
            {
                "kind": w["kind"],
                "namespace": w["namespace"],
                "name": w["name"],
                "replicas": int(w["replicas"] if w["replicas"] is not None else total),
                "affected": affected,
                "status": "down" if affected >= total else "degraded",
            }
        )
    services: dict[str, dict[str, Any]] = {}
    for s in store.query("blast_radius_services", {"uids": uids}) if uids else []:
        endpoints, lost = int(s["endpoints"] or 0), int(s["lost"] or 0)
        status = service_status(endpoints, lost)
        if status != "ok":
            services[s["uid"]] = {
                "namespace": s["namespace"],
                "name": s["name"],
                "status": status,
                "endpoints": endpoints,
                "affected_endpoints": min(lost, endpoints),
            }
    if target["kind"] == "Service" and target["uid"]:
        services[target["uid"]] = {
            "namespace": target["namespace"],
            "name": target["name"],
            "status": "down",
            "endpoints": 0,
            "affected_endpoints": 0,
        }
    hurt = sorted(services)
    for up in store.query("upstream_services", {"uids": hurt}) if hurt else []:
        if up["uid"] not in services:
            services[up["uid"]] = {
                "namespace": up["namespace"],
                "name": up["name"],
                "status": "upstream",
                "endpoints": 0,
                "affected_endpoints": 0,
            }
    pdbs = []
    for b in store.query("blast_radius_pdbs", {"uids": uids}) if uids else []:
        if pdb_violated(b):
            pdbs.append(
                {
                    "namespace": b["namespace"],
                    "name": b["name"],
                    "lost": int(b["lost"] or 0),
                    "protected": int(b["protected"] or 0),
                    "min_available": b["min_available"],
                    "max_unavailable": b["max_unavailable"],
                }
            )
    order = {"down": 0, "degraded": 1, "upstream": 2}
    service_list = sorted(services.values(), key=lambda s: (order[s["status"]], s["namespace"], s["name"]))
    workloads.sort(key=lambda w: (w["status"] != "down", w["namespace"], w["kind"], w["name"]))
    pdbs.sort(key=lambda b: (b["namespace"], b["name"]))
    result = {
        "target": target,
        "pods": [{"namespace": ns, "name": n, "uid": u} for ns, n, u in pods],
        "workloads": workloads,
        "services": service_list,
        "pdb_violations": pdbs,
    }
    result["summary"] = summarize(result)
    return result


def summarize(radius: dict[str, Any]) -> str:
    """One line: ``Node failure will impact: payment-service, order-service (...)``."""
    t = radius["target"]
    hit = [s["name"] for s in radius["services"] if s["status"] in ("down", "degraded")]
    up = [s["name"] for s in radius["services"] if s["status"] == "upstream"]
    head = "Node failure" if t["kind"] == "Node" else f"Losing {t['kind'].lower()}/{t['name']}"
    if not hit and not radius["pods"]:
        return f"{head} impacts nothing known to the graph"
    parts = [f"{head} will impact: {', '.join(hit) if hit else 'no service'}"]
    down = [s["name"] for s in radius["services"] if s["status"] == "down"]
    detail = [f"{len(radius['pods'])} pods", f"{len(radius['workloads'])} workloads"]
    if down:
        detail.append(f"down: {', '.join(down)}")
    if up:
        detail.append(f"upstream: {', '.join(up)}")
    if radius["pdb_violations"]:
        detail.append("PodDisruptionBudget violated: " + ", ".join(b["name"] for b in radius["pdb_violations"]))
    return parts[0] + f" ({'; '.join(detail)})"
