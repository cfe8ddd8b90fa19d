"""The event clock as the read side sees it: the newest stored event time, bounded by the wall clock.

The event's own time is the clock (DESIGN §5), so a replayed history answers as of its own end; an event stored
with a time far ahead (from before ingest refused them, or from a skewed source) must not become "now".
"""

from __future__ import annotations

from graph import GraphStore
from ingest.limits import MAX_FUTURE_MS


def event_clock(store: GraphStore, wall_ms: int, max_future_ms: int = MAX_FUTURE_MS) -> int:
    """The newest event time at most ``max_future_ms`` after ``wall_ms``; 0 when there is none."""
    rows = store.query("latest_event_ts_until", {"until": wall_ms + max_future_ms})
    return int(rows[0]["ts"] or 0) if rows else 0
