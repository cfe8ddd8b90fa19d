"""Turn what a driver returns into plain Python: dicts, lists, ints, floats, strings, bools, None.

Both drivers have their own Node, Relationship/Edge, Path and temporal types; nothing of those leaves ``graph``.
Nodes become their property dicts with ``_labels``; relationships become property dicts with ``_type``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Plain = Any


def to_plain(value: object) -> Plain:
    """Convert one value of a result row, recursively."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_plain(v) for v in value]
    kind = type(value).__name__
    if kind == "Node":
        props = _props(value)
        props["_labels"] = sorted(str(label) for label in getattr(value, "labels", []) or [])
        return props
    if kind in ("Relationship", "Edge") or hasattr(value, "relation"):
        props = _props(value)
        props["_type"] = str(getattr(value, "relation", None) or getattr(value, "type", ""))
        return props
    if kind == "Path":
        nodes_attr = getattr(value, "nodes", [])
        nodes = nodes_attr() if callable(nodes_attr) else nodes_attr
        rels_attr = getattr(value, "edges", None) or getattr(value, "relationships", None)
        rels = rels_attr() if callable(rels_attr) else rels_attr or []
        return {"nodes": [to_plain(n) for n in nodes], "relationships": [to_plain(r) for r in rels]}
    iso = getattr(value, "iso_format", None) or getattr(value, "isoformat", None)
    if callable(iso):
        return str(iso())
    return str(value)


def _props(entity: object) -> dict[str, Plain]:
    raw = getattr(entity, "properties", None)
    if raw is None and isinstance(entity, Mapping):
        raw = entity
    if raw is None:
        try:
            raw = dict(entity)  # type: ignore[call-overload]
        except TypeError:
            raw = {}
    return {str(k): to_plain(v) for k, v in dict(raw).items()}


def rows_from(header: list[str], records: list[list[object]]) -> list[dict[str, Plain]]:
    """Zip a header with result rows into plain dicts."""
    return [{name: to_plain(v) for name, v in zip(header, rec, strict=False)} for rec in records]
