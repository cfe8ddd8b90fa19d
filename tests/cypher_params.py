"""Representative parameters for every query in the Cypher catalogue.

``tests/test_cypher_catalogue.py`` runs each ``cypher/<name>.cypher`` with these on the embedded FalkorDB and
fails for a query that has no entry here, so every new query is executed by the suite.
"""

from __future__ import annotations

from typing import Any

NOW = 1_767_225_600_000  # 2026-01-01T00:00:00Z in epoch ms

PARAMS: dict[str, dict[str, Any]] = {
    # API (api/routes)
    "list_correlations": {
        "since": NOW - 3_600_000,
        "until": NOW,
        "state": "active",
        "type": None,
        "severity": None,
        "namespace": "shop",
        "after_ts": NOW,
        "after_id": "corr-9",
        "limit": 50,
    },
    "get_correlation": {"id": "corr-1"},
    "correlation_timeline": {"id": "corr-1", "limit": 500},
    "correlation_graph": {"id": "corr-1", "limit": 200},
    "resource_context": {"uids": ["uid-a", "uid-b"], "limit": 20},
    "resource_edges_among": {"uids": ["uid-a", "uid-b"], "limit": 800},
    "resource_by_key": {"key": "prod/Node//node-1"},
    "resource_neighbourhood": {"uids": ["uid-a"], "limit": 400},
    "resource_events": {"uid": "uid-a", "limit": 20},
    "list_resources": {"kind": "Node", "cluster": "prod", "namespace": None, "prefix": "node-", "limit": 100},
    "store_feedback": {
        "id": "fb-1",
        "correlation_id": "corr-1",
        "verdict": "correct",
        "event_id": None,
        "comment": "",
        "at": NOW,
    },
    "event_exists": {"id": "ev-1"},
    "workload_pods": {"cluster": "demo", "name": "redis-cart", "limit": 5},
    "graph_stats_nodes": {},
    "graph_stats_relationships": {},
    # topology ingest (ingest/loader.py)
    "link_endpoint_selects_by_uid": {
        "rows": [{"service_key": "prod/Service/shop/api", "pod_uid": "uid-p", "ready": True, "origin": "uid-e"}]
    },
    "link_endpoint_selects_by_key": {
        "rows": [{"service_key": "prod/Service/shop/api", "pod_key": "prod/Pod/shop/p", "ready": False, "origin": "e"}]
    },
    "clear_endpoint_selects": {"rows": [{"service_key": "prod/Service/shop/api", "origin": "uid-e"}]},
    "link_service_selectors": {"cluster": "prod"},
    "link_pdb_selectors": {"cluster": "prod"},
    "link_env_calls": {"cluster": "prod", "now": NOW},
    "pod_by_ip_at": {"cluster": "prod", "ip": "10.0.0.7", "ts": NOW},
    "service_by_cluster_ip": {"cluster": "prod", "ip": "10.96.0.10"},
    "live_resource_uids": {"cluster": "prod", "kind": "Pod"},
    "mark_deleted": {"rows": [{"uid": "uid-p", "at": NOW}]},
    # correlate (correlate/, api/publisher.py)
    "related_events": {
        "events": [
            {"id": "ev-1", "uid": "uid-p", "ts": NOW, "since": NOW - 900_000, "until": NOW + 900_000, "trace": "t"}
        ],
        "weak": True,
        "min_rank": 4,
    },
    "event_context": {"uids": ["uid-p", "uid-s"]},
    "rollout_history": {"uid": "uid-d"},
    "correlation_outbox": {"limit": 100},
    "mark_published": {"rows": [{"id": "corr-1", "version": 2}]},
    "set_event_correlation": {"rows": [{"id": "ev-1", "correlation_id": "corr-1"}]},
    # event ingest (ingest/eventwriter.py)
    "resolve_event_resources": {
        "uids": ["uid-p"],
        "keys": ["prod/Pod/shop/p"],
        "ips": ["10.0.0.7", "10.96.0.10"],
        "ids": ["ev-1", "ev-2"],
    },
    "upsert_events": {
        "new": [
            {
                "id": "ev-1",
                "about": "uid-p",
                "props": {
                    "id": "ev-1",
                    "ts": NOW,
                    "last_ts": NOW,
                    "reason": "BackOff",
                    "type": "Warning",
                    "severity": "high",
                    "severity_rank": 5,
                    "category": "crash",
                    "source_kind": "k8s_event",
                    "message": "Back-off restarting failed container",
                    "count": 3,
                    "cluster": "prod",
                    "resource_uid": "uid-p",
                    "resource_key": "prod/Pod/shop/p",
                },
            }
        ],
        "repeats": [{"id": "ev-0", "props": {"count": 2, "last_ts": NOW, "message": "again", "resource_uid": None}}],
        "calls": [{"from": "uid-s", "to": "uid-s2", "count": 2, "first_seen": NOW, "last_seen": NOW}],
    },
    "blast_radius_node": {"key": "prod/Node//node-1"},
    "blast_radius_resource": {"key": "prod/Deployment/shop/api"},
    "blast_radius_workloads": {"uids": ["uid-p"]},
    "blast_radius_services": {"uids": ["uid-p"]},
    "blast_radius_pdbs": {"uids": ["uid-p"]},
    "upstream_services": {"uids": ["uid-s"]},
    "failing_owner_groups": {"cluster": "prod", "since": NOW - 900_000},
    "root_cause_candidates": {"ids": ["ev-1", "ev-2"]},
    "open_correlations": {"limit": 100},
    "correlation_members": {"ids": ["corr-1"]},
    "uncorrelated_events": {"since": NOW - 900_000, "min_rank": 4, "limit": 1000},
    "recent_roots": {"since": NOW - 86_400_000, "limit": 1000},
    "recurring_failures": {"key": "prod/Deployment/shop/cart", "since": NOW - 7 * 86_400_000},
    "latest_event_ts": {},
    "latest_event_ts_until": {"until": NOW},
    "feedback_verdicts": {"limit": 10_000},
    "retention_resources": {"before": NOW, "limit": 100},
    "retention_events": {"before": NOW, "limit": 100},
    "retention_correlations": {"before": NOW, "limit": 100},
}
