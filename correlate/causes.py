"""What an event is to a correlation (pure): a cause or a symptom, a change someone made, a node's echo of one
container, an eviction, a callee taken down; and when a cause may come, relative to its effects.

``explain`` asks these of every candidate; ``ranking`` and ``engine`` of roots. A callee taken down also explains
its callers' calls that failed on the wire and name no callee (``refused_by``): the one rule here that looks at a
correlation, since a service with replicas left still answers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping

from correlate import model as m
from correlate.calls import CALL_SKEW_MS, failed_on_wire, told_beside, told_twice
from correlate.feedback import NOTHING_LEARNED, Learned
from correlate.scoring import prior
from model.event import WARNING_RANK

SLACK_MS = 30_000  # a cause may be stamped this much after its first effect (clocks, coarse metrics)
NODE_LAG_MS = 90_000  # the node controller reports a node condition up to this long after its pods felt it
JOIN_GAP_MS = 2 * 60_000  # a symptom follows the member it is explained through within this gap
NODE_NETWORK_PRIOR = 0.9  # a node reporting its own network lost is a node condition like NotReady
CAUSE_PRIOR = 0.8  # events at least this likely to be causes (exhaustion, node conditions, changes)
# Pod-intrinsic failures that are the template's even when the workload has one pod (what a person fixes is the
# spec); one pod's error logs or probe failures stay that pod's.
TEMPLATE_FAILURES = frozenset({"crash", "image"})
SATURATION = "saturation"  # a pod using more CPU or memory than it did
# A container restarted this often crash-loops; once or twice is what a busy workload shows now and then.
LOOP_RESTARTS = 3
INTENDED = frozenset({"rollout", "image", "config"})  # changes someone made, where a status change is a failure

# A node's report of one container's failure (node-problem-detector's kernel monitor): about a pod, not the node.
ECHO_REASONS = frozenset({"OOMKilling"})


def restarts(members: Iterable[m.Member]) -> Counter[str]:
    """How often each pod's container restarted (by uid, or the event's id when it has none): its crash events of
    one reason from one source add up (a BackOff as often as its count), and the pod restarted as often as the one
    that tells most. A crash's log and its BackOff are one restart told twice."""
    told: Counter[tuple[str, str, str]] = Counter()
    for x in members:
        if x.category == "crash" and x.ctx.kind == "Pod":
            told[x.ctx.uid or x.id, x.source_kind, x.reason] += max(1, x.count)
    out: Counter[str] = Counter()
    for (key, _, _), n in told.items():
        out[key] = max(out[key], n)
    return out


def restarted_only(members: Iterable[m.Member]) -> set[str]:
    """The pods that restarted without crash-looping (fewer than ``LOOP_RESTARTS`` times)."""
    return {key for key, n in restarts(members).items() if n < LOOP_RESTARTS}


def is_echo(x: m.Member) -> bool:
    """A node event that reports one container's failure (an OOM kill seen by the node's kernel monitor)."""
    return x.ctx.kind == "Node" and x.reason in ECHO_REASONS


def is_eviction(x: m.Member) -> bool:
    """A pod evicted by its node's kubelet: the node's trouble, felt by the pod."""
    return x.ctx.kind == "Pod" and "evict" in x.reason.lower()


def is_change(x: m.Member) -> bool:
    """A recorded change of an object (a rollout, a config edit, a status read: ``source_kind`` change)."""
    return x.source_kind == "change"


def intended(x: m.Member) -> bool:
    """A change someone made (a rollout, an image, a config edit): by itself no incident, where an OOM kill or a
    node condition read from an object's status is one."""
    return is_change(x) and x.category in INTENDED


def is_cause(x: m.Member, learned: Learned = NOTHING_LEARNED) -> bool:
    """Whether ``x`` is likely a cause rather than a symptom (exhaustion, node conditions, changes)."""
    if is_echo(x) or is_eviction(x):
        return False
    return learned.prior(cause_prior(x), x.reason) >= CAUSE_PRIOR


def cause_prior(x: m.Member) -> float:
    """How likely ``x`` is a cause, before feedback (``scoring.prior``): a node's own report of its network down (a
    partition) is one, whatever its reason's words: every pod on it is cut off."""
    p = prior(x.category, x.reason, x.source_kind)
    return max(p, NODE_NETWORK_PRIOR) if _network_report(x) else p


def _network_report(x: m.Member) -> bool:
    """A node's own warning about its network (NodeNetworkUnavailable, a partition its agent detected)."""
    about = x.category == "network" or "network" in x.reason.lower()
    return x.ctx.kind == "Node" and about and x.severity_rank >= WARNING_RANK


def quiet_node(x: m.Member, learned: Learned = NOTHING_LEARNED) -> bool:
    """A node's event that is no condition of its pods (its housekeeping failing, a cordon): nothing on the node
    follows from it, so it explains none of its pods' trouble (a NotReady, a memory pressure, an eviction do)."""
    return x.ctx.kind == "Node" and not is_cause(x, learned)


def callee_down(y: m.Member, learned: Learned = NOTHING_LEARNED) -> bool:
    """Whether ``y`` takes its resource's service away from its callers: a cause, or its container not running
    (crash-looping, its image not pulled)."""
    return is_cause(y, learned) or y.category in TEMPLATE_FAILURES


def refused_by(corr: m.Correlation, x: m.Member, y: m.Member, learned: Learned = NOTHING_LEARNED) -> bool:
    """``x``, a call failed on the wire that names no callee (``calls.failed_on_wire``), is the doing of ``y`` on a
    callee of its caller: ``y`` took that callee's service away (``service_gone``) before the call failed, or was
    told of it within the clock's skew after (a node condition within ``NODE_LAG_MS``, the node controller telling it
    late), and its trouble was still going on (within ``JOIN_GAP_MS`` of its last word)."""
    skew = lag(y) if y.category == "node" else CALL_SKEW_MS  # a callee's own failure: the clocks' skew only
    return (
        failed_on_wire(x)
        and y.ts <= x.ts + skew
        and x.ts <= y.seen_until + JOIN_GAP_MS
        and service_gone(corr, y, learned)
    )


def takes_refused(
    a: m.Correlation, b: m.Correlation, links: Mapping[tuple[str, str], m.Link], learned: Learned = NOTHING_LEARNED
) -> bool:
    """``b``'s root is a call failed on the wire that names no callee, the doing of a member of ``a`` on what its
    pod calls (``refused_by``): the node controller tells a node down after its pods' callers felt it. Or it is a
    call of ``a`` told twice (``told_twice``), or a call of the same pod failing beside one of ``a``'s
    (``told_beside``), the one naming no callee placed first."""
    rb = b.members[b.root.event_id] if b.root is not None else None
    if rb is None or rb.target is not None:
        return False
    if any(told_twice(rb, y) or told_beside(rb, y) for y in a.members.values()):
        return True
    return any(refused_by(a, rb, y, learned) for y in called(a, rb, links))


def called(a: m.Correlation, x: m.Member, links: Mapping[tuple[str, str], m.Link]) -> Iterator[m.Member]:
    """The members of ``a`` on what ``x``'s pod calls (a call-graph link either way between them)."""
    for y in a.members.values():
        lk, bk = links.get((x.id, y.id)), links.get((y.id, x.id))
        if (lk is not None and lk.kind == m.CALLS and lk.direction > 0) or (
            bk is not None and bk.kind == m.CALLS and bk.direction < 0
        ):
            yield y


def service_gone(corr: m.Correlation, y: m.Member, learned: Learned = NOTHING_LEARNED) -> bool:
    """``y`` took its pod's service away (``callee_down``) with no replica left to answer: at least half its
    workload's pods are down in ``corr`` (one pod crash-looping among three is routed around). A pod of no workload,
    or of one whose replica count the graph does not know, is its service."""
    if not callee_down(y, learned):
        return False
    if not y.ctx.workload or y.ctx.workload_replicas <= 1:
        return True
    down = {z.ctx.uid for z in corr.members.values() if z.ctx.workload == y.ctx.workload and callee_down(z, learned)}
    return 2 * len(down) >= y.ctx.workload_replicas


def lag(x: m.Member) -> int:
    """How long after its first effects a cause like ``x`` may be reported."""
    return NODE_LAG_MS if x.category == "node" else SLACK_MS


def timely(cause: m.Member, effect_ts: int) -> bool:
    """A cause comes before its effect (within the slack of how late such a cause is reported)."""
    return cause.ts <= effect_ts + lag(cause)


def network_down(x: m.Member, learned: Learned = NOTHING_LEARNED) -> bool:
    """A node's own report that its network is gone, taken as a cause."""
    return _network_report(x) and is_cause(x, learned)
