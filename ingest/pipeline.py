"""The single ingest path: replay, the NATS consumer, ``POST /events`` and the watcher all call ``Pipeline.ingest``.

Items are taken in order, each checked on its own (``ingest.limits``: nesting, identity fields, a time bound
relative to arrival). Kubernetes Events and UnifiedEvents are normalised and collected into a batch; a
recorded watch change (``{"type", "object", "observed_at"}``) first writes the pending batch (events before it
resolve against the topology as it was), then goes to the topology loader, whose change events join the next
batch. A bad item is rejected with its index and reason and the rest go on (an item the writer or the loader
fails on other than in the graph is one too: the batch is then written event by event); a graph failure propagates (the
caller does not acknowledge, the source redelivers, and the writes are idempotent by event id).
``on_stored`` receives every stored event of the call in event-time order: the correlator plugs in there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Protocol

from graph import GraphError, GraphStore
from ingest import alerts
from ingest.eventwriter import EventWriter
from ingest.limits import MAX_FUTURE_MS, RejectedInput, check_depth, check_not_future, clean_tree, identity
from ingest.lines import classify_line
from ingest.normalize import parse_k8s_event, parse_time, parse_unified
from model.event import NormalEvent, StoredEvent
from model.times import now_ms

log = logging.getLogger(__name__)


class Loader(Protocol):
    """What the pipeline needs of ``ingest.loader.TopologyLoader``."""

    def apply(self, objects: Sequence[Mapping[str, Any]], observed_at_ms: int | None = None) -> list[NormalEvent]: ...

    def delete(self, obj: Mapping[str, Any], at_ms: int) -> list[NormalEvent]: ...

    def undoable(self) -> AbstractContextManager[None]: ...


@dataclass(frozen=True)
class Rejection:
    """An item that was not stored, and why (names the field)."""

    index: int
    reason: str


@dataclass
class IngestResult:
    """What one ``ingest`` call did."""

    stored: list[StoredEvent] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    changes: int = 0  # watch changes applied to the topology

    @property
    def unresolved(self) -> int:
        return sum(1 for s in self.stored if not s.resolved_by)


StoredCallback = Callable[[list[StoredEvent]], None]


def event_time(stored: StoredEvent) -> int:
    """The time an event (or its latest repeat) happened: the order the correlator sees."""
    return max(stored.event.ts, stored.event.last_ts)


class Pipeline:
    """Normalise, write, hand on."""

    def __init__(
        self,
        store: GraphStore,
        loader: Loader | None,
        writer: EventWriter,
        on_stored: StoredCallback | None = None,
        *,
        max_future_ms: int = MAX_FUTURE_MS,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self.store = store
        self.loader = loader
        self.writer = writer
        self.on_stored = on_stored
        self.cluster = writer.cluster
        self.max_future_ms = max_future_ms
        self.clock = clock
        generation = getattr(loader, "generation", None)
        if isinstance(generation, int) and writer.cache is None:
            # the writer may keep resolved resources while this loader (the topology's writer) writes nothing
            writer.follow_topology(lambda: int(getattr(loader, "generation", 0)))

    def ingest(
        self,
        items: Sequence[Any],
        *,
        trace_id: str = "",
        source: str = "",
        received_ms: int = 0,
        contexts: Sequence[tuple[str, str]] | None = None,
        as_alerts: bool = False,
    ) -> IngestResult:
        """Store ``items`` in order. ``contexts`` gives (trace_id, source) per item (NATS subjects), else the defaults.

        An Alertmanager webhook payload (or one alert) is recognised by its shape; ``as_alerts`` reads every item as
        one alert (``POST /alerts/alertmanager``), so that a bad one is refused as an alert, naming its field.

        ``received_ms`` stands in for a UnifiedEvent without a timestamp and a change without ``observed_at``;
        it (else the clock) is the arrival that bounds how far in the future an event may be.
        """
        undo = self.loader.undoable() if self.loader is not None else nullcontext()
        with undo:  # a graph failure: the source sends it all again, and the loader's diff must see it anew
            result = self._store_all(items, trace_id, source, received_ms, contexts, as_alerts)
        if self.on_stored is not None and result.stored:
            self.on_stored(sorted(result.stored, key=event_time))
        return result

    def _store_all(
        self,
        items: Sequence[Any],
        trace_id: str,
        source: str,
        received_ms: int,
        contexts: Sequence[tuple[str, str]] | None,
        as_alerts: bool,
    ) -> IngestResult:
        result = IngestResult()
        arrival = received_ms or self.clock()
        pending: list[tuple[int, NormalEvent]] = []
        for index, item in _flattened(items):
            tid, src = contexts[index] if contexts is not None else (trace_id, source)
            try:
                check_depth(item)
                if as_alerts or alerts.is_payload(item) or alerts.is_alert(item):
                    for ev in self._alerts(index, item, result, whole=not as_alerts and alerts.is_payload(item)):
                        pending.append((index, self._in_time(ev, arrival)))
                    continue
                kind = classify_line(item)
                if kind == "k8s_event":
                    pending.append((index, self._in_time(parse_k8s_event(item, self.cluster), arrival)))
                elif kind == "watched_event":
                    if item["type"] != "DELETED":  # an Event deleted (its time to live is over) is no news
                        ev = parse_k8s_event(item["object"], self.cluster)
                        pending.append((index, self._in_time(ev, arrival)))
                elif kind == "list":
                    raise RejectedInput("items: a List inside a List")
                elif kind == "unified":
                    ev = parse_unified(item, trace_id=tid, source=src, cluster=self.cluster, received_ms=received_ms)
                    pending.append((index, self._in_time(ev, arrival)))
                else:
                    change = self._change(item, received_ms, arrival)
                    self._flush(pending, result)
                    pending = []
                    made = self._apply(index, change, result)
                    for ev in made:
                        try:
                            pending.append((index, self._in_time(ev, arrival)))
                        except RejectedInput as exc:
                            result.rejected.append(Rejection(index, f"the change's event {ev.id}: {exc}"))
            except RejectedInput as exc:
                result.rejected.append(Rejection(index, str(exc)))
        self._flush(pending, result)
        result.rejected.sort(key=lambda r: r.index)
        return result

    def write_events(self, events: Sequence[NormalEvent]) -> IngestResult:
        """Events made outside ``ingest`` (the live watcher's topology loader), under the same time bound, written;
        ``on_stored`` is the caller's to call."""
        result = IngestResult()
        arrival = self.clock()
        pending: list[tuple[int, NormalEvent]] = []
        for index, ev in enumerate(events):
            try:
                pending.append((index, self._in_time(ev, arrival)))
            except RejectedInput as exc:
                log.warning("refused change event %s: %s", ev.id[:80], exc)
                result.rejected.append(Rejection(index, f"event {ev.id[:80]!r}: {exc}"))
        self._flush(pending, result)
        return result

    def _alerts(self, index: int, item: Any, result: IngestResult, *, whole: bool) -> list[NormalEvent]:
        """The events of one alert, or of a whole payload (its bad alerts are this item's rejection, naming each;
        its good ones are stored all the same)."""
        if not whole:
            return alerts.parse_alert(item, self.cluster)
        events, errors = alerts.parse_payload(item, self.cluster)
        if errors:
            more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
            result.rejected.append(Rejection(index, "; ".join(errors[:3]) + more))
        return events

    def _in_time(self, ev: NormalEvent, arrival_ms: int) -> NormalEvent:
        check_not_future(ev.ts, arrival_ms, self.max_future_ms, "timestamp")
        check_not_future(ev.last_ts, arrival_ms, self.max_future_ms, "last timestamp")
        return ev

    def _flush(self, pending: list[tuple[int, NormalEvent]], result: IngestResult) -> None:
        """Write ``pending`` as one batch; when the batch fails other than in the graph, each event alone, so that
        one event the writer cannot take is rejected (with its item's index) and the rest are stored."""
        if not pending:
            return
        try:
            result.stored.extend(self.writer.write([ev for _, ev in pending]))
            return
        except GraphError:
            raise
        except Exception as exc:
            log.warning("a batch of %d events failed (%s); writing them one by one", len(pending), exc)
        for index, ev in pending:
            try:
                result.stored.extend(self.writer.write([ev]))
            except GraphError:
                raise
            except Exception as exc:
                result.rejected.append(Rejection(index, f"event {ev.id[:80]!r} could not be written: {exc}"))

    def _apply(self, index: int, change: Callable[[], list[NormalEvent]], result: IngestResult) -> list[NormalEvent]:
        try:
            made = change()
        except GraphError:
            raise
        except Exception as exc:  # the loader could not take this object: this item's problem alone
            log.warning("watch change %d could not be applied: %s", index, exc)
            result.rejected.append(Rejection(index, f"object: could not be applied: {exc}"))
            return []
        result.changes += 1
        return made

    def _change(self, item: Mapping[str, Any], received_ms: int, arrival_ms: int) -> Callable[[], list[NormalEvent]]:
        """Validate a watch change now (so a bad one is rejected before anything is written); apply it later."""
        if self.loader is None:
            raise RejectedInput("type: a watch change, but this pipeline has no topology loader")
        raw_at = item.get("observed_at")
        if raw_at not in (None, ""):
            at = parse_time(raw_at, "observed_at")
            check_not_future(at, arrival_ms, self.max_future_ms, "observed_at")
        elif received_ms > 0:
            at = received_ms
        else:
            raise RejectedInput("observed_at: missing")
        obj = valid_object(item["object"])
        loader = self.loader
        if item["type"] == "DELETED":
            return lambda: loader.delete(obj, at)
        return lambda: loader.apply([obj], at)


def _flattened(items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
    """``(index, item)`` of ``items``, a ``List``'s items in its place (under its index): ``kubectl get -o json``
    output on a line of its own. A List inside a List is refused as that line's item (``ingest.lines``); a bad item
    of a List is its line's rejection (a NATS message then goes to the dead letter, its good items stored)."""
    for index, item in enumerate(items):
        if (
            isinstance(item, Mapping)
            and str(item.get("kind", "")).endswith("List")
            and isinstance(item.get("items"), list)
        ):
            for inner in item["items"]:
                yield index, inner
        else:
            yield index, item


def valid_object(obj: Mapping[str, Any]) -> dict[str, Any]:
    """A watched object whose identity fields are valid (else ``RejectedInput`` naming the field), its free text
    made valid Unicode."""
    if not identity(obj.get("kind"), "object.kind"):
        raise RejectedInput("object.kind: missing")
    meta = obj.get("metadata")
    if not isinstance(meta, Mapping):
        raise RejectedInput("object.metadata.uid: missing (no metadata object)")
    if not identity(meta.get("uid"), "object.metadata.uid"):
        raise RejectedInput("object.metadata.uid: missing")
    for key in ("name", "namespace", "resourceVersion", "generateName"):
        identity(meta.get(key), f"object.metadata.{key}")
    owners = meta.get("ownerReferences")
    if owners is not None:
        if not isinstance(owners, list):
            raise RejectedInput("object.metadata.ownerReferences: expected an array")
        for i, ref in enumerate(owners):
            if not isinstance(ref, Mapping):
                raise RejectedInput(f"object.metadata.ownerReferences[{i}]: expected an object")
            for key in ("kind", "name", "uid"):
                identity(ref.get(key), f"object.metadata.ownerReferences[{i}].{key}")
    spec = obj.get("spec")
    if isinstance(spec, Mapping):
        identity(spec.get("nodeName"), "object.spec.nodeName")
    cleaned: dict[str, Any] = clean_tree(obj)
    return cleaned
