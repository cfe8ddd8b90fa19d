"""Build the result document of one correlation version from the engine's state (pure)."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from correlate import model as m
from correlate.narrative import Facts, describe, remediation, summary
from correlate.patterns import pods_of, services_of, workloads_of
from model.result import (
    ChainLink,
    CorrelationResult,
    Evidence,
    Impact,
    Recurrence,
    ResourceId,
    RootCause,
)
from model.times import iso_ms
from model.vocab import Pattern


@dataclass(frozen=True)
class Assessment:
    """What the pure parts decided about a correlation: its root ranking, pattern, confidence and severity."""

    ranking: tuple[tuple[str, float], ...]
    pattern: str
    confidence: float
    severity: str
    hypothesis: m.Root | None = None  # the root resource at the level a person fixes (when not the event's own)

    @property
    def root(self) -> str:
        return self.ranking[0][0]


def resource_id(x: m.Member) -> ResourceId:
    c = x.ctx
    return ResourceId(cluster=c.cluster, kind=c.kind, namespace=c.namespace, name=c.name, uid=c.uid)


def ordered_members(corr: m.Correlation, root: str) -> list[m.Member]:
    """Root first, then by time and id: the order of ``related_events``."""
    rest = sorted((x for x in corr.members.values() if x.id != root), key=lambda x: (x.ts, x.id))
    return [corr.members[root], *rest]


def aftermath_events(corr: m.Correlation) -> list[m.Member]:
    """The aftermath events (``correlate.aftermath``) by time and id: after the members in ``related_events`` and
    ``chain``; no evidence (they explain nothing, and nothing was explained by them)."""
    return sorted(corr.aftermath.values(), key=lambda x: (x.ts, x.id))


@dataclass
class Pieces:
    """Per-member document pieces of one correlation, kept between its versions.

    A member's own fields (resource, reason, time, the link it joined by) never change once it joined, so its
    chain step (for a given link kind) and its evidence are built once, not again for every version: a
    correlation is rebuilt each time it grows, and building every step anew made that quadratic in its size.
    """

    steps: dict[tuple[str, str], ChainLink] = field(default_factory=dict)
    evidence: dict[str, Evidence] = field(default_factory=dict)
    # The links (only ever appended) as adjacency, each neighbour once with the kind of its first link: a
    # correlation's links repeat pairs many times over. ``links_done``: how many of ``corr.links`` are in it;
    # ``-1`` once a link ran outside the members (then the adjacency is built afresh each time, as it was).
    adj: dict[str, dict[str, str]] = field(default_factory=dict)
    links_done: int = 0


def _adjacency(corr: m.Correlation, pieces: Pieces | None) -> dict[str, dict[str, str]]:
    """``{id: {neighbour: kind of the first link between them}}`` over the links between members."""
    keep = pieces is not None and pieces.links_done >= 0
    adj: dict[str, dict[str, str]] = pieces.adj if keep and pieces is not None else {}
    start = pieces.links_done if keep and pieces is not None else 0
    members = corr.members
    outside = False
    for link in corr.links[start:]:
        if link.a in members and link.b in members:
            adj.setdefault(link.a, {}).setdefault(link.b, link.kind)
            adj.setdefault(link.b, {}).setdefault(link.a, link.kind)
        else:
            outside = True
    if keep and pieces is not None:
        pieces.links_done = -1 if outside else len(corr.links)
    return adj


def _step(x: m.Member, kind: str) -> ChainLink:
    return ChainLink(event_id=x.id, resource=resource_id(x), link=kind, reason=x.reason, at=iso_ms(x.ts))


def chain(corr: m.Correlation, root: str, pieces: Pieces | None = None) -> list[ChainLink]:
    """Members outward from the root along the links (breadth first; unreached ones after, by time)."""
    members = corr.members
    adj = _adjacency(corr, pieces)
    order = {i: (x.ts, i) for i, x in members.items()}
    seen: dict[str, str] = {root: m.ROOT}
    queue = deque([root])
    while queue:
        cur = queue.popleft()
        near = adj.get(cur)
        if not near:
            continue
        for nxt in sorted(near, key=order.__getitem__):
            if nxt not in seen:
                seen[nxt] = near[nxt]
                queue.append(nxt)
    for x in ordered_members(corr, root):
        seen.setdefault(x.id, x.link)
    after = aftermath_events(corr)
    if pieces is None:
        return [*(_step(members[i], kind) for i, kind in seen.items()), *(_step(x, x.link) for x in after)]
    steps = pieces.steps
    out = []
    for x, kind in (*((members[i], kind) for i, kind in seen.items()), *((x, x.link) for x in after)):
        step = steps.get((x.id, kind))
        if step is None:
            step = steps[(x.id, kind)] = _step(x, kind)
        out.append(step)
    return out


def _evidence(x: m.Member) -> Evidence:
    return Evidence.model_validate({"link": x.link, "from": x.linked_to, "to": x.id, "weight": x.weight})


def evidence(corr: m.Correlation, root: str, pieces: Pieces | None = None) -> list[Evidence]:
    """The link each member joined by (from the member it joined through)."""
    out = []
    for x in ordered_members(corr, root):
        if x.link != m.ROOT and x.linked_to in corr.members:
            if pieces is None:
                out.append(_evidence(x))
                continue
            ev = pieces.evidence.get(x.id)
            if ev is None:
                ev = pieces.evidence[x.id] = _evidence(x)
            out.append(ev)
    return out


def impact(members: Sequence[m.Member]) -> Impact:
    return Impact(
        services=services_of(members),
        workloads=workloads_of(members),
        pods=len(pods_of(members)),
        nodes=sorted({x.ctx.node for x in members if x.ctx.node}),
        namespaces=sorted({x.ctx.namespace for x in members if x.ctx.namespace}),
    )


def root_view(root: m.Member, hypothesis: m.Root | None) -> m.Member:
    """The root event as the narrative should see it: about the root resource (the Node, the workload) when the
    root is named above the event's own resource."""
    if hypothesis is None or hypothesis.resource == root.ctx:
        return root
    c = hypothesis.resource
    if c.kind == "Pod" or (c.uid and c.uid == root.ctx.uid):
        return replace(root, ctx=c)
    keep = root.ctx
    return replace(root, ctx=replace(c, limits_memory=c.limits_memory or keep.limits_memory))


def root_cause(root: m.Member, hypothesis: m.Root | None) -> RootCause:
    """The root event, and the resource named as the cause (inferred: with no event of its own, and why)."""
    c = hypothesis.resource if hypothesis is not None else root.ctx
    inferred = hypothesis is not None and hypothesis.inferred
    description = describe(root)
    if hypothesis is not None and (c.uid, c.name) != (root.ctx.uid, root.ctx.name):
        description = f"{c.kind.lower()}/{c.name}: {hypothesis.why or description}"
    return RootCause(
        event_id=root.id,
        reason=root.reason,
        at=iso_ms(root.ts),
        resource=ResourceId(
            cluster=c.cluster or root.ctx.cluster, kind=c.kind, namespace=c.namespace, name=c.name, uid=c.uid
        ),
        description=description,
        inferred=inferred,
        inferred_because=hypothesis.why if inferred and hypothesis is not None else "",
    )


def build(
    corr: m.Correlation, a: Assessment, facts: Facts, *, version: int, pieces: Pieces | None = None
) -> CorrelationResult:
    """The document of ``corr`` at ``version`` (``version`` is the one it would get if published now).

    ``pieces``: the correlation's per-member pieces from its earlier versions (filled in here).
    """
    root = corr.members[a.root]
    members = ordered_members(corr, a.root)
    view = root_view(root, a.hypothesis)
    recurrence = None
    if a.pattern == Pattern.RECURRING_FAILURE and corr.recurring:
        r = corr.recurring
        recurrence = Recurrence(
            period_seconds=r.period_seconds,
            occurrences=r.occurrences,
            previous=list(r.previous),
            since=iso_ms(r.since) if r.since else "",
        )
    return CorrelationResult(
        id=corr.id,
        version=max(1, version),
        type=a.pattern,
        state=corr.state,
        severity=a.severity,
        confidence=a.confidence,
        summary=summary(a.pattern, view, members, facts),
        root_cause=root_cause(root, a.hypothesis),
        related_events=[x.id for x in (*members, *aftermath_events(corr))],
        chain=chain(corr, a.root, pieces),
        impact=impact(members),
        evidence=evidence(corr, a.root, pieces),
        remediation=remediation(a.pattern, view, members, facts),
        recurrence=recurrence,
        trace_ids=sorted({x.trace_id for x in members if x.trace_id}),
        first_seen=iso_ms(corr.first_seen),
        last_seen=iso_ms(corr.last_seen),
        cypher=f"MATCH (c:Correlation {{id: '{corr.id}'}})-[r]->(n) RETURN c, r, n",
    )
