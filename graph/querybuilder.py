"""Generate write and schema statements from the declarations in ``graph.schema``.

Labels and types come from enums and property names from the declarations, so every generated statement is a
fixed text with values only in ``$rows``; the tests pin the output.
"""

from __future__ import annotations

from typing import Literal, LiteralString

from graph.schema import NODE_KINDS, REL_KINDS, Label, NodeKind, Rel, RelKind

Backend = Literal["neo4j", "falkordb"]


def _lit(s: str) -> LiteralString:
    """Mark a string built only from declared names as literal query text."""
    text: LiteralString = s  # mypy treats LiteralString as str; pyright checks it
    return text


def _sets(var: str, props: tuple[str, ...]) -> str:
    return ", ".join(f"{var}.{p} = row.{p}" for p in props)


def merge_nodes(label: Label) -> LiteralString:
    """``UNWIND $rows`` statement that upserts nodes of one kind; rows carry the key and any declared props.

    A property absent from a row is left as it is (``coalesce`` with the stored value), so partial updates
    (an event's count, a pod's deletion time) do not erase what is already known.
    """
    kind: NodeKind = NODE_KINDS[label]
    props = ", ".join(f"n.{p} = coalesce(row.{p}, n.{p})" for p in kind.props)
    if kind.resource:
        head = f"UNWIND $rows AS row MERGE (n:{Label.RESOURCE} {{uid: row.uid}}) SET n:{label}, "
    else:
        head = f"UNWIND $rows AS row MERGE (n:{label} {{{kind.key}: row.{kind.key}}}) SET "
    return _lit(head + props)


def merge_rels(rel: Rel) -> LiteralString:
    """``UNWIND $rows`` statement that upserts one relationship type; rows are ``{from, to, <props>}``.

    A target matched by ``key`` must not be marked deleted, so a name reused after deletion links the
    live object.
    """
    kind: RelKind = REL_KINDS[rel]
    where = " WHERE b.deleted_at IS NULL" if kind.to_key == "key" else ""
    text = (
        f"UNWIND $rows AS row MATCH (a:{kind.from_label} {{{kind.from_key}: row.from}}) "
        f"MATCH (b:{kind.to_label} {{{kind.to_key}: row.to}}){where} MERGE (a)-[r:{rel}]->(b)"
    )
    if kind.props:
        text += " SET " + _sets("r", kind.props)
    return _lit(text)


def clear_rels(rel: Rel) -> LiteralString:
    """Delete the outgoing relationships of one type from the nodes in ``$uids`` before they are rewritten."""
    kind = REL_KINDS[rel]
    return _lit(f"UNWIND $uids AS u MATCH (a:{kind.from_label} {{{kind.from_key}: u}})-[r:{rel}]->() DELETE r")


def index_statements(backend: Backend) -> list[LiteralString]:
    """Index statements for every declared key and indexed property, in the dialect of the backend (on Neo4j, the
    key of events, correlations and feedback is a uniqueness constraint)."""
    out: list[LiteralString] = []
    seen: set[tuple[str, str]] = set()
    for kind in NODE_KINDS.values():
        label = Label.RESOURCE if kind.resource else kind.label
        props = (kind.key, *(("key", "ip", "cluster_ip") if kind.resource else ()), *kind.indexed)
        # Relationship writes match their ends by the kind label (``(a:Pod {uid: ...})``); FalkorDB only uses
        # an index of that very label, so each resource kind gets its own uid and key indexes too.
        extra = ((kind.label, "uid"), (kind.label, "key")) if kind.resource else ()
        for label, prop in (*((label, p) for p in props), *extra):
            if (label, prop) in seen:
                continue
            seen.add((label, prop))
            if backend == "neo4j" and not kind.resource and prop == kind.key:
                # Two writers of one event (a webhook resent while the first is still being written, two workers)
                # must not make two nodes: the key is a uniqueness constraint. It replaces the plain index of
                # earlier releases, which Neo4j does not allow beside it.
                out.append(_lit(f"DROP INDEX {label.lower()}_{prop} IF EXISTS"))
                out.append(
                    _lit(
                        f"CREATE CONSTRAINT {label.lower()}_{prop}_unique IF NOT EXISTS "
                        f"FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE"
                    )
                )
            elif backend == "neo4j":
                out.append(_lit(f"CREATE INDEX {label.lower()}_{prop} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"))
            else:
                out.append(_lit(f"CREATE INDEX FOR (n:{label}) ON (n.{prop})"))
    return out
