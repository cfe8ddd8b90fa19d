"""The graph store on both engines (``store[falkordb]``, ``store[neo4j]``): plain results, batches, schema, health,
errors, the differences between the engines that the queries must allow for; the embedded FalkorDB's lifecycle."""

from __future__ import annotations

import re
from pathlib import Path

import psutil
import pytest

from graph import GraphStore, GraphUnavailable, GraphURLError, QueryError, classify_url, open_store
from graph.falkor import FalkorStore, embedded_path
from graph.querybuilder import index_statements, merge_nodes, merge_rels
from graph.schema import Label, Rel
from graph.store import split_credentials


def _pods(n: int) -> list[dict[str, object]]:
    return [{"uid": f"p{i}", "key": f"c/Pod/ns/p{i}", "name": f"p{i}", "labels": ["app=x"]} for i in range(n)]


def test_write_splits_rows_into_batches(store: GraphStore) -> None:
    assert store.write(merge_nodes(Label.POD), _pods(2500), batch_size=1000) == 2500
    assert store.run("MATCH (p:Pod) RETURN count(p) AS n") == [{"n": 2500}]


def test_writes_are_idempotent_and_keep_unset_properties(store: GraphStore) -> None:
    store.write(merge_nodes(Label.POD), [{"uid": "a", "key": "c/Pod/ns/a", "phase": "Running"}])
    store.write(merge_nodes(Label.POD), [{"uid": "a", "ready": False}])
    rows = store.run("MATCH (p:Pod) RETURN p.phase AS phase, p.ready AS ready, labels(p) AS labels")
    assert rows == [{"phase": "Running", "ready": False, "labels": ["Resource", "Pod"]}]


def test_results_are_plain_python(store: GraphStore) -> None:
    store.write(merge_nodes(Label.POD), _pods(1))
    store.write(merge_nodes(Label.NODE), [{"uid": "n1", "key": "c/Node//n1", "name": "n1"}])
    store.write(merge_rels(Rel.RUNS_ON), [{"from": "p0", "to": "c/Node//n1"}])
    (row,) = store.run("MATCH p = (a:Pod)-[r:RUNS_ON]->(b) RETURN a, r, b, p")
    assert row["a"] == {
        "uid": "p0",
        "key": "c/Pod/ns/p0",
        "name": "p0",
        "labels": ["app=x"],
        "_labels": ["Pod", "Resource"],
    }
    assert row["r"] == {"_type": "RUNS_ON"}
    assert [n["uid"] for n in row["p"]["nodes"]] == ["p0", "n1"]
    assert type(row["a"]) is dict and type(row["a"]["labels"]) is list


def test_rel_to_a_deleted_target_is_not_made(store: GraphStore) -> None:
    store.write(merge_nodes(Label.POD), _pods(1))
    store.write(merge_nodes(Label.NODE), [{"uid": "n1", "key": "c/Node//n1", "deleted_at": 5}])
    store.write(merge_rels(Rel.RUNS_ON), [{"from": "p0", "to": "c/Node//n1"}])
    assert store.run("MATCH ()-[r:RUNS_ON]->() RETURN count(r) AS n") == [{"n": 0}]


def _indexes(store: GraphStore) -> set[tuple[str, str]]:
    """(label, property) of every node index the database reports."""
    if store.backend == "neo4j":
        rows = store.run(
            "SHOW INDEXES YIELD labelsOrTypes, properties, entityType WHERE entityType = 'NODE' "
            "RETURN labelsOrTypes AS labels, properties"
        )
        return {(label, prop) for r in rows for label in r["labels"] or [] for prop in r["properties"] or []}
    rows = store.run("CALL db.indexes() YIELD label, properties RETURN label, properties")
    return {(r["label"], prop) for r in rows for prop in r["properties"]}


def test_apply_schema_twice_and_the_indexes_exist(store: GraphStore) -> None:
    store.apply_schema()
    store.apply_schema()
    assert store.health().ok
    declared = {
        (m["label"], m["prop"])
        for text in index_statements("falkordb")
        if (m := re.search(r"\(n:(?P<label>\w+)\) ON \(n\.(?P<prop>\w+)\)", text))
    }
    assert len(declared) > 20 and ("Resource", "key") in declared and ("Event", "ts") in declared
    assert declared <= _indexes(store)


def test_every_store_writes_many_and_in_jobs(store: GraphStore) -> None:
    """The whole interface on every backend: no caller asks a store whether it can."""
    store.write_many(
        [(merge_nodes(Label.POD), _pods(3)), (merge_nodes(Label.NODE), [{"uid": "n", "key": "c/Node//n"}])]
    )
    for job in store.write_jobs(merge_rels(Rel.RUNS_ON), [{"from": f"p{i}", "to": "c/Node//n"} for i in range(3)], 2):
        job()
    assert store.run("MATCH (:Pod)-[r:RUNS_ON]->(:Node) RETURN count(r) AS n") == [{"n": 3}]


def test_query_error_names_the_statement(store: GraphStore) -> None:
    with pytest.raises(QueryError, match="MATCH \\(n RETURN"):
        store.run("MATCH (n RETURN n")


def test_a_pattern_comprehension_keeps_nulls_on_neo4j_and_drops_them_on_falkordb(store: GraphStore) -> None:
    """Why ``link_service_selectors`` writes ``coalesce(e.via, '')``: docs/neo4j.md, 'Differences'."""
    store.write(merge_nodes(Label.SERVICE), [{"uid": "s", "key": "c/Service/ns/s"}])
    store.write(merge_nodes(Label.POD), _pods(1))
    store.write(merge_rels(Rel.SELECTS), [{"from": "s", "to": "p0"}])
    (row,) = store.run(
        "MATCH (s:Service {uid: 's'}) "
        "RETURN [(s)-[e:SELECTS]->(:Pod) | e.via] AS raw, [(s)-[e:SELECTS]->(:Pod) | coalesce(e.via, '')] AS safe"
    )
    assert row["raw"] == ([None] if store.backend == "neo4j" else [])
    assert row["safe"] == [""]


def test_nulls_behave_alike_on_both(store: GraphStore) -> None:
    (row,) = store.run("RETURN 'a' IN [null] AS in_null_list, null = null AS eq, [1, null] = [1, null] AS lists")
    assert row == {"in_null_list": None, "eq": None, "lists": None}
    assert store.run("UNWIND [1, null] AS x RETURN collect(x) AS c") == [{"c": [1]}]
    store.write(merge_nodes(Label.POD), [{"uid": "p", "key": "c/Pod/ns/p", "phase": "Running"}])
    store.run("MATCH (p:Pod {uid: 'p'}) SET p.phase = null")
    (pod,) = store.run("MATCH (p:Pod {uid: 'p'}) RETURN p, keys(p) AS keys")
    assert "phase" not in pod["p"] and "phase" not in pod["keys"]


def test_credentials_in_a_bolt_url_are_taken_out_of_it() -> None:
    assert split_credentials("bolt://neo4j:p%40ss@127.0.0.1:7687", "u", "") == (
        "bolt://127.0.0.1:7687",
        "neo4j",
        "p@ss",
    )
    assert split_credentials("neo4j+s://db.example:7687", "u", "pw") == ("neo4j+s://db.example:7687", "u", "pw")


def test_url_forms() -> None:
    assert classify_url("bolt://db:7687") == "neo4j"
    assert classify_url("neo4j+s://x.databases.neo4j.io") == "neo4j"
    assert classify_url("./.causegraph/graph.rdb") == "falkordb-embedded"
    assert classify_url("file:///tmp/g.rdb") == "falkordb-embedded"
    assert classify_url("falkordb://localhost:6379") == "falkordb-server"
    with pytest.raises(GraphURLError, match=r"accepted forms: bolt://.*file:///.*falkordb://"):
        classify_url("http://localhost:7474")


def test_embedded_path_forms(tmp_path: Path) -> None:
    assert embedded_path(f"file://{tmp_path}/g.rdb") == tmp_path / "g.rdb"
    assert embedded_path(str(tmp_path)) == tmp_path / "graph.rdb"


def test_unreachable_server_names_the_url() -> None:
    with pytest.raises(GraphUnavailable, match=r"falkordb://127\.0\.0\.1:1"):
        open_store("falkordb://127.0.0.1:1")


def test_second_store_reuses_the_running_server_and_leaves_it_up(falkor_url: str) -> None:
    second = open_store(falkor_url, graph_name="reuse")
    assert isinstance(second, FalkorStore)
    assert second.owned_pid is None
    second.close()
    third = open_store(falkor_url, graph_name="reuse")
    assert third.health().ok
    third.close()


def test_owner_stops_the_server_on_close_and_data_survives(tmp_path: Path) -> None:
    url = str(tmp_path / "own" / "graph.rdb")
    first = open_store(url, graph_name="g")
    assert isinstance(first, FalkorStore)
    pid = first.owned_pid
    assert pid
    first.write(merge_nodes(Label.POD), _pods(3))
    first.close()
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    again = open_store(url, graph_name="g")
    try:
        assert again.run("MATCH (p:Pod) RETURN count(p) AS n") == [{"n": 3}]
    finally:
        again.close()
