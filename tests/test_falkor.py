"""FalkorDB parameters: the fast header carries any JSON-like value to the server unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import GraphStore
from graph.falkor import FalkorStore, params_header
from graph.querybuilder import merge_nodes
from graph.schema import Label

pytestmark = pytest.mark.falkordb_only  # the FalkorDB adapter itself

keys = st.text(st.characters(blacklist_characters='"\\`', blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=8)
scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=30)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4), max_leaves=12
)


def test_header_is_json_with_backticked_keys() -> None:
    header = params_header({"rows": [{"uid": 'a"b', "n": [1, None, True]}], "x": 2})
    assert header == 'CYPHER rows=[{`uid`:"a\\"b",`n`:[1,null,true]}] x=2 '


def test_a_quote_and_colon_inside_a_string_is_not_taken_for_a_key() -> None:
    assert params_header({"s": ',"k":1'}) == 'CYPHER s=",\\"k\\":1" '


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=values)
def test_any_value_round_trips_through_falkordb(store: GraphStore, value: Any) -> None:
    assert store.run("RETURN $v AS v", {"v": value}) == [{"v": _nul_replaced(value)}]


def _nul_replaced(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {k: _nul_replaced(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nul_replaced(v) for v in value]
    return value


def test_control_characters_pass_and_nul_does_not_fail_the_batch(store: GraphStore) -> None:
    rows = store.run("RETURN $v AS v", {"v": ["a\x01b", "tab\tnl\n", "nul\x00"]})
    assert rows == [{"v": ["a\x01b", "tab\tnl\n", "nul\ufffd"]}]


def test_write_jobs_encode_each_batch_and_write_only_when_run(store: GraphStore) -> None:
    assert isinstance(store, FalkorStore)
    text = merge_nodes(Label.NAMESPACE)
    jobs = list(store.write_jobs(text, [{"uid": f"n{i}", "key": f"c/Namespace//n{i}"} for i in range(5)], 2))
    assert len(jobs) == 3  # batches of 2, 2, 1
    assert store.run("MATCH (n:Namespace) RETURN count(n) AS c") == [{"c": 0}]
    for job in jobs:
        job()
    assert store.run("MATCH (n:Namespace) RETURN count(n) AS c") == [{"c": 5}]


def test_write_many_runs_the_statements_in_order_in_one_go_and_raises_the_first_error(store: GraphStore) -> None:
    import pytest

    from graph import QueryError

    assert isinstance(store, FalkorStore)
    ns = [{"uid": "n1", "key": "c/Namespace//n1"}]
    tag: Any = "UNWIND $rows AS row MATCH (n:Namespace {uid: row.uid}) SET n.tagged = row.tag"
    store.write_many([(merge_nodes(Label.NAMESPACE), ns), (tag, [{"uid": "n1", "tag": "yes"}])])  # the node first
    assert store.run("MATCH (n:Namespace) RETURN n.tagged AS t") == [{"t": "yes"}]
    with pytest.raises(QueryError):
        store.write_many([(tag, [{"uid": "n1", "tag": "again"}]), ("UNWIND $rows AS row RETURN nonsense(", ns)])
