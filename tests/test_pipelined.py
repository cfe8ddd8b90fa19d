"""Background writes keep their order, reads see every write before them, and a failed write is not lost."""

from __future__ import annotations

import pytest

from graph import GraphStore, QueryError
from graph.pipelined import PipelinedStore
from graph.querybuilder import merge_nodes, merge_rels
from graph.schema import Label, Rel


def test_reads_wait_for_queued_writes_in_order(store: GraphStore) -> None:
    piped = PipelinedStore(store, depth=2)
    for i in range(20):
        piped.write(merge_nodes(Label.POD), [{"uid": f"p{i}", "key": f"c/Pod/ns/p{i}"}])
    piped.write(merge_nodes(Label.NODE), [{"uid": "n", "key": "c/Node//n"}])
    # Relationships written after their nodes find them: the order of writes is kept.
    piped.write(merge_rels(Rel.RUNS_ON), [{"from": f"p{i}", "to": "c/Node//n"} for i in range(20)])
    assert piped.run("MATCH (:Pod)-[r:RUNS_ON]->(:Node) RETURN count(r) AS n") == [{"n": 20}]
    piped.close()


def test_a_failed_write_is_raised_by_the_next_call(store: GraphStore) -> None:
    piped = PipelinedStore(store)
    piped.write("UNWIND $rows AS row MERGE (n:X {id: row.id}) SET n.v = 1 / 0", [{"id": 1}])
    with pytest.raises(QueryError):
        piped.flush()
    piped.write(merge_nodes(Label.POD), [{"uid": "ok", "key": "c/Pod/ns/ok"}])
    assert piped.run("MATCH (p:Pod) RETURN p.uid AS uid") == [{"uid": "ok"}]
    piped.close()


def test_close_finishes_queued_writes(store: GraphStore) -> None:
    piped = PipelinedStore(store)
    piped.write(merge_nodes(Label.POD), [{"uid": f"p{i}", "key": f"c/Pod/ns/p{i}"} for i in range(50)])
    piped.close()
    assert store.run("MATCH (p:Pod) RETURN count(p) AS n") == [{"n": 50}]


def test_a_pipelined_store_inside_keeps_the_writes_in_order(store: GraphStore) -> None:
    inner = PipelinedStore(store)  # its ``write_jobs`` waits for its own queue, then hands over the store's
    piped = PipelinedStore(inner, depth=1)
    piped.write(merge_nodes(Label.NODE), [{"uid": "n", "key": "c/Node//n"}])
    piped.write(merge_nodes(Label.POD), [{"uid": f"p{i}", "key": f"c/Pod/ns/p{i}"} for i in range(5)], 2)
    piped.write(merge_rels(Rel.RUNS_ON), [{"from": f"p{i}", "to": "c/Node//n"} for i in range(5)])
    assert piped.run("MATCH (:Pod)-[r:RUNS_ON]->(:Node) RETURN count(r) AS n") == [{"n": 5}]
    piped.close()
    inner.close()


def test_write_many_is_queued_in_order(store: GraphStore) -> None:
    piped = PipelinedStore(store)
    piped.write(merge_nodes(Label.NODE), [{"uid": "n", "key": "c/Node//n"}])
    piped.write_many(
        [
            (merge_nodes(Label.POD), [{"uid": "p", "key": "c/Pod/ns/p"}]),
            (merge_rels(Rel.RUNS_ON), [{"from": "p", "to": "c/Node//n"}]),
        ]
    )
    assert piped.run("MATCH (:Pod)-[r:RUNS_ON]->(:Node) RETURN count(r) AS n") == [{"n": 1}]
    piped.close()
