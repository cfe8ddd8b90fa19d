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

REASONS = frozenset({"Killing", "ScalingReplicaSet", "TaintManagerEviction"})
WITHIN_MS = 6 * 60_000  # after the member it follows: the taint manager evicts 300 s after a node's NotReady taint
# before it: a Kubernetes Event's time is cut to the second, the recorded change or failure it follows is not
LEAD_MS = 2_000


def is_aftermath(reason: str, warning: bool) -> bool:
    """A Normal event of a reason that follows from trouble (a warning of the same reason is trouble itself: a
    ``Killing`` for a failed liveness probe)."""
    return not warning and reason in REASONS


def follows(x: m.Member, corr: m.Correlation) -> m.Member | None:
    """The member of ``corr`` that ``x`` follows from: the latest one on ``x``'s own resource from ``WITHIN_MS``
    before it to ``LEAD_MS`` after it; else, for a pod on the Node the correlation is rooted at, the root event."""
    uid = x.ctx.uid
    if not uid:
        return None
    near = [y for y in corr.members.values() if y.ctx.uid == uid and x.ts - WITHIN_MS <= y.ts <= x.ts + LEAD_MS]
    if near:
        return max(near, key=lambda y: (y.ts, y.id))
    root = corr.root
    if root is not None and x.ctx.node and root.resource.kind == "Node" and root.resource.name == x.ctx.node:
        y = corr.members.get(root.event_id)
        if y is not None and x.ts - WITHIN_MS <= y.ts <= x.ts + LEAD_MS:
            return y
    return None


def holder(x: m.Member, corrs: Iterable[m.Correlation]) -> tuple[m.Correlation, m.Member] | None:
    """Of ``corrs``, the one ``x`` follows from, by the latest member it follows (then the correlation's id)."""
    best: tuple[m.Correlation, m.Member] | None = None
    for corr in corrs:
        y = follows(x, corr)
        if y is not None and (best is None or (y.ts, corr.id) > (best[1].ts, best[0].id)):
            best = (corr, y)
    return best


def attached(x: m.Member, to: m.Member) -> m.Member:
    """``x`` as an aftermath event of the correlation holding ``to`` (a new object: checkpoints keep the old one)."""
    return replace(x, link=m.AFTERMATH, linked_to=to.id, weight=0.0)
