"""Naming a correlation's pattern and its severity from its members and root (pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from correlate import model as m
from correlate.scoring import prior
from model.event import Category, SourceKind
from model.resource import WORKLOAD_KINDS
from model.vocab import Pattern, Severity

NETWORK_WORDS = ("network", "unreachable", "partition", "connection", "dns", "timeout", "refused")


def services_of(members: Sequence[m.Member]) -> list[str]:
    """Distinct service names the members touch (their resource's services, or the resource when a Service)."""
    names: set[str] = set()
    for x in members:
        names.update(x.ctx.services)
        if x.ctx.kind == "Service":
            names.add(x.ctx.name)
    return sorted(names)


def workloads_of(members: Sequence[m.Member]) -> list[str]:
    """Distinct top-level owners (``kind/namespace/name``) of the members' resources."""
    return sorted({x.ctx.workload for x in members if x.ctx.workload})


def pods_of(members: Sequence[m.Member]) -> list[str]:
    return sorted({f"{x.ctx.namespace}/{x.ctx.name}" for x in members if x.ctx.kind == "Pod"})


def name_pattern(
    members: Sequence[m.Member], root: m.Member, *, recurring: bool = False, root_kind: str = ""
) -> Pattern:
    """One of the nine pattern names of DESIGN §5; ``root_kind``: the kind of the root resource when it is not the
    root event's own (an inferred Node, the workload of a workload-wide failure)."""
    if recurring:
        return Pattern.RECURRING_FAILURE
    if len(members) == 1:
        return Pattern.SINGLE_EVENT
    cat, kind, reason = root.category, root_kind or root.ctx.kind, root.reason.lower()
    if (
        kind in WORKLOAD_KINDS
        and root.source_kind != SourceKind.CHANGE
        and cat not in (Category.ROLLOUT, Category.IMAGE, Category.CONFIG)
    ):
        return Pattern.WORKLOAD_FAILURE
    if cat == Category.NODE or kind == "Node":
        return Pattern.NODE_FAILURE
    if cat == Category.CONFIG or kind in ("ConfigMap", "Secret"):
        return Pattern.CONFIG_CHANGE
    if cat in (Category.ROLLOUT, Category.IMAGE) or (root.source_kind == SourceKind.CHANGE and kind in WORKLOAD_KINDS):
        return Pattern.DEPLOYMENT_ISSUE
    services = services_of(members)
    links = Counter(x.link for x in members)
    if len(services) >= 2 and (links[m.CALLS] or links[m.TARGET] or links[m.SAME_TRACE]):  # spread by calls
        network_share = sum(1 for x in members if _networky(x)) / len(members)
        if cat == Category.NETWORK and network_share >= 0.8 and prior(root.category, root.reason) < 0.5:
            return Pattern.NETWORK_PARTITION
        return Pattern.CASCADING_FAILURE
    if cat == Category.RESOURCE_EXHAUSTION or "oom" in reason:
        return Pattern.RESOURCE_EXHAUSTION
    if cat == Category.NETWORK and all(_networky(x) for x in members):
        return Pattern.NETWORK_PARTITION
    return Pattern.WORKLOAD_FAILURE


def _networky(x: m.Member) -> bool:
    return x.category == Category.NETWORK or any(w in x.reason.lower() for w in NETWORK_WORDS)


def severity(members: Sequence[m.Member], pattern: str) -> Severity:
    """``low|medium|high|critical`` from the worst member and how far it spreads."""
    worst = max((x.severity_rank for x in members), default=0)
    level = 3 if worst >= 7 else 2 if worst >= 5 else 1 if worst >= 4 else 0
    spread = len(services_of(members))
    if pattern == Pattern.CASCADING_FAILURE and spread >= 3:
        level = max(level, 3)
    else:
        wide = pattern in (Pattern.CASCADING_FAILURE, Pattern.NODE_FAILURE, Pattern.NETWORK_PARTITION) or spread >= 2
        if wide or (pattern == Pattern.WORKLOAD_FAILURE and len(pods_of(members)) >= 3):
            level = max(level, 2)
    return tuple(Severity)[level]
