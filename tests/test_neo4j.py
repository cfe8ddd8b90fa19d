"""The Neo4j adapter (graph/bolt.py) on a real Neo4j 5: schema, writes, graph values, errors.

The store-level suites run on Neo4j through the ``store`` fixture (``store[neo4j]``); this module holds what only
the Bolt adapter does. The server is the session's (see tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graph import GraphStore, GraphUnavailable, QueryError, open_store
from graph.querybuilder import index_statements, merge_nodes, merge_rels
from graph.schema import Label, Rel
from tests.conftest import Neo4jTarget

pytestmark = pytest.mark.neo4j


@pytest.fixture
def neo4j_store(neo4j_schema: Neo4jTarget) -> Iterator[GraphStore]:
    s = neo4j_schema.open()
    s.clear()
    yield s
    s.clear()
    s.close()


def _pod_on_node(s: GraphStore) -> None:
    s.write(merge_nodes(Label.POD), [{"uid": "p1", "key": "c/Pod/ns/p1", "labels": ["app=a"]}])
    s.write(merge_nodes(Label.NODE), [{"uid": "n1", "key": "c/Node//n1"}])
    s.write(merge_rels(Rel.RUNS_ON), [{"from": "p1", "to": "c/Node//n1"}])


def test_schema_is_applied_again_without_error(neo4j_store: GraphStore) -> None:
    neo4j_store.apply_schema()
    neo4j_store.apply_schema()
    names = {r["name"] for r in neo4j_store.run("SHOW INDEXES YIELD name RETURN name")}
    expected = {s.split()[2] for s in index_statements("neo4j") if s.startswith("CREATE")}
    assert expected <= names


def test_an_event_id_is_one_node_even_when_two_writers_create_it(neo4j_store: GraphStore) -> None:
    neo4j_store.apply_schema()
    neo4j_store.run("CREATE (:Event {id: 'twice'})")
    with pytest.raises(Exception, match=r"(?i)already exists"):
        neo4j_store.run("CREATE (:Event {id: 'twice'})")
    assert neo4j_store.run("MATCH (e:Event {id: 'twice'}) RETURN count(e) AS n") == [{"n": 1}]


def test_nodes_relationships_and_paths_come_back_plain(neo4j_store: GraphStore) -> None:
    _pod_on_node(neo4j_store)
    (row,) = neo4j_store.run("MATCH p = (pod:Pod)-[r:RUNS_ON]->(n:Node) RETURN pod, r, n, p")
    pod = {"uid": "p1", "key": "c/Pod/ns/p1", "labels": ["app=a"], "_labels": ["Pod", "Resource"]}
    node = {"uid": "n1", "key": "c/Node//n1", "_labels": ["Node", "Resource"]}
    assert row["pod"] == pod
    assert row["r"] == {"_type": "RUNS_ON"}
    assert row["n"] == node
    assert row["p"] == {"nodes": [pod, node], "relationships": [{"_type": "RUNS_ON"}]}


def test_a_rejected_statement_is_a_query_error(neo4j_store: GraphStore) -> None:
    with pytest.raises(QueryError, match="RETURN"):
        neo4j_store.run("RETURN RETURN")


def test_a_wrong_password_is_unavailable(neo4j_schema: Neo4jTarget) -> None:
    with pytest.raises(GraphUnavailable, match="cannot reach Neo4j"):
        open_store(neo4j_schema.url, user="neo4j", password="not-the-password")


def test_credentials_can_come_in_the_url_and_are_not_shown(neo4j_schema: Neo4jTarget) -> None:
    url = neo4j_schema.url.replace("bolt://", f"bolt://{neo4j_schema.user}:{neo4j_schema.password}@")
    s = open_store(url, user="someone-else", password="")
    try:
        assert s.health().ok
        assert neo4j_schema.password not in s.url
    finally:
        s.close()


def test_health_names_the_backend(neo4j_store: GraphStore) -> None:
    health = neo4j_store.health()
    assert health.ok
    assert health.backend == "neo4j"
