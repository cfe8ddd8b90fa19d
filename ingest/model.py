"""The normalised event: one shape for Kubernetes Events, collector events and recorded changes (DESIGN §4).

Pure data; parsers in ``ingest.events`` build it, ``ingest.load`` writes it, ``correlate`` reads it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class SourceKind(StrEnum):
    """Where an event came from."""

    K8S_EVENT = "k8s_event"
    COLLECTOR = "collector"
    CHANGE = "change"
    ALERT = "alert"  # a Prometheus alert through Alertmanager (ingest.alerts)


class Category(StrEnum):
    """What kind of thing happened; decides more than the Normal/Warning type does."""

    RESOURCE_EXHAUSTION = "resource_exhaustion"
    CRASH = "crash"
    PROBE = "probe"
    SCHEDULING = "scheduling"
    IMAGE = "image"
    NETWORK = "network"
    PERFORMANCE = "performance"  # latency and slow spans: what callers feel, rarely the cause
    SATURATION = "saturation"  # a pod using more CPU or memory than it did: its own trouble, not yet a failure
    NODE = "node"
    STORAGE = "storage"
    CONFIG = "config"
    ROLLOUT = "rollout"
    APPLICATION_ERROR = "application_error"
    LIFECYCLE = "lifecycle"
    INFORMATIONAL = "informational"


SEVERITIES: tuple[str, ...] = ("debug", "info", "low", "medium", "warning", "high", "error", "critical")
# One scale: 0 (debug) .. 7 (critical). "warning" and above count as warning-level input.
SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}
WARNING_RANK = SEVERITY_RANK["warning"]


@dataclass(frozen=True)
class ResourceRef:
    """What an event is about, as far as its source says."""

    cluster: str = ""
    kind: str = ""
    namespace: str = ""
    name: str = ""
    uid: str = ""

    @property
    def key(self) -> str:
        return f"{self.cluster}/{self.kind}/{self.namespace}/{self.name}" if self.kind and self.name else ""


@dataclass(frozen=True)
class NetworkRef:
    """IPs of a network event, for resolving where it happened."""

    source_ip: str = ""
    dest_ip: str = ""
    dest_port: int = 0
    status_code: int = 0
    direction: str = ""


@dataclass(frozen=True)
class NormalEvent:
    """One event, from any source."""

    id: str
    ts: int  # epoch milliseconds, the event's own time
    source_kind: SourceKind
    reason: str
    type: str  # Normal | Warning
    severity: str  # one of SEVERITIES
    category: Category
    message: str = ""
    source: str = ""
    trace_id: str = ""
    count: int = 1
    last_ts: int = 0
    resource: ResourceRef = field(default_factory=ResourceRef)
    network: NetworkRef | None = None
    node_name: str = ""
    workload_kind: str = ""
    workload_name: str = ""
    # Free-form facts (before/after of a change, changed keys, exit code); JSON-encoded in the graph.
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def severity_rank(self) -> int:
        return SEVERITY_RANK.get(self.severity, 1)

    @property
    def is_warning(self) -> bool:
        return self.severity_rank >= WARNING_RANK

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class StoredEvent:
    """An event after it is written: the resource it resolved to ('' when it resolved to nothing).

    ``new`` is False when the same event id was already stored (a redelivery, or a Kubernetes Event updated
    again), so the correlator can tell a repeat from a new fact.
    """

    event: NormalEvent
    resource: ResourceRef = field(default_factory=ResourceRef)
    resolved_by: str = ""  # uid | key | ip | ""
    new: bool = True
    target_uid: str = ""  # what a network event was calling (its destination pod or service), when resolved
