"""The one interface the rest of the code uses to reach the graph: ``GraphStore``, and what every backend shares.

Every backend (``graph.bolt``, ``graph.falkor``) and wrapper (``graph.pipelined``) implements the whole Protocol,
so no caller asks a store what it can do. ``CatalogueMixin`` writes once what backends share: the catalogue
lookup, batching, and the plain ``write_many``/``write_jobs`` a backend without a faster way uses. The choice of
backend by URL is ``graph.store``'s; this module imports no backend.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, LiteralString, Protocol

import cypher

Row = dict[str, Any]
Statements = Sequence[tuple[LiteralString, Sequence[Mapping[str, Any]]]]


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

    def write_many(self, statements: Statements) -> None:
        """Several ``write``s, run in order (one round trip where the backend can); the first error raises."""
        ...

    def write_jobs(
        self, text: LiteralString, rows: Sequence[Mapping[str, Any]], batch_size: int | None = None
    ) -> Iterator[Callable[[], object]]:
        """``write`` as one job per batch, to be run in order (``PipelinedStore`` runs them in its thread)."""
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
        for job in self.write_jobs(text, rows, batch_size):
            job()
        return len(rows)

    def write_many(self, statements: Statements) -> None:
        for text, rows in statements:
            self.write(text, rows)

    def write_jobs(
        self, text: LiteralString, rows: Sequence[Mapping[str, Any]], batch_size: int | None = None
    ) -> Iterator[Callable[[], object]]:
        for chunk in batches(rows, batch_size or self._batch_size):
            yield functools.partial(self._execute, text[:60], text, {"rows": list(chunk)})


def batches(rows: Sequence[Mapping[str, Any]], size: int) -> Iterable[Sequence[Mapping[str, Any]]]:
    """Split rows into slices of at most ``size``."""
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
