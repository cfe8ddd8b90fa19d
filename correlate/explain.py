"""Which correlation explains an event, when two correlations are one, and what the root is (pure).

An event joins the correlation whose root explains it: a dependency path from the event's resource (or from the
resource it was calling) to the root's resource, in the dependency direction (pod -> node, pod -> owner, caller ->
callee, pod -> ConfigMap/Secret/PVC), consistent in time. Symmetric links (same node, same trace, a shared caller)
never join or merge on their own: one link at a time they string independent incidents together. Two
correlations merge only when one's root explains the other's root. The root is named at the level a person fixes:
the top-level owner of a workload-wide failure, the Node whose pods of several workloads fail together, the callee
its callers' errors name; such a root is ``inferred`` when that resource has no event of its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from correlate import model as m
from correlate.calls import (
    CALL_SKEW_MS,
    beside_a_call,
    blamed_node,
    is_call,
    sides,
)
from correlate.causes import (
    JOIN_GAP_MS,
    LOOP_RESTARTS,
    SATURATION,
    TEMPLATE_FAILURES,
    callee_down,
    intended,
    is_cause,
    is_echo,
    is_eviction,
    network_down,
    quiet_node,
    refused_by,
    restarts,
    takes_refused,
    timely,
)
from correlate.feedback import NOTHING_LEARNED, Learned
from correlate.nodes import (
    SILENT_REASONS,
    cut_off_link,
    explains_eviction,
    node_borne,
    node_explains,
    node_inferred,
    not_the_nodes,
    still_down,
    went_silent,
)

# Symptoms whose cause was not found are one episode at most this long: a pod that always misbehaves (or faults
# back to back) must not string one correlation through everything that happens after it.
EPISODE_MS = 10 * 60_000
FELT_GAP_MS = 150_000  # a pod its callers felt: its symptoms may fall quiet this long and still be one (``still_felt``)
# Links through the call graph: an event that names its callee is explained through that callee only.
CALL_LINKS = frozenset({m.CALLS, m.SELECTS})
# Pod-intrinsic failures: when many pods of one owner show them (and nothing upstream does), the owner is the root.
WORKLOAD_WIDE = frozenset({"crash", "probe", "lifecycle", "image"})
OWN_WORK = frozenset({"performance", "saturation", "network"})  # what a pod does, not what its template fails
WORKLOAD_KINDS = frozenset(m.WORKLOAD_KINDS)


def resource_explains(r: m.Context, x: m.Member, *, caller_too: bool = True) -> str:
    """The link kind by which resource ``r`` is upstream of ``x``'s resource or of what ``x`` was calling ('' if
    it is not): the resource itself, its node, its top-level owner, a Service selecting it, a Service it serves.
    ``caller_too=False``: a call failure is explained only through its callee (a caller pod's own trouble explains
    its failed calls only when that trouble is a cause, such as its OOM kill)."""
    if not (r.uid or r.name):
        return ""
    if is_echo(x) and r.kind == "Pod" and r.node == x.ctx.name:
        return m.SAME_NODE
    if r.kind == "Node":
        blamed = blamed_node(x)
        if not blamed or blamed != r.name:
            return ""
        return m.TARGET if x.target is not None and x.target.node == blamed else m.SAME_NODE
    for called, c in sides(x, caller_too):
        if (r.uid and c.uid == r.uid) or (not r.uid and c.kind == r.kind and c.name == r.name and c.name):
            return m.TARGET if called else m.SAME_RESOURCE
        if r.kind in WORKLOAD_KINDS and c.workload and c.workload == r.workload:
            return m.TARGET if called else m.OWNER
        if r.kind == "Service" and r.name in c.services:
            return m.TARGET if called else m.SELECTS
        if called and r.kind == "Pod" and c.kind == "Service" and c.name in r.services:
            return m.TARGET
        if called and r.kind == "Pod" == c.kind and r.workload and c.workload == r.workload:
            return m.TARGET  # a call that landed on one pod of a workload reached what its siblings serve
    return ""


@dataclass(frozen=True)
class Explanation:
    """How a correlation's root explains an event: through which member, by which link, how strongly."""

    strength: float
    link: str
    via: str


def explanation(
    x: m.Member, corr: m.Correlation, links: Sequence[m.Link], learned: Learned = NOTHING_LEARNED
) -> Explanation | None:
    """How ``corr``'s root explains ``x`` (None when it does not). ``links``: ``x``'s links to other events."""
    root = corr.root
    if root is None:
        return None
    late = corr.last_seen + JOIN_GAP_MS < x.ts
    down = still_down(corr, x, learned)  # a node cut off stays so: a call into it is its, late or not
    if late and not (down or still_felt(corr, x)):
        return None
    if x.ts - corr.first_seen > EPISODE_MS and not found_cause(corr, learned):
        return None  # symptoms with no cause found are one episode, not a chain of everything since
    first = corr.members[root.event_id]
    if not timely(first, x.ts):
        return None
    if is_eviction(x) and not explains_eviction(root, first, x, learned):
        return None
    cut_off = network_down(first, learned)
    node = root.resource.name if root.resource.kind == "Node" else ""
    if node and x.ctx.kind == "Pod" and not node_explains(corr, node, x, first, cut_off, still=down):
        return None
    if not_the_nodes(corr, first, x, learned):
        return None
    best: Explanation | None = None
    # a node's housekeeping warning as the root event says nothing of its pods, even when their symptoms named the
    # node (``Root.named``): only what named it, its pods' calls cut off and evictions, is then its (measured: by
    # resource too, its background came in, purity 0.01-0.03 lower on independent sets)
    mute = quiet_node(first, learned) and not root.inferred
    kind = (
        ""
        if mute or not speaks_for(root.resource, first, x, learned)
        else resource_explains(root.resource, x, caller_too=is_cause(first, learned))
    )
    if not kind and node:
        kind = cut_off_link(x, node, reported=cut_off, inferred=node_inferred(corr), silent=went_silent(corr, node))
    wide = workload_wide(corr, learned)
    own_work = wide and not intended(first) and x.category in OWN_WORK
    if kind in (m.OWNER, m.SAME_WORKLOAD) and own_work:
        kind = ""
    if kind:
        best = Explanation(1.0, kind, root.event_id)
    elif other_node_down(x, corr, first, learned):
        return None
    if late:  # only the root's own resource explains it now: its members' symptoms are over
        kind = m.TARGET if x.target is not None else m.SAME_NODE
        return best or (Explanation(0.9, kind, root.event_id) if down else None)
    for link in links:
        y = corr.members.get(link.b)
        if y is None or y.id == x.id or is_echo(y) or not timely(y, x.ts) or y.seen_until + JOIN_GAP_MS < x.ts:
            continue
        if siblings(x, y) and link.kind != m.SAME_WORKLOAD:
            link = replace(link, kind=m.SAME_WORKLOAD, direction=0)  # two pods of one workload, whatever else
        # a workload-wide failure explains its own workload's pods, not another workload's siblings among its members
        shared = link.kind == m.SAME_WORKLOAD and wide and y.ctx.workload == root.resource.workload and not own_work
        directed = link.direction > 0 or link.kind == m.SAME_RESOURCE or shared
        if link.kind == m.SAME_WORKLOAD and alike(x, y):
            directed = True  # a container failing the way its sibling's does: the template both pods share
        if (
            directed
            and link.kind == m.SAME_NODE
            and (quiet_node(y, learned) or not node_borne(x, y, cut_off=network_down(y, learned)))
        ):
            continue
        if directed and link.kind == m.CALLS and x.target is None and not refused_by(corr, x, y, learned):
            continue  # being called is no evidence: a symptom that names no callee is not its callee's
        if directed and link.kind in CALL_LINKS and (x.category == SATURATION or is_cause(x, learned)):
            continue  # a caller's own CPU or memory, its OOM kill, is not what a callee's failure does to it
        if directed and x.target is not None and not through_target(x, y, learned):
            continue  # it named what it was calling: only what explains that call explains it
        if directed and beside_a_call(x, y, link):
            continue
        if directed and is_eviction(x) and not (y.ctx.kind == "Node" and is_cause(y, learned)):
            continue  # the kubelet evicts for its node's sake: only the node's condition explains an eviction
        if directed and (best is None or link.weight > best.strength):
            best = Explanation(link.weight, link.kind, y.id)
    if x.target is not None:
        for y in corr.members.values():
            if y.id == x.id or is_echo(y) or not timely(y, x.ts) or (y.ctx.kind == "Node" and not is_cause(y, learned)):
                continue
            if y.seen_until + JOIN_GAP_MS < x.ts and not (callee_down(y, learned) or is_eviction(y)):
                continue  # the callee's symptom minutes ago is over; its being down (a cause, evicted) lasts
            if sibling_of_target(y, x) and not sibling_down(y, x, learned):
                continue  # a sibling pod's symptom says nothing of the pod the call reached
            if resource_explains(y.ctx, bare(x)) == m.TARGET:
                if best is None or best.strength < 0.9:
                    best = Explanation(0.9, m.TARGET, y.id)
                break
    return best


def still_felt(corr: m.Correlation, x: m.Member) -> bool:
    """``corr``'s root resource is a pod its callers felt (a member on another resource named it as what it called)
    and ``x`` is that pod's own symptom again, or a call naming it, within ``FELT_GAP_MS`` of the
    correlation's last word: a slow burn others feel, its symptoms a few minutes apart, is one incident. A pod's
    anomalies that no caller felt keep ``JOIN_GAP_MS``: a background pod's warnings now and then are not one."""
    root = corr.root
    if root is None or root.resource.kind != "Pod" or not root.resource.uid or corr.last_seen + FELT_GAP_MS < x.ts:
        return False
    uid = root.resource.uid
    target = x.target.uid if x.target is not None else ""
    on_it = target == uid or (x.ctx.uid == uid and not target)  # not the pod's own calls to others
    return on_it and any(
        y.ctx.uid != uid and y.target is not None and y.target.uid == uid for y in corr.members.values()
    )


def siblings(x: m.Member, y: m.Member) -> bool:
    """Two pods of one workload (a workload may call itself through others: that is not what links them)."""
    return (
        x.ctx.kind == "Pod" == y.ctx.kind
        and bool(x.ctx.workload)
        and y.ctx.workload == x.ctx.workload
        and y.ctx.uid != x.ctx.uid
    )


def alike(x: m.Member, y: m.Member) -> bool:
    """Containers of one workload crashing or not pulled the same way."""
    return x.category in TEMPLATE_FAILURES and y.category == x.category


def sibling_of_target(y: m.Member, x: m.Member) -> bool:
    """``y`` is on another pod than the one ``x``'s call reached (a sibling of its workload, or any pod)."""
    t = x.target
    return t is not None and t.kind == "Pod" == y.ctx.kind and bool(t.uid) and y.ctx.uid != t.uid


def sibling_down(y: m.Member, x: m.Member, learned: Learned) -> bool:
    """``y``, on a sibling of the pod ``x``'s call reached, takes that sibling away (``callee_down``) in a way that
    also fails the pod reached: what fails the workload's template or code fails all its pods, but a sibling's node
    condition (its node NotReady) says nothing of a pod on another node (an unknown node is neither)."""
    t = x.target
    elsewhere = t is not None and bool(t.node and y.ctx.node) and t.node != y.ctx.node and y.category == "node"
    return callee_down(y, learned) and not elsewhere


def speaks_for(r: m.Context, first: m.Member, x: m.Member, learned: Learned) -> bool:
    """Whether a root on resource ``r`` (its event ``first``) may explain ``x`` by resource at all: a pod's own
    symptom says nothing of a call that reached its sibling (as ``through_target`` for members)."""
    return r.kind != "Pod" or not sibling_of_target(first, x) or is_call(first) or sibling_down(first, x, learned)


def other_node_down(x: m.Member, corr: m.Correlation, first: m.Member, learned: Learned) -> bool:
    """``x`` is a node's own condition that ``corr``'s root (a cause, event ``first``) neither explains nor follows
    from: an incident of its own, whatever member it touches (two nodes failing at once stay two incidents)."""
    if x.ctx.kind != "Node" or not is_cause(x, learned) or not found_cause(corr, learned):
        return False
    return not resource_explains(x.ctx, first)


def through_target(x: m.Member, y: m.Member, learned: Learned) -> bool:
    """Whether member ``y`` explains ``x``, an event that names what it was calling: ``y`` is on that callee (a
    sibling's only when it takes the workload down: ``sibling_down``), or is the same call failing, or is a cause on
    the caller's own pod (its OOM kill; not the NotReady told of it: a node gone silent tells nothing of its pods'
    calls) or on the callee's node."""
    assert x.target is not None
    # A sibling's own symptom says nothing of the pod the call reached; its failed calls, or it being down, do
    # (what fails the workload's calls fails them all).
    speaks = not sibling_of_target(y, x) or is_call(y) or sibling_down(y, x, learned)
    if speaks and resource_explains(y.ctx, bare(x)):
        return True
    if y.target is not None and y.target.uid and y.target.uid == x.target.uid:
        return True
    own_side = y.ctx.uid == x.ctx.uid or (y.ctx.kind == "Node" and bool(y.ctx.name) and y.ctx.name == blamed_node(x))
    # a node gone silent (NotReady) tells nothing of its pods' calls (``nodes.went_silent``)
    return own_side and is_cause(y, learned) and not (y.ctx.kind == "Pod" and y.reason in SILENT_REASONS)


def bare(x: m.Member) -> m.Member:
    """``x`` seen only by what it was calling (to ask whether a member's resource is that)."""
    return x.bare


def workload_wide(corr: m.Correlation, learned: Learned = NOTHING_LEARNED) -> bool:
    """Whether the root is a pod-intrinsic failure that the workload's other pods share (no cause of its own)."""
    if corr.root is None:
        return False
    r = corr.members[corr.root.event_id]
    if corr.root.resource.kind in WORKLOAD_KINDS:
        return True
    return r.ctx.kind == "Pod" and bool(r.ctx.workload) and r.category in WORKLOAD_WIDE and not is_cause(r, learned)


def workload_crash(corr: m.Correlation, *, looping: bool = False) -> bool:
    """Pods of one workload crashing (two or more of them) with the workload as the root: where the crash's
    events belong. ``looping``: each of them restarted ``LOOP_RESTARTS`` times or more (a BackOff's count, several
    crash events), an incident by itself; a restart or two each on two pods is what a busy workload shows now and
    then."""
    if corr.root is None or corr.root.resource.kind not in WORKLOAD_KINDS:
        return False
    w = corr.root.resource.workload
    crashes = restarts(x for x in corr.members.values() if x.ctx.workload == w)
    return sum(1 for n in crashes.values() if n >= (LOOP_RESTARTS if looping else 1)) >= 2


def found_cause(corr: m.Correlation, learned: Learned = NOTHING_LEARNED) -> bool:
    """Whether the correlation's root is a cause: a cause-like event, a workload's pods crashing, an inferred node."""
    if corr.root is None:
        return False
    return is_cause(corr.members[corr.root.event_id], learned) or workload_crash(corr) or node_inferred(corr)


def root_explains_root(
    a: m.Correlation, b: m.Correlation, links: Mapping[tuple[str, str], m.Link], learned: Learned = NOTHING_LEARNED
) -> bool:
    """Whether ``a``'s root explains ``b``'s root (then ``b`` is part of ``a``'s incident). A symptom never takes in a
    correlation whose root is a cause; ``links``: known links ``(later, earlier) -> Link`` between events."""
    if a.root is None or b.root is None or a.id == b.root.event_id:
        return False
    ra, rb = a.members[a.root.event_id], b.members[b.root.event_id]
    if not timely(ra, rb.ts) or (is_cause(rb, learned) and not (is_cause(ra, learned) and intended(ra))):
        return False  # a cause is its own incident unless a change (a rollout, a config edit) came before it
    if is_cause(rb, learned) and (a.root.inferred or node_inferred(a)):
        return False
    if not_the_nodes(a, ra, rb, learned) or (node_inferred(a) and b.root.resource.kind in WORKLOAD_KINDS):
        return False
    if quiet_node(ra, learned) and not a.root.inferred:
        return False
    if is_eviction(rb) and not explains_eviction(a.root, ra, rb, learned):
        return False
    node = a.root.resource.name if a.root.resource.kind == "Node" else ""
    cut_off = network_down(ra, learned)
    if speaks_for(a.root.resource, ra, rb, learned) and resource_explains(
        a.root.resource, rb, caller_too=is_cause(ra, learned)
    ):
        return not node or node_explains(a, node, rb, ra, cut_off)
    if node and cut_off_link(rb, node, reported=cut_off, inferred=node_inferred(a), silent=went_silent(a, node)):
        return node_explains(a, node, rb, ra, cut_off)  # as ``explanation``: a call cut off, felt before it was told
    if is_call(rb):
        return through_target(rb, ra, learned)
    link, back = links.get((rb.id, ra.id)), links.get((ra.id, rb.id))
    through = link or back
    if takes_refused(a, b, links, learned):
        return True  # a call failed on the wire, its callee down since (as ``explanation``)
    if through is not None and through.kind == m.CALLS and rb.target is None:
        return False  # being called is no evidence (as ``explanation``): what names no callee is not a callee's
    if through is not None and through.kind in CALL_LINKS and ra.ts > rb.ts + CALL_SKEW_MS:
        return False  # a caller's trouble that began before its callee's failure is its own
    up = (link is not None and link.direction > 0) or (back is not None and back.direction < 0)  # rb is downstream
    return up or (link is not None and link.kind == m.SAME_RESOURCE)
