"""The engine's pure core: the open correlations, where each new event goes, when two are one, and their roots.

No I/O: the engine (the shell) fetches each event's links and the topology around it, hands the events here in
event-time order, and writes what changed (``Step``). The rules themselves are in ``correlate.explain``.
"""

from __future__ import annotations

import hashlib
from bisect import insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from correlate import aftermath, causes, choice, nodeinfer, nodes
from correlate import explain as ex
from correlate import model as m
from correlate import ranking as rk
from correlate import state as st
from correlate.feedback import NOTHING_LEARNED, Learned
from correlate.homes import Index, keys_explained_by, keys_of
from correlate.spans import orient

# A correlation up to this size decides its root again on each new member; a larger one on a cause and every
# REROOT_EVERY members (by count, never by batch: the same events give the same roots however they are batched).
REROOT_EAGER = 24
REROOT_EVERY = 8
PAST_KEPT = 512  # anomaly times kept per resource (its past, against which its anomalies now are judged)


def correlation_id(first_event_id: str) -> str:
    """Deterministic id: the same first event gives the same correlation id."""
    return "corr-" + hashlib.sha256(first_event_id.encode()).hexdigest()[:20]


@dataclass
class Step:
    """What one batch changed: the correlations to assess and write, those merged away, recoveries, and the
    correlations whose root must be decided again (feedback pinned one)."""

    changed: dict[str, m.Correlation] = field(default_factory=dict)
    merged: list[m.Correlation] = field(default_factory=list)
    recovered: set[str] = field(default_factory=set)
    reroot: set[str] = field(default_factory=set)


class Placement:
    """The open correlations in memory, indexed for finding which may explain a new event."""

    def __init__(self, learned: Learned = NOTHING_LEARNED) -> None:
        self.learned = learned
        self.corrs: dict[str, m.Correlation] = {}
        self.of: dict[str, str] = {}  # event id -> correlation id
        self.index = Index()
        self.links: dict[tuple[str, str], m.Link] = {}  # (later, earlier) event ids -> their link
        self.ranking: dict[str, tuple[tuple[str, float], ...]] = {}  # root candidates of each, best first
        self.past: dict[str, list[int]] = {}  # resource and signal keys -> anomaly times, oldest first
        self.since: int | None = None  # the earliest anomaly kept: how long the past has been watched
        self.loose: dict[str, m.Member] = {}  # aftermath events waiting ``LEAD_MS`` for the member they follow

    def holds(self, event_id: str) -> bool:
        """An open correlation holds the event: the only events ``place`` uses a link to."""
        return self.of.get(event_id) in self.corrs

    def place(self, member: m.Member, links: Sequence[m.Link], step: Step) -> m.Correlation:
        """Join the correlation whose root explains ``member``, else open one; then merge what its root explains.
        ``links``: the member's links to other events (the graph's answer)."""
        mine: dict[str, list[m.Link]] = {}
        for lk in links:
            cid = self.of.get(lk.b)
            if cid is not None and cid in self.corrs:
                lk = orient(member, lk, self.corrs[cid].members.get(lk.b))
                mine.setdefault(cid, []).append(lk)
                self.links[(lk.a, lk.b)] = lk
        homes = []
        for cid in sorted(set(mine) | self.index.find(keys_of(member))):
            corr = self.corrs.get(cid)
            if corr is None or corr.merged_into:
                continue
            found = ex.explanation(member, corr, mine.get(cid, ()), self.learned)
            if found is not None:
                homes.append((corr, found))
        if homes:
            corr, why = homes[choice.choose(member, homes, self.learned)]
            member.link, member.linked_to, member.weight = why.link, why.via, why.strength
        else:
            corr = m.Correlation(correlation_id(member.id))
            self.corrs[corr.id] = corr
        corr.members[member.id] = member
        self._remember(member)
        self._take_loose(corr, member, step)
        corr.links.extend(mine.get(corr.id, ()))
        self.of[member.id] = corr.id
        self.index.add_member(corr.id, member)
        step.changed[corr.id] = corr
        grown = causes.is_cause(member, self.learned)
        if len(corr.members) <= REROOT_EAGER or len(corr.members) % REROOT_EVERY == 0 or grown:
            self.reroot(corr, step, near=mine, grown=grown)
        elif causes.callee_down(member, self.learned):  # a pod crash-looping in a large correlation: no reroot
            self._take_refused(corr, step, mine)
        self._infer_node(corr, member, step)
        return corr.current()

    def place_aftermath(self, x: m.Member, step: Step) -> None:
        """An aftermath event (``correlate.aftermath``) goes with the correlation holding the member it follows;
        with none yet, it waits ``LEAD_MS`` of event time for one (its time may be cut to the second). A repeat of
        one waiting replaces it."""
        self._drop_loose(x.ts)
        found = aftermath.holder(x, (c for cid in sorted(self.index.find(keys_of(x))) if (c := self.corrs.get(cid))))
        if found is None:
            if x.ctx.uid:
                self.loose[x.id] = x
            return
        corr, y = found
        self._attach(corr, aftermath.attached(x, y), step)

    def _attach(self, corr: m.Correlation, x: m.Member, step: Step) -> None:
        self.loose.pop(x.id, None)
        corr.aftermath[x.id] = x
        self.of[x.id] = corr.id
        step.changed[corr.id] = corr

    def _take_loose(self, corr: m.Correlation, member: m.Member, step: Step) -> None:
        """The aftermath events waiting on the new member's resource that it came just after."""
        if not self.loose:  # the common case, on every event placed
            return
        self._drop_loose(member.ts)
        for x in [x for x in self.loose.values() if x.ctx.uid == member.ctx.uid and x.ts <= member.ts]:
            self._attach(corr, aftermath.attached(x, member), step)

    def _drop_loose(self, now: int) -> None:
        """Forget the waiting aftermath events no member placed from event time ``now`` on can be followed by (events
        are placed in event-time order: a wall clock here would make the outcome depend on when ticks came)."""
        for eid in [eid for eid, x in self.loose.items() if x.ts + aftermath.LEAD_MS < now]:
            del self.loose[eid]

    def reroot(self, corr: m.Correlation, step: Step, near: Iterable[str] = (), *, grown: bool = False) -> None:
        """Decide the correlation's root again; when it changed, or a cause joined (``grown``: a node told NotReady
        explains more of its pods' callers than its earlier warning did), take in the correlations it explains: those
        the index finds by the root's resource, and ``near``, the correlations of the events the newest member is
        linked to (a cause that arrived after its effects)."""
        before = corr.root
        pinned = self.learned.pinned_root.get(corr.id)
        if pinned in corr.members:  # a person said which event is the root
            x = corr.members[pinned]
            # at the event's own resource, as the person said; a node's lesser warning still named when its pods'
            # symptoms name the node (as ``decide_root`` would)
            named = x.ctx.kind == "Node" and not causes.is_cause(x, self.learned)
            named = named and nodeinfer.inferred_node(list(corr.members.values())) == x.ctx.name
            corr.root = m.Root(x.id, x.ctx, named=named)
        else:
            ranked = rk.rank_resources(list(corr.members.values()), corr.links, self.learned, self.past, self.since)
            self.ranking[corr.id] = tuple((eid, score) for _, eid, score in ranked)
            corr.root = rk.decide_root(list(corr.members.values()), corr.links, self.learned, ranked=ranked)
        if corr.root == before and not grown:
            self._take_refused(corr, step, near)
            return
        size = len(corr.members)
        self.index.set_root(corr.id, corr.root, corr.members[corr.root.event_id])
        for cid in sorted(self.index.find(keys_explained_by(corr.root)) | set(near)):
            other = self.corrs.get(cid)
            if other is None or other is corr or other.merged_into:
                continue
            if ex.root_explains_root(corr, other, self.links, self.learned):
                self._merge(corr, other, step)
        if len(corr.members) != size:  # it took others in: decide again over all
            self.reroot(corr, step)

    def _take_refused(self, corr: m.Correlation, step: Step, near: Iterable[str]) -> None:
        """The root stays: of ``near`` (the correlations of the events the newest member is linked to), take in only
        those rooted at a call the member refused (``causes.takes_refused``: its callers felt a callee go down before
        it was told). Asking the whole merge rule here took background into incidents."""
        size = len(corr.members)
        for cid in sorted(set(near)):
            other = self.corrs.get(cid)
            if other is None or other is corr or other.merged_into:
                continue
            if causes.takes_refused(corr, other, self.links, self.learned):
                self._merge(corr, other, step)
        if len(corr.members) != size:
            self.reroot(corr, step)

    def _infer_node(self, corr: m.Correlation, member: m.Member, step: Step) -> None:
        """Symptom-rooted correlations whose node-scoped symptoms on pods of several workloads of one node fall in a
        short span are one incident of that node: merged, the Node as their (inferred) root."""
        for node in sorted(nodes.pointed_at(member)):
            group = [
                c
                for cid in sorted(self.index.find({"ns:" + node}))
                if (c := self.corrs.get(cid)) is not None
                and not c.merged_into
                and c.root is not None
                and not causes.is_cause(c.members[c.root.event_id], self.learned)
                and (nodes.rooted_at_node(c, node) or nodes.met_there(c.members[c.root.event_id], node))
                and c.last_seen + nodes.NODE_SPAN_MS >= member.ts
            ]
            if corr not in group:
                continue
            signals = [x for c in group for x in c.members.values() if nodes.points_at(x, node)]
            if nodeinfer.inferred_node(signals) != node:
                continue
            group.sort(key=lambda c: (c.first_seen, c.id))
            into = group[0]
            for other in group[1:]:
                self._merge(into, other, step)
            step.changed[into.id] = into
            self.reroot(into, step)
            return

    def root_of(self, corr: m.Correlation) -> m.Member:
        """The current root event."""
        if corr.root is None or corr.root.event_id not in corr.members:
            corr.root = rk.decide_root(list(corr.members.values()), corr.links, self.learned)
        return corr.members[corr.root.event_id]

    def surprises(self, corr: m.Correlation) -> list[float]:
        """How unlikely the correlation's anomalies since its onset are for its resources' own past (-log10), one
        figure per resource: a quiet pod's burst is news beside an entry service that always fires."""
        return list(rk.surprises(list(corr.members.values()), self.past, self.since).values())

    def traced(self, corr: m.Correlation) -> int:
        """The most resources whose events in the correlation share one trace id, or name one callee by its address
        (with the callee's own events): one request failing on several resources, or several callers each seeing
        the same pod fail while it does, is no coincidence (``state.news``). Only callers the graph knows count."""
        members = corr.members.values()
        pairs = [(x.trace_id, x.ctx.uid or x.id) for x in members]
        named = [(x.target.uid, x.ctx.uid) for x in members if x.target is not None and x.target.kind == "Pod"]
        pairs += [(f"to:{target}", caller) for target, caller in named if target and caller]
        pairs += [(f"to:{x.ctx.uid}", x.ctx.uid) for x in members if x.ctx.uid]
        return st.traced_resources(pairs)

    def _remember(self, x: m.Member) -> None:
        """Keep the anomaly's time on its resource: the past that later incidents' anomalies are judged against."""
        key = rk.resource_key(x.ctx)
        self.since = x.ts if self.since is None else min(self.since, x.ts)
        for k in (key, rk.signal_key(key, x.reason)):
            times = self.past.setdefault(k, [])
            insort(times, x.ts)
            if len(times) > PAST_KEPT:
                del times[: PAST_KEPT // 2]

    def prune_past(self, now: int) -> None:
        """Forget the resources with no anomaly in the last two ``PAST_MS``: no onset from ``now`` on looks back
        that far, and a serve running for weeks would otherwise keep every resource that ever misbehaved."""
        horizon = now - 2 * rk.PAST_MS
        for key in [k for k, times in self.past.items() if times[-1] < horizon]:
            del self.past[key]

    def _merge(self, into: m.Correlation, other: m.Correlation, step: Step) -> None:
        """Correlation ``other`` is bridged into ``into``: members, links and recurrence move."""
        for eid, x in other.members.items():
            into.members[eid] = x
            self.of[eid] = into.id
        into.links.extend(other.links)
        for eid, x in other.aftermath.items():
            into.aftermath[eid] = x
            self.of[eid] = into.id
        self.index.remove(other.id)
        for x in other.members.values():
            self.index.add_member(into.id, x)
        other.merged_into = into.id
        other.merged_target = into
        step.changed.pop(other.id, None)
        step.merged.append(other)
        del self.corrs[other.id]
        self.ranking.pop(other.id, None)
        step.changed[into.id] = into

    def forget(self, corr: m.Correlation) -> None:
        """A resolved correlation leaves memory (the graph keeps it)."""
        self.index.remove(corr.id)
        self.ranking.pop(corr.id, None)
        self.corrs.pop(corr.id, None)
        for eid in (*corr.members, *corr.aftermath):
            if self.of.get(eid) == corr.id:
                del self.of[eid]

    def adopt(self, corr: m.Correlation) -> None:
        """Take in a correlation rebuilt from the graph (a restart): its members are found again."""
        self.corrs[corr.id] = corr
        for eid in corr.aftermath:
            self.of[eid] = corr.id
        for x in corr.members.values():
            self.of[x.id] = corr.id
            self.index.add_member(corr.id, x)
            self._remember(x)

    def home(self, event_id: str) -> m.Correlation | None:
        """The open correlation an event is in."""
        cid = self.of.get(event_id)
        return self.corrs.get(cid) if cid is not None else None

    def open(self) -> list[m.Correlation]:
        return [c for c in self.corrs.values() if not c.merged_into]
