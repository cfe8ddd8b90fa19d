"""Copies of the engine's in-memory state, for placing events speculatively and placing them again (pure).

The live engine places each event as it arrives (no wait); when one arrives out of event-time order, it goes back
to a checkpoint (the state after every event up to a point no later arrival may precede) and places the events
since then again, in event-time order. A checkpoint must not change when the live state does: each correlation
is copied with its own member and link containers. Member objects are shared (they are not changed once
placed: a repeat replaces its member, ``repeated``), as are the frozen contexts and links.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace

from correlate import model as m
from correlate import recurrence as rec
from correlate.placement import Placement
from correlate.state import ACTIVE, BUILDING
from model.event import StoredEvent

Key = tuple[int, int, str]  # (event time, ns within its ms, event id): the order events are placed in
FIRST: Key = (-(2**62), 0, "")


def order_key(s: StoredEvent) -> Key:
    """The order events are placed in: event time (to the nanosecond where the source gives it), then id."""
    return (s.event.ts, s.event.ts_sub, s.event.id)


def as_told(s: StoredEvent) -> list[tuple[str, StoredEvent]]:
    """``s`` as what happened when: the event at its first time, once, and, when the source has told it again
    (a Kubernetes Event's ``count`` and ``lastTimestamp``), its repeat at the time of the last telling. Each with
    the key it is held and journalled by. A repeat is news when it happens, not when its event first did: an Event
    read with its later tellings folded in (a replay's batch, a relist) must not keep its correlation open, nor
    count as repeated, before then, or the outcome would depend on how the tellings were batched."""
    e = s.event
    if e.last_ts <= e.ts:
        return [(e.id, s)]
    first = replace(s, event=replace(e, count=1, last_ts=e.ts))
    again = replace(s, event=replace(e, ts=e.last_ts, ts_sub=0))
    return [(e.id, first), (f"{e.id}@{e.last_ts}", again)]


def clone_correlation(c: m.Correlation) -> m.Correlation:
    """A copy whose containers are its own (members, links, what was written)."""
    out = copy.copy(c)
    out.members = dict(c.members)
    out.aftermath = dict(c.aftermath)
    out.links = list(c.links)
    out.written_members = set(c.written_members)
    out.written_impacts = set(c.written_impacts)
    return out


def clone_placement(p: Placement) -> Placement:
    """A copy of the open correlations and their indexes."""
    out = Placement(p.learned)
    out.corrs = {cid: clone_correlation(c) for cid, c in p.corrs.items()}
    out.of = dict(p.of)
    out.index = p.index.copy()
    out.links = dict(p.links)
    out.ranking = dict(p.ranking)
    out.past = {k: list(v) for k, v in p.past.items()}
    out.since = p.since
    out.loose = dict(p.loose)
    return out


TOLD_KEPT = 8  # a member's latest tellings kept: enough to see a burst of ``singleton_min_count``


def repeated(x: m.Member, count: int, last_ts: int) -> m.Member:
    """A member seen again (a larger count, a later time): a new object, so that checkpoints keep the old one."""
    told = (*x.told, (last_ts, count))[-TOLD_KEPT:] if x.told else x.told
    return replace(x, count=max(x.count, count), last_ts=max(x.last_ts, last_ts), told=told)


@dataclass
class Checkpoint:
    """The state after placing every event up to ``key`` (in event-time order).

    ``journal_at``: how many events the journal held when it was taken (those are in it); ``touched``: the
    correlations changed since (what the world saw of them survives placing their events again).
    """

    key: Key
    core: Placement
    history: rec.History
    journal_at: int = 0
    touched: dict[str, m.Correlation] = field(default_factory=dict)

    @classmethod
    def of(cls, key: Key, core: Placement, history: rec.History, journal_at: int = 0) -> Checkpoint:
        return cls(key, clone_placement(core), history.copy(), journal_at)

    def restore(self) -> tuple[Placement, rec.History]:
        """Copies to carry on from (the checkpoint stays as it is, for the next time)."""
        return clone_placement(self.core), self.history.copy()


def carry_over(dst: m.Correlation, src: m.Correlation) -> None:
    """What the world has seen of a correlation (its versions, what is written in the graph) is not undone by
    placing its events again: ``dst`` (the correlation placed again) takes it from ``src`` (as it was)."""
    dst.version = src.version
    dst.published = src.published
    dst.last_published = src.last_published
    if src.merged_into:  # its edges were removed when it was merged away
        dst.written_members, dst.written_root, dst.written_impacts = set(), "", set()
    else:
        dst.written_members = src.written_members
        dst.written_root = src.written_root
        dst.written_impacts = src.written_impacts
    if src.published and src.state == ACTIVE and dst.state == BUILDING:
        dst.state = ACTIVE  # a published incident is corrected by a newer version, never taken back to building
