"""Every query in docs/neo4j-browser.md runs on both engines and finds something on the catalogue's fixed graph."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph import GraphStore
from tests import catalogue_graph
from tests.apidata import DEPLOYS, NODE

DOC = Path(__file__).resolve().parents[1] / "docs" / "neo4j-browser.md"
QUERIES = re.findall(r"```cypher\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
# The parameters the doc tells the reader to set (`:param ...`), pointing at the fixed graph.
PARAMS = {"id": "corr-1", "node": NODE["name"], "key": DEPLOYS["redis"]["key"]}


def test_the_doc_has_its_queries() -> None:
    assert len(QUERIES) == 7


@pytest.mark.parametrize("query", QUERIES, ids=[f"q{i}" for i in range(len(QUERIES))])
def test_each_query_runs_and_finds_rows(store: GraphStore, query: str) -> None:
    catalogue_graph.build(store)
    names = set(re.findall(r"\$(\w+)", query))
    rows = store.run(query, {n: PARAMS[n] for n in names})
    assert rows, query
