"""The correlator as ``replay`` (and any batch source) uses it: the pipeline's ``on_stored`` in, JSON lines out.

The same ``Engine.process`` as the live service; each published result version becomes one line of ``out``
(the bytes the publisher would send). Deterministic: the same input gives the same lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from correlate.engine import Engine
from correlate.settings import CorrelateSettings
from graph import GraphStore
from model.event import StoredEvent
from model.result import CorrelationResult


class ReplayCorrelator:
    """Plug ``on_stored`` into ``ingest.pipeline.Pipeline``; every published version is written to ``out``."""

    def __init__(self, store: GraphStore, settings: CorrelateSettings, cluster: str, out: TextIO) -> None:
        # A replay holds the disorder bound back instead of speculating: nobody waits for its lines, and each
        # correlation then has only the versions its growth makes (none superseded by placing events again).
        self.engine = Engine(store, settings.model_copy(update={"speculate": False}), cluster)
        self.out = out
        self.lines = 0

    def on_stored(self, events: Sequence[StoredEvent]) -> None:
        self.emit(self.engine.process(events))

    def finish(self) -> None:
        """Correlate what the engine still holds back (the newest events, within the disorder bound)."""
        self.emit(self.engine.flush())

    def emit(self, results: Sequence[CorrelationResult]) -> None:
        for r in results:
            self.out.write(r.to_json() + "\n")
        self.lines += len(results)
        self.out.flush()
