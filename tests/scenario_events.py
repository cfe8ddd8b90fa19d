"""A small shop for ingest tests and the benchmark: a topology and a mixed events stream.

Topology (cluster ``prod``, namespace ``shop``): Node node-1; Deployment api -> ReplicaSet api-rs -> Pod api-1
(10.0.0.11); Pod web-1 (10.0.0.21, app=web); Services api (10.96.0.11) and web (10.96.0.21) selecting them by
label; Pod old-1 (10.0.0.31, deleted at T0+60s) and later Pod new-1 with the same IP from T0+120s.

``events_lines`` is an events.jsonl covering all three kinds of line (Kubernetes Events in both API versions,
UnifiedEvents, recorded watch changes), repeats, and bad lines (``BAD_LINES`` of them).
"""

from __future__ import annotations

import json
from typing import Any

CLUSTER = "prod"
NS = "shop"
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def iso(ms: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _meta(name: str, uid: str, ns: str | None = NS, **extra: Any) -> dict[str, Any]:
    m: dict[str, Any] = {"name": name, "uid": uid, "creationTimestamp": iso(T0 - 3_600_000), **extra}
    if ns is not None:
        m["namespace"] = ns
    return m


def pod(
    name: str,
    uid: str,
    ip: str,
    labels: dict[str, str],
    *,
    owner: tuple[str, str, str] | None = None,
    start_ms: int = T0 - 3_600_000,
) -> dict[str, Any]:
    extra: dict[str, Any] = {"labels": labels}
    if owner:
        extra["ownerReferences"] = [
            {"apiVersion": "apps/v1", "kind": owner[0], "name": owner[1], "uid": owner[2], "controller": True}
        ]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": _meta(name, uid, creationTimestamp=iso(start_ms), **extra),
        "spec": {"nodeName": "node-1", "containers": [{"name": "app", "image": f"{name}:1"}]},
        "status": {"phase": "Running", "podIP": ip, "startTime": iso(start_ms)},
    }


def service(name: str, uid: str, ip: str, selector: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(name, uid),
        "spec": {"clusterIP": ip, "selector": selector, "ports": [{"port": 80}]},
    }


def topology_objects() -> list[dict[str, Any]]:
    """Everything alive before T0 (old-1 is deleted later, new-1 created later: see ``late_changes``)."""
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(NS, "uid-ns", None)},
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": _meta("node-1", "uid-node-1", None),
            "status": {"addresses": [{"type": "InternalIP", "address": "192.168.0.1"}]},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": _meta("api", "uid-d-api"),
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "api"}},
                "template": {
                    "metadata": {"labels": {"app": "api"}},
                    "spec": {"containers": [{"name": "app", "image": "api:1"}]},
                },
            },
        },
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": _meta(
                "api-rs",
                "uid-rs-api",
                labels={"app": "api"},
                ownerReferences=[
                    {
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "name": "api",
                        "uid": "uid-d-api",
                        "controller": True,
                    }
                ],
            ),
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "api"}},
                "template": {
                    "metadata": {"labels": {"app": "api"}},
                    "spec": {"containers": [{"name": "app", "image": "api:1"}]},
                },
            },
        },
        pod("api-1", "uid-p-api-1", "10.0.0.11", {"app": "api"}, owner=("ReplicaSet", "api-rs", "uid-rs-api")),
        pod("web-1", "uid-p-web-1", "10.0.0.21", {"app": "web"}),
        pod("old-1", "uid-p-old-1", "10.0.0.31", {"app": "old"}),
        service("api", "uid-s-api", "10.96.0.11", {"app": "api"}),
        service("web", "uid-s-web", "10.96.0.21", {"app": "web"}),
    ]


def k8s_event(
    uid: str,
    reason: str,
    message: str,
    kind: str,
    name: str,
    obj_uid: str,
    ts: int,
    *,
    count: int = 1,
    last: int | None = None,
    etype: str = "Warning",
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{name}.{uid}", "namespace": NS, "uid": uid},
        "involvedObject": {"kind": kind, "name": name, "namespace": NS if kind != "Node" else "", "uid": obj_uid},
        "reason": reason,
        "message": message,
        "type": etype,
        "count": count,
        "firstTimestamp": iso(ts),
        "lastTimestamp": iso(last or ts),
        "source": {"component": "kubelet", "host": "node-1"},
    }


def unified(eid: str, ts: int, **fields: Any) -> dict[str, Any]:
    return {"id": eid, "timestamp": iso(ts), "source": "ebpf", **fields}


def http_503(eid: str, ts: int, src_ip: str = "10.0.0.21", dst_ip: str = "10.96.0.11") -> dict[str, Any]:
    return unified(
        eid,
        ts,
        type="network",
        message="upstream returned 503",
        trace_context={"trace_id": "trace-1"},
        network={"source_ip": src_ip, "dest_ip": dst_ip, "dest_port": 80, "status_code": 503, "direction": "ingress"},
    )


BAD_LINES = 4


def events_lines() -> list[str]:
    """The lines of a mixed events.jsonl, in file order."""
    deleted_old = {
        "type": "DELETED",
        "object": pod("old-1", "uid-p-old-1", "10.0.0.31", {"app": "old"}),
        "observed_at": iso(T0 + 60_000),
    }
    added_new = {
        "type": "ADDED",
        "object": pod("new-1", "uid-p-new-1", "10.0.0.31", {"app": "web"}, start_ms=T0 + 120_000),
        "observed_at": iso(T0 + 120_000),
    }
    objs: list[Any] = [
        k8s_event(
            "ev-backoff",
            "BackOff",
            "Back-off restarting failed container app",
            "Pod",
            "api-1",
            "uid-p-api-1",
            T0 + 1_000,
        ),
        unified(
            "u-oom",
            T0 + 2_000,
            type="memory",
            severity="critical",
            message="OOM killer terminated app",
            k8s_context={"kind": "Pod", "name": "api-1", "namespace": NS},
        ),
        http_503("u-503-a", T0 + 3_000),
        "{not json",
        k8s_event(
            "ev-backoff",
            "BackOff",
            "Back-off restarting failed container app",
            "Pod",
            "api-1",
            "uid-p-api-1",
            T0 + 1_000,
            count=4,
            last=T0 + 40_000,
        ),
        {"id": "u-no-time"} | {"timestamp": "not a time"},
        unified(
            "u-old",
            T0 + 30_000,
            type="network",
            message="connection refused",
            network={"source_ip": "10.0.0.31", "dest_ip": "10.96.0.11", "direction": "egress"},
        ),
        deleted_old,
        ["an", "array"],
        k8s_event(
            "ev-node",
            "NodeNotReady",
            "Node node-1 status is now: NodeNotReady",
            "Node",
            "node-1",
            "uid-node-1",
            T0 + 90_000,
            etype="Normal",
        ),
        added_new,
        unified(
            "u-new",
            T0 + 150_000,
            type="network",
            message="connection refused",
            network={"source_ip": "10.0.0.31", "dest_ip": "10.96.0.11", "direction": "egress"},
        ),
        http_503("u-503-a", T0 + 3_000),  # a repeat of a collector event: stored once
        unified("u-nowhere", T0 + 160_000, type="log", severity="error", message="who am I"),
        {"kind": "Event", "metadata": {"uid": "ev-bad"}, "reason": "X"},  # no time at all
    ]
    return [o if isinstance(o, str) else json.dumps(o) for o in objs]


STORED_IDS = {"ev-backoff", "u-oom", "u-503-a", "u-old", "ev-node", "u-new", "u-nowhere"}
