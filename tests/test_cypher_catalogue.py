"""Every catalogue query loads by name and runs on the embedded FalkorDB with representative parameters."""

from __future__ import annotations

import pytest

import cypher
from graph import GraphStore
from tests.cypher_params import PARAMS


def test_every_query_has_parameters() -> None:
    missing = sorted(set(cypher.names()) - set(PARAMS))
    assert not missing, f"add representative parameters to tests/cypher_params.py for: {missing}"


def test_unknown_query_names_the_known_ones() -> None:
    with pytest.raises(cypher.UnknownQuery, match="graph_stats_nodes"):
        cypher.load("no_such_question")


def test_queries_are_loaded_once() -> None:
    assert cypher.load("graph_stats_nodes") is cypher.load("graph_stats_nodes")


@pytest.mark.parametrize("name", cypher.names())
def test_query_runs_on_falkordb(store: GraphStore, name: str) -> None:
    rows = store.query(name, PARAMS[name])
    assert isinstance(rows, list)
    assert all(isinstance(r, dict) for r in rows)
