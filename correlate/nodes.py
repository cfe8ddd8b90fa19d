"""What a node's trouble does to its pods and to the calls into and out of it (pure): which events are a node's
signals, when its condition explains a pod's event, how long a node down lasts, and which correlations a node roots.

``explain`` asks these when a correlation's root is a Node (its own event, or inferred from its pods' symptoms):
a node's condition makes its pods unready, evicted or cut off, not their own work; a node cut off answers no call
into it and carries none out of it; a node that stopped reporting tells nothing of its pods since.
"""

from __future__ import annotations

from correlate import model as m
from correlate.calls import (
    FAILED_CALL,
    WIRE_CATEGORIES,
    WIRE_WORDS,
    behind,
    blamed_node,
    code_failure,
    outbound,
    sides,
    timed_out,
)
from correlate.causes import (
    JOIN_GAP_MS,
    SATURATION,
    TEMPLATE_FAILURES,
    is_cause,
    is_echo,
    is_eviction,
    lag,
    network_down,
)
from correlate.feedback import NOTHING_LEARNED, Learned

NODE_SPAN_MS = 3 * 60_000  # node-scoped symptoms of several workloads this close together point at their node
NODE_DOWN_GAP_MS = 3 * 60_000  # a node down: its symptoms may fall quiet this long and still be its (``still_down``)
# A node that stopped reporting (its kubelet silent), and what only the node itself tells of its pods.
SILENT_REASONS = frozenset({"NodeNotReady", "node_not_ready", "node_down"})
NODE_TOLD = frozenset({"probe", "crash"})
NODE_GRACE_MS = 40_000  # the node controller's grace period (node-monitor-grace-period) before it says NotReady
NODE_SIGNAL_WORDS = (*WIRE_WORDS, "evict", "notready")


def explains_eviction(root: m.Root, first: m.Member, x: m.Member, learned: Learned = NOTHING_LEARNED) -> bool:
    """Whether ``root`` (its event ``first``) explains the eviction ``x``: the kubelet evicts for its node's sake,
    so only that node in trouble does, by its own condition (a cause) or inferred from its pods' symptoms; never
    the pod's own trouble, nor another node's."""
    return (
        root.resource.kind == "Node"
        and root.resource.name == x.ctx.node
        and (root.inferred or root.named or is_cause(first, learned))
    )


def cut_off_link(x: m.Member, node: str, *, reported: bool, inferred: bool, silent: bool = False) -> str:
    """How a node cut off explains the call ``x`` that its resource does not ('' if it does not): by the node's own
    report of its network down, any failed call out of one of its pods, whatever it called; named by its pods'
    timeouts (both directions fail), such a call only if it timed out. Either way, an unanswered call to a Service
    with one of its pods there among others: that pod took it. A node gone silent (``went_silent``) answers no
    call either, but tells nothing of its own pods' calls."""
    if not (reported or inferred or silent):
        return ""
    if (reported or inferred) and outbound(x, node) and (reported or timed_out(x)):
        return m.SAME_NODE
    return m.TARGET if timed_out(x) and behind(x, node) else ""


def node_signals(x: m.Member) -> list[tuple[str, str]]:
    """``(node, workload)`` pairs that ``x`` is a node-scoped symptom of: probe timeouts, calls to an address that
    timed out (on either end of the call), evictions, NotReady pods. A refused connection is not one (the peer's
    host answered), nor an application's log that mentions a timeout."""
    text = f"{x.reason} {x.message}".lower()
    if "refused" in text:
        return []
    seen_by_kubelet = x.category in ("probe", "node") or is_eviction(x)
    seen_on_the_wire = x.category == "network" and x.target is not None  # an address it could not reach
    if not (seen_by_kubelet or seen_on_the_wire):
        return []
    if not any(w in text for w in NODE_SIGNAL_WORDS):
        return []
    blamed = blamed_node(x)
    out = []
    for _, c in sides(x):
        if c.kind == "Pod" and c.node and c.node == blamed:
            out.append((c.node, c.workload or c.uid))
    return out


def sent_out(x: m.Member) -> tuple[str, str] | None:
    """``(node, workload)`` of the pod whose call ``x`` got no answer from a callee on another node: the other
    direction of a node cut off (its pods reach nothing), and what any callee gone dead does to its callers too, so
    ``nodeinfer`` takes it only beside a call into the node or its kubelet's word."""
    c, callee = x.ctx, blamed_node(x)
    # a Service with pods on several nodes may have failed it on any of them: that says nothing of the caller's
    if x.category != "network" or c.kind != "Pod" or not c.node or not callee or callee == c.node:
        return None
    text = f"{x.reason} {x.message}".lower()
    if "refused" in text or not any(w in text for w in WIRE_WORDS):
        return None
    return c.node, c.workload or c.uid


def pointed_at(x: m.Member) -> set[str]:
    """The nodes ``x`` says something of: those it is a node-scoped symptom of (``node_signals``), and the one a
    call out of it got no answer from (``sent_out``)."""
    out = sent_out(x)
    return {n for n, _ in node_signals(x)} | ({out[0]} if out is not None else set())


def points_at(x: m.Member, node: str) -> bool:
    """Whether ``x`` says something of ``node`` (``pointed_at``)."""
    return node in pointed_at(x)


def met_there(x: m.Member, node: str) -> bool:
    """``x`` says something of ``node`` (``points_at``), or is a call out of one of its pods that got no answer: a
    pod on a node cut off meets timeouts whatever it calls (``nodeinfer`` names the node only beside calls into it
    or its kubelet's word)."""
    on_it = x.ctx.kind == "Pod" and x.ctx.node == node
    return points_at(x, node) or (on_it and (x.target is not None or x.category == "network") and timed_out(x))


def still_down(corr: m.Correlation, x: m.Member, learned: Learned = NOTHING_LEARNED) -> bool:
    """``corr`` is rooted at a node cut off (its network gone, NotReady) and ``x`` is a call into that node that got
    no answer, within ``NODE_DOWN_GAP_MS`` of the correlation's last word: a node stays cut off until it recovers,
    and its callers' retries, backing off, may fall quiet for longer than ``JOIN_GAP_MS`` between them. Not its pods'
    own symptoms: a probe failing minutes on is as likely the background of a busy node."""
    root = corr.root
    if root is None or root.resource.kind != "Node" or corr.last_seen + NODE_DOWN_GAP_MS < x.ts:
        return False
    first, node, t = corr.members[root.event_id], root.resource.name, x.target
    cut_off = network_down(first, learned) or first.reason in SILENT_REASONS
    into = t is not None and ((t.kind == "Pod" and t.node == node) or behind(x, node))
    return cut_off and is_cause(first, learned) and into and timed_out(x)


def not_the_nodes(corr: m.Correlation, first: m.Member, x: m.Member, learned: Learned = NOTHING_LEARNED) -> bool:
    """``x`` is no doing of ``corr``'s node trouble (its root event ``first``), whatever links them: a node whose
    network is gone cuts its pods' calls off, it does not make their code throw or their containers crash; a node
    named by its pods' symptoms makes no container crash or fail to pull, and, unless it evicted pods (short of a
    resource), OOM-kills none (a pod's own limit). Placement and merging ask alike."""
    if network_down(first, learned) and (code_failure(x) or x.category == "crash"):
        return True
    if not node_inferred(corr):
        return False
    # named by timeouts and probes, not by evicting pods (short of memory or disk): a pod's OOM kill is its own
    oom = x.category == "resource_exhaustion" and (is_echo(x) or (x.ctx.kind == "Pod" and is_cause(x, learned)))
    return x.category in TEMPLATE_FAILURES or (oom and not node_evicted(corr))


def node_explains(
    corr: m.Correlation, node: str, x: m.Member, cause: m.Member, cut_off: bool, *, still: bool = False
) -> bool:
    """Whether the node's trouble in ``corr`` (its event ``cause``) explains its pod's event ``x``: only while it
    lasts (``still``: known to, ``still_down``), and only what a node's condition does to its pods (``node_borne``;
    ``cut_off``: ``cause`` is the node's network down)."""
    return node_borne(x, cause, cut_off=cut_off) and (still or node_active(corr, node, x.ts))


def silenced(x: m.Member, cause: m.Member) -> bool:
    """``x`` is what only a node itself tells of a pod of that node (its kubelet, its agents: a probe failing, a
    container restarting), stamped after the node went silent: ``cause`` says the node stopped reporting
    (NotReady, down), which the node controller tells ``NODE_GRACE_MS`` after the last word it had. A silent node
    tells nothing; what it told before its silence may be the node failing, and a probe that got no answer is what
    its trouble looks like from its pods."""
    node = cause.ctx.node or (cause.ctx.name if cause.ctx.kind == "Node" else "")
    on_it = bool(node) and x.ctx.kind == "Pod" and x.ctx.node == node
    unanswered = x.category == "probe" and timed_out(x)
    told = x.category in NODE_TOLD and x.ts >= cause.ts - NODE_GRACE_MS and not unanswered
    return on_it and cause.reason in SILENT_REASONS and told


def node_borne(x: m.Member, cause: m.Member, *, cut_off: bool = False) -> bool:
    """Whether a node's trouble (its event ``cause``) may show as ``x`` on one of its pods: a node's condition
    makes its pods unready, evicted or cut off. Not a pod using more CPU or memory (its own doing), nor what a
    pod's own work shows when it names no callee: a slow request, an error, a connection failing, unless the call
    got no answer at all (a node's network gone silent) or the node reported its network down (then any failure on
    the wire, though not its code's own failure: ``code_failure``). Nor what its silent kubelet cannot have told
    (``silenced``)."""
    if silenced(x, cause):
        return False
    if x.category == SATURATION or x.target is not None:
        return x.category != SATURATION
    if x.category not in WIRE_CATEGORIES:
        return True
    return x.category in FAILED_CALL and (timed_out(x) or (cut_off and not code_failure(x)))


def node_active(corr: m.Correlation, node: str, ts: int) -> bool:
    """Whether ``node``'s trouble in ``corr`` is still going on at ``ts``: an event of the node itself, or a
    node-scoped symptom pointing at it (an eviction, a probe or call timing out), within ``JOIN_GAP_MS`` before."""
    for y in reversed(corr.members.values()):  # placed in time order: the latest first
        if y.seen_until + JOIN_GAP_MS < ts or y.ts > ts + lag(y):
            continue
        if (y.ctx.kind == "Node" and y.ctx.name == node) or points_at(y, node):
            return True
    return False


def rooted_at_node(corr: m.Correlation, node: str) -> bool:
    """Whether ``corr``'s root resource is the Node ``node``."""
    return (
        bool(node) and corr.root is not None and corr.root.resource.kind == "Node" and corr.root.resource.name == node
    )


def node_inferred(corr: m.Correlation) -> bool:
    """The Node named as the root by its pods' symptoms (several workloads, several signals): a finding in itself,
    whether the node said nothing of its own or only a lesser warning (a failed image GC)."""
    return corr.root is not None and corr.root.named and corr.root.resource.kind == "Node"


def went_silent(corr: m.Correlation, node: str) -> bool:
    """``node`` stopped reporting in ``corr`` (its NotReady, told by the node controller): its pods answer no call,
    as a node cut off does, so its calls that got no answer are its own (``cut_off_link``)."""
    return any(
        y.ctx.kind == "Node" and y.ctx.name == node and y.reason in SILENT_REASONS for y in corr.members.values()
    )


def node_evicted(corr: m.Correlation) -> bool:
    """The root Node evicted pods among the members: the node acted, an incident by itself, whether it was inferred
    or is rooted at a lesser warning of its own (a failed image GC says nothing of why it evicted). Timeouts and
    probe failures alone point at a node too, but lone ones on a few of its pods are also what a busy node shows
    now and then: those must be news (``state.news``) like any symptoms."""
    if corr.root is None or corr.root.resource.kind != "Node":
        return False
    node = corr.root.resource.name
    return any(is_eviction(x) and x.ctx.node == node for x in corr.members.values())
