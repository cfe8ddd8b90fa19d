"""The correlation result document of DESIGN §6: what NATS subscribers, the REST API and ``replay --out`` see.

The contract between the engine that produces it (``correlate``) and what serves it (``api``), so it lives below
both. One pydantic model, ``CorrelationResult``; ``json_schema()`` is its JSON Schema, which ``api.schema`` exports
to the committed ``api/correlation.schema.json``. ``to_json()`` is the one serialisation (aliases, no ``None``
fields such as ``recurrence`` outside recurring failures, stable key order).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from model.vocab import LinkKind, Pattern, Severity, State

SCHEMA_ID: Literal["causegraph.correlation/v1"] = "causegraph.correlation/v1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class ResourceId(_Model):
    """A Kubernetes object, as a person names it (plus its uid when known)."""

    cluster: str = ""
    kind: str = ""
    namespace: str = ""
    name: str = ""
    uid: str = ""


class RootCause(_Model):
    """The event the others are downstream of."""

    event_id: str
    reason: str = ""
    at: str = Field("", description="RFC3339 UTC time of the event")
    resource: ResourceId = ResourceId()
    description: str = ""
    inferred: bool = Field(False, description="the resource has no event of its own: the symptoms point at it")
    inferred_because: str = ""


class ChainLink(_Model):
    """One step from the root cause outwards, with the kind of link that joined it."""

    event_id: str
    resource: ResourceId = ResourceId()
    link: LinkKind = LinkKind.ROOT
    reason: str = ""
    at: str = ""


class Impact(_Model):
    """What the correlation touches."""

    services: list[str] = []
    workloads: list[str] = Field([], description="kind/namespace/name of affected workloads")
    pods: int = 0
    nodes: list[str] = []
    namespaces: list[str] = []


class Evidence(_Model):
    """Why two events are together: the link between them and its weight."""

    link: LinkKind
    from_: str = Field(alias="from")
    to: str
    weight: float = Field(ge=0, le=1)


class Recurrence(_Model):
    """A failure that comes back at a regular interval."""

    period_seconds: int = Field(ge=0)
    occurrences: int = Field(ge=2)
    previous: list[str] = Field([], description="correlation ids of the earlier occurrences, oldest first")
    since: str = Field("", description="RFC3339 UTC time of the first occurrence")


class CorrelationResult(_Model):
    """One version of one correlation (DESIGN §6). ``version`` grows with each publish."""

    schema_: Literal["causegraph.correlation/v1"] = Field(SCHEMA_ID, alias="schema")
    id: str
    version: int = Field(ge=1)
    type: Pattern
    state: State
    severity: Severity
    confidence: float = Field(ge=0, le=1)
    summary: str
    root_cause: RootCause
    related_events: list[str] = Field(
        description="every member event id, the root cause included; then the aftermath events (the system's own "
        "reaction to a member: a stopped container, a scaled ReplicaSet; chain link aftermath)"
    )
    chain: list[ChainLink] = []
    impact: Impact = Impact()
    evidence: list[Evidence] = []
    remediation: str = ""
    recurrence: Recurrence | None = None
    trace_ids: list[str] = []
    first_seen: str
    last_seen: str
    cypher: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict with the public field names; ``recurrence`` only when present."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def to_json(self) -> str:
        """Compact JSON, the bytes published on NATS and written by ``replay --out``."""
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> CorrelationResult:
        return cls.model_validate_json(text)

    @property
    def msg_id(self) -> str:
        """The JetStream de-duplication id: ``{id}:{version}``."""
        return f"{self.id}:{self.version}"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the result document (by alias, as serialised)."""
    schema = CorrelationResult.model_json_schema(by_alias=True, mode="serialization")
    schema["$id"] = "https://causegraph.dev/schemas/correlation/v1.json"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
