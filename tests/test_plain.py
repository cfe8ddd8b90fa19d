"""Driver values become plain Python at the graph boundary, with the drivers' own graph types (not look-alikes)."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Mapping

import falkordb
import neo4j.graph
import neo4j.time

from graph.plain import rows_from, to_plain


def _neo4j_pod_on_node() -> tuple[neo4j.graph.Node, neo4j.graph.Relationship, neo4j.graph.Node]:
    """A (Pod)-[:RUNS_ON]->(Node) as the Neo4j driver builds it (its hydrator sets the relationship's ends)."""
    from neo4j._codec.hydration.bolt.v1.hydration_handler import _GraphHydrator  # what decodes Bolt's N/R structs

    hydrator = _GraphHydrator()
    pod = hydrator.hydrate_node(1, ["Resource", "Pod"], {"uid": "p1", "labels": ["app=a"]}, "4:x:1")
    node = hydrator.hydrate_node(2, ["Resource", "Node"], {"uid": "n1"}, "4:x:2")
    rel = hydrator.hydrate_relationship(3, 1, 2, "RUNS_ON", {"since": 5}, "5:x:3", "4:x:1", "4:x:2")
    return pod, rel, node


def test_scalars_and_containers_pass_through() -> None:
    assert to_plain([1, 2.5, "x", None, True, (3,)]) == [1, 2.5, "x", None, True, [3]]
    assert to_plain(OrderedDict(a=1)) == {"a": 1}
    assert type(to_plain(OrderedDict(a=1))) is dict
    assert to_plain(b"bytes") == "bytes"


def test_neo4j_nodes_keep_their_labels_although_they_are_mappings() -> None:
    pod, _, _ = _neo4j_pod_on_node()
    assert isinstance(pod, Mapping)  # why the graph types are matched before the Mapping branch
    assert to_plain(pod) == {"uid": "p1", "labels": ["app=a"], "_labels": ["Pod", "Resource"]}


def test_neo4j_relationships_keep_their_type() -> None:
    _, rel, _ = _neo4j_pod_on_node()
    assert isinstance(rel, Mapping)
    assert to_plain(rel) == {"since": 5, "_type": "RUNS_ON"}


def test_neo4j_paths_become_nodes_and_relationships() -> None:
    pod, rel, _ = _neo4j_pod_on_node()
    path = neo4j.graph.Path(pod, rel)
    assert to_plain(path) == {
        "nodes": [
            {"uid": "p1", "labels": ["app=a"], "_labels": ["Pod", "Resource"]},
            {"uid": "n1", "_labels": ["Node", "Resource"]},
        ],
        "relationships": [{"since": 5, "_type": "RUNS_ON"}],
    }


def test_falkordb_nodes_edges_and_paths() -> None:
    pod = falkordb.Node(1, labels=["Resource", "Pod"], properties={"uid": "p1"})
    node = falkordb.Node(2, labels=["Node", "Resource"], properties={"uid": "n1"})
    edge = falkordb.Edge(pod, "RUNS_ON", node, 3, properties={"since": 5})
    assert to_plain(pod) == {"uid": "p1", "_labels": ["Pod", "Resource"]}
    assert to_plain(edge) == {"since": 5, "_type": "RUNS_ON"}
    assert to_plain(falkordb.Path([pod, node], [edge])) == {
        "nodes": [{"uid": "p1", "_labels": ["Pod", "Resource"]}, {"uid": "n1", "_labels": ["Node", "Resource"]}],
        "relationships": [{"since": 5, "_type": "RUNS_ON"}],
    }


def test_both_drivers_give_the_same_plain_values() -> None:
    pod, rel, _ = _neo4j_pod_on_node()
    f_pod = falkordb.Node(1, labels=["Pod", "Resource"], properties={"uid": "p1", "labels": ["app=a"]})
    f_edge = falkordb.Edge(1, "RUNS_ON", 2, 3, properties={"since": 5})
    assert to_plain(pod) == to_plain(f_pod)
    assert to_plain(rel) == to_plain(f_edge)


def test_temporal_values_become_iso_strings() -> None:
    assert to_plain(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)) == "2026-01-01T00:00:00+00:00"
    assert to_plain(neo4j.time.Date(2026, 1, 2)) == "2026-01-02"


def test_rows_from_zips_header() -> None:
    node = falkordb.Node(1, labels=["X"], properties={})
    assert rows_from(["a", "b"], [[1, node]]) == [{"a": 1, "b": {"_labels": ["X"]}}]
