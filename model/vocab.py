"""The correlation vocabulary (DESIGN §5, §6) as enums: patterns, states, link kinds, result severities.

``StrEnum`` so that a member is its string: results, graph properties and JSON stay byte for byte what the bare
strings gave, and the engine, the result model and the API's filters share one list of each. The event-side
vocabulary (``Category``, ``SourceKind``, ``EventSeverity``) is in ``model.event``.
"""

from __future__ import annotations

from enum import StrEnum


class Pattern(StrEnum):
    """What kind of incident a correlation is (DESIGN §5 step 5)."""

    CASCADING_FAILURE = "cascading_failure"
    NODE_FAILURE = "node_failure"
    RESOURCE_EXHAUSTION = "resource_exhaustion"
    DEPLOYMENT_ISSUE = "deployment_issue"
    CONFIG_CHANGE = "config_change"
    NETWORK_PARTITION = "network_partition"
    WORKLOAD_FAILURE = "workload_failure"
    RECURRING_FAILURE = "recurring_failure"
    SINGLE_EVENT = "single_event"


class State(StrEnum):
    """The life of a correlation: building -> active -> resolved (``correlate.state``)."""

    BUILDING = "building"
    ACTIVE = "active"
    RESOLVED = "resolved"


class Severity(StrEnum):
    """How bad an incident is (a result's ``severity``; events have the finer ``EventSeverity``)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class LinkKind(StrEnum):
    """How an event joined a correlation: the ``link`` of a chain step and of evidence."""

    ROOT = "root"
    SAME_RESOURCE = "same_resource"
    OWNER = "owner"
    SAME_NODE = "same_node"
    CALLS = "calls"
    SELECTS = "selects"
    SHARED_CONFIG = "shared_config"
    SHARED_VOLUME = "shared_volume"
    SAME_TRACE = "same_trace"
    SAME_WORKLOAD = "same_workload"
    TARGET = "target"  # a network event named the other's resource as what it was calling
    CHANGE = "change"
    AFTERMATH = "aftermath"  # the system's own reaction to a member (correlate.aftermath): shown, not evidence


PATTERNS: tuple[str, ...] = tuple(Pattern)
STATES: tuple[str, ...] = tuple(State)
SEVERITIES: tuple[str, ...] = tuple(Severity)
