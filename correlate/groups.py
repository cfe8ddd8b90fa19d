"""What is failing now, grouped by top-level owner: "10 of 12 pods of deployment/api-server"."""

from __future__ import annotations

from typing import Any

from graph import GraphStore

RECENT_MS = 15 * 60_000


def failing_groups(
    store: GraphStore,
    cluster: str | None = None,
    limit: int = 100,
    *,
    now_ms: int | None = None,
    recent_ms: int = RECENT_MS,
) -> list[dict[str, Any]]:
    """Owner groups of failing pods and of pods with recent warning events, most failing pods first.

    ``now_ms`` defaults to the newest event in the graph (the event clock), so a replayed history answers too.
    """
    if now_ms is None:
        rows = store.query("latest_event_ts")
        now_ms = int(rows[0]["ts"] or 0) if rows else 0
    groups: dict[str, dict[str, Any]] = {}
    for r in store.query("failing_owner_groups", {"cluster": cluster, "since": now_ms - recent_ms}):
        g = groups.setdefault(
            r["owner_uid"],
            {
                "owner": {
                    "cluster": r["cluster"] or "",
                    "kind": r["owner_kind"],
                    "namespace": r["namespace"] or "",
                    "name": r["owner_name"],
                },
                "replicas": r["replicas"],
                "pods": set(),
                "reasons": {},
                "events": 0,
                "last_seen": 0,
            },
        )
        g["pods"].add(r["pod"])
        if r["reason"]:
            g["reasons"][r["reason"]] = g["reasons"].get(r["reason"], 0) + 1
        if r["event_id"]:
            g["events"] += 1
            g["last_seen"] = max(g["last_seen"], int(r["ts"] or 0))
    out = []
    for g in groups.values():
        pods = sorted(g["pods"])
        replicas = g["replicas"]
        o = g["owner"]
        of = f"{len(pods)} of {replicas} pods" if replicas else f"{len(pods)} pods"
        top = sorted(g["reasons"].items(), key=lambda kv: (-kv[1], kv[0]))
        out.append(
            {
                **g,
                "pods": pods,
                "failing": len(pods),
                "reasons": dict(top),
                "summary": f"{o['kind']} '{o['name']}' failing: {of}" + (f" ({top[0][0]})" if top else ""),
            }
        )
    out.sort(key=lambda g: (-g["failing"], -g["events"], g["owner"]["namespace"], g["owner"]["name"]))
    return out[:limit]
