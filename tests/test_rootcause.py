"""Root-cause ranking from the graph: of one event, and of a set of events."""

from __future__ import annotations

import pytest

from correlate.rootcause import EventNotFound, rank_causes, rank_set
from graph import GraphStore
from model.event import Category as C
from tests import topo_builder as tb


def seed(store: GraphStore) -> None:
    tb.build(store)
    tb.write_events(
        store,
        [
            tb.event("oom", 0, "Pod", "mysql-0", "OOMKilled", C.RESOURCE_EXHAUSTION, severity="high"),
            tb.event("t1", 5, "Pod", "api-1", "Unhealthy", C.PROBE),
            tb.event("f2", 9, "Pod", "frontend-2", "http_503", C.NETWORK),
            tb.event("n", 9, "Pod", "noise-1", "BackOff", C.CRASH),
        ],
    )


def test_causes_of_a_symptom(store: GraphStore) -> None:
    seed(store)
    ranked = rank_causes(store, "f2")
    assert [r["event_id"] for r in ranked] == ["oom", "t1", "f2"]
    assert ranked[0]["link"] == "calls" and ranked[0]["rank"] == 1 and ranked[-1]["link"] == "self"
    assert ranked[0]["resource"]["name"] == "mysql-0"
    assert len(rank_causes(store, "f2", limit=1)) == 1


def test_root_of_a_set(store: GraphStore) -> None:
    seed(store)
    assert rank_set(store, ["f2", "t1", "oom"])[0]["event_id"] == "oom"
    assert rank_set(store, ["missing"]) == []


def test_unknown_event(store: GraphStore) -> None:
    seed(store)
    with pytest.raises(EventNotFound, match="nope"):
        rank_causes(store, "nope")
