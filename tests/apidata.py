"""A small stored incident for the API tests: topology, events and one correlation, written as the engine does."""

from __future__ import annotations

import json
from typing import Any

from api.auth import Scope, new_token
from graph import GraphStore
from graph.querybuilder import merge_nodes, merge_rels
from graph.schema import Label, Rel

T0 = 1_777_629_600_000  # 2026-05-01T10:00:00Z
CLUSTER = "prod"
NS = "shop"


def tokens() -> dict[str, str]:
    """A read and a write token, and the settings line for both."""
    read, read_hash = new_token(Scope.READ)
    write, write_hash = new_token(Scope.WRITE)
    return {"read": read, "write": write, "hashes": json.dumps([read_hash, write_hash])}


def _res(kind: str, name: str, ns: str = NS, **props: Any) -> dict[str, Any]:
    return {
        "uid": f"uid-{kind.lower()}-{name}",
        "key": f"{CLUSTER}/{kind}/{ns}/{name}",
        "cluster": CLUSTER,
        "kind": kind,
        "namespace": ns,
        "name": name,
        **props,
    }


NODE = _res("Node", "node-1", "")
PODS = {
    "redis": _res("Pod", "redis-cart-7d9f-abcde", node_name="node-1", phase="Running"),
    "cart": _res("Pod", "cartservice-5c6b-fghij", node_name="node-1", phase="Running"),
    "front": _res("Pod", "frontend-6f7d-klmno", node_name="node-1", phase="Running"),
}
APPS = (("redis", "redis-cart"), ("cart", "cartservice"), ("front", "frontend"))
SERVICES = {k: _res("Service", n) for k, n in APPS}
DEPLOYS = {k: _res("Deployment", n) for k, n in APPS}
SECRET = _res("Secret", "redis-password", type="Opaque", data_keys=["password"])


def event(ident: str, pod: str, offset_s: int, reason: str, severity: str, message: str) -> dict[str, Any]:
    p = PODS[pod]
    return {
        "id": ident,
        "ts": T0 + offset_s * 1000,
        "last_ts": T0 + offset_s * 1000,
        "reason": reason,
        "type": "Warning",
        "severity": severity,
        "category": "crash",
        "source": "test",
        "message": message,
        "count": 1,
        "cluster": CLUSTER,
        "resource_uid": p["uid"],
        "resource_key": p["key"],
        "namespace": NS,
    }


EVENTS = [
    event("ev-oom", "redis", 0, "OOMKilled", "critical", "redis-cart OOM-killed (limit 256Mi)"),
    event("ev-cart", "cart", 20, "ConnectionRefused", "error", "cartservice cannot reach redis-cart:6379"),
    event("ev-front", "front", 40, "HTTP503", "error", "frontend answers 503 on /cart"),
]


def document(ident: str, last_seen_ms: int, **over: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schema": "causegraph.correlation/v1",
        "id": ident,
        "version": 2,
        "type": "cascading_failure",
        "state": "active",
        "severity": "critical",
        "confidence": 0.9,
        "summary": "Root cause: redis-cart memory exhaustion affecting 3 services",
        "root_cause": {
            "event_id": "ev-oom",
            "reason": "OOMKilled",
            "at": "2026-05-01T10:00:00Z",
            "resource": {"cluster": CLUSTER, "kind": "Pod", "namespace": NS, "name": PODS["redis"]["name"]},
            "description": "redis-cart OOM at 10:00:00",
        },
        "related_events": ["ev-oom", "ev-cart", "ev-front"],
        "chain": [
            {"event_id": "ev-oom", "link": "root"},
            {"event_id": "ev-cart", "link": "calls"},
            {"event_id": "ev-front", "link": "calls"},
        ],
        "impact": {"services": ["redis-cart", "cartservice", "frontend"], "pods": 3, "namespaces": [NS]},
        "remediation": "Increase the memory limit of deployment/redis-cart",
        "first_seen": "2026-05-01T10:00:00Z",
        "last_seen": "2026-05-01T10:00:40Z",
        "cypher": f"MATCH (c:Correlation {{id: '{ident}'}})-[r]->(n) RETURN c, r, n",
    }
    doc.update(over)
    return doc


def correlation_row(ident: str, last_seen_ms: int, **over: Any) -> dict[str, Any]:
    doc = document(ident, last_seen_ms, **over)
    return {
        "id": ident,
        "type": doc["type"],
        "state": doc["state"],
        "severity": doc["severity"],
        "confidence": doc["confidence"],
        "summary": doc["summary"],
        "version": doc["version"],
        "first_seen": last_seen_ms - 40_000,
        "last_seen": last_seen_ms,
        "root_event_id": "ev-oom",
        "namespaces": [NS],
        "document": json.dumps(doc),
    }


def load_topology(store: GraphStore) -> None:
    """The node, the three apps (pods, services, deployments, calls) and the secret; no events."""
    store.write(merge_nodes(Label.NODE), [NODE])
    store.write(merge_nodes(Label.POD), list(PODS.values()))
    store.write(merge_nodes(Label.SERVICE), list(SERVICES.values()))
    store.write(merge_nodes(Label.DEPLOYMENT), list(DEPLOYS.values()))
    store.write(merge_nodes(Label.SECRET), [SECRET])
    store.write(merge_rels(Rel.RUNS_ON), [{"from": p["uid"], "to": NODE["key"]} for p in PODS.values()])
    store.write(merge_rels(Rel.SELECTS), [{"from": SERVICES[k]["uid"], "to": PODS[k]["uid"]} for k in PODS])
    store.write(merge_rels(Rel.OWNED_BY), [{"from": PODS[k]["uid"], "to": DEPLOYS[k]["uid"]} for k in PODS])
    store.write(
        merge_rels(Rel.CALLS),
        [
            {"from": SERVICES["front"]["uid"], "to": SERVICES["cart"]["key"], "source": "test"},
            {"from": SERVICES["cart"]["uid"], "to": SERVICES["redis"]["key"], "source": "test"},
        ],
    )
    store.write(merge_rels(Rel.USES), [{"from": PODS["redis"]["uid"], "to": SECRET["key"], "via": "env"}])


def load_incident(store: GraphStore) -> None:
    """The topology, three events and correlation ``corr-1`` (root ev-oom)."""
    load_topology(store)
    store.write(merge_nodes(Label.EVENT), EVENTS)
    store.write(merge_rels(Rel.ABOUT), [{"from": e["id"], "to": e["resource_uid"]} for e in EVENTS])
    store.write(merge_nodes(Label.CORRELATION), [correlation_row("corr-1", T0 + 40_000)])
    store.write(merge_rels(Rel.ROOT_CAUSE), [{"from": "corr-1", "to": "ev-oom"}])
    store.write(
        merge_rels(Rel.INCLUDES),
        [
            {"from": "corr-1", "to": "ev-oom", "role": "root", "link": "root", "weight": 1.0, "via": ""},
            {"from": "corr-1", "to": "ev-cart", "role": "symptom", "link": "calls", "weight": 0.8, "via": "ev-oom"},
            {"from": "corr-1", "to": "ev-front", "role": "symptom", "link": "calls", "weight": 0.7, "via": "ev-cart"},
        ],
    )
    store.write(merge_rels(Rel.IMPACTS), [{"from": "corr-1", "to": s["uid"]} for s in SERVICES.values()])


def settings_with(hashes: str, **api: Any) -> Any:
    """Settings for an app under test: the given token hashes, cluster ``prod``."""
    from api.settings import ApiSettings
    from causegraph.settings import Settings
    from ingest.settings import KubernetesSettings

    return Settings(
        api=ApiSettings(token_hashes=json.loads(hashes), **api),
        kubernetes=KubernetesSettings(mode="none", cluster=CLUSTER),
    )


def client(app: Any, token: str | None = None) -> Any:
    """An httpx client on the ASGI app, with a bearer token when given."""
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test", headers=headers)
