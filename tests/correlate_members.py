"""Members for the pure tests of correlate (no database)."""

from __future__ import annotations

from typing import Any

from correlate import model as m
from correlate import ranking as rk


def member(
    eid: str,
    ts: int,
    reason: str,
    category: str,
    *,
    kind: str = "Pod",
    name: str = "",
    workload: str = "",
    wkind: str = "Deployment",
    services: tuple[str, ...] = (),
    rank: int = 4,
    source_kind: str = "k8s_event",
    node: str = "",
    link: str = m.ROOT,
    weight: float = 1.0,
    **ctx: Any,
) -> m.Member:
    c = m.Context(
        uid=f"uid-{name or eid}",
        cluster="prod",
        kind=kind,
        namespace="shop",
        name=name or eid,
        node=node,
        workload_kind=wkind if workload else "",
        workload_namespace="shop" if workload else "",
        workload_name=workload,
        services=services,
        **ctx,
    )
    return m.Member(eid, ts, reason, category, rank, source_kind=source_kind, ctx=c, link=link, weight=weight)


# Contexts and members for the rules of placement and ranking (tests/test_explain.py, tests/test_ranking.py).
S = 1000


def pod(
    name: str, node: str = "n1", workload: str = "", services: tuple[str, ...] = (), replicas: int = 0
) -> m.Context:
    wl = workload or name.rsplit("-", 1)[0]
    return m.Context(
        uid=f"uid-{name}",
        cluster="c",
        kind="Pod",
        namespace="ns",
        name=name,
        node=node,
        workload_uid=f"uid-{wl}",
        workload_kind="Deployment",
        workload_namespace="ns",
        workload_name=wl,
        workload_replicas=replicas,
        services=services or (wl,),
    )


def node(name: str) -> m.Context:
    return m.Context(uid=f"uid-{name}", cluster="c", kind="Node", name=name, node=name)


def service(name: str) -> m.Context:
    return m.Context(uid=f"uid-svc-{name}", cluster="c", kind="Service", namespace="ns", name=name)


def deployment(name: str) -> m.Context:
    return m.Context(
        uid=f"uid-{name}",
        cluster="c",
        kind="Deployment",
        namespace="ns",
        name=name,
        workload_uid=f"uid-{name}",
        workload_kind="Deployment",
        workload_namespace="ns",
        workload_name=name,
    )


def ev(
    eid: str,
    ts_s: float,
    reason: str,
    ctx: m.Context,
    *,
    category: str = "network",
    target: m.Context | None = None,
    source_kind: str = "collector",
    message: str = "",
) -> m.Member:
    return m.Member(
        id=eid,
        ts=int(ts_s * S),
        reason=reason,
        category=category,
        severity_rank=6,
        source_kind=source_kind,
        message=message,
        ctx=ctx,
        target=target,
    )


def corr_of(*members: m.Member, root: m.Root | None = None) -> m.Correlation:
    c = m.Correlation("corr-" + members[0].id, members={x.id: x for x in members})
    c.root = root or rk.decide_root(list(members), [])
    return c


A, B, DB = pod("a-1", "n1"), pod("b-1", "n1"), pod("db-0", "n2", workload="db")
CALLER = pod("front-1", "n3")


def link(a: str, b: str, kind: str, direction: int, weight: float = 0.85) -> m.Link:
    return m.Link(a, b, kind, weight, direction)


OOM = ev("oom", 0, "oom_kill", DB, category="resource_exhaustion")
