"""A fixed graph for the catalogue answers (test helper): the API incident of ``tests/apidata.py`` plus what the other
questions look for (pod IPs and labels, a service ClusterIP and selectors, ReplicaSets, a PDB, env-named calls, a
feedback, a deleted pod, an old resolved correlation), and for every catalogue question parameters that hit it.

``tests/test_cypher_catalogue.py`` runs each question on this graph on both engines and compares the rows with
``tests/catalogue_answers.json``. After a deliberate change to a query or to this graph, rewrite that file with
``python -m tests.catalogue_graph`` (FalkorDB) and review its diff.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import cypher
from graph import GraphStore
from graph.querybuilder import merge_nodes, merge_rels
from graph.schema import Label, Rel
from tests.apidata import CLUSTER, DEPLOYS, NODE, NS, PODS, SERVICES, T0, correlation_row, load_incident

ANSWERS = Path(__file__).with_name("catalogue_answers.json")
DAY = 86_400_000
REDIS, CART, FRONT = PODS["redis"], PODS["cart"], PODS["front"]
OLD_POD = {
    "uid": "uid-pod-old",
    "key": f"{CLUSTER}/Pod/{NS}/old",
    "cluster": CLUSTER,
    "kind": "Pod",
    "namespace": NS,
    "name": "old",
    "deleted_at": T0 - 30 * DAY,
}


def _rs(name: str, revision: str, created_at: int) -> dict[str, Any]:
    return {
        "uid": f"uid-replicaset-{name}",
        "key": f"{CLUSTER}/ReplicaSet/{NS}/{name}",
        "cluster": CLUSTER,
        "kind": "ReplicaSet",
        "namespace": NS,
        "name": name,
        "revision": revision,
        "images": [f"redis:{revision}"],
        "replicas": 1,
        "created_at": created_at,
    }


def build(store: GraphStore) -> None:
    """Write the fixed graph."""
    load_incident(store)
    apps = {"redis": "redis-cart", "cart": "cartservice", "front": "frontend"}
    store.write(
        merge_nodes(Label.POD),
        [
            {**REDIS, "labels": ["app=redis-cart"], "ip": "10.0.0.7", "ip_since": T0 - DAY, "ready": True},
            {**CART, "labels": ["app=cartservice"], "ip": "10.0.0.8", "ip_since": T0 - DAY, "ready": False},
            {**FRONT, "labels": ["app=frontend"], "ip": "10.0.0.9", "ip_since": T0 - DAY, "ready": True},
            OLD_POD,
        ],
    )
    store.write(
        merge_nodes(Label.SERVICE),
        [
            {**SERVICES[k], "selector": [f"app={apps[k]}"], "cluster_ip": f"10.96.0.{10 + i}", "ports": [6379 + i]}
            for i, k in enumerate(("redis", "cart", "front"))
        ],
    )
    store.write(
        merge_nodes(Label.DEPLOYMENT),
        [
            {**DEPLOYS["redis"], "replicas": 1, "revision": "2", "limits_memory": 268435456},
            {
                **DEPLOYS["cart"],
                "replicas": 1,
                "template_labels": ["app=cartservice"],
                "env_service_keys": [SERVICES["redis"]["key"]],
            },
            {**DEPLOYS["front"], "replicas": 2},
        ],
    )
    rs = [_rs("redis-cart-6a1b", "1", T0 - 2 * DAY), _rs("redis-cart-7d9f", "2", T0 - DAY)]
    store.write(merge_nodes(Label.REPLICASET), rs)
    store.write(merge_rels(Rel.OWNED_BY), [{"from": r["uid"], "to": DEPLOYS["redis"]["uid"]} for r in rs])
    pdb = {
        "uid": "uid-pdb-redis",
        "key": f"{CLUSTER}/PodDisruptionBudget/{NS}/redis",
        "cluster": CLUSTER,
        "kind": "PodDisruptionBudget",
        "namespace": NS,
        "name": "redis",
        "min_available": 1,
        "disruptions_allowed": 0,
        "selector": ["app=redis-cart"],
    }
    store.write(merge_nodes(Label.PDB), [pdb])
    store.write(merge_rels(Rel.PROTECTS), [{"from": pdb["uid"], "to": REDIS["uid"]}])
    store.write(
        merge_nodes(Label.EVENT),
        [
            {"id": "ev-oom", "severity_rank": 6, "source_kind": "ebpf", "trace_id": "trace-1"},
            {"id": "ev-cart", "severity_rank": 5, "source_kind": "otel", "trace_id": "trace-1"},
            {"id": "ev-front", "severity_rank": 5, "source_kind": "otel"},
            # about the frontend pod, stored before the graph knew it (``link_awaiting_events``)
            {"id": "ev-early", "ts": T0, "severity_rank": 4, "source_kind": "otel", "awaiting_key": FRONT["key"]},
        ],
    )
    store.write(
        merge_nodes(Label.CORRELATION),
        [{**correlation_row("corr-0", T0 - 10 * DAY), "state": "resolved", "updated_at": T0 - 10 * DAY}],
    )
    store.write(
        merge_nodes(Label.FEEDBACK),
        [{"id": "fb-1", "correlation_id": "corr-1", "verdict": "correct", "root_event_id": "ev-oom", "at": T0}],
    )
    store.write(merge_rels(Rel.FEEDBACK_ON), [{"from": "fb-1", "to": "corr-1"}])


NEW_EVENT = {
    "id": "ev-new",
    "about": REDIS["uid"],
    "props": {"id": "ev-new", "ts": T0 + 60_000, "last_ts": T0 + 60_000, "reason": "BackOff", "count": 1},
}

PARAMS: dict[str, dict[str, Any]] = {
    "blast_radius_node": {"key": NODE["key"]},
    "blast_radius_pdbs": {"uids": [REDIS["uid"]]},
    "blast_radius_resource": {"key": DEPLOYS["redis"]["key"]},
    "blast_radius_services": {"uids": [REDIS["uid"], CART["uid"]]},
    "blast_radius_workloads": {"uids": [REDIS["uid"], CART["uid"]]},
    "clear_endpoint_selects": {"rows": [{"service_key": SERVICES["redis"]["key"], "origin": None}]},
    "correlation_graph": {"id": "corr-1", "limit": 200},
    "correlation_outbox": {"limit": 100},
    "correlation_timeline": {"id": "corr-1", "limit": 500},
    "event_context": {"uids": [REDIS["uid"], CART["uid"], SERVICES["redis"]["uid"]]},
    "event_reach": {"uids": [REDIS["uid"], CART["uid"], SERVICES["redis"]["uid"]]},
    "event_exists": {"id": "ev-oom"},
    "failing_owner_groups": {"cluster": CLUSTER, "since": T0 - 60_000},
    "feedback_verdicts": {"limit": 100},
    "get_correlation": {"id": "corr-1"},
    "graph_stats_nodes": {},
    "graph_stats_relationships": {},
    "known_status_facts": {
        "cluster": CLUSTER,
        "facts": [
            {"uid": REDIS["uid"], "reason": "OOMKilled", "ts": T0},
            {"uid": REDIS["uid"], "reason": "OOMKilled", "ts": T0 + 1},
            {"uid": CART["uid"], "reason": "OOMKilled", "ts": T0},
        ],
    },
    "latest_event_ts": {},
    "latest_event_ts_until": {"until": T0 + DAY},
    "open_correlations": {"limit": 100},
    "correlation_members": {"ids": ["corr-1", "corr-0"]},
    "uncorrelated_events": {"since": T0 - DAY, "min_rank": 4, "limit": 100},
    "stored_events": {"ids": ["ev-front", "ev-oom", "no-such-event"]},
    "recent_roots": {"since": T0 - 30 * DAY, "limit": 100},
    "link_endpoint_selects_by_key": {
        "rows": [{"service_key": SERVICES["front"]["key"], "pod_key": FRONT["key"], "ready": False, "origin": "ep-1"}]
    },
    "link_endpoint_selects_by_uid": {
        "rows": [{"service_key": SERVICES["cart"]["key"], "pod_uid": REDIS["uid"], "ready": True, "origin": "ep-2"}]
    },
    "link_awaiting_events": {"keys": [FRONT["key"], CART["key"]]},
    "link_env_calls": {"cluster": CLUSTER, "now": T0},
    "link_pdb_selectors": {"cluster": CLUSTER},
    "link_service_selectors": {"cluster": CLUSTER},
    "list_correlations": {
        "since": T0 - 30 * DAY,
        "until": T0 + DAY,
        "state": None,
        "type": None,
        "severity": None,
        "namespace": NS,
        "after_ts": None,
        "after_id": None,
        "limit": 50,
    },
    "list_resources": {"kind": "Pod", "cluster": CLUSTER, "namespace": NS, "prefix": "c", "limit": 100},
    "live_resource_uids": {"cluster": CLUSTER, "kind": "Pod"},
    "mark_deleted": {"rows": [{"uid": FRONT["uid"], "at": T0}, {"uid": OLD_POD["uid"], "at": T0}]},
    "mark_published": {"rows": [{"id": "corr-1", "version": 2}, {"id": "corr-0", "version": 1}]},
    "pod_by_ip_at": {"cluster": CLUSTER, "ip": "10.0.0.7", "ts": T0},
    "recurring_failures": {"key": DEPLOYS["redis"]["key"], "since": T0 - DAY},
    "related_events": {
        "events": [
            {"id": "ev-cart", "uid": CART["uid"], "ts": T0 + 20_000, "since": T0 - 900_000, "until": T0 + 900_000}
        ],
        "weak": True,
        "min_rank": 4,
        "placed": False,
    },
    "resolve_event_resources": {
        "uids": [REDIS["uid"]],
        "keys": [CART["key"]],
        "ips": ["10.0.0.9", "10.96.0.10"],
        "ids": ["ev-oom", "ev-none"],
    },
    "resource_by_key": {"key": REDIS["key"]},
    "resource_context": {"uids": [REDIS["uid"]], "limit": 20},
    "resource_edges_among": {"uids": [REDIS["uid"], NODE["uid"], DEPLOYS["redis"]["uid"]], "limit": 800},
    "resource_events": {"uid": CART["uid"], "limit": 20},
    "resource_neighbourhood": {"uids": [CART["uid"]], "limit": 400},
    "retention_correlations": {"before": T0 - DAY, "limit": 100},
    "retention_events": {"before": T0 + 30_000, "limit": 100},
    "retention_resources": {"before": T0 - DAY, "limit": 100},
    "rollout_history": {"uid": DEPLOYS["redis"]["uid"]},
    "root_cause_candidates": {"ids": ["ev-oom", "ev-front"]},
    "service_by_cluster_ip": {"cluster": CLUSTER, "ip": "10.96.0.11"},
    "service_calls": {"limit": 100},
    "set_event_correlation": {"rows": [{"id": "ev-oom", "correlation_id": "corr-1"}]},
    "store_feedback": {
        "id": "fb-2",
        "correlation_id": "corr-1",
        "verdict": "wrong_root",
        "event_id": "ev-cart",
        "comment": "the cart",
        "at": T0 + DAY,
    },
    "upsert_events": {
        "new": [NEW_EVENT],
        "repeats": [{"id": "ev-cart", "props": {"count": 4, "last_ts": T0 + 90_000, "message": "again"}}],
        "calls": [
            {
                "from": SERVICES["front"]["uid"],
                "to": SERVICES["redis"]["uid"],
                "count": 2,
                "first_seen": T0,
                "last_seen": T0 + 1,
            }
        ],
    },
    "upstream_services": {"uids": [SERVICES["redis"]["uid"]]},
    "workload_pods": {"cluster": CLUSTER, "name": "frontend", "limit": 5},
}

# Lists built by collect() or a pattern comprehension with no ORDER BY before them: the engines may give their
# items in any order, so the comparison sorts them.
UNORDERED_LISTS: dict[str, tuple[str, ...]] = {
    "correlation_graph": ("about", "impacted"),
    "event_context": ("services", "service_uids", "pod_nodes"),
    "resolve_event_resources": ("owners", "nodes", "services"),
    "resource_context": ("related",),
}
# Parallel lists (the i-th items belong together) in no order: sorted together, by the first.
UNORDERED_PARALLEL_LISTS: dict[str, tuple[str, ...]] = {
    "related_events": ("other_ids", "other_ts"),
}


def _key(value: object) -> str:
    return json.dumps(value, sort_keys=True)


def canonical(name: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as both engines agree on them: unordered lists sorted, and the rows sorted unless the query orders them."""
    out = []
    for row in rows:
        row = dict(row)
        for column in UNORDERED_LISTS.get(name, ()):
            if isinstance(row.get(column), list):
                row[column] = sorted(row[column], key=_key)
        parallel = UNORDERED_PARALLEL_LISTS.get(name, ())
        if parallel and all(isinstance(row.get(c), list) for c in parallel):
            together = sorted(zip(*(row[c] for c in parallel), strict=True), key=_key)
            for i, column in enumerate(parallel):
                row[column] = [t[i] for t in together]
        out.append(row)
    if not re.search(r"\bORDER\s+BY\b", cypher.load(name)):
        out.sort(key=_key)
    return out


def answer(store: GraphStore, name: str) -> dict[str, Any]:
    """The rows of question ``name`` on the fixed graph, and the graph's counts after it (what a write changed)."""
    rows = canonical(name, store.query(name, PARAMS[name]))
    after = {
        "nodes": {r["label"]: r["count"] for r in store.query("graph_stats_nodes")},
        "relationships": {r["type"]: r["count"] for r in store.query("graph_stats_relationships")},
    }
    return {"rows": rows, "after": after}


def main() -> None:  # pragma: no cover - rewrites the pinned answers
    import uuid

    from graph import open_store

    target = Path(".causegraph") / "catalogue-answers" / "graph.rdb"
    keeper = open_store(str(target), graph_name="keeper")  # starts the embedded server once
    answers = {}
    for name in cypher.names():
        store = open_store(str(target), graph_name=f"answers_{uuid.uuid4().hex[:8]}")
        try:
            store.apply_schema()
            build(store)
            answers[name] = answer(store, name)
        finally:
            store.clear()
            store.close()
    keeper.close()
    ANSWERS.write_text(json.dumps(answers, indent=1, sort_keys=True) + "\n")
    print(f"wrote {ANSWERS} ({len(answers)} questions)")


if __name__ == "__main__":
    main()
