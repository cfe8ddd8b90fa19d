"""The live correlator: stored events in, result versions to publish out."""

from __future__ import annotations

from collections.abc import Sequence

from api.result import CorrelationResult
from causegraph.settings import CorrelateSettings
from graph import GraphStore
from ingest.model import StoredEvent


class Engine:
    """Keeps the open correlations in memory, the graph as the durable copy."""

    def __init__(self, store: GraphStore, settings: CorrelateSettings, cluster: str) -> None:
        self.store = store
        self.settings = settings
        self.cluster = cluster

    def process(self, events: Sequence[StoredEvent]) -> list[CorrelationResult]:
        """Correlate a batch (event-time order); return the result versions to publish now."""
        raise NotImplementedError

    def tick(self, now_ms: int) -> list[CorrelationResult]:
        """State changes from time passing (resolution after a quiet period)."""
        raise NotImplementedError
