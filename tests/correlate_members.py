"""Members for the pure tests of correlate (no database)."""

from __future__ import annotations

from typing import Any

from correlate import model as m


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
