"""Which resource is the root of a correlation, and at which level a person fixes it (pure).

Candidates are the resources with an event at the incident's onset. Each scores by how much of the correlation it
explains (through links and named calls), how likely its events are causes, how surprising its own anomalies are
against its own recent past, and how early it began; the winner is then raised to the level a person fixes: the
change behind it, the node its pods' symptoms point at, the workload all of whose pods fail, the callee its callers
name.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from correlate import causes, nodeinfer, nodes
from correlate import explain as ex
from correlate import model as m
from correlate.calls import beside_a_call, is_call
from correlate.feedback import NOTHING_LEARNED, Learned
from correlate.scoring import prior

ONSET_MS = 3 * 60_000  # root candidates: resources that misbehave within this long of the incident's onset
BURST, BURST_MS = 2, 60_000  # the onset: an event followed by this many more within this long
CHANGE_MS = 10 * 60_000  # a change this long before a failure of what depends on it may be its cause
# A resource's own past: how often it misbehaved in this long before the onset sets what is unsurprising for it.
PAST_MS = 30 * 60_000
SPAN_MIN_MS = 60_000  # the shortest stretch an incident's anomalies are compared over
# The shortest past a resource's rate is taken from: the first minutes of a watch say little of what is usual.
WATCHED_MIN_MS = 10 * 60_000
# Ranking mix of root candidates: what they explain, what they are, how surprising their anomalies are, how early.
W_EXPLAIN, W_CAUSE, W_EVIDENCE, W_EARLY = 0.4, 0.3, 0.2, 0.1

Past = Mapping[str, Sequence[int]]  # resource key (and signal_key) -> times of its earlier anomalies, oldest first
NO_PAST: Past = {}


def resource_key(c: m.Context) -> str:
    return c.uid or f"{c.kind}/{c.namespace}/{c.name}"


def surprise(count: int, before: int, span_ms: int, past_ms: int = PAST_MS) -> float:
    """How unlikely ``count`` anomalies in ``span_ms`` are for a resource that had ``before`` in the ``past_ms``
    before (-log10 of the Poisson tail; one anomaly per ``PAST_MS`` is assumed besides, so a quiet resource is not
    infinitely surprising). A pod that fires all the time is not the one that went wrong now: the one whose
    anomalies began now is."""
    lam = max(span_ms, SPAN_MIN_MS) * (1 / PAST_MS + before / past_ms)
    term, cdf = math.exp(-lam), 0.0
    for k in range(count):  # P(X >= count) = 1 - P(X <= count - 1)
        cdf += term
        term *= lam / (k + 1)
    tail = max(1.0 - cdf, 1e-12)
    return -math.log10(tail)


def watched(onset: int, since: int | None) -> int:
    """How much of the ``PAST_MS`` before ``onset`` was watched, when watching began at ``since`` (None: long
    ago). Twenty anomalies in the ten minutes since a replay began are a pod's usual rate, not a quiet half hour's."""
    if since is None:
        return PAST_MS
    return min(PAST_MS, max(WATCHED_MIN_MS, onset - since))


def surprises(members: Sequence[m.Member], past: Past = NO_PAST, since: int | None = None) -> dict[str, float]:
    """Each resource's ``surprise``: its anomalies since the incident's onset against its own past. An event the
    source reports as repeated (a BackOff's count) counts as often as it happened: a container restarted eight
    times is eight anomalies, one restart is one.

    Each signal (reason) is judged against the resource's past of that signal too, and the resource scores the
    most surprising of: all its anomalies, its most surprising signal (less the log of how many signals were tried),
    its signals together (``together``). A pod whose CPU rule fires all the time is not news for one more CPU alert,
    but a burst of errors it never logs is, and so are its errors and latency rising together. ``since``: when the
    past began to be kept (``watched``). The incident's own events before its onset are neither: a pod's slow
    first errors are not its usual rate."""
    ordered = sorted(members, key=lambda x: (x.ts, x.id))
    onset = onset_of(ordered)
    span = ordered[-1].ts - onset
    seen = watched(onset, since)
    signals: dict[str, Counter[str]] = {}  # resource key -> its anomalies since the onset, by reason
    early: Counter[str] = Counter()  # resource and signal keys -> the incident's own events before its onset
    for x in ordered:
        k = resource_key(x.ctx)
        if x.ts >= onset - BURST_MS:
            signals.setdefault(k, Counter())[x.reason] += max(1, x.count)
        elif x.ts >= onset - PAST_MS:
            early.update((k, signal_key(k, x.reason)))

    def before(key: str) -> int:  # the resource's past, less this incident's own first signs
        return max(0, count_before(past, key, onset) - early[key])

    out: dict[str, float] = {}
    for k, by_reason in signals.items():
        each = [surprise(c, before(signal_key(k, r)), span, seen) for r, c in by_reason.items()]
        tried = math.log10(len(each))
        out[k] = max(surprise(by_reason.total(), before(k), span, seen), *(s - tried for s in each), together(each))
    return out


def together(each: Sequence[float]) -> float:
    """How unlikely several signals of one resource are together, each as unlikely as it is (``each``: their
    surprises), by Fisher's method: of k independent chances whose logs add up to -x, the chance of a sum this
    low is e^-x (1 + x + ... + x^(k-1)/(k-1)!). Detectors that fire by themselves fire independently; a pod
    whose CPU, latency and errors all rise at once is news that none of them is alone."""
    if len(each) < 2:
        return 0.0
    x = sum(each) * math.log(10)
    term = tail = 1.0
    for i in range(1, len(each)):
        term *= x / i
        tail += term
    return max(0.0, sum(each) - math.log10(tail))


def signal_key(resource: str, reason: str) -> str:
    """The key of one signal's past on one resource (``Past`` holds both kinds of key)."""
    return f"{resource}#{reason}"


def count_before(past: Past, key: str, onset: int) -> int:
    """The resource's anomalies in the ``PAST_MS`` before the onset (a minute's grace: its first signs)."""
    times = past.get(key, ())
    return bisect_left(times, onset - BURST_MS) - bisect_left(times, onset - PAST_MS)


def _downs(members: Sequence[m.Member], links: Iterable[m.Link]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """``(full, half)``: ``{event id: {ids directly downstream of it}}`` over the members, consistent in time.

    Full: a directed link (or one resource), a call that named the member's resource. Half: a call-graph link
    alone (being called by many is weak evidence): it credits the event it reaches, and goes no further.
    """
    by_id = {x.id: x for x in members}
    full: dict[str, set[str]] = {}
    half: dict[str, set[str]] = {}
    for link in links:
        a, b = by_id.get(link.a), by_id.get(link.b)
        if a is None or b is None or a.id == b.id:
            continue
        if link.direction < 0:
            a, b = b, a
        elif link.direction == 0 and link.kind != m.SAME_RESOURCE:
            continue
        if (
            (link.kind == m.SAME_NODE and causes.quiet_node(b))
            or not causes.timely(b, a.ts)
            or causes.is_echo(b)
            or (is_call(a) and not ex.through_target(a, b, NOTHING_LEARNED))
        ):
            continue
        if beside_a_call(a, b, link):
            continue
        named = a.target is not None and ex.resource_explains(b.ctx, ex.bare(a)) == m.TARGET
        weak = link.kind in ex.CALL_LINKS and not named
        (half if weak else full).setdefault(b.id, set()).add(a.id)
    by_key: dict[str, list[m.Member]] = {}
    for y in members:
        for k in (f"u:{y.ctx.uid}", *(f"s:{svc}" for svc in y.ctx.services)):
            by_key.setdefault(k, []).append(y)
    for x in members:
        t = x.target
        if t is None:
            continue
        keys = [f"u:{t.uid}"] + ([f"s:{t.name}"] if t.kind == "Service" else [])
        for k in keys:
            for y in by_key.get(k, ()):
                if y.id != x.id and causes.timely(y, x.ts):
                    full.setdefault(y.id, set()).add(x.id)
    return full, half


def _closure(start: Iterable[str], full: Mapping[str, set[str]]) -> set[str]:
    seen = set(start)
    stack = list(seen)
    while stack:
        for nxt in full.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def onset_of(ordered: Sequence[m.Member]) -> int:
    """When the incident began (``ordered`` by time): the first event that the next ones follow closely
    (``BURST`` of them within ``BURST_MS``), not a lone warning minutes before; the first event when none does."""
    for i, x in enumerate(ordered):
        j = i + BURST
        if j < len(ordered) and ordered[j].ts - x.ts <= BURST_MS:
            return x.ts
    return ordered[0].ts


def rank_resources(
    members: Sequence[m.Member],
    links: Iterable[m.Link],
    learned: Learned = NOTHING_LEARNED,
    past: Past = NO_PAST,
    since: int | None = None,
) -> list[tuple[m.Context, str, float]]:
    """Root candidates ``(resource, its best event id, score)``, best first.

    A candidate is a resource with an event in the incident's onset; it scores by the share of members it explains
    (on it, downstream of it through links and named calls, transitively), by how likely its events are causes, by
    how surprising its own anomalies are (the resource that went wrong has many, and had few before: ``past``), and
    by how early it started.
    """
    if not members:
        return []
    ordered = sorted(members, key=lambda x: (x.ts, x.id))
    onset = onset_of(ordered)
    n = len(members)
    full, half = _downs(members, links)
    on: dict[str, list[m.Member]] = {}
    ctx_of: dict[str, m.Context] = {}
    for x in ordered:
        k = resource_key(x.ctx)
        on.setdefault(k, []).append(x)
        ctx_of.setdefault(k, x.ctx)
    unlikely = surprises(ordered, past, since)
    most = max(unlikely.values())
    position = {x.id: i for i, x in enumerate(ordered)}
    out: list[tuple[m.Context, str, float, int, str]] = []
    for k, own in on.items():
        r = ctx_of[k]
        if len(on) > 1 and all(causes.is_echo(x) for x in own):
            continue
        priors = [(learned.prior(causes.cause_prior(x), x.reason), x) for x in own]
        best_prior, best = max(priors, key=lambda t: (t[0], -t[1].ts, t[1].id))
        if best_prior < causes.CAUSE_PRIOR and not any(onset - causes.lag(x) <= x.ts <= onset + ONSET_MS for x in own):
            continue  # a weak signal counts only at the onset, not as a precursor from an earlier episode
        start = {x.id for x in own}
        cause = best_prior >= causes.CAUSE_PRIOR
        since = min(y.ts - causes.lag(y) for y in own)  # what any of its events may have caused
        if r.kind != "Node" or cause:  # a node's housekeeping explains nothing of its pods
            start |= {x.id for x in members if x.ts >= since and ex.resource_explains(r, x, caller_too=cause)}
        reached = _closure(start, full)
        weak = {d for u in reached for d in half.get(u, ()) if d not in reached}
        explained = len(reached) + 0.5 * len(weak)
        explain = (explained - 1) / (n - 1) if n > 1 else 1.0
        evidence = unlikely.get(k, 0.0) / most
        early = 1.0 - position[own[0].id] / (n - 1) if n > 1 else 1.0
        score = W_EXPLAIN * explain + W_CAUSE * best_prior + W_EVIDENCE * evidence + W_EARLY * early
        out.append((r, best.id, round(score, 4), best.ts, best.id))
    out.sort(key=lambda t: (-t[2], t[3], t[4]))
    return [(r, eid, s) for r, eid, s, _, _ in out]


def _workload_of(c: m.Context) -> m.Context:
    return m.Context(
        uid=c.workload_uid,
        cluster=c.cluster,
        kind=c.workload_kind,
        namespace=c.workload_namespace,
        name=c.workload_name,
        workload_uid=c.workload_uid,
        workload_kind=c.workload_kind,
        workload_namespace=c.workload_namespace,
        workload_name=c.workload_name,
        workload_replicas=c.workload_replicas,
        workload_revision=c.workload_revision,
        workload_images=c.workload_images,
        limits_memory=c.limits_memory,
        limits_cpu=c.limits_cpu,
    )


def change_behind(r: m.Context, members: Sequence[m.Member], links: Iterable[m.Link]) -> m.Member | None:
    """A recorded change that the failing resource ``r`` depends on (a ConfigMap it mounts, its Deployment's
    spec), made before it began to fail: what a person fixes is that change, however loud the symptoms are."""
    key = resource_key(r)
    mine = {x.id: x for x in members if resource_key(x.ctx) == key}
    if not mine:
        return None
    began = min(x.ts for x in mine.values())
    by_id = {x.id: x for x in members}
    found: list[m.Member] = []
    for lk in links:
        ends = [(lk.a, lk.b, lk.direction), (lk.b, lk.a, -lk.direction)]
        for near, far, direction in ends:
            c = by_id.get(far)
            if (
                near in mine
                and direction > 0
                and c is not None
                and causes.is_change(c)
                and 0 <= began - c.ts + causes.SLACK_MS <= CHANGE_MS
            ):
                found.append(c)
    return min(found, key=lambda c: (-c.ts, c.id)) if found else None


def _workload_failure(root: m.Member, members: Sequence[m.Member]) -> m.Root | None:
    """The root pod's workload, when its pods fail together (two or more, or a single replica whose container
    crashes or is not pulled) in a way the workload's template shares: crashes, probes, lifecycle, images."""
    c = root.ctx
    if c.kind != "Pod" or not c.workload:
        return None
    key = resource_key(c)
    # a crash-looping pod's top-ranked event may be its CPU throttling: its crash still says what it went through
    kinds = {root.category} | ({x.category for x in members if resource_key(x.ctx) == key} & causes.TEMPLATE_FAILURES)
    if not kinds & ex.WORKLOAD_WIDE:
        return None
    pods = {x.ctx.uid for x in members if x.ctx.kind == "Pod" and x.ctx.workload == c.workload}
    single = bool(kinds & causes.TEMPLATE_FAILURES) and bool(c.workload_replicas) and len(pods) >= c.workload_replicas
    if len(pods) < 2 and not single:
        return None
    w = _workload_of(c)
    own = any(x.ctx.uid == w.uid and w.uid for x in members)
    n = f"{len(pods)} pods" if len(pods) > 1 else "its one pod"
    return m.Root(root.id, w, not own, f"{n} of {c.workload_kind.lower()}/{c.workload_name} failing, nothing upstream")


def decide_root(
    members: Sequence[m.Member],
    links: Iterable[m.Link],
    learned: Learned = NOTHING_LEARNED,
    *,
    node_uids: Mapping[str, str] | None = None,
    ranked: Sequence[tuple[m.Context, str, float]] | None = None,
) -> m.Root:
    """The root hypothesis of a set of members: the best-ranked resource, raised to the level a person fixes."""
    if ranked is None:
        ranked = rank_resources(members, links, learned)
    by_id = {x.id: x for x in members}
    resource, eid, _ = ranked[0]
    root = by_id[eid]
    change = None if causes.is_change(root) else change_behind(resource, members, links)
    if change is not None:  # a pod that cannot start for its ConfigMap: the edit is what a person undoes
        return m.Root(change.id, change.ctx)
    if causes.is_cause(root, learned):
        if root.category == "node" and resource.kind == "Pod" and resource.node:  # its node's condition (NodeNotReady)
            return m.Root(eid, nodeinfer.node_context(resource.node, resource.cluster, resource.node_uid))
        return m.Root(eid, resource)
    node = nodeinfer.inferred_node(members)
    if node:
        on_node = [x for x in members if x.ctx.kind == "Node" and x.ctx.name == node]
        if on_node:
            best = max(on_node, key=lambda x: (prior(x.category, x.reason, x.source_kind), -x.ts, x.id))
            return m.Root(best.id, best.ctx, named=not causes.is_cause(best, learned))
        first = min((x for x in members if nodes.points_at(x, node)), key=lambda x: (x.ts, x.id))
        ctx = nodeinfer.node_context(node, root.ctx.cluster, (node_uids or {}).get(node, ""))
        return m.Root(first.id, ctx, True, f"pods of several workloads on node {node} failed together", named=True)
    workload = _workload_failure(root, members)
    if workload is not None:
        return workload
    if root.target is not None and root.target.uid:
        t = root.target
        if not any(x.ctx.uid == t.uid for x in members):
            return m.Root(eid, t, True, f"callers' errors name {t.kind.lower()}/{t.name}")
    return m.Root(eid, resource)
