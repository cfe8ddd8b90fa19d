"""The graph store: Neo4j and FalkorDB (embedded or server) behind one interface, and the declared schema."""

from graph.errors import GraphError, GraphUnavailable, GraphURLError, QueryError, TransientGraphError
from graph.interface import GraphStore, Health, Row
from graph.store import classify_url, open_store

__all__ = [
    "GraphError",
    "GraphStore",
    "GraphURLError",
    "GraphUnavailable",
    "Health",
    "QueryError",
    "Row",
    "TransientGraphError",
    "classify_url",
    "open_store",
]
