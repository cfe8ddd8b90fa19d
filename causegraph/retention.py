"""Retention: what is older than ``retention_days`` leaves the graph (DESIGN §3).

Deleted objects stay, marked with their deletion time, so that an incident's history still resolves; past the
retention they go, with old events and resolved correlations. Each run removes at most ``limit`` of each, so a
large backlog is worked off over several runs without one long write.
"""

from __future__ import annotations

from graph import GraphStore

DAY_MS = 24 * 3600 * 1000
QUERIES = ("retention_correlations", "retention_events", "retention_resources")


def purge(store: GraphStore, now_ms: int, retention_days: int, limit: int = 10_000) -> dict[str, int]:
    """Remove what is past retention; return how many of each went."""
    before = now_ms - retention_days * DAY_MS
    removed = {}
    for name in QUERIES:
        rows = store.query(name, {"before": before, "limit": limit})
        removed[name.removeprefix("retention_")] = int(rows[0]["removed"]) if rows else 0
    return removed
