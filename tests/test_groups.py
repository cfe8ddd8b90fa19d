"""Failing owner groups on the embedded graph."""

from __future__ import annotations

from correlate.groups import failing_groups
from graph import GraphStore
from graph.querybuilder import merge_nodes
from graph.schema import Label
from model.event import Category as C
from tests import topo_builder as tb


def test_groups_by_top_level_owner(store: GraphStore) -> None:
    tb.build(store, extra_pods=2)
    store.write(merge_nodes(Label.POD), [{"uid": tb.uid("Pod", "api-x0"), "ready": False, "phase": "Running"}])
    tb.write_events(
        store,
        [
            tb.event("a1", 0, "Pod", "api-1", "BackOff", C.CRASH),
            tb.event("a2", 1, "Pod", "api-2", "BackOff", C.CRASH),
            tb.event("m", 2, "Pod", "mysql-0", "OOMKilled", C.RESOURCE_EXHAUSTION, severity="high"),
            tb.event("ok", 3, "Pod", "noise-1", "Pulled", C.LIFECYCLE, severity="info"),
        ],
    )
    groups = failing_groups(store)
    assert [(g["owner"]["kind"], g["owner"]["name"], g["failing"]) for g in groups] == [
        ("Deployment", "api", 3),
        ("StatefulSet", "mysql", 1),
    ]
    api = groups[0]
    assert api["pods"] == ["api-1", "api-2", "api-x0"] and api["reasons"]["BackOff"] == 2
    assert api["summary"] == "Deployment 'api' failing: 3 of 2 pods (BackOff)"
    assert failing_groups(store, "other-cluster") == []
    assert len(failing_groups(store, limit=1)) == 1


def test_old_events_are_not_failing_now(store: GraphStore) -> None:
    tb.build(store)
    tb.write_events(
        store,
        [
            tb.event("old", 0, "Pod", "api-1", "BackOff", C.CRASH),
            tb.event("new", 3600, "Pod", "mysql-0", "BackOff", C.CRASH),
        ],
    )
    assert [g["owner"]["name"] for g in failing_groups(store)] == ["mysql"]
