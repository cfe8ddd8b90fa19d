"""The live correlator's own thread: ingest stores batch N+1 while the engine correlates batch N.

Stored batches are queued in the order the pipeline stored them. The thread takes every batch queued while it
worked on the previous one and correlates them in one call (the engine orders by event time), so a backlog makes
fewer, bigger batches (one graph question per batch instead of one per small fetch) rather than a longer queue.
A batch that repeats an event id of the batches already taken starts the next call, so an event and its repeat
are never new to the engine together. ``submit`` blocks while ``max_pending`` events wait: the consumer then acks
later and JetStream holds the rest.

``waiting_s`` is the correlator's delay for ``/metrics``: how long the oldest stored batch not yet correlated (queued,
or in the call under way) has waited since it was submitted; it grows while the correlator falls behind.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

log = logging.getLogger(__name__)

MAX_PENDING = 20_000


def take(queue: deque[list[Any]], key: Callable[[Any], str]) -> list[Any]:
    """Pop the leading batches of ``queue`` whose ids do not repeat one another; at least one batch (pure)."""
    taken: list[Any] = []
    seen: set[str] = set()
    while queue:
        ids = [key(x) for x in queue[0]]
        if taken and not seen.isdisjoint(ids):
            break
        seen.update(ids)
        taken.extend(queue.popleft())
    return taken


class CorrelatorThread:
    """Runs ``process(events)`` in one thread, on the batches submitted from any other."""

    def __init__(
        self,
        process: Callable[[list[Any]], None],
        *,
        key: Callable[[Any], str] = lambda s: str(s.event.id),
        max_pending: int = MAX_PENDING,
        name: str = "correlator",
    ) -> None:
        self._process = process
        self._key = key
        self.max_pending = max_pending
        self._queue: deque[list[Any]] = deque()
        self._since: deque[float] = deque()  # when each queued batch was submitted (monotonic)
        self._started: float | None = None  # when the oldest batch of the call under way was submitted
        self._pending = 0
        self._busy = False
        self._stopping = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.calls = 0
        self.failures = 0

    def start(self) -> CorrelatorThread:
        self._thread.start()
        return self

    def submit(self, events: Sequence[Any]) -> None:
        """Queue a stored batch (event-time order within it); waits while ``max_pending`` events are queued."""
        if not events:
            return
        with self._cond:
            while self._pending >= self.max_pending and not self._stopping and self._thread.is_alive():
                self._cond.wait(0.5)
            self._queue.append(list(events))
            self._since.append(time.monotonic())
            self._pending += len(events)
            self._cond.notify_all()

    @property
    def pending(self) -> int:
        """Events submitted and not yet taken by a call."""
        return self._pending

    def waiting_s(self, now: float | None = None) -> float:
        """Seconds the oldest batch not yet correlated has waited since it was submitted; 0 when none waits."""
        with self._cond:
            oldest = self._started if self._started is not None else (self._since[0] if self._since else None)
        return 0.0 if oldest is None else max(0.0, (time.monotonic() if now is None else now) - oldest)

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every submitted batch is correlated; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue and not self._busy, timeout)

    def stop(self, timeout: float | None = None) -> bool:
        """Correlate what is queued, then end the thread; False when it did not finish in time."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._queue) or self._stopping)
                if not self._queue:
                    return  # stopping, nothing left
                before = len(self._queue)
                events = take(self._queue, self._key)
                self._started = self._since[0]
                for _ in range(before - len(self._queue)):
                    self._since.popleft()
                self._pending -= len(events)
                self._busy = True
                self._cond.notify_all()
            try:
                self._process(events)
                self.calls += 1
            except Exception:  # one failed batch must not end the correlator; its events stay stored
                self.failures += 1
                log.exception("correlating %d events failed", len(events))
            finally:
                with self._cond:
                    self._busy = False
                    self._started = None
                    self._cond.notify_all()
