"""The live correlator: stored events in (event-time order), result versions to publish out (DESIGN §5).

Per batch: one graph question for the links of all new events (``related_events``), one for the topology around
their resources (``event_context``, cached); then, per event in time order, join / merge / open a correlation in
memory; then assess (root, pattern, confidence, severity), move the state, version and write each changed
correlation to the graph in a few batched writes. The graph is the durable copy; the returned documents are what
to publish now.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from api.result import CorrelationResult
from causegraph.settings import CorrelateSettings
from correlate import graphio
from correlate import model as m
from correlate import recurrence as rec
from correlate import state as st
from correlate.document import Assessment, Pieces, build
from correlate.feedback import NOTHING_LEARNED, Verdict, learn
from correlate.narrative import Facts, Revision
from correlate.patterns import name_pattern, pods_of, services_of, severity, workloads_of
from correlate.scoring import confidence, prior, rank_root
from graph import GraphStore
from ingest.model import WARNING_RANK, Category, SourceKind, StoredEvent

log = logging.getLogger(__name__)

CAUSE_CATEGORIES = (Category.ROLLOUT, Category.CONFIG)
RECOVERY_REASONS = frozenset({"NodeReady", "Recovered", "NodeHasSufficientMemory", "NodeHasNoDiskPressure"})
CONTEXT_CACHE_MAX = 200_000
FEEDBACK_REFRESH_MS = 30_000  # how often a running engine reads new verdicts
FEEDBACK_LIMIT = 10_000
CAUSE_PRIOR = 0.8  # events at least this likely to be causes (exhaustion, node, changes)


def correlation_id(first_event_id: str) -> str:
    """Deterministic id: the same first event gives the same correlation id."""
    return "corr-" + hashlib.sha256(first_event_id.encode()).hexdigest()[:20]


@dataclass
class _Batch:
    changed: dict[str, m.Correlation] = field(default_factory=dict)
    merged: list[m.Correlation] = field(default_factory=list)
    recovered: set[str] = field(default_factory=set)


class Engine:
    """Keeps the open correlations in memory, the graph as the durable copy."""

    def __init__(self, store: GraphStore, settings: CorrelateSettings, cluster: str) -> None:
        self.store = store
        self.settings = settings
        self.cluster = cluster
        self.now = 0
        self._corrs: dict[str, m.Correlation] = {}
        self._of: dict[str, str] = {}  # event id -> correlation id
        self._ctx: dict[str, m.Context] = {}
        self._history = rec.History(settings)
        self._roots: dict[str, tuple[int, str]] = {}
        self._pieces: dict[str, Pieces] = {}  # per-member document pieces of each correlation
        self.learned = NOTHING_LEARNED
        self._feedback_checked: int | None = None
        self.refresh_feedback()

    # ------------------------------------------------------------------ public
    def process(self, events: Sequence[StoredEvent]) -> list[CorrelationResult]:
        """Correlate a batch (event-time order); return the result versions to publish now."""
        batch = _Batch()
        wanted = sorted((s for s in events if self._relevant(s)), key=lambda s: (s.event.ts, s.event.id))
        fresh = []
        for s in wanted:
            cid = self._of.get(s.event.id)
            if cid is not None and cid in self._corrs:
                self._repeat(self._corrs[cid], s, batch)
            elif s.event.reason in RECOVERY_REASONS:
                self._recover(s, batch)
            else:
                fresh.append(s)
        if wanted:
            self.now = max(self.now, max(s.event.ts for s in wanted))
        self._load_contexts({s.resource.uid for s in fresh})
        rows = [{"id": s.event.id, "uid": s.resource.uid, "ts": s.event.ts, "trace": s.event.trace_id} for s in fresh]
        links = graphio.related_links(
            self.store, rows, window_ms=self.settings.window_ms, max_hops=self.settings.max_hops, min_rank=WARNING_RANK
        )
        for s in fresh:
            self._place(s, links.get(s.event.id, []), batch)
        return self._finish(batch, self.now)

    def tick(self, now_ms: int) -> list[CorrelationResult]:
        """State changes from time passing: quiet correlations resolve (and leave memory); new feedback applies."""
        self.now = max(self.now, now_ms)
        batch = _Batch()
        if self._feedback_checked is None or now_ms - self._feedback_checked >= FEEDBACK_REFRESH_MS:
            self._feedback_checked = now_ms
            pinned_before = dict(self.learned.pinned_root)
            self.refresh_feedback()
            for cid, eid in self.learned.pinned_root.items():
                corr = self._corrs.get(cid)
                if corr is not None and pinned_before.get(cid) != eid and eid in corr.members:
                    self._roots.pop(cid, None)
                    batch.changed[cid] = corr  # re-assessed with the root people named
        return self._finish(batch, self.now)

    def refresh_feedback(self) -> None:
        """Read the stored verdicts again (``POST /correlations/{id}/feedback`` writes them)."""
        rows = self.store.query("feedback_verdicts", {"limit": FEEDBACK_LIMIT})
        self.learned = learn(
            Verdict(
                verdict=str(r["verdict"] or ""),
                correlation_id=str(r["correlation_id"] or ""),
                pattern=str(r["pattern"] or ""),
                root_reason=str(r["root_reason"] or ""),
                right_event_id=str(r["right_event_id"] or ""),
                right_reason=str(r["right_reason"] or ""),
            )
            for r in rows
        )

    def open_correlations(self) -> list[m.Correlation]:
        return [c for c in self._corrs.values() if not c.merged_into]

    # ------------------------------------------------------------------ placing events
    def _relevant(self, s: StoredEvent) -> bool:
        e = s.event
        return (
            e.is_warning
            or (e.source_kind == SourceKind.CHANGE and e.category in CAUSE_CATEGORIES)
            or e.reason in RECOVERY_REASONS
        )

    def _member(self, s: StoredEvent) -> m.Member:
        e = s.event
        ctx = self._ctx.get(s.resource.uid) or m.Context(
            uid=s.resource.uid,
            cluster=s.resource.cluster or self.cluster,
            kind=s.resource.kind,
            namespace=s.resource.namespace,
            name=s.resource.name,
            node=e.node_name,
            workload_kind=e.workload_kind,
            workload_namespace=s.resource.namespace if e.workload_name else "",
            workload_name=e.workload_name,
        )
        return m.Member(
            id=e.id,
            ts=e.ts,
            reason=e.reason,
            category=e.category.value,
            severity_rank=e.severity_rank,
            source_kind=e.source_kind.value,
            type=e.type,
            message=e.message,
            trace_id=e.trace_id,
            count=e.count,
            last_ts=e.last_ts,
            ctx=ctx,
            detail=dict(e.detail),
        )

    def _place(self, s: StoredEvent, links: list[m.Link], batch: _Batch) -> None:
        member = self._member(s)
        known = [lk for lk in links if lk.b in self._of and self._of[lk.b] in self._corrs]
        strong = [
            lk
            for lk in known
            if lk.weight >= self.settings.join_threshold and self._may_explain(member, lk, self._corrs[self._of[lk.b]])
        ]
        if strong:
            best = max(strong, key=lambda lk: (lk.weight, -self._corrs[self._of[lk.b]].first_seen, lk.b))
            member.link, member.linked_to, member.weight = best.kind, best.b, best.weight
            home = self._corrs[self._of[best.b]]
            bridging = {home.id} | {self._of[lk.b] for lk in strong if self._bridges(lk, home)}
            # the survivor of a merge: a recurring correlation, else the oldest
            targets = sorted(bridging, key=lambda c: (self._corrs[c].recurring is None, self._corrs[c].first_seen, c))
            corr = self._corrs[targets[0]]
            for other in targets[1:]:
                self._merge(corr, self._corrs[other], batch)
        else:
            recurring, absorbed = self._history.recurring_for(member)
            corr = recurring or m.Correlation(correlation_id(member.id))
            for home in absorbed:
                if home.id in self._corrs and home.id != corr.id:
                    self._merge(corr, self._corrs[home.id], batch)
            if corr.members:
                member.link, member.linked_to, member.weight = m.SAME_WORKLOAD, next(iter(corr.members)), 0.6
            self._corrs[corr.id] = corr
        corr.members[member.id] = member
        corr.links.extend(lk for lk in known if self._of[lk.b] == corr.id)
        self._of[member.id] = corr.id
        self._history.observe(member, corr)
        batch.changed[corr.id] = corr

    def _may_explain(self, member: m.Member, link: m.Link, corr: m.Correlation) -> bool:
        """A new cause upstream of a mere symptom of a correlation that already has its own cause is another incident.

        It joins when it is upstream of the correlation's root (a node under pods that fail), or when either it or
        that root is no cause-like event.
        """
        if link.direction >= 0 or prior(member.category, member.reason, member.source_kind) < CAUSE_PRIOR:
            return True
        root = self._root_of(corr)
        other = corr.members.get(link.b)
        if link.b == root.id or (corr.recurring is not None and other is not None and other.reason == root.reason):
            return True
        return prior(root.category, root.reason, root.source_kind) < CAUSE_PRIOR

    def _bridges(self, link: m.Link, home: m.Correlation) -> bool:
        """Whether an event that joins ``home`` also merges the correlation behind ``link`` into it.

        A common cause (the event is upstream of the other correlation's root) merges. A symptom of two causes
        joins the likelier one only. A sibling (same resource, workload, trace) merges unless both correlations
        already have a cause of their own: two incidents that touch the same caller stay two.
        """
        other = self._corrs[self._of[link.b]]
        if other.id == home.id or link.direction > 0:
            return False
        if link.direction < 0:
            return True
        roots = (self._root_of(home), self._root_of(other))
        return not all(prior(r.category, r.reason, r.source_kind) >= CAUSE_PRIOR for r in roots)

    def _ranking(self, corr: m.Correlation) -> tuple[tuple[str, float], ...]:
        """Members ranked as root; a recurring failure's root is its first occurrence."""
        ranking = tuple(rank_root(list(corr.members.values()), corr.links, self.learned))
        first = self._history.first.get(corr.id)
        pinned = self.learned.pinned_root.get(corr.id)
        if pinned in corr.members:  # a person said which event is the root
            first = pinned
        elif corr.recurring is None:
            first = None
        if first in corr.members:
            ranking = ((first, 1.0), *(r for r in ranking if r[0] != first))
        return ranking

    def _root_of(self, corr: m.Correlation) -> m.Member:
        """The current root (cached until the correlation grows)."""
        cached = self._roots.get(corr.id)
        if cached is None or cached[0] != len(corr.members):
            cached = (len(corr.members), self._ranking(corr)[0][0])
            self._roots[corr.id] = cached
        return corr.members[cached[1]]

    def _merge(self, into: m.Correlation, other: m.Correlation, batch: _Batch) -> None:
        """Correlation ``other`` is bridged into ``into``: members, links and recurrence move."""
        for eid, x in other.members.items():
            into.members[eid] = x
            self._of[eid] = into.id
        into.links.extend(other.links)
        into.recurring = into.recurring or other.recurring
        other.merged_into = into.id
        other.merged_target = into
        batch.changed.pop(other.id, None)
        batch.merged.append(other)
        del self._corrs[other.id]
        self._pieces.pop(other.id, None)

    def _repeat(self, corr: m.Correlation, s: StoredEvent, batch: _Batch) -> None:
        x = corr.members.get(s.event.id)
        if x is None:
            return
        x.count = max(x.count, s.event.count)
        x.last_ts = max(x.last_ts, s.event.last_ts, s.event.ts)
        batch.changed[corr.id] = corr

    def _recover(self, s: StoredEvent, batch: _Batch) -> None:
        """A recovery event about the root's resource resolves an active correlation."""
        for corr in list(self._corrs.values()):
            if corr.state != st.ACTIVE or corr.recurring:
                continue
            root = self._assess(corr).root
            if corr.members[root].ctx.uid == s.resource.uid and s.resource.uid:
                batch.recovered.add(corr.id)
                batch.changed[corr.id] = corr

    def _load_contexts(self, uids: set[str]) -> None:
        missing = {u for u in uids if u and u not in self._ctx}
        if not missing:
            return
        if len(self._ctx) > CONTEXT_CACHE_MAX:
            self._ctx.clear()
        found = graphio.contexts(self.store, missing)
        self._ctx.update(found)

    # ------------------------------------------------------------------ assessing and emitting
    def _assess(self, corr: m.Correlation) -> Assessment:
        members = list(corr.members.values())
        ranking = self._ranking(corr)
        root = corr.members[ranking[0][0]]
        pattern = name_pattern(members, root, recurring=corr.recurring is not None)
        conf = confidence(members, ranking)
        if corr.id in self.learned.pinned_root and ranking[0][0] == self.learned.pinned_root[corr.id]:
            conf = max(conf, 0.95)  # the root was confirmed by a person
        conf = self.learned.confidence(conf, pattern)
        if pattern == "recurring_failure" and corr.recurring:
            conf = max(conf, min(0.95, 0.5 + 0.1 * corr.recurring.occurrences))
        return Assessment(ranking, pattern, conf, severity(members, pattern))

    def _facts(self, corr: m.Correlation, a: Assessment) -> Facts:
        root = corr.members[a.root]
        members = list(corr.members.values())
        current = rollback = None
        if a.pattern == "deployment_issue":
            history = graphio.rollout_history(self.store, root.ctx.workload_uid)
            if history:
                current = history[0]
                rollback = history[1] if len(history) > 1 else None
            image = root.detail.get("image")
            if rollback is None and isinstance(image, dict) and image.get("before"):
                rollback = Revision("previous", (str(image["before"]),))
        node_services: tuple[str, ...] = ()
        if a.pattern == "node_failure":
            node_services = tuple(services_of(members))
        r = corr.recurring
        return Facts(
            rollback_to=rollback,
            current=current,
            workload_pods=root.ctx.workload_replicas,
            failing_pods=len(pods_of(members)),
            period_seconds=r.period_seconds if r else 0,
            occurrences=r.occurrences if r else 0,
            since_image=r.since_image if r else "",
            node_services=node_services,
        )

    def _finish(self, batch: _Batch, now: int) -> list[CorrelationResult]:
        """Assess, move the state, version and write what changed; expire quiet correlations.

        A batch may span more time than the quiet period (a replay): a correlation with enough evidence still
        becomes active (and is published) before it resolves, so nothing that was an incident goes unreported.
        """
        for corr in list(self._corrs.values()):
            if corr.id not in batch.changed and st.is_quiet(corr.last_seen, now, self.settings):
                batch.changed[corr.id] = corr
        out: list[CorrelationResult] = []
        docs: dict[str, tuple[m.Correlation, CorrelationResult, Assessment]] = {}
        for corr in sorted(batch.changed.values(), key=lambda c: (c.first_seen, c.id)):
            a = self._assess(corr)
            enough = st.evidence_enough(
                self.settings,
                members=len({(x.ctx.uid or x.id, x.reason) for x in corr.members.values()}),
                confidence=a.confidence,
                worst_rank=max(x.severity_rank for x in corr.members.values()),
                pattern=a.pattern,
            )
            quiet = st.is_quiet(corr.last_seen, now, self.settings)
            recovered = corr.id in batch.recovered
            steps = [st.next_state(corr.state, enough=enough, quiet=False, recovered=recovered)]
            if quiet and steps[-1] != st.RESOLVED:
                steps.append(st.RESOLVED)
            for state in steps:
                corr.state = state
                members = list(corr.members.values())
                snap = st.Snapshot(
                    state,
                    a.root,
                    a.pattern,
                    (*services_of(members), *workloads_of(members)),
                    tuple(sorted(corr.members)),
                )
                publish = st.should_publish(corr.last_published, snap, ever_published=corr.published)
                corr.version = st.next_version(corr.version, publish)
                doc = build(
                    corr,
                    a,
                    self._facts(corr, a),
                    version=corr.version if publish else corr.version + 1,
                    pieces=self._pieces.setdefault(corr.id, Pieces()),
                )
                if publish:
                    corr.published = True
                    corr.last_published = snap
                    out.append(doc)
                docs[corr.id] = (corr, doc, a)
            if corr.state == st.RESOLVED:
                self._forget(corr)
        self._write(list(docs.values()), batch.merged)
        return out

    def _forget(self, corr: m.Correlation) -> None:
        self._corrs.pop(corr.id, None)
        self._roots.pop(corr.id, None)
        self._pieces.pop(corr.id, None)
        for eid in corr.members:
            if self._of.get(eid) == corr.id:
                del self._of[eid]

    def _write(
        self, docs: list[tuple[m.Correlation, CorrelationResult, Assessment]], merged: list[m.Correlation]
    ) -> None:
        nodes: list[dict[str, object]] = []
        includes: list[dict[str, object]] = []
        roots: list[dict[str, object]] = []
        impacts: list[dict[str, object]] = []
        for corr, doc, a in docs:
            nodes.append(
                {
                    "id": corr.id,
                    "type": doc.type,
                    "state": doc.state,
                    "severity": doc.severity,
                    "confidence": doc.confidence,
                    "summary": doc.summary,
                    "version": corr.version,
                    "first_seen": corr.first_seen,
                    "last_seen": corr.last_seen,
                    "updated_at": self.now,
                    "root_event_id": a.root,
                    "namespaces": doc.impact.namespaces,
                    "document": doc.to_json(),
                }
            )
            root_changed = corr.written_root != a.root
            if root_changed:
                roots.append({"from": corr.id, "to": a.root})
            for x in corr.members.values():
                if x.id in corr.written_members and not (root_changed and x.id in (a.root, corr.written_root)):
                    continue
                role = "root" if x.id == a.root else "member"
                includes.append({"from": corr.id, "to": x.id, "role": role, "link": x.link, "weight": x.weight})
                corr.written_members.add(x.id)
            corr.written_root = a.root
            uids = {u for x in corr.members.values() for u in (x.ctx.workload_uid, *x.ctx.service_uids) if u}
            new_uids = sorted(uids - corr.written_impacts)
            impacts.extend({"from": corr.id, "to": u, "status": "affected"} for u in new_uids)
            corr.written_impacts.update(new_uids)
        for gone in merged:
            nodes.append(
                {
                    "id": gone.id,
                    "state": st.RESOLVED,
                    "summary": f"merged into {gone.merged_into}",
                    "updated_at": self.now,
                }
            )
        graphio.write_correlations(self.store, nodes, includes, roots, impacts, gone=[g.id for g in merged])


def document_of(row_document: str) -> CorrelationResult:
    """The stored document of a Correlation node."""
    return CorrelationResult.model_validate(json.loads(row_document))
