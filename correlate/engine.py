"""The live correlator: stored events in (event-time order), result versions to publish out (DESIGN §5).

Per batch: one graph question for the topology around the new events' resources (``event_context``, cached);
then, per event in time order, its links to the events open correlations hold (``correlate.reach``, in memory:
the engine has no use for a link to any other event) and join / merge / open a correlation in memory; then assess
(root, pattern, confidence, severity), move the state, version and write each changed correlation to the graph in
a few batched writes. The graph is the durable copy; the returned documents are what to publish now.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from correlate import aftermath, causes, graphio, persist, reach
from correlate import explain as ex
from correlate import model as m
from correlate import recurrence as rec
from correlate import state as st
from correlate.checkpoint import FIRST, Checkpoint, Key, as_told, carry_over, order_key, repeated
from correlate.document import Assessment, Pieces, build
from correlate.feedback import NOTHING_LEARNED, Verdict, learn
from correlate.narrative import Facts, Revision
from correlate.nodes import node_evicted, node_inferred
from correlate.patterns import name_pattern, pods_of, services_of, severity, workloads_of
from correlate.placement import Placement, Step
from correlate.scoring import confidence
from correlate.settings import CorrelateSettings
from graph import GraphStore
from model.event import WARNING_RANK, Category, SourceKind, StoredEvent
from model.result import CorrelationResult
from model.vocab import Pattern

log = logging.getLogger(__name__)

CAUSE_CATEGORIES = (Category.ROLLOUT, Category.CONFIG)
# AlertResolved: a Prometheus alert resolved (ingest.alerts); it also ends the correlation the alert is the root of
RECOVERY_REASONS = frozenset(
    {"NodeReady", "Recovered", "NodeHasSufficientMemory", "NodeHasNoDiskPressure", "AlertResolved"}
)
CONTEXT_CACHE_MAX = 200_000
FEEDBACK_REFRESH_MS = 30_000  # how often a running engine reads new verdicts
FEEDBACK_LIMIT = 10_000
RESUME_LIMIT = 10_000  # open correlations, history roots and uncorrelated events taken up at a restart
HISTORY_MS = 7 * 86_400_000  # how far back a restart looks for occurrences of recurring failures
LINK_MEMORY_MAX = 500_000
CALLS_LIMIT = 200_000
CHECKPOINT_EVENTS = 64  # speculation's checkpoints at most this many events apart: how far a late arrival goes back


class Engine:
    """Keeps the open correlations in memory, the graph as the durable copy."""

    def __init__(self, store: GraphStore, settings: CorrelateSettings, cluster: str) -> None:
        self.store = store
        self.settings = settings
        self.cluster = cluster
        self.now = 0
        self._newest = 0  # the newest event time taken
        self._held: dict[str, StoredEvent] = {}  # events within the disorder bound of the newest, not yet placed
        # Speculation (``settings.speculate``): every event is placed at once; ``_cp`` is the state as of a point no
        # later arrival within the bound may precede, ``_journal`` the events placed since (placement order),
        # ``_pending`` the next checkpoints (each valid once the watermark passes it; an arrival later than one goes
        # back only that far). Each checkpoint keeps the correlations changed since it was taken (``touched``).
        self._cp: Checkpoint | None = None
        self._pending: list[Checkpoint] = []
        self._journal: dict[str, StoredEvent] = {}
        self._last: Key = FIRST  # the latest (time, ns, id) placed
        self.replaced = 0  # how often events were placed again (an arrival out of event-time order)
        self.core = Placement()  # the open correlations and where events go (pure)
        self._ctx: dict[str, m.Context] = {}
        self._links = reach.Linker(
            lambda: graphio.service_calls(store, CALLS_LIMIT),
            min_rank=WARNING_RANK,
            window_ms=settings.window_ms,
            max_hops=settings.max_hops,
        )
        self._history = rec.History(settings)
        self._pieces: dict[str, Pieces] = {}  # per-member document pieces of each correlation
        self.learned = NOTHING_LEARNED
        self._feedback_checked: int | None = None
        self.refresh_feedback()

    # ------------------------------------------------------------------ public
    def process(self, events: Sequence[StoredEvent], now_ms: int = 0) -> list[CorrelationResult]:
        """Take a batch (any arrival order); return the result versions to publish now.

        Without speculation, correlate, in event-time order, what is older than the newest event (or than
        ``now_ms``, the live clock, when later) by more than the disorder bound: holding the newest ``disorder_ms``
        back makes the result independent of batch sizes and of arrival order within that bound, since every event
        is placed after every event that happened before it. With speculation (the default), place at once and
        place again from a checkpoint when an event arrives before one already placed (``_speculate``): the
        same outcome, without the wait.
        """
        self._links.recorded((c for s in events for c in s.calls), now_ms)
        if self.speculating:
            return self._speculate(events, now_ms)
        for told in events:
            if not self._relevant(told):
                continue
            for key, s in as_told(told):
                self._newest = max(self._newest, s.event.ts)
                held = self._held.get(key)
                if held is not None:  # told twice while still held: one event, the larger count
                    s = replace(held, event=replace(held.event, count=max(held.event.count, s.event.count)))
                self._held[key] = s
        return self._advance(max(self._newest, now_ms) - self.settings.disorder_ms)

    @property
    def speculating(self) -> bool:
        return self.settings.speculate and self.settings.disorder_ms > 0

    def _speculate(self, events: Sequence[StoredEvent], now_ms: int) -> list[CorrelationResult]:
        """Place the batch at once. In event-time order after what is placed (the common case): just that. Else,
        when it precedes something placed since the checkpoint: back to the checkpoint, and every event since
        placed again in event-time order; the versions published meanwhile are superseded by newer ones."""
        if self._cp is None:
            self._cp = Checkpoint.of(FIRST, self.core, self._history)
        batch: dict[str, StoredEvent] = {}
        again: set[str] = set()  # the keys of repeats (``as_told``): never late, their event is placed by then
        for told in events:
            if not self._relevant(told):
                continue
            for key, s in as_told(told):
                self._newest = max(self._newest, s.event.ts)
                prev = batch.get(key) or self._journal.get(key)
                if prev is not None:  # told twice: one event, the larger count
                    s = replace(prev, event=replace(prev.event, count=max(prev.event.count, s.event.count)))
                batch[key] = s
                if key != s.event.id:
                    again.add(key)
        if not batch:
            return self._checkpoint(max(self._newest, now_ms) - self.settings.disorder_ms)
        keys = [order_key(s) for s in batch.values()]
        late = [
            k
            for k, (key, s) in zip(keys, batch.items(), strict=True)
            if k < self._last
            and k > self._cp.key
            and key not in self._journal
            and key not in again
            and self.core.home(s.event.id) is None
            and not aftermath.is_aftermath(s.event.reason, s.event.is_warning)  # goes where it would in order
        ]
        self._journal.update(batch)
        out = self._replace(min(late)) if late else self._correlate(list(batch.values()))
        self._last = max(self._last, *keys)
        return out + self._checkpoint(max(self._newest, now_ms) - self.settings.disorder_ms)

    def _replace(self, since: Key) -> list[CorrelationResult]:
        """Back to the latest checkpoint before ``since`` (the earliest late arrival); place the journal's events
        after it again in event-time order. The checkpoints after it are gone: they lack what arrived late."""
        assert self._cp is not None
        kept = [p for p in self._pending if p.key < since]
        base = kept[-1] if kept else self._cp
        self._pending = kept
        # what changed since the base, as it is now: only those can differ once the events are placed again
        carry = {cid: self.core.corrs.get(cid, c) for cid, c in base.touched.items()}
        self.core, self._history = base.restore()
        self.core.learned = self.learned
        self._pieces.clear()
        for c in self.core.corrs.values():
            if c.id in carry:
                carry_over(c, carry[c.id])
        for p in (self._cp, *kept):
            p.touched.update(carry)
        journal = list(self._journal.items())
        events = sorted(journal[base.journal_at :], key=lambda told: order_key(told[1]))
        self._journal = dict((*journal[: base.journal_at], *events))
        self.replaced += 1
        return self._correlate([s for _, s in events], again=carry)

    def _checkpoint(self, watermark: int) -> list[CorrelationResult]:
        """The latest pending checkpoint that no arrival within the bound can precede becomes the checkpoint (the
        ones before it go); a new one is taken every ``CHECKPOINT_EVENTS`` events placed or half bound of event
        time, whichever comes first (what a late arrival places again stays short)."""
        assert self._cp is not None
        ready = [p for p in self._pending if p.key[0] <= watermark]
        if ready:
            p = ready[-1]
            self._journal = dict(list(self._journal.items())[p.journal_at :])
            self._pending = self._pending[len(ready) :]
            for q in self._pending:
                q.journal_at -= p.journal_at
            p.journal_at = 0
            self._cp = p
        base = self._pending[-1] if self._pending else self._cp
        if self._last > base.key and (
            len(self._journal) - base.journal_at >= CHECKPOINT_EVENTS
            or self._last[0] - base.key[0] >= self.settings.disorder_ms // 2
        ):
            self._pending.append(Checkpoint.of(self._last, self.core, self._history, len(self._journal)))
        return []

    @property
    def held(self) -> int:
        """Events taken but held back within the disorder bound."""
        return len(self._held)

    def flush(self) -> list[CorrelationResult]:
        """Correlate everything held back (the end of a replay, a clean stop); speculation holds nothing."""
        return [] if self.speculating else self._advance(self._newest)

    def _advance(self, watermark: int) -> list[CorrelationResult]:
        ready = [(key, s) for key, s in self._held.items() if s.event.ts <= watermark]
        for key, _ in ready:
            del self._held[key]
        return self._correlate([s for _, s in ready])

    def _correlate(
        self, events: Sequence[StoredEvent], again: Mapping[str, m.Correlation] | None = None
    ) -> list[CorrelationResult]:
        batch = Step()
        wanted = sorted(events, key=order_key)
        fresh = [s for s in wanted if s.event.reason not in RECOVERY_REASONS and self.core.home(s.event.id) is None]
        if wanted:
            self.now = max(self.now, max(s.event.ts for s in wanted))
        self._load_contexts({s.resource.uid for s in fresh} | {s.target_uid for s in fresh})
        if len(self.core.links) > LINK_MEMORY_MAX:
            self.core.links.clear()
        placed: set[str] = set()
        for s in wanted:  # in event-time order: a repeat (``as_told``) after its event, placed earlier in the batch
            home = self.core.home(s.event.id)
            if home is not None:
                self._repeat(home, s, batch)
            elif s.event.reason in RECOVERY_REASONS:
                self._recover(s, batch)
            elif s.event.id not in placed:  # (a repeat of an aftermath event still waiting for its member: dropped)
                placed.add(s.event.id)
                x = self._member(s)
                if aftermath.is_aftermath(s.event.reason, s.event.is_warning):
                    self.core.place_aftermath(x, batch)
                    continue
                self.core.place(x, self._links.links(x, self.core.holds), batch)
                self._links.add(x, self.now, self.core.holds)
        return self._finish(batch, self.now, again)

    def tick(self, now_ms: int) -> list[CorrelationResult]:
        """State changes from time passing: held events older than the disorder bound are correlated, quiet
        correlations resolve (and leave memory), new feedback applies."""
        if self.speculating:
            out = self._checkpoint(now_ms - self.settings.disorder_ms) if self._cp is not None else []
        else:
            out = self._advance(now_ms - self.settings.disorder_ms) if self._held else []
        self.now = max(self.now, now_ms)
        self.core.prune_past(self.now)
        self._links.refresh(now_ms)
        batch = Step()
        if self._feedback_checked is None or now_ms - self._feedback_checked >= FEEDBACK_REFRESH_MS:
            self._feedback_checked = now_ms
            pinned_before = dict(self.learned.pinned_root)
            self.refresh_feedback()
            for cid, eid in self.learned.pinned_root.items():
                corr = self.core.corrs.get(cid)
                if corr is not None and pinned_before.get(cid) != eid and eid in corr.members:
                    batch.reroot.add(cid)
                    batch.changed[cid] = corr  # re-assessed with the root people named
        return out + self._finish(batch, self.now)

    def refresh_feedback(self) -> None:
        """Read the stored verdicts again (``POST /correlations/{id}/feedback`` writes them)."""
        rows = self.store.query("feedback_verdicts", {"limit": FEEDBACK_LIMIT})
        self.learned = self.core.learned = learn(
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

    def resume(self, now_ms: int) -> list[CorrelationResult]:
        """Take up what an earlier process left (a restart, a new owner): its open correlations with their ids,
        versions and what was published; the occurrences recurring failures are recognised by; and the stored
        events no correlation step took (a crash between storing and correlating). Quiet ones then resolve."""
        rows = graphio.open_correlations(self.store, RESUME_LIMIT)
        members = graphio.correlation_members(self.store, [str(r["id"]) for r in rows])
        self._load_contexts({str(x[k]) for ms in members.values() for x in ms for k in ("uid", "target_uid")})
        resumed = [self._resumed(r, members.get(str(r["id"]), [])) for r in rows]
        self._relink([c for c in resumed if c is not None])
        self._cp, self._pending = None, []  # what was taken up is the starting point of speculation
        self._journal = {}
        roots = graphio.recent_roots(self.store, now_ms - HISTORY_MS, RESUME_LIMIT)
        self._load_contexts({str(r["uid"]) for r in roots})
        for r in roots:
            root = persist.member_of(r, self._ctx, self.cluster)
            if causes.is_cause(root, self.learned):
                self._history.occurred(root, str(r["correlation_id"]))
        late = graphio.uncorrelated_events(
            self.store, now_ms - self.settings.window_ms, min_rank=WARNING_RANK, limit=RESUME_LIMIT
        )
        return self.process(late, now_ms) + self.tick(now_ms)

    def _resumed(self, row: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> m.Correlation | None:
        """One open correlation as it was written: members, version, what was last published."""
        if not rows or str(row["id"]) in self.core.corrs:
            return None
        doc = persist.document_of(str(row["document"]))
        corr = m.Correlation(str(row["id"]), state=str(row["state"]), version=int(row["version"] or 0))
        for r in rows:
            x = persist.member_of(r, self._ctx, self.cluster)
            (corr.aftermath if x.link == m.AFTERMATH else corr.members)[x.id] = x
        corr.published = corr.version > 0
        ms = list(corr.members.values())
        corr.last_published = st.Snapshot(
            doc.state,
            doc.root_cause.event_id,
            doc.type,
            (*services_of(ms), *workloads_of(ms)),
            tuple(sorted(corr.members)),
        )
        if doc.recurrence is not None:
            rec_ = doc.recurrence
            since = persist.doc_time(rec_.since)
            corr.recurring = m.Recurring(rec_.period_seconds, rec_.occurrences, "", tuple(rec_.previous), since)
        corr.written_members = corr.event_ids()
        corr.written_root = doc.root_cause.event_id
        corr.written_impacts = {u for x in ms for u in (x.ctx.workload_uid, *x.ctx.service_uids) if u}
        self.core.adopt(corr)
        self._newest = max(self._newest, corr.last_seen)
        return corr

    def _relink(self, corrs: Sequence[m.Correlation]) -> None:
        """The links between the members of resumed correlations (one graph question), then their roots."""
        rows = [graphio.Asked.member(x) for c in corrs for x in c.members.values()]
        links = graphio.related_links(
            self.store, rows, window_ms=self.settings.window_ms, max_hops=self.settings.max_hops, min_rank=WARNING_RANK
        )
        batch = Step()
        for c in corrs:
            c.links = [lk for x in c.members for lk in links.get(x, []) if lk.b in c.members]
            for x in c.members.values():
                self._links.add(x, self.now, self.core.holds)
            for lk in c.links:
                self.core.links[(lk.a, lk.b)] = lk
            self.core.reroot(c, batch)

    def open_correlations(self) -> list[m.Correlation]:
        return self.core.open()

    # ------------------------------------------------------------------ placing events
    def _relevant(self, s: StoredEvent) -> bool:
        e = s.event
        return (
            e.is_warning
            or (e.source_kind == SourceKind.CHANGE and e.category in CAUSE_CATEGORIES)
            or e.reason in RECOVERY_REASONS
            or aftermath.is_aftermath(e.reason, e.is_warning)
        )

    def _member(self, s: StoredEvent) -> m.Member:
        e = s.event
        ctx = self._ctx.get(s.resource.uid) or m.unknown_context(e, s.resource, self.cluster)
        return m.Member.of(e, ctx, self._ctx.get(s.target_uid) if s.target_uid else None)

    def _repeat(self, corr: m.Correlation, s: StoredEvent, batch: Step) -> None:
        held = corr.members if s.event.id in corr.members else corr.aftermath
        x = held.get(s.event.id)
        if x is None or (s.event.count <= x.count and max(s.event.last_ts, s.event.ts) <= x.last_ts):
            return  # told again with nothing new (its first telling, read again with a repeat: ``as_told``)
        held[x.id] = repeated(x, s.event.count, max(s.event.last_ts, s.event.ts))
        corr.repeated()
        batch.changed[corr.id] = corr

    def _recover(self, s: StoredEvent, batch: Step) -> None:
        """A recovery event about the root's resource, or naming the root event it ends (a resolved alert),
        resolves an active correlation."""
        ends = s.event.detail.get("recovers")
        for corr in list(self.core.corrs.values()):
            if corr.state != st.ACTIVE or corr.recurring:
                continue
            root = corr.root.resource if corr.root is not None else self.core.root_of(corr).ctx
            if (root.uid == s.resource.uid and s.resource.uid) or (ends and self.core.root_of(corr).id == ends):
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
        root = self.core.root_of(corr)
        assert corr.root is not None
        ranking = self.core.ranking.get(corr.id) or ((root.id, 1.0),)
        if ranking[0][0] != root.id:
            ranking = ((root.id, ranking[0][1]), *(r for r in ranking if r[0] != root.id))
        pattern = name_pattern(members, root, recurring=corr.recurring is not None, root_kind=corr.root.resource.kind)
        conf = confidence(members, ranking)
        if corr.id in self.learned.pinned_root and ranking[0][0] == self.learned.pinned_root[corr.id]:
            conf = max(conf, 0.95)  # the root was confirmed by a person
        conf = self.learned.confidence(conf, pattern)
        if pattern == Pattern.RECURRING_FAILURE and corr.recurring:
            conf = max(conf, min(0.95, 0.5 + 0.1 * corr.recurring.occurrences))
        return Assessment(ranking, pattern, conf, severity(members, pattern), corr.root)

    def _facts(self, corr: m.Correlation, a: Assessment) -> Facts:
        root = corr.members[a.root]
        members = list(corr.members.values())
        current = rollback = None
        if a.pattern == Pattern.DEPLOYMENT_ISSUE:
            history = graphio.rollout_history(self.store, root.ctx.workload_uid)
            if history:
                current = history[0]
                rollback = history[1] if len(history) > 1 else None
            image = root.detail.get("image")
            if rollback is None and isinstance(image, dict) and image.get("before"):
                rollback = Revision("previous", (str(image["before"]),))
        node_services: tuple[str, ...] = ()
        if a.pattern == Pattern.NODE_FAILURE:
            node_services = tuple(services_of(members))
        r = corr.recurring
        return Facts(
            rollback_to=rollback,
            current=current,
            workload_pods=root.ctx.workload_replicas,
            failing_pods=len(pods_of([x for x in members if x.ctx.workload == root.ctx.workload])),
            period_seconds=r.period_seconds if r else 0,
            occurrences=r.occurrences if r else 0,
            since_image=r.since_image if r else "",
            node_services=node_services,
        )

    def _finish(
        self, batch: Step, now: int, again: Mapping[str, m.Correlation] | None = None
    ) -> list[CorrelationResult]:
        """Assess, move the state, version and write what changed; expire quiet correlations.

        A batch may span more time than the quiet period (a replay): a correlation with enough evidence still
        becomes active (and is published) before it resolves, so nothing that was an incident goes unreported.
        ``again``: the correlations as they were before their events were placed again (``_replace``).
        """
        for cid in sorted(batch.reroot):
            corr = self.core.corrs.get(cid)
            if corr is not None and not corr.merged_into:
                self.core.reroot(corr, batch)
        for gone in batch.merged:
            self._pieces.pop(gone.id, None)
        withdrawn = self._reconcile(batch, again) if again is not None else []
        for corr in list(self.core.corrs.values()):
            if corr.id not in batch.changed and st.is_quiet(corr.last_seen, now, self.settings):
                batch.changed[corr.id] = corr
        for corr in sorted(batch.changed.values(), key=lambda c: (c.first_seen, c.id)):
            root = self.core.root_of(corr)
            if causes.is_cause(root, self.learned):
                corr.recurring = self._history.occurred(root, corr.id)
        out: list[CorrelationResult] = []
        docs: dict[str, tuple[m.Correlation, CorrelationResult, Assessment]] = {}
        for corr in sorted(batch.changed.values(), key=lambda c: (c.first_seen, c.id)):
            a = self._assess(corr)
            root = corr.members[a.root]
            # a cause by itself; a node inferred from timeouts alone is a cause that must also be news
            sure = causes.is_cause(root, self.learned) or ex.workload_crash(corr, looping=True) or node_evicted(corr)
            cause = sure or node_inferred(corr)
            judged = not sure and corr.state != st.ACTIVE  # an active correlation stays active regardless
            marks = [mark(x) for x in corr.members.values()]
            enough = st.evidence_enough(
                self.settings,
                members=len({(x.resource, x.reason) for x in marks}),
                confidence=a.confidence,
                worst_rank=max(x.rank for x in marks),
                pattern=a.pattern,
                repeats=st.repeats(marks),
                cause_rank=root.severity_rank if cause and not causes.intended(root) else 0,
                rooted_in_cause=cause,
                surprises=self.core.surprises(corr) if judged else None,
                traced=self.core.traced(corr) if judged else 0,
                serious=st.serious(marks, causes.restarted_only(corr.members.values())),
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
                self.core.forget(corr)
                self._pieces.pop(corr.id, None)
        ended = [(src, self._withdraw(src)) for src in withdrawn]
        out.extend(doc for _, doc in ended if doc is not None)
        persist.write(self.store, self.now, list(docs.values()), batch.merged, ended)
        if self.speculating:
            for p in (*([self._cp] if self._cp else []), *self._pending):
                p.touched.update((c.id, c) for c in (*batch.changed.values(), *batch.merged, *withdrawn))
        return out

    def _reconcile(self, batch: Step, again: Mapping[str, m.Correlation]) -> list[m.Correlation]:
        """After placing events again: each correlation keeps its versions and what is written of it; each one
        that was open before is assessed again (it may have lost members); those that no longer exist (their
        events went elsewhere) are returned, to be withdrawn."""
        for c in (*batch.changed.values(), *batch.merged):
            if c.id in again and again[c.id] is not c:
                carry_over(c, again[c.id])
        merged = {c.id for c in batch.merged}
        withdrawn = []
        for cid, src in sorted(again.items()):
            corr = self.core.corrs.get(cid)
            if corr is not None:
                batch.changed.setdefault(cid, corr)
            elif cid not in merged and not src.merged_into and src.state != st.RESOLVED:
                withdrawn.append(src)
        return withdrawn

    def _withdraw(self, src: m.Correlation) -> CorrelationResult | None:
        """A correlation whose events all went elsewhere when placed again in event-time order: resolved; when it
        was published, a last version says so (with no members) and supersedes the earlier ones."""
        homes = sorted({cid for e in src.members if (cid := self.core.of.get(e))})
        src.state = st.RESOLVED
        src.written_members, src.written_root, src.written_impacts = set(), "", set()
        if not src.published:
            return None
        src.version += 1
        a = self._assess(src)
        doc = build(src, a, self._facts(src, a), version=src.version)
        src.last_published = st.Snapshot(st.RESOLVED, a.root, a.pattern, (), ())
        return persist.withdrawal(doc, homes)


def mark(x: m.Member) -> st.Mark:
    """A member as the publishing rules (``state.repeats``, ``state.serious``) see it."""
    sent_again = x.source_kind == SourceKind.COLLECTOR
    times = st.burst(x.told, x.count)
    return st.Mark(x.ctx.uid or x.id, x.reason, times, sent_again, x.severity_rank, x.category, x.ts)
