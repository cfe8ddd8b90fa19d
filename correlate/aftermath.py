"""Events that follow from a correlation's member instead of telling of trouble (pure).

The kubelet stopping an evicted pod's containers (``Killing``: "Stopping container x"), the deployment
controller scaling the ReplicaSets of a rollout (``ScalingReplicaSet``), the taint manager deleting the pods of a
node gone NotReady (``TaintManagerEviction``): Normal events, the system's own reaction to what the correlation
already holds. They belong to its story (a person reading it sees the pod stopped, the rollout's new ReplicaSet),
but they are no evidence: they never open, join by link, merge or root a correlation, and nothing reasons over
them. A correlation keeps them apart from its members (``Correlation.aftermath``); its document lists them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from correlate import model as m
from correlate.nodes import rooted_at_node

TAINT_EVICTION = "TaintManagerEviction"
REASONS = frozenset({"Killing", "ScalingReplicaSet", TAINT_EVICTION})
WITHIN_MS = 6 * 60_000  # after the member it follows: the taint manager evicts 300 s after a node's NotReady taint
# before it: a Kubernetes Event's time is cut to the second, the recorded change or failure it follows is not
LEAD_MS = 2_000


def is_aftermath(reason: str, warning: bool) -> bool:
    """A Normal event of a reason that follows from trouble (a warning of the same reason is trouble itself: a
    ``Killing`` for a failed liveness probe). The taint manager's eviction is its act on a node's NoExecute taint
    (NotReady, unreachable), however severe the catalogue makes it: the node's condition is the trouble."""
    return reason == TAINT_EVICTION or (not warning and reason in REASONS)


def followed(x: m.Member, corr: m.Correlation) -> m.Member | None:
    """The member of ``corr`` that ``x`` follows from: on ``x``'s own resource, the latest from ``WITHIN_MS`` before
    ``x`` up to ``x``, else the earliest up to ``LEAD_MS`` after it; else, for a pod on the Node the correlation is
    rooted at, the root event before it. Which members were placed before ``x`` does not matter: placed late or
    early, ``x`` goes to the same one (the engine places an aftermath event out of order, placing nothing again)."""
    uid = x.ctx.uid
    if not uid:
        return None
    on_it = [y for y in corr.members.values() if y.ctx.uid == uid and x.ts - WITHIN_MS <= y.ts <= x.ts + LEAD_MS]
    before = [y for y in on_it if y.ts <= x.ts]
    if before:
        return max(before, key=lambda y: (y.ts, y.id))
    if on_it:
        return min(on_it, key=lambda y: (y.ts, y.id))
    root = corr.root
    if root is not None and rooted_at_node(corr, x.ctx.node):
        y = corr.members.get(root.event_id)
        if y is not None and x.ts - WITHIN_MS <= y.ts <= x.ts:
            return y
    return None


def holder(x: m.Member, corrs: Iterable[m.Correlation]) -> tuple[m.Correlation, m.Member] | None:
    """Of ``corrs``, the one ``x`` follows from: by the member it follows, the one before it, latest first, then the
    one after it, earliest first (then the correlation's id)."""
    best: tuple[tuple[int, int, str], m.Correlation, m.Member] | None = None
    for corr in corrs:
        y = followed(x, corr)
        if y is None:
            continue
        rank = (1, y.ts, corr.id) if y.ts <= x.ts else (0, -y.ts, corr.id)
        if best is None or rank > best[0]:
            best = (rank, corr, y)
    return None if best is None else (best[1], best[2])


def attached(x: m.Member, to: m.Member) -> m.Member:
    """``x`` as an aftermath event of the correlation holding ``to`` (a new object: checkpoints keep the old one)."""
    return replace(x, link=m.AFTERMATH, linked_to=to.id, weight=0.0)
