"""The Node named by its pods' symptoms when it has no event of its own (pure).

Pods of two or more workloads of one node showing node-scoped symptoms (``nodes.node_signals``: probe timeouts,
unanswered calls at either end, evictions) within ``nodes.NODE_SPAN_MS`` point at that node, unless their own
trouble explains them: a container crashing explains its failed probes, a pod whose own code fails explains its
callers' timeouts.
"""

from __future__ import annotations

from collections.abc import Sequence

from correlate import model as m
from correlate.calls import blamed_node, timed_out
from correlate.causes import TEMPLATE_FAILURES, is_eviction
from correlate.nodes import NODE_SPAN_MS, node_signals, sent_out

NODE_MIN_SIGNALS = 3  # node-scoped symptoms needed (of two or more workloads) to name the node without its event


def node_context(name: str, cluster: str, uid: str = "") -> m.Context:
    return m.Context(uid=uid, cluster=cluster, kind="Node", name=name, node=name)


def inferred_node(members: Sequence[m.Member]) -> str:
    """The node whose pods of two or more workloads show node-scoped symptoms within a short span ('' if none).
    A pod whose container is crashing or not pulled explains its own failed probes: those point at no node."""
    seen: dict[str, list[tuple[int, str, bool]]] = {}  # node -> (time, workload, a call out of it)
    sent: list[tuple[m.Member, tuple[str, str]]] = []  # calls out of a pod unanswered, with its (node, workload)
    down = {x.ctx.uid for x in members if x.category in TEMPLATE_FAILURES and x.ctx.uid}
    # a pod whose own code fails (an unhandled exception, not a timeout it met) is what its callers' timeouts meet
    failing = {x.ctx.uid for x in members if x.ctx.uid and _own_trouble(x)}
    for x in members:
        if x.ctx.uid in down and x.category == "probe":
            continue
        if x.target is not None and x.target.uid in failing:
            continue
        for node, workload in node_signals(x):
            # an eviction is the node's own act: it weighs as much as two symptoms seen from outside
            for _ in range(2 if is_eviction(x) else 1):
                seen.setdefault(node, []).append((x.ts, workload, False))
        if (out := sent_out(x)) is not None:
            sent.append((x, out))
    # a call out of a node to a node that others' calls (or its kubelet) find not answering is that node's doing,
    # not the caller's: one such call alone (the call itself) says nothing of which end is cut off
    for x, (node, workload) in sent:
        if len(seen.get(blamed_node(x), ())) < 2:
            seen.setdefault(node, []).append((x.ts, workload, True))
    found = _named(seen)
    return min(found)[1] if found else ""


def _named(seen: dict[str, list[tuple[int, str, bool]]]) -> list[tuple[int, str]]:
    """``(when, node)`` of each node whose marks name it: ``NODE_MIN_SIGNALS`` of two workloads or more within
    ``NODE_SPAN_MS``, one of them at least not a call out of it (calls out alone are what a callee gone dead does
    to its callers)."""
    found = []
    for node, marks in seen.items():
        marks.sort()
        for i, (t, _, _) in enumerate(marks):
            near = [(w, away) for s, w, away in marks[i:] if s - t <= NODE_SPAN_MS]
            inward = any(not away for _, away in near)
            if inward and len({w for w, _ in near}) >= 2 and len(near) >= NODE_MIN_SIGNALS:
                found.append((t, node))
                break
    return found


def _own_trouble(x: m.Member) -> bool:
    """A resource's own failure that names no callee and points at no node (its broken connections, its errors,
    its code throwing); not a call of its own that got no answer (a deadline exceeded, a timeout: what a pod on a
    node cut off meets, not what it does)."""
    return (
        x.target is None and x.category in ("network", "application_error") and not node_signals(x) and not timed_out(x)
    )
