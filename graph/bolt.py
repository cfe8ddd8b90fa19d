"""Neo4j backend through the official driver.

Reads and writes run in managed transactions; only errors the driver classifies as retryable
(``Neo4jError.is_retryable()``, lost connections) are retried, with exponential backoff.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, LiteralString

import neo4j
from neo4j import exceptions as neo4j_errors

from graph.errors import GraphUnavailable, QueryError, TransientGraphError
from graph.interface import CatalogueMixin, Health, Row
from graph.plain import to_plain
from graph.querybuilder import index_statements


class Neo4jStore(CatalogueMixin):
    """A ``GraphStore`` over Bolt."""

    backend = "neo4j"

    def __init__(
        self,
        url: str,
        *,
        user: str,
        password: str,
        database: str | None,
        batch_size: int,
        retries: int,
        backoff_s: float = 0.2,
    ) -> None:
        self.url = url
        self._database = database
        self._batch_size = batch_size
        self._retries = retries
        self._backoff_s = backoff_s
        try:
            # Only warnings are reported, and not those about a label, type or property the graph has none of yet
            # (a cluster without PodDisruptionBudgets): information notes (an index that already exists, at every
            # start) and those are noise.
            self._driver = neo4j.GraphDatabase.driver(
                url,
                auth=(user, password) if password else None,
                notifications_min_severity=neo4j.NotificationMinimumSeverity.WARNING,
                notifications_disabled_classifications=[neo4j.NotificationDisabledClassification.UNRECOGNIZED],
            )
            self._driver.verify_connectivity()
        except (neo4j_errors.ServiceUnavailable, neo4j_errors.AuthError, ValueError, OSError) as exc:
            raise GraphUnavailable(f"cannot reach Neo4j at {url}: {exc}") from exc

    def _with_retry(self, name: str, work: Callable[[], list[Row]]) -> list[Row]:
        delay = self._backoff_s
        for attempt in range(self._retries + 1):
            try:
                return work()
            except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired) as exc:
                if attempt == self._retries:
                    raise TransientGraphError(f"Neo4j at {self.url} unavailable running {name!r}: {exc}") from exc
            except neo4j_errors.Neo4jError as exc:
                if not exc.is_retryable() or attempt == self._retries:
                    raise QueryError(name, str(exc)) from exc
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
        raise AssertionError("unreachable")

    def _execute(self, name: str, text: LiteralString, params: Mapping[str, Any] | None) -> list[Row]:
        def work() -> list[Row]:
            records, _, keys = self._driver.execute_query(text, dict(params or {}), database_=self._database)
            return [{k: to_plain(rec[k]) for k in keys} for rec in records]

        return self._with_retry(name, work)

    def apply_schema(self) -> None:
        for statement in index_statements("neo4j"):
            self.run(statement)

    def health(self) -> Health:
        try:
            self._driver.verify_connectivity()
        except Exception as exc:
            return Health(False, self.backend, self.url, str(exc))
        return Health(True, self.backend, self.url)

    def clear(self) -> None:
        """Delete every node in transactions of 10,000 (one transaction for a large graph would need its size in
        heap); ``CALL ... IN TRANSACTIONS`` runs only in an auto-commit transaction, hence the session. Neo4j only:
        ``CALL (n) { ... }`` (5.23+; the portable ``CALL { WITH n ... }`` draws a deprecation warning)."""
        with self._driver.session(database=self._database) as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()

    def close(self) -> None:
        self._driver.close()
