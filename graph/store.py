"""The one interface the rest of the code uses to reach the graph, and the choice of backend by URL.

bolt://, neo4j://, neo4j+s://, neo4j+ssc://, bolt+s://   Neo4j (official driver); ``bolt://user:password@host:port``
                                                          carries the credentials in the URL (they win over settings)
a path, or file:///path/graph.rdb                         FalkorDB embedded (falkordblite)
falkordb://host:port                                      FalkorDB server
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, LiteralString, Protocol
from urllib.parse import unquote, urlsplit, urlunsplit

import cypher
from graph.errors import GraphURLError

Row = dict[str, Any]

ACCEPTED_FORMS = (
    "bolt://host:7687, neo4j://host:7687, neo4j+s://host (Neo4j); "
    "a file path or file:///path/graph.rdb (embedded FalkorDB); falkordb://host:6379 (FalkorDB server)"
)
NEO4J_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


@dataclass(frozen=True)
class Health:
    """What ``health()`` reports."""

    ok: bool
    backend: str
    url: str
    detail: str = ""


class GraphStore(Protocol):
    """Run named queries, write batches, apply the schema. Results are plain Python only."""

    backend: str
    url: str

    def query(self, name: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run the catalogue query ``name`` (``cypher/<name>.cypher``)."""
        ...

    def run(self, text: LiteralString, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run a fixed statement text (generated writes, schema); values only as parameters."""
        ...

    def write(self, text: LiteralString, rows: Sequence[Mapping[str, Any]], batch_size: int | None = None) -> int:
        """Run an ``UNWIND $rows`` statement over ``rows`` in batches; return the rows written."""
        ...

    def apply_schema(self) -> None:
        """Create the indexes of the declared schema; safe to run again."""
        ...

    def health(self) -> Health:
        """Whether the database answers."""
        ...

    def clear(self) -> None:
        """Delete every node of this graph (tests, demo)."""
        ...

    def close(self) -> None:
        """Release connections; stop an embedded server this process started."""
        ...


class CatalogueMixin:
    """``query``/``run``/``write`` for a backend that defines ``_execute(name, text, params)``: the catalogue lookup,
    the name a fixed text is known by in errors, and the batching, written once for every backend."""

    _batch_size: int

    def _execute(self, name: str, text: LiteralString, params: Mapping[str, Any] | None) -> list[Row]:
        raise NotImplementedError

    def query(self, name: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self._execute(name, cypher.load(name), params)

    def run(self, text: LiteralString, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self._execute(text[:60], text, params)

    def write(self, text: LiteralString, rows: Sequence[Mapping[str, Any]], batch_size: int | None = None) -> int:
        for chunk in batches(rows, batch_size or self._batch_size):
            self._execute(text[:60], text, {"rows": list(chunk)})
        return len(rows)


def batches(rows: Sequence[Mapping[str, Any]], size: int) -> Iterable[Sequence[Mapping[str, Any]]]:
    """Split rows into slices of at most ``size``."""
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def classify_url(url: str) -> str:
    """Return ``neo4j``, ``falkordb-embedded`` or ``falkordb-server`` for a graph URL, or raise GraphURLError."""
    if not url or not url.strip():
        raise GraphURLError(f"empty graph URL; accepted forms: {ACCEPTED_FORMS}")
    if "://" not in url:
        return "falkordb-embedded"
    scheme = url.split("://", 1)[0].lower()
    if scheme in NEO4J_SCHEMES:
        return "neo4j"
    if scheme == "file":
        return "falkordb-embedded"
    if scheme in ("falkordb", "redis"):
        return "falkordb-server"
    raise GraphURLError(f"unsupported graph URL {url!r}; accepted forms: {ACCEPTED_FORMS}")


def split_credentials(url: str, user: str, password: str) -> tuple[str, str, str]:
    """``scheme://user:password@host:port`` -> the URL without them, and the user and password it named (else the
    given ones). The URL is what errors and health reports show, so the password must not stay in it."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, user, password
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    bare = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    named_user = unquote(parts.username) if parts.username else user
    named_password = unquote(parts.password) if parts.password is not None else password
    return bare, named_user, named_password


def open_store(
    url: str,
    *,
    graph_name: str = "causegraph",
    user: str = "neo4j",
    password: str = "",
    batch_size: int = 1000,
    retries: int = 5,
    appendfsync: Literal["everysec", "always"] = "everysec",
) -> GraphStore:
    """Open the backend that ``url`` names; ``appendfsync`` is the embedded FalkorDB's AOF fsync policy."""
    kind = classify_url(url)
    if kind == "neo4j":
        from graph.bolt import Neo4jStore

        url, user, password = split_credentials(url, user, password)
        return Neo4jStore(url, user=user, password=password, database=None, batch_size=batch_size, retries=retries)
    from graph.falkor import FalkorStore

    return FalkorStore.open(
        url, graph_name=graph_name, batch_size=batch_size, embedded=kind == "falkordb-embedded", fsync=appendfsync
    )
