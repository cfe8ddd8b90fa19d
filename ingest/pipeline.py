"""The single ingest path: replay, the NATS consumer, ``POST /events`` and the watcher all call ``Pipeline.ingest``.

Items are taken in order. Kubernetes Events and UnifiedEvents are normalised and collected into a batch; a
recorded watch change (``{"type", "object", "observed_at"}``) first writes the pending batch (events before it
resolve against the topology as it was), then goes to the topology loader, whose change events join the next
batch. A bad item is rejected with its index and reason and the rest go on; a graph failure propagates (the
caller does not acknowledge, the source redelivers, and the writes are idempotent by event id).
``on_stored`` receives every stored event of the call in event-time order: the correlator plugs in there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from graph import GraphStore
from ingest.eventwriter import EventWriter
from ingest.model import NormalEvent, StoredEvent
from ingest.normalize import RejectedInput, classify_line, parse_k8s_event, parse_time, parse_unified


class Loader(Protocol):
    """What the pipeline needs of ``ingest.loader.TopologyLoader``."""

    def apply(self, objects: Sequence[Mapping[str, Any]], observed_at_ms: int | None = None) -> list[NormalEvent]: ...

    def delete(self, obj: Mapping[str, Any], at_ms: int) -> list[NormalEvent]: ...


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
    ) -> None:
        self.store = store
        self.loader = loader
        self.writer = writer
        self.on_stored = on_stored
        self.cluster = writer.cluster
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
    ) -> IngestResult:
        """Store ``items`` in order. ``contexts`` gives (trace_id, source) per item (NATS subjects), else the defaults.

        ``received_ms`` stands in for a UnifiedEvent without a timestamp and a change without ``observed_at``.
        """
        result = IngestResult()
        pending: list[NormalEvent] = []
        for index, item in enumerate(items):
            tid, src = contexts[index] if contexts is not None else (trace_id, source)
            try:
                kind = classify_line(item)
                if kind == "k8s_event":
                    pending.append(parse_k8s_event(item, self.cluster))
                elif kind == "unified":
                    pending.append(
                        parse_unified(item, trace_id=tid, source=src, cluster=self.cluster, received_ms=received_ms)
                    )
                else:
                    change = self._change(item, received_ms)
                    if pending:
                        result.stored.extend(self.writer.write(pending))
                        pending = []
                    pending.extend(change())
                    result.changes += 1
            except RejectedInput as exc:
                result.rejected.append(Rejection(index, str(exc)))
        if pending:
            result.stored.extend(self.writer.write(pending))
        if self.on_stored is not None and result.stored:
            self.on_stored(sorted(result.stored, key=event_time))
        return result

    def _change(self, item: Mapping[str, Any], received_ms: int) -> Callable[[], list[NormalEvent]]:
        """Validate a watch change now (so a bad one is rejected before anything is written); apply it later."""
        if self.loader is None:
            raise RejectedInput("type: a watch change, but this pipeline has no topology loader")
        obj = item["object"]
        raw_at = item.get("observed_at")
        if raw_at not in (None, ""):
            at = parse_time(raw_at, "observed_at")
        elif received_ms > 0:
            at = received_ms
        else:
            raise RejectedInput("observed_at: missing")
        if not isinstance(obj.get("kind"), str) or not obj.get("kind"):
            raise RejectedInput("object.kind: missing")
        meta = obj.get("metadata")
        if not isinstance(meta, Mapping) or not meta.get("uid") or not isinstance(meta.get("uid"), str):
            raise RejectedInput("object.metadata.uid: missing")
        loader = self.loader
        if item["type"] == "DELETED":
            return lambda: loader.delete(obj, at)
        return lambda: loader.apply([obj], at)
