"""Retention removes only what is past it: deleted objects, old events, resolved correlations; nothing live."""

from __future__ import annotations

from causegraph.retention import DAY_MS, purge
from graph import GraphStore
from graph.querybuilder import merge_nodes
from graph.schema import Label

NOW = 1_767_225_600_000


def _names(store: GraphStore, label: str) -> list[str]:
    query = "MATCH (n) WHERE $label IN labels(n) RETURN coalesce(n.name, n.id) AS n ORDER BY n"
    rows = store.run(query, {"label": label})
    return [r["n"] for r in rows]


def test_purge_keeps_live_and_recent_history(store: GraphStore) -> None:
    old, recent = NOW - 20 * DAY_MS, NOW - 2 * DAY_MS
    store.write(
        merge_nodes(Label.POD),
        [
            {"uid": "live", "key": "c/Pod/ns/live", "name": "live"},
            {"uid": "gone-old", "key": "c/Pod/ns/gone-old", "name": "gone-old", "deleted_at": old},
            {"uid": "gone-new", "key": "c/Pod/ns/gone-new", "name": "gone-new", "deleted_at": recent},
        ],
    )
    store.write(merge_nodes(Label.EVENT), [{"id": "e-old", "ts": old}, {"id": "e-new", "ts": old, "last_ts": recent}])
    store.write(
        merge_nodes(Label.CORRELATION),
        [
            {"id": "c-old", "state": "resolved", "last_seen": old},
            {"id": "c-open", "state": "active", "last_seen": old},
        ],
    )
    assert purge(store, NOW, retention_days=14) == {"correlations": 1, "events": 1, "resources": 1}
    assert _names(store, "Pod") == ["gone-new", "live"]
    assert _names(store, "Event") == ["e-new"]
    assert _names(store, "Correlation") == ["c-open"]
    assert purge(store, NOW, retention_days=14) == {"correlations": 0, "events": 0, "resources": 0}


def test_purge_works_off_a_backlog_in_bounded_runs(store: GraphStore) -> None:
    store.write(merge_nodes(Label.EVENT), [{"id": f"e{i}", "ts": 0} for i in range(25)])
    assert purge(store, NOW, retention_days=1, limit=10)["events"] == 10
    assert purge(store, NOW, retention_days=1, limit=10)["events"] == 10
    assert purge(store, NOW, retention_days=1, limit=10)["events"] == 5
