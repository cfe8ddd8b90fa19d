"""Live topology and Events: per kind, list (paged), then watch from the list's resourceVersion; hand changes to a sink.

One ``Reflector`` per kind, each in its own thread (``Watcher`` starts and stops them)::

    resource_version is None ──> list_all(): pages of ``page_size`` ──> handler.apply(new or changed objects)
            ^                      complete ──> handler.complete(seen uids): mark_missing, never after a partial list
            │                                   resource_version = the list's
            │ KubeGone (410)
            └──────────────────── watch_once(): from resource_version, bookmarks on; ADDED/MODIFIED ──> apply,
                                  DELETED ──> delete, BOOKMARK ──> resource_version; ends at the server's timeout

    KubeTransient (broken stream, silent longer than quiet_timeout_s, 5xx) or a failing sink: back off
    (doubling up to backoff_max_s) and resume from the last resourceVersion handled. KubeForbidden (401/403/404):
    logged once, this kind is skipped, the others go on.

Each reflector remembers the resourceVersion it last handed over per uid, so a relist after 410 hands over only
what changed meanwhile: nothing lost, nothing twice. Sink calls from all reflectors are serialised by one lock, so
the sink need not be thread-safe. The finite steps (``list_all``, ``watch_once``, ``step``) are what the tests drive.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ingest.kubeclient import (
    KubeClient,
    KubeError,
    KubeForbidden,
    KubeGone,
    KubeTransient,
    WatchStream,
    build_client,
)
from ingest.settings import KubernetesSettings
from model.event import NormalEvent
from model.kinds import EVENT_KINDS, TOPOLOGY_KINDS, ApiKind
from model.times import now_ms

log = logging.getLogger(__name__)

Obj = dict[str, Any]
OnEvents = Callable[[list[NormalEvent]], None]
OnK8sEvents = Callable[[list[Obj]], None]
MAX_BATCH = 500


class TopologySink(Protocol):
    """Where topology objects go (``ingest.loader.TopologyLoader``); each call returns the change events it made."""

    def apply(self, objects: Sequence[Mapping[str, Any]], observed_at_ms: int | None = None) -> list[NormalEvent]: ...

    def delete(self, obj: Mapping[str, Any], at_ms: int) -> list[NormalEvent]: ...

    def mark_missing(self, kind: str, seen_uids: set[str], at_ms: int) -> int: ...


class Handler(Protocol):
    """What a reflector hands its objects to (topology: the sink; Events: a callback)."""

    def apply(self, objects: list[Obj], at_ms: int) -> None: ...

    def delete(self, obj: Obj, at_ms: int) -> None: ...

    def complete(self, seen_uids: set[str], at_ms: int) -> None: ...


class TopologyHandler:
    """Objects of one kind to the sink; the change events it returns to ``on_events``."""

    def __init__(self, kind: str, sink: TopologySink, on_events: OnEvents | None, lock: threading.Lock) -> None:
        self.kind, self.sink, self.on_events, self.lock = kind, sink, on_events, lock

    def _emit(self, events: list[NormalEvent]) -> None:
        if events and self.on_events is not None:
            self.on_events(events)

    def apply(self, objects: list[Obj], at_ms: int) -> None:
        with self.lock:
            self._emit(self.sink.apply(objects, at_ms))

    def delete(self, obj: Obj, at_ms: int) -> None:
        with self.lock:
            self._emit(self.sink.delete(obj, at_ms))

    def complete(self, seen_uids: set[str], at_ms: int) -> None:
        with self.lock:
            n = self.sink.mark_missing(self.kind, seen_uids, at_ms)
        if n:
            log.info("%s: %d not in the list any more, marked deleted", self.kind, n)


class EventHandler:
    """Kubernetes Event objects to a callback. An Event's deletion (its TTL) is not news, and never marks anything."""

    def __init__(self, on_k8s_events: OnK8sEvents, lock: threading.Lock) -> None:
        self.on_k8s_events, self.lock = on_k8s_events, lock

    def apply(self, objects: list[Obj], at_ms: int) -> None:
        with self.lock:
            self.on_k8s_events(objects)

    def delete(self, obj: Obj, at_ms: int) -> None:
        pass

    def complete(self, seen_uids: set[str], at_ms: int) -> None:
        pass


@dataclass
class ReflectorStats:
    lists: int = 0
    pages: int = 0
    watches: int = 0
    relists: int = 0
    reconnects: int = 0
    events: int = 0
    bookmarks: int = 0
    duplicates: int = 0


class _End:
    """The reader thread's last word: the stream ended (error None) or failed."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


def _meta(o: Mapping[str, Any]) -> Mapping[str, Any]:
    m = o.get("metadata")
    return m if isinstance(m, Mapping) else {}


class Reflector:
    """List and watch one kind, forever or step by step."""

    def __init__(
        self,
        client: KubeClient,
        api: ApiKind,
        handler: Handler,
        *,
        page_size: int = 500,
        watch_timeout_s: int = 300,
        quiet_timeout_s: float = 90.0,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 30.0,
        label_selector: str = "",
        clock: Callable[[], int] = now_ms,
        stop: threading.Event | None = None,
    ) -> None:
        self.client, self.api, self.handler = client, api, handler
        self.page_size, self.watch_timeout_s, self.quiet_timeout_s = page_size, watch_timeout_s, quiet_timeout_s
        self.backoff_base_s, self.backoff_max_s = backoff_base_s, backoff_max_s
        self.label_selector, self.clock = label_selector, clock
        self.stop_event = stop or threading.Event()
        self.resource_version: str | None = None  # None: list next
        self.known: dict[str, str] = {}  # uid -> resourceVersion last handed over
        self.stats = ReflectorStats()
        self.synced = threading.Event()  # set after the first complete list (or when the kind is skipped)
        self.skipped = ""  # why this kind was given up, if it was
        self._failures = 0
        self._stream: WatchStream | None = None

    @property
    def name(self) -> str:
        return f"{self.api.kind} ({self.api.api_version})"

    # -- the finite steps -------------------------------------------------------------------------------------

    def list_all(self) -> bool:
        """List every page; hand over what is new or changed. True when the list completed (then, and only then,
        what was not seen is marked missing and the watch may start from the list's resourceVersion)."""
        seen: set[str] = set()
        token, rv = "", ""
        while True:
            page = self.client.list_page(
                self.api.list_path, limit=self.page_size, continue_token=token, label_selector=self.label_selector
            )
            at = self.clock()
            self.stats.pages += 1
            fresh: list[Obj] = []
            for o in page["items"]:
                uid = str(_meta(o).get("uid") or "")
                if not uid:
                    log.warning("%s: list item without metadata.uid skipped: %s", self.name, _meta(o).get("name"))
                    continue
                seen.add(uid)
                if self.known.get(uid) != _meta(o).get("resourceVersion"):
                    o.setdefault("kind", self.api.kind)
                    o.setdefault("apiVersion", self.api.api_version)
                    fresh.append(o)
            if fresh:
                self.handler.apply(fresh, at)
                self._remember(fresh)
            meta = _meta(page)
            rv, token = str(meta.get("resourceVersion") or ""), str(meta.get("continue") or "")
            if not token:
                break
            if self.stop_event.is_set():
                return False
        for uid in set(self.known) - seen:
            del self.known[uid]
        self.handler.complete(seen, self.clock())
        if not rv:
            raise KubeTransient(f"list {self.api.list_path}: no metadata.resourceVersion")
        self.resource_version = rv
        self.synced.set()
        return True

    def watch_once(self) -> None:
        """One watch session from ``resource_version`` until the server ends it, it fails (raised), or stop."""
        assert self.resource_version, "watch_once needs a resourceVersion: list first"
        stream = self.client.watch(
            self.api.list_path,
            resource_version=self.resource_version,
            timeout_s=self.watch_timeout_s,
            quiet_timeout_s=self.quiet_timeout_s,
            label_selector=self.label_selector,
        )
        self._stream = stream
        if self.stop_event.is_set():
            stream.close()
        q: queue.SimpleQueue[Obj | _End] = queue.SimpleQueue()
        reader = threading.Thread(target=_read, args=(stream, q), name=f"watch-{self.api.plural}", daemon=True)
        reader.start()
        try:
            while True:
                batch = [q.get()]
                while len(batch) < MAX_BATCH and not isinstance(batch[-1], _End):
                    try:
                        batch.append(q.get_nowait())
                    except queue.Empty:
                        break
                events = [e for e in batch if not isinstance(e, _End)]
                if events:
                    self._handle(events)
                end = batch[-1]
                if isinstance(end, _End):
                    if end.error is not None:
                        raise end.error
                    return
        finally:
            stream.close()
            reader.join(5)
            self._stream = None

    def _handle(self, events: list[Obj]) -> None:
        at = self.clock()
        pending: list[Obj] = []
        last_rv = ""
        for ev in events:
            obj = ev["object"]
            rv = str(_meta(obj).get("resourceVersion") or "")
            kind = ev["type"]
            if kind in ("ADDED", "MODIFIED"):
                uid = str(_meta(obj).get("uid") or "")
                if self.known.get(uid) == rv:
                    self.stats.duplicates += 1
                else:
                    self.stats.events += 1
                    pending.append(obj)
            elif kind == "DELETED":
                self.stats.events += 1
                self._flush(pending, at)
                self.handler.delete(obj, at)
                self.known.pop(str(_meta(obj).get("uid") or ""), None)
            elif kind == "BOOKMARK":
                self.stats.bookmarks += 1
            else:
                log.warning("%s: watch event of unknown type %r ignored", self.name, kind)
            if rv:
                last_rv = rv
        self._flush(pending, at)
        if last_rv:
            self.resource_version = last_rv

    def _flush(self, pending: list[Obj], at: int) -> None:
        if pending:
            self.handler.apply(list(pending), at)
            self._remember(pending)
            pending.clear()

    def _remember(self, objects: Iterable[Obj]) -> None:
        for o in objects:
            self.known[str(_meta(o).get("uid") or "")] = str(_meta(o).get("resourceVersion") or "")

    def step(self) -> float | None:
        """List if there is no resourceVersion, else watch once. Returns the seconds to wait before the next step,
        or None when this kind is given up (not allowed, not served, or refused as a bad request)."""
        try:
            if self.resource_version is None:
                self.stats.lists += 1
                self.list_all()
            else:
                self.stats.watches += 1
                self.watch_once()
            self._failures = 0
            return 0.0
        except KubeGone as e:
            log.info("%s: %s; relisting", self.name, e)
            self.resource_version = None
            self.stats.relists += 1
            return 0.0
        except KubeForbidden as e:
            log.warning("%s: skipped, not allowed or not served: %s", self.name, e)
            self.skipped = str(e)
            self.synced.set()
            return None
        except KubeTransient as e:
            delay = self._backoff()
            log.warning("%s: %s; retrying in %.1fs", self.name, e, delay)
            return delay
        except KubeError as e:
            log.error("%s: skipped, the API refused the request: %s", self.name, e)
            self.skipped = str(e)
            self.synced.set()
            return None
        except Exception:  # the sink or the callback failed: keep the resourceVersion, retry what was not handed over
            delay = self._backoff()
            log.exception("%s: handing objects over failed; retrying in %.1fs", self.name, delay)
            return delay

    def _backoff(self) -> float:
        self._failures += 1
        self.stats.reconnects += 1
        delay = min(self.backoff_max_s, self.backoff_base_s * 2 ** (self._failures - 1))
        return float(delay * random.uniform(0.8, 1.0))

    # -- the loop ---------------------------------------------------------------------------------------------

    def run(self) -> None:
        """Step until stopped or given up."""
        while not self.stop_event.is_set():
            delay = self.step()
            if delay is None:
                return
            if delay:
                self.stop_event.wait(delay)

    def close(self) -> None:
        """Stop: set the stop event and cut the open watch, if any."""
        self.stop_event.set()
        stream = self._stream
        if stream is not None:
            stream.close()


def _read(stream: WatchStream, q: queue.SimpleQueue[Obj | _End]) -> None:
    try:
        for ev in stream:
            q.put(ev)
        q.put(_End())
    except BaseException as e:  # handed to the reflector's thread, raised there
        q.put(_End(e))


class Watcher:
    """All the reflectors of a cluster: topology kinds to the sink, Event kinds to ``on_k8s_events``.

    ``start()``/``stop()`` from any thread, ``run(stop)`` blocking, or ``await serve()`` in asyncio.
    """

    def __init__(
        self,
        client: KubeClient,
        sink: TopologySink,
        settings: KubernetesSettings,
        *,
        on_events: OnEvents | None = None,
        on_k8s_events: OnK8sEvents | None = None,
        kinds: Sequence[ApiKind] = TOPOLOGY_KINDS,
        event_kinds: Sequence[ApiKind] | None = None,
        backoff_base_s: float = 0.5,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self.client = client
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        if event_kinds is None:
            event_kinds = EVENT_KINDS if settings.watch_events and on_k8s_events is not None else ()
        if event_kinds and on_k8s_events is None:
            raise ValueError("Watcher: event_kinds given without on_k8s_events")

        def reflector(api: ApiKind, handler: Handler) -> Reflector:
            return Reflector(
                client,
                api,
                handler,
                page_size=settings.page_size,
                watch_timeout_s=settings.watch_timeout_s,
                quiet_timeout_s=settings.quiet_timeout_s,
                backoff_base_s=backoff_base_s,
                backoff_max_s=settings.backoff_max_s,
                clock=clock,
                stop=self.stop_event,
            )

        self.reflectors = [reflector(k, TopologyHandler(k.kind, sink, on_events, self.lock)) for k in kinds]
        if on_k8s_events is not None:
            self.reflectors += [reflector(k, EventHandler(on_k8s_events, self.lock)) for k in event_kinds]
        self._threads: list[threading.Thread] = []

    @classmethod
    def from_settings(
        cls,
        settings: KubernetesSettings,
        sink: TopologySink,
        *,
        on_events: OnEvents | None = None,
        on_k8s_events: OnK8sEvents | None = None,
    ) -> Watcher | None:
        """The watcher of the configured cluster (not started), or None when no cluster is configured."""
        client = build_client(settings, pool_size=len(TOPOLOGY_KINDS) + len(EVENT_KINDS) + 4)
        if client is None:
            return None
        log.info("watching the Kubernetes API at %s", client.host)
        return cls(client, sink, settings, on_events=on_events, on_k8s_events=on_k8s_events)

    def start(self) -> None:
        for r in self.reflectors:
            t = threading.Thread(target=r.run, name=f"reflector-{r.api.group or 'core'}-{r.api.plural}", daemon=True)
            t.start()
            self._threads.append(t)

    def wait_synced(self, timeout: float | None = None) -> bool:
        """True once every kind has completed its first list (or was skipped)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for r in self.reflectors:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not r.synced.wait(left):
                return False
        return True

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        for r in self.reflectors:
            r.close()
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        alive = [t.name for t in self._threads if t.is_alive()]
        if alive:
            log.warning("watcher: threads still running after stop: %s", ", ".join(alive))
        self._threads = []

    def run(self, stop: threading.Event) -> None:
        """Run until ``stop`` is set."""
        self.start()
        try:
            stop.wait()
        finally:
            self.stop()

    async def serve(self) -> None:
        """Run until cancelled (for an asyncio app's lifespan)."""
        self.start()
        try:
            await asyncio.Future()
        finally:
            await asyncio.to_thread(self.stop)
