"""The same store and catalogue against a real Neo4j 5.

Runs when ``CAUSEGRAPH_TEST_NEO4J_URI`` is set (user/password from ``CAUSEGRAPH_GRAPH__USER``/``__PASSWORD``), or when a
Docker engine answers (testcontainers ``neo4j:5``); otherwise skipped with the reason printed (``-ra``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import cypher
from causegraph.settings import load_settings
from graph import GraphStore, open_store
from graph.querybuilder import merge_nodes, merge_rels
from graph.schema import Label, Rel
from tests.cypher_params import PARAMS

pytestmark = pytest.mark.neo4j


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:
        return False
    return True


@pytest.fixture(scope="module")
def neo4j_store() -> Iterator[GraphStore]:
    settings = load_settings()
    if settings.test_neo4j_uri:
        store = open_store(
            settings.test_neo4j_uri,
            user=settings.graph.user,
            password=settings.graph.password.get_secret_value(),
        )
        yield store
        store.close()
        return
    if not _docker_answers():
        pytest.skip("Neo4j tests need CAUSEGRAPH_TEST_NEO4J_URI or a Docker engine; neither is available here")
    from testcontainers.neo4j import Neo4jContainer

    with Neo4jContainer("neo4j:5") as container:
        store = open_store(container.get_connection_url(), user="neo4j", password=container.password)
        yield store
        store.close()


def test_schema_and_writes_on_neo4j(neo4j_store: GraphStore) -> None:
    neo4j_store.clear()
    neo4j_store.apply_schema()
    neo4j_store.apply_schema()
    neo4j_store.write(merge_nodes(Label.POD), [{"uid": "p1", "key": "c/Pod/ns/p1", "labels": ["app=a"]}])
    neo4j_store.write(merge_nodes(Label.NODE), [{"uid": "n1", "key": "c/Node//n1"}])
    neo4j_store.write(merge_rels(Rel.RUNS_ON), [{"from": "p1", "to": "c/Node//n1"}])
    (row,) = neo4j_store.run("MATCH (p:Pod)-[r:RUNS_ON]->(n) RETURN p, r, n")
    assert row["p"]["uid"] == "p1"
    assert row["r"]["_type"] == "RUNS_ON"


@pytest.mark.parametrize("name", cypher.names())
def test_catalogue_runs_on_neo4j(neo4j_store: GraphStore, name: str) -> None:
    assert isinstance(neo4j_store.query(name, PARAMS[name]), list)
