"""Errors at the graph boundary.

    GraphError                      anything the store raises; the CLI prints it, never a traceback
    ├── GraphURLError               a URL no backend accepts (names the accepted forms)
    ├── GraphUnavailable            the database cannot be reached (names the URL and the cause)
    │   └── TransientGraphError     a failure worth retrying (deadlock, leader switch, lost connection)
    └── QueryError                  the database rejected a statement (names the query)

Driver exceptions are chained (``raise ... from exc``), so the cause stays in the log.
"""

from __future__ import annotations


class GraphError(Exception):
    """Base of every error raised by ``graph``."""


class GraphURLError(GraphError, ValueError):
    """The graph URL has no backend."""


class GraphUnavailable(GraphError):
    """The database could not be reached."""


class TransientGraphError(GraphUnavailable):
    """A failure that may succeed when tried again."""


class QueryError(GraphError):
    """The database rejected a statement."""

    def __init__(self, name: str, cause: str) -> None:
        super().__init__(f"query {name!r} failed: {cause}")
        self.name = name
        self.cause = cause
