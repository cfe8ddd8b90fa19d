"""A store wrapper that writes in a background thread, so a bulk load parses and transforms the next batch while the
database executes the last one (the database works in its own process; the Python side waits on a socket).

Writes keep their order; a read (``query``/``run``) or ``flush()`` first waits for every write before it. A write
that fails is raised by the next call, so a bulk load stops at the first error instead of going on blind. A store
has its batches encoded in the caller's thread (``write_jobs``: FalkorDB encodes its parameters up front) and only
sent by the background one.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, LiteralString

from graph.interface import GraphStore, Health, Row, Statements


class PipelinedStore:
    """Wraps a ``GraphStore``; ``write`` returns once the rows are queued (at most ``depth`` writes ahead)."""

    def __init__(self, inner: GraphStore, depth: int = 4) -> None:
        self.inner = inner
        self.backend = inner.backend
        self.url = inner.url
        self._queue: queue.Queue[Callable[[], object] | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="graph-writer", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            try:
                if job is None:
                    return
                if self._error is None:
                    job()
            except BaseException as exc:  # raised to the caller on its next call
                self._error = exc
            finally:
                self._queue.task_done()

    def _raise_pending(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def flush(self) -> None:
        """Wait for every queued write; raise the first that failed."""
        self._queue.join()
        self._raise_pending()

    def write(self, text: LiteralString, rows: Sequence[Mapping[str, Any]], batch_size: int | None = None) -> int:
        self._raise_pending()
        rows = list(rows)
        for job in self.inner.write_jobs(text, rows, batch_size):  # encoded here, in the caller's thread
            self._queue.put(job)
            self._raise_pending()
        return len(rows)

    def write_many(self, statements: Statements) -> None:
        self._raise_pending()
        batch = [(text, list(rows)) for text, rows in statements]
        self._queue.put(lambda: self.inner.write_many(batch))

    def write_jobs(
        self, text: LiteralString, rows: Sequence[Mapping[str, Any]], batch_size: int | None = None
    ) -> Iterator[Callable[[], object]]:
        """The inner store's jobs; run by the caller (a write queued here is ``write``)."""
        self.flush()
        return self.inner.write_jobs(text, rows, batch_size)

    def query(self, name: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        self.flush()
        return self.inner.query(name, params)

    def run(self, text: LiteralString, params: Mapping[str, Any] | None = None) -> list[Row]:
        self.flush()
        return self.inner.run(text, params)

    def apply_schema(self) -> None:
        self.flush()
        self.inner.apply_schema()

    def health(self) -> Health:
        return self.inner.health()

    def clear(self) -> None:
        self.flush()
        self.inner.clear()

    def close(self) -> None:
        """Finish the queued writes and stop the thread; the inner store stays open (its owner closes it)."""
        try:
            self.flush()
        finally:
            self._queue.put(None)
            self._thread.join()
