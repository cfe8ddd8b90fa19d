"""Caller and callee from spans (pure): of two events in one trace, the one whose span is the other's parent was
calling it, and a trace's root span (no parent) was calling, through others, every span of the trace below it. A
slow or failed span whose descendant span (on another resource) is slow or failing too points at that callee: the
trace names it, as an address would. Same trace without such parentage stays a symmetric link."""

from __future__ import annotations

from dataclasses import replace

from correlate import model as m


def span_of(x: m.Member) -> tuple[str, str]:
    """``(span id, parent span id)`` of ``x`` ('' where unknown)."""
    return str(x.detail.get("span_id") or ""), str(x.detail.get("parent_span_id") or "")


def orient(x: m.Member, link: m.Link, y: m.Member | None) -> m.Link:
    """``link`` (from ``x`` to ``y``) directed when one span is the other's parent: ``direction`` 1 when ``y`` is
    the callee (it explains ``x``), -1 when ``y`` is the caller. Other links are returned unchanged."""
    if y is None or link.kind != m.SAME_TRACE or link.direction != 0 or x.ctx.uid == y.ctx.uid:
        return link
    xs, xp = span_of(x)
    ys, yp = span_of(y)
    if xs and (yp == xs or (not xp and yp)):  # x's span is y's parent, or the trace's root above it
        return replace(link, direction=1)
    if ys and (xp == ys or (not yp and xp)):
        return replace(link, direction=-1)
    return link
