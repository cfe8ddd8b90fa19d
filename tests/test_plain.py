"""Driver values become plain Python at the graph boundary."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from graph.plain import rows_from, to_plain


class Node:
    def __init__(self, labels: list[str], properties: dict[str, object]) -> None:
        self.labels = labels
        self.properties = properties


class Edge:
    def __init__(self, relation: str, properties: dict[str, object]) -> None:
        self.relation = relation
        self.properties = properties


def test_scalars_and_containers_pass_through() -> None:
    assert to_plain([1, 2.5, "x", None, True, (3,)]) == [1, 2.5, "x", None, True, [3]]
    assert to_plain(OrderedDict(a=1)) == {"a": 1}
    assert type(to_plain(OrderedDict(a=1))) is dict


def test_nodes_and_edges_become_property_dicts() -> None:
    assert to_plain(Node(["Pod", "Resource"], {"uid": "u"})) == {"uid": "u", "_labels": ["Pod", "Resource"]}
    assert to_plain(Edge("RUNS_ON", {"since": 1})) == {"since": 1, "_type": "RUNS_ON"}


def test_temporal_values_become_iso_strings() -> None:
    assert to_plain(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)) == "2026-01-01T00:00:00+00:00"


def test_rows_from_zips_header() -> None:
    assert rows_from(["a", "b"], [[1, Node(["X"], {})]]) == [{"a": 1, "b": {"_labels": ["X"]}}]
