"""Every catalogue question answers right, and the same, on both engines.

Each ``cypher/<name>.cypher`` runs with its parameters from ``tests/catalogue_graph.py`` on that module's fixed graph
(topology, events, correlations), once on FalkorDB and once on Neo4j; its rows (order-insensitive where the query has
no ORDER BY) and the graph's counts afterwards must equal the pinned ``tests/catalogue_answers.json``.
"""

from __future__ import annotations

import json

import pytest

import cypher
from graph import GraphStore
from tests import catalogue_graph

PINNED = json.loads(catalogue_graph.ANSWERS.read_text())


def test_every_question_has_parameters_and_a_pinned_answer() -> None:
    names = set(cypher.names())
    missing = sorted(names - set(catalogue_graph.PARAMS))
    assert not missing, f"add parameters on the fixed graph to tests/catalogue_graph.py for: {missing}"
    unpinned = sorted(names ^ set(PINNED))
    assert not unpinned, f"rewrite the answers (python -m tests.catalogue_graph) and review them: {unpinned}"


def test_the_pinned_answers_are_not_empty() -> None:
    """The fixed graph is made so that the questions find something (writes may return no rows)."""
    empty = sorted(name for name, pinned in PINNED.items() if not pinned["rows"])
    assert empty == [
        "clear_endpoint_selects",
        "link_endpoint_selects_by_key",
        "link_endpoint_selects_by_uid",
        "mark_deleted",
    ]


def test_unknown_query_names_the_known_ones() -> None:
    with pytest.raises(cypher.UnknownQuery, match="graph_stats_nodes"):
        cypher.load("no_such_question")


def test_queries_are_loaded_once() -> None:
    assert cypher.load("graph_stats_nodes") is cypher.load("graph_stats_nodes")


@pytest.mark.parametrize("name", cypher.names())
def test_question_answers_on_the_fixed_graph(store: GraphStore, name: str) -> None:
    catalogue_graph.build(store)
    assert catalogue_graph.answer(store, name) == PINNED[name]
