"""The vocabulary enums are their strings: JSON, graph properties and comparisons see no difference."""

from __future__ import annotations

import json

from model.event import SEVERITIES, SEVERITY_RANK, EventSeverity
from model.vocab import PATTERNS, STATES, LinkKind, Pattern, Severity, State


def test_members_are_their_strings() -> None:
    assert Pattern.NODE_FAILURE == "node_failure" and f"{State.ACTIVE}" == "active"
    assert json.dumps({"link": LinkKind.CALLS}) == '{"link": "calls"}'
    assert {Severity.HIGH} == {"high"}


def test_design_lists() -> None:
    assert len(PATTERNS) == 9 and "single_event" in PATTERNS
    assert STATES == ("building", "active", "resolved")
    assert tuple(Severity) == ("low", "medium", "high", "critical")


def test_event_severity_scale_is_ordered() -> None:
    assert tuple(EventSeverity) == SEVERITIES
    assert SEVERITY_RANK[EventSeverity.WARNING] == 4 and SEVERITY_RANK["critical"] == 7
