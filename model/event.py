"""The normalised event: one shape for Kubernetes Events, collector events and recorded changes (DESIGN §4).

Pure data in the bottom layer: ``ingest.normalize`` and ``ingest.changes`` build it, ``ingest.eventwriter`` writes
it, ``correlate`` reads it, and neither of those two imports the other for it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from model.resource import ResourceRef


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


class EventSeverity(StrEnum):
    """An event's severity, the UnifiedEvent scale (DESIGN §4), least first."""

    DEBUG = "debug"
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    WARNING = "warning"
    HIGH = "high"
    ERROR = "error"
    CRITICAL = "critical"


SEVERITIES: tuple[str, ...] = tuple(EventSeverity)
# One scale: 0 (debug) .. 7 (critical). "warning" and above count as warning-level input.
SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}
WARNING_RANK = SEVERITY_RANK["warning"]


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
    # Nanoseconds within ``ts``'s millisecond, where the source gives them: two events of one millisecond are placed
    # in their time order, not by id, so one arriving after the other is not out of order (not kept in the graph).
    ts_sub: int = 0

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
    calls: tuple[tuple[str, str], ...] = ()  # the CALLS edges (caller, callee service uid) its writing recorded
