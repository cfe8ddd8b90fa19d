"""Caller and callee from span parentage: a same-trace link gets a direction only when one span is the other's
parent or the trace's root above it."""

from __future__ import annotations

import pytest

from correlate import model as m
from correlate.spans import orient, span_of


def span(eid: str, uid: str, span_id: str, parent: str = "") -> m.Member:
    detail = {"span_id": span_id} | ({"parent_span_id": parent} if parent else {})
    return m.Member(
        id=eid, ts=0, reason="slow_span", category="performance", severity_rank=4, ctx=m.Context(uid=uid), detail=detail
    )


CALLER = span("a", "front", "s1")
CALLEE = span("b", "cart", "s2", parent="s1")
OTHER = span("c", "ads", "s3", parent="s9")


def trace_link(a: str, b: str, kind: str = m.SAME_TRACE, direction: int = 0) -> m.Link:
    return m.Link(a, b, kind, 0.95, direction)


@pytest.mark.parametrize(
    ("x", "y", "link", "direction"),
    [
        (CALLER, CALLEE, trace_link("a", "b"), 1),  # the callee's span is upstream of the caller's: it explains it
        (CALLEE, CALLER, trace_link("b", "a"), -1),  # the caller's span is downstream
        (CALLEE, OTHER, trace_link("b", "c"), 0),  # one trace, no parentage known: still siblings
        (CALLER, OTHER, trace_link("a", "c"), 1),  # the trace's root span was calling, through others, every span
        (OTHER, CALLER, trace_link("c", "a"), -1),
        (span("r", "ads", "s5"), CALLER, trace_link("r", "a"), 0),  # two roots: neither is below the other
        (CALLER, None, trace_link("a", "b"), 0),  # the other event is not known here
        (CALLER, CALLEE, trace_link("a", "b", m.SAME_NODE), 0),  # only same-trace links are oriented
        (CALLER, span("d", "front", "s4", parent="s1"), trace_link("a", "d"), 0),  # one resource: nothing to orient
    ],
)
def test_orient(x: m.Member, y: m.Member | None, link: m.Link, direction: int) -> None:
    assert orient(x, link, y).direction == direction


def test_span_of_reads_the_detail() -> None:
    assert span_of(CALLEE) == ("s2", "s1")
    assert span_of(span("e", "u", "")) == ("", "")
