"""Naming a correlation's pattern and its severity from its members and root (pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from correlate import model as m
from correlate.scoring import prior
from model.resource import WORKLOAD_KINDS

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


def name_pattern(members: Sequence[m.Member], root: m.Member, *, recurring: bool = False, root_kind: str = "") -> str:
    """One of the nine pattern names of DESIGN §5; ``root_kind``: the kind of the root resource when it is not the
    root event's own (an inferred Node, the workload of a workload-wide failure)."""
    if recurring:
        return "recurring_failure"
    if len(members) == 1:
        return "single_event"
    cat, kind, reason = root.category, root_kind or root.ctx.kind, root.reason.lower()
    if kind in WORKLOAD_KINDS and root.source_kind != "change" and cat not in ("rollout", "image", "config"):
        return "workload_failure"
    if cat == "node" or kind == "Node":
        return "node_failure"
    if cat == "config" or kind in ("ConfigMap", "Secret"):
        return "config_change"
    if cat in ("rollout", "image") or (root.source_kind == "change" and kind in WORKLOAD_KINDS):
        return "deployment_issue"
    services = services_of(members)
    links = Counter(x.link for x in members)
    if len(services) >= 2 and (links[m.CALLS] or links[m.SAME_TRACE]):
        network_share = sum(1 for x in members if _networky(x)) / len(members)
        if cat == "network" and network_share >= 0.8 and prior(root.category, root.reason) < 0.5:
            return "network_partition"
        return "cascading_failure"
    if cat == "resource_exhaustion" or "oom" in reason:
        return "resource_exhaustion"
    if cat == "network" and all(_networky(x) for x in members):
        return "network_partition"
    return "workload_failure"


def _networky(x: m.Member) -> bool:
    return x.category == "network" or any(w in x.reason.lower() for w in NETWORK_WORDS)


def severity(members: Sequence[m.Member], pattern: str) -> str:
    """``low|medium|high|critical`` from the worst member and how far it spreads."""
    worst = max((x.severity_rank for x in members), default=0)
    level = 3 if worst >= 7 else 2 if worst >= 5 else 1 if worst >= 4 else 0
    spread = len(services_of(members))
    if pattern == "cascading_failure" and spread >= 3:
        level = max(level, 3)
    else:
        wide = pattern in ("cascading_failure", "node_failure", "network_partition") or spread >= 2
        if wide or (pattern == "workload_failure" and len(pods_of(members)) >= 3):
            level = max(level, 2)
    return ("low", "medium", "high", "critical")[level]
