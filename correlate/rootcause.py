"""Root-cause candidates of an event, ranked, from the graph."""

from __future__ import annotations

from typing import Any

from graph import GraphStore


def rank_causes(store: GraphStore, event_id: str, limit: int = 10) -> list[dict[str, Any]]:
    """Candidate causes of ``event_id`` (itself included), best first, each with its score and link."""
    raise NotImplementedError
