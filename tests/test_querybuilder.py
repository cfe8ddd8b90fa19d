"""The generated statements are pinned: a schema change shows up here as a reviewed diff."""

from __future__ import annotations

from graph.querybuilder import clear_rels, index_statements, merge_nodes, merge_rels
from graph.schema import NODE_KINDS, REL_KINDS, Label, Rel


def test_merge_resource_nodes_keys_on_uid_and_sets_the_kind_label() -> None:
    text = merge_nodes(Label.NAMESPACE)
    assert text == (
        "UNWIND $rows AS row MERGE (n:Resource {uid: row.uid}) SET n:Namespace, "
        "n.key = coalesce(row.key, n.key), n.cluster = coalesce(row.cluster, n.cluster), "
        "n.kind = coalesce(row.kind, n.kind), n.namespace = coalesce(row.namespace, n.namespace), "
        "n.name = coalesce(row.name, n.name), n.labels = coalesce(row.labels, n.labels), "
        "n.created_at = coalesce(row.created_at, n.created_at), n.updated_at = coalesce(row.updated_at, n.updated_at), "
        "n.deleted_at = coalesce(row.deleted_at, n.deleted_at), "
        "n.resource_version = coalesce(row.resource_version, n.resource_version), "
        "n.phase = coalesce(row.phase, n.phase)"
    )


def test_merge_other_nodes_keys_on_their_own_key() -> None:
    text = merge_nodes(Label.FEEDBACK)
    assert text.startswith("UNWIND $rows AS row MERGE (n:Feedback {id: row.id}) SET n.correlation_id = ")


def test_merge_rels_by_key_skips_deleted_targets() -> None:
    assert merge_rels(Rel.RUNS_ON) == (
        "UNWIND $rows AS row MATCH (a:Pod {uid: row.from}) "
        "MATCH (b:Node {key: row.to}) WHERE b.deleted_at IS NULL MERGE (a)-[r:RUNS_ON]->(b)"
    )


def test_merge_rels_by_uid_with_properties() -> None:
    assert merge_rels(Rel.SELECTS) == (
        "UNWIND $rows AS row MATCH (a:Service {uid: row.from}) "
        "MATCH (b:Pod {uid: row.to}) MERGE (a)-[r:SELECTS]->(b) SET r.ready = row.ready, r.via = row.via, "
        "r.origin = row.origin"
    )


def test_clear_rels() -> None:
    assert clear_rels(Rel.USES) == ("UNWIND $uids AS u MATCH (a:Resource {uid: u})-[r:USES]->() DELETE r")


def test_index_statements_per_backend() -> None:
    neo = index_statements("neo4j")
    falkor = index_statements("falkordb")
    assert "CREATE INDEX resource_uid IF NOT EXISTS FOR (n:Resource) ON (n.uid)" in neo
    assert "CREATE INDEX FOR (n:Resource) ON (n.uid)" in falkor
    assert "CREATE INDEX FOR (n:Event) ON (n.id)" in falkor
    assert len([s for s in neo if s.startswith("CREATE")]) == len(falkor) == len(set(falkor))
    # on Neo4j the key of an event is unique (the plain index of earlier releases goes first)
    assert "DROP INDEX event_id IF EXISTS" in neo
    assert "CREATE CONSTRAINT event_id_unique IF NOT EXISTS FOR (n:Event) REQUIRE n.id IS UNIQUE" in neo
    assert neo.index("DROP INDEX event_id IF EXISTS") < neo.index(
        "CREATE CONSTRAINT event_id_unique IF NOT EXISTS FOR (n:Event) REQUIRE n.id IS UNIQUE"
    )


def test_every_label_and_relationship_is_declared() -> None:
    assert set(NODE_KINDS) == set(Label) - {Label.RESOURCE}
    assert set(REL_KINDS) == set(Rel)
