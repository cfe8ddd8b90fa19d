"""The choice of backend by URL: ``open_store`` returns the ``GraphStore`` (``graph.interface``) the URL names.

bolt://, neo4j://, neo4j+s://, neo4j+ssc://, bolt+s://   Neo4j (official driver); ``bolt://user:password@host:port``
                                                          carries the credentials in the URL (they win over settings)
a path, or file:///path/graph.rdb                         FalkorDB embedded (falkordblite)
falkordb://host:port                                      FalkorDB server

The backends are imported when first opened (a process on one engine never loads the other's driver); they
import ``graph.interface``, never this module, so there is no circle.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import unquote, urlsplit, urlunsplit

from graph.errors import GraphURLError
from graph.interface import GraphStore

ACCEPTED_FORMS = (
    "bolt://host:7687, neo4j://host:7687, neo4j+s://host (Neo4j); "
    "a file path or file:///path/graph.rdb (embedded FalkorDB); falkordb://host:6379 (FalkorDB server)"
)
NEO4J_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


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
