"""The engine's settings: windows and thresholds (DESIGN §5).

A plain model: ``causegraph.settings`` composes it into the one settings object that reads the environment
(``CAUSEGRAPH_CORRELATE__*``); nothing here reads it.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

# The longest CALLS path ``related_events.cypher`` follows (``[:CALLS*1..3]``): a variable-length bound cannot
# be a parameter, so ``max_hops`` can only shorten it.
CALLS_HOPS_IN_CYPHER = 3


class CorrelateSettings(BaseModel):
    """Windows and thresholds of the engine."""

    window_ms: int = Field(15 * 60_000, ge=1_000)
    # Arrival out of event-time order within this bound (clock skew, delivery jitter, batches) changes nothing.
    # Without ``speculate``, events are placed once the newest event is this much younger (the least delay).
    disorder_ms: int = Field(2_000, ge=0, le=60_000)
    # Place each event as it arrives and publish at once; an arrival out of event-time order within the bound
    # places the events since a checkpoint again (later versions supersede), so the outcome is the same as
    # holding ``disorder_ms`` back, without the wait. Off: hold back (fewer versions, each result that much later).
    speculate: bool = True
    active_min_events: int = Field(2, ge=1)
    # Distinct (resource, reason) symptoms an incident needs when none of its events is a cause (an OOM kill, a
    # node condition, a change): fewer are background warnings that happen to touch each other.
    active_min_symptoms: int = Field(3, ge=1)
    active_min_confidence: float = Field(0.5, ge=0, le=1)
    # ... and only when that many symptoms so close together are this unlikely (-log10 of the chance) for their
    # resources' own past half hour: background warnings on resources that always have some are no incident.
    active_min_surprise: float = Field(2.0, ge=0)
    # ... and one resource's anomalies alone this unlikely, or this many resources in trouble at once: lone
    # warnings on a few quiet pods that happen to touch each other are what a busy namespace always shows. At six
    # resources, this clause alone let in six noise-only results and one incident on the independent generator's
    # development seeds; ten keeps it for a wide outage and leaves most of that background out.
    active_min_resource_surprise: float = Field(3.0, ge=0)
    active_broad_resources: int = Field(10, ge=1)
    active_trace_resources: int = Field(3, ge=2)  # ... or one request (trace id) failing on this many resources
    resolve_quiet_ms: int = Field(30 * 60_000, ge=1_000)
    # The longest service-call path (CALLS hops) that links two events; at most what the Cypher follows.
    max_hops: int = Field(CALLS_HOPS_IN_CYPHER, ge=1, le=CALLS_HOPS_IN_CYPHER)
    recurrence_min: int = Field(2, ge=2)
    # A lone warning that nothing explains is published only when critical or repeated this many times; symptoms
    # with no cause need as many serious events (``state.SERIOUS_RANK``), or one warning repeated as often.
    singleton_min_count: int = Field(3, ge=1)
