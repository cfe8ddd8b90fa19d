"""Build the result document of one correlation version from the engine's state (pure)."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from api.result import (
    ChainLink,
    CorrelationResult,
    Evidence,
    Impact,
    Recurrence,
    ResourceId,
    RootCause,
    iso_ms,
)
from correlate import model as m
from correlate.narrative import Facts, describe, remediation, summary
from correlate.patterns import pods_of, services_of, workloads_of


@dataclass(frozen=True)
class Assessment:
    """What the pure parts decided about a correlation: its root ranking, pattern, confidence and severity."""

    ranking: tuple[tuple[str, float], ...]
    pattern: str
    confidence: float
    severity: str

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


def chain(corr: m.Correlation, root: str) -> list[ChainLink]:
    """Members outward from the root along the links (breadth first; unreached ones after, by time)."""
    adj: dict[str, list[tuple[str, str]]] = {}
    for link in corr.links:
        if link.a in corr.members and link.b in corr.members:
            adj.setdefault(link.a, []).append((link.b, link.kind))
            adj.setdefault(link.b, []).append((link.a, link.kind))
    seen = {root: m.ROOT}
    queue = deque([root])
    while queue:
        cur = queue.popleft()
        for nxt, kind in sorted(adj.get(cur, []), key=lambda t: (corr.members[t[0]].ts, t[0])):
            if nxt not in seen:
                seen[nxt] = kind
                queue.append(nxt)
    for x in ordered_members(corr, root):
        seen.setdefault(x.id, x.link)
    return [
        ChainLink(
            event_id=i,
            resource=resource_id(corr.members[i]),
            link=kind,
            reason=corr.members[i].reason,
            at=iso_ms(corr.members[i].ts),
        )
        for i, kind in seen.items()
    ]


def evidence(corr: m.Correlation, root: str) -> list[Evidence]:
    """The link each member joined by (from the member it joined through)."""
    out = []
    for x in ordered_members(corr, root):
        if x.link != m.ROOT and x.linked_to in corr.members:
            out.append(Evidence.model_validate({"link": x.link, "from": x.linked_to, "to": x.id, "weight": x.weight}))
    return out


def impact(members: Sequence[m.Member]) -> Impact:
    return Impact(
        services=services_of(members),
        workloads=workloads_of(members),
        pods=len(pods_of(members)),
        nodes=sorted({x.ctx.node for x in members if x.ctx.node}),
        namespaces=sorted({x.ctx.namespace for x in members if x.ctx.namespace}),
    )


def build(corr: m.Correlation, a: Assessment, facts: Facts, *, version: int) -> CorrelationResult:
    """The document of ``corr`` at ``version`` (``version`` is the one it would get if published now)."""
    root = corr.members[a.root]
    members = ordered_members(corr, a.root)
    recurrence = None
    if a.pattern == "recurring_failure" and corr.recurring:
        recurrence = Recurrence(period_seconds=corr.recurring.period_seconds, occurrences=corr.recurring.occurrences)
    return CorrelationResult(
        id=corr.id,
        version=max(1, version),
        type=a.pattern,
        state=corr.state,
        severity=a.severity,
        confidence=a.confidence,
        summary=summary(a.pattern, root, members, facts),
        root_cause=RootCause(
            event_id=root.id,
            reason=root.reason,
            at=iso_ms(root.ts),
            resource=resource_id(root),
            description=describe(root),
        ),
        related_events=[x.id for x in members],
        chain=chain(corr, a.root),
        impact=impact(members),
        evidence=evidence(corr, a.root),
        remediation=remediation(a.pattern, root, members, facts),
        recurrence=recurrence,
        trace_ids=sorted({x.trace_id for x in members if x.trace_id}),
        first_seen=iso_ms(corr.first_seen),
        last_seen=iso_ms(corr.last_seen),
        cypher=f"MATCH (c:Correlation {{id: '{corr.id}'}})-[r]->(n) RETURN c, r, n",
    )
