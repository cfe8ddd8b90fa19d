"""Response and request bodies of the REST API (the correlation document itself is ``model.result``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from model.result import CorrelationResult

Verdict = Literal["correct", "wrong_root_cause", "not_related"]


class CorrelationPage(BaseModel):
    items: list[CorrelationResult]
    next_cursor: str | None = Field(None, description="pass as `cursor` for the next page; null on the last")


class TimelineResource(BaseModel):
    kind: str
    namespace: str
    name: str
    key: str
    uid: str


class TimelineEvent(BaseModel):
    id: str
    ts: int = Field(description="epoch milliseconds")
    last_ts: int
    reason: str
    type: str
    severity: str
    category: str
    source: str
    message: str
    count: int
    trace_id: str
    role: str
    link: str
    weight: float | None
    root: bool
    resource: TimelineResource


class Timeline(BaseModel):
    correlation_id: str
    root_event_id: str | None
    events: list[TimelineEvent]


class GraphNode(BaseModel):
    id: str
    type: Literal["resource", "event"]
    kind: str
    namespace: str
    name: str
    key: str
    deleted: bool
    roles: list[str]
    ts: int | None = None
    severity: str | None = None


class GraphEdge(BaseModel):
    source: str
    target: str
    type: str


class IncidentGraph(BaseModel):
    correlation_id: str
    nodes: list[GraphNode]
    edges: list[GraphEdge]


class FeedbackIn(BaseModel):
    """A verdict on a correlation. ``wrong_root_cause`` names the right event; ``not_related`` may name the
    event that does not belong."""

    model_config = ConfigDict(extra="forbid")

    verdict: Verdict
    event_id: str | None = Field(None, min_length=1, max_length=256)
    comment: str = Field("", max_length=2000)

    @field_validator("event_id", "comment")
    @classmethod
    def no_nul(cls, value: str | None) -> str | None:
        if value is not None and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value


class FeedbackOut(BaseModel):
    id: str
    correlation_id: str
    verdict: Verdict
    event_id: str | None
    comment: str
    at: int


class RootCauses(BaseModel):
    event_id: str
    causes: list[dict[str, Any]]


class Groups(BaseModel):
    cluster: str | None
    groups: list[dict[str, Any]]


class ResourceRefOut(BaseModel):
    kind: str
    namespace: str
    name: str


class ResourceList(BaseModel):
    items: list[ResourceRefOut]


class NeighbourNode(BaseModel):
    id: str
    kind: str
    namespace: str
    name: str
    key: str
    deleted: bool
    depth: int


class ResourceView(BaseModel):
    resource: dict[str, Any]
    depth: int
    nodes: list[NeighbourNode]
    edges: list[GraphEdge]
    truncated: bool
    events: list[dict[str, Any]]


MAX_ERRORS_LISTED = 1000


class RejectedItem(BaseModel):
    """One item of the request that was not stored: its position in the array (0 for a single object) and why."""

    index: int
    reason: str


class Accepted(BaseModel):
    accepted: int
    rejected: int
    errors: list[RejectedItem] = Field([], description=f"each rejected item (the first {MAX_ERRORS_LISTED})")
    correlations: list[str] = Field([], description="ids of correlations this batch created or changed")


class AlertsAccepted(Accepted):
    unlinked: int = Field(0, description="alerts stored without a resource: their labels name nothing in the graph")


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, str] = {}
    # Several serve processes elect one correlator: whether this is it, and since when (absent: no correlator).
    correlation_leader: bool | None = None
    correlation_leader_since: datetime | None = None
