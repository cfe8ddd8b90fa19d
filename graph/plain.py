"""Turn what a driver returns into plain Python: dicts, lists, ints, floats, strings, bools, None.

Both drivers have their own Node, Relationship/Edge, Path and temporal types; nothing of those leaves ``graph``.
Nodes become their property dicts with ``_labels`` (sorted); relationships become property dicts with ``_type``;
paths become ``{"nodes": [...], "relationships": [...]}``; temporal values become ISO strings.

The graph types are recognised by their classes, before any generic container test: the Neo4j driver's ``Node`` and
``Relationship`` are ``Mapping``s of their properties, so a ``Mapping`` branch first would drop their labels and type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import falkordb
import neo4j.graph

Plain = Any


_SCALARS = frozenset({type(None), bool, int, float, str})


def to_plain(value: object) -> Plain:
    """Convert one value of a result row, recursively."""
    kind = type(value)
    if kind in _SCALARS:  # most values: by exact type, before the ABC and driver-class tests
        return value
    if kind is list:
        return [to_plain(v) for v in value]  # type: ignore[attr-defined]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, neo4j.graph.Node):
        return _entity(value.items(), "_labels", sorted(value.labels))
    if isinstance(value, neo4j.graph.Relationship):
        return _entity(value.items(), "_type", value.type)
    if isinstance(value, neo4j.graph.Path):
        return _path(value.nodes, value.relationships)
    if isinstance(value, falkordb.Node):
        return _entity((value.properties or {}).items(), "_labels", sorted(value.labels or []))
    if isinstance(value, falkordb.Edge):
        return _entity((value.properties or {}).items(), "_type", value.relation)
    if isinstance(value, falkordb.Path):
        return _path(value.nodes(), value.edges())
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_plain(v) for v in value]
    iso = getattr(value, "iso_format", None) or getattr(value, "isoformat", None)
    if callable(iso):
        return str(iso())
    return str(value)


def _entity(items: Any, meta_key: str, meta: object) -> dict[str, Plain]:
    props = {str(k): to_plain(v) for k, v in items}
    props[meta_key] = meta
    return props


def _path(nodes: Any, relationships: Any) -> dict[str, Plain]:
    return {"nodes": [to_plain(n) for n in nodes], "relationships": [to_plain(r) for r in relationships]}


def rows_from(header: list[str], records: list[list[object]]) -> list[dict[str, Plain]]:
    """Zip a header with result rows into plain dicts."""
    scalars = _SCALARS
    return [
        {name: v if type(v) in scalars else to_plain(v) for name, v in zip(header, rec, strict=False)}
        for rec in records
    ]
