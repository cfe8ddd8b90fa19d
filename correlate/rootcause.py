"""Root-cause candidates, ranked: of one event (its related recent events) or of a set of events.

The graph answers which events are linked and in which dependency direction (``related_events``) and what each
event is (``root_cause_candidates``); ``correlate.scoring.rank_root`` ranks them (downstream-of, priors, time).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from correlate import graphio
from correlate import model as m
from correlate.scoring import prior, rank_root
from graph import GraphStore

WINDOW_MS = 15 * 60_000
MAX_CANDIDATES = 200
CLOCK_SLACK_MS = 5_000


class EventNotFound(LookupError):
    """No event with that id."""


def _members(store: GraphStore, ids: Sequence[str]) -> dict[str, m.Member]:
    out = {}
    for r in store.query("root_cause_candidates", {"ids": list(ids)}):
        ctx = m.Context(uid=r["uid"], cluster=r["cluster"], kind=r["kind"], namespace=r["namespace"], name=r["name"])
        out[r["id"]] = m.Member(
            id=r["id"],
            ts=int(r["ts"] or 0),
            reason=r["reason"] or "",
            category=r["category"],
            severity_rank=int(r["severity_rank"]),
            source_kind=r["source_kind"],
            trace_id=r["trace_id"],
            message=r["message"],
            ctx=ctx,
        )
    return out


def rank_set(
    store: GraphStore, ids: Sequence[str], *, window_ms: int = WINDOW_MS, limit: int = 10
) -> list[dict[str, Any]]:
    """The events ``ids`` ranked as the root cause of the others, best first."""
    members = _members(store, list(dict.fromkeys(ids))[:MAX_CANDIDATES])
    if not members:
        return []
    span = max(x.ts for x in members.values()) - min(x.ts for x in members.values())
    rows = [graphio.Asked.member(x) for x in members.values()]
    links = graphio.related_links(store, rows, window_ms=max(window_ms, span), max_hops=4, weak=True)
    inside = [lk for lks in links.values() for lk in lks if lk.b in members]
    return _ranked(members, inside, limit)


def rank_causes(
    store: GraphStore, event_id: str, limit: int = 10, *, window_ms: int = WINDOW_MS
) -> list[dict[str, Any]]:
    """Candidate causes of ``event_id`` (itself included): its related earlier events, ranked, best first."""
    own = _members(store, [event_id])
    if event_id not in own:
        raise EventNotFound(f"no event with id {event_id!r}")
    x = own[event_id]
    links = graphio.related_links(
        store,
        [graphio.Asked.member(x)],
        window_ms=window_ms,
        max_hops=4,
        weak=True,
    ).get(event_id, [])
    links = sorted(links, key=lambda lk: -lk.weight)[:MAX_CANDIDATES]
    others = _members(store, [lk.b for lk in links])
    # causes come before (allowing for clocks a few seconds apart); what followed is a symptom, not a candidate
    members = {**{k: v for k, v in others.items() if v.ts <= x.ts + CLOCK_SLACK_MS}, **own}
    links = [lk for lk in links if lk.b in members]
    ranked = _ranked(members, links, limit)
    by_other = {lk.b: lk for lk in links}
    for r in ranked:
        lk = by_other.get(r["event_id"])
        r["link"] = lk.kind if lk else "self"
        r["link_weight"] = lk.weight if lk else 1.0
    return ranked


def _ranked(members: dict[str, m.Member], links: list[m.Link], limit: int) -> list[dict[str, Any]]:
    out = []
    for rank, (eid, score) in enumerate(rank_root(list(members.values()), links)[:limit], start=1):
        x = members[eid]
        out.append(
            {
                "rank": rank,
                "event_id": eid,
                "score": score,
                "reason": x.reason,
                "category": x.category,
                "ts": x.ts,
                "prior": prior(x.category, x.reason, x.source_kind),
                "resource": {
                    "cluster": x.ctx.cluster,
                    "kind": x.ctx.kind,
                    "namespace": x.ctx.namespace,
                    "name": x.ctx.name,
                    "uid": x.ctx.uid,
                },
            }
        )
    return out
