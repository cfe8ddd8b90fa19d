"""Which of the correlations that explain an event becomes its home (pure).

``explain.explanation`` says which open correlations explain an event; ``choose`` picks one of them by a fixed
order of preference (``Fit``): where a slow call's time went, a cause before a symptom, the very pod a call reached
being down, the Node a call that got no answer points at, the callee its trace names, a workload's alike failure,
the event's own resource, the very pod a call reached, the anomalies on what it called, then the member it follows
most closely in time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice
from typing import NamedTuple

from correlate import model as m
from correlate.calls import CALL_SKEW_MS, FAILED_CALL, sides, timed_out
from correlate.causes import JOIN_GAP_MS, SATURATION, callee_down
from correlate.explain import Explanation, alike, bare, found_cause, resource_explains
from correlate.feedback import NOTHING_LEARNED, Learned
from correlate.nodes import node_signals, rooted_at_node

SLOWNESS = frozenset({"performance", SATURATION})  # a resource slow itself: its spans, its latency, its CPU


class Fit(NamedTuple):
    """How well a correlation fits as an event's home, compared field by field in this order (``choose``)."""

    slow: bool  # a slow call its callee answered: it explains the call through the callee, or has the callee slow
    earlier: bool  # its subject's episode (its pod, or the pod its call reached) from before another's failure
    cause: bool  # its root is a cause
    down: bool  # the very pod the event's call reached is down in it, unless a home is the caller's node in trouble
    node: bool  # rooted at the Node the event points at
    named: bool  # the event's trace names it
    alike: bool  # a container failing the way its sibling's does
    own: bool  # rooted at the event's own resource
    reached: bool  # it has trouble on the very pod the event's call reached
    on_target: int  # its anomalies on what the event called (that pod, or its siblings behind the Service)
    recent: int  # how closely the event follows its member (in 5 s steps, negated)
    strength: float
    onset: int
    id: str


def choose(
    x: m.Member, candidates: Sequence[tuple[m.Correlation, Explanation]], learned: Learned = NOTHING_LEARNED
) -> int:
    """Index of the home among correlations that explain ``x``, by ``Fit`` field after field:

    - for a slow call its callee answered, one that explains it through the callee or has that callee slow itself
      now (the time went there: ``slow_callee``), before one that reaches it only through its caller;
    - the episode its subject (its own pod, or the very pod its call reached) was in before another pod or a
      workload failed (``earlier_episode``): a callee or siblings failing later explain what is new, not trouble
      already going on;
    - one whose root is a cause, before one rooted in a symptom;
    - for a call, one where the very pod it reached is down (a cause on it, its container not running:
      ``reached``), unless a home is rooted at the caller's own node in trouble (what cuts its calls off, whatever
      they reached);
    - for a call that got no answer or a probe that timed out, one rooted at the Node it points at (a node losing
      its network and a ConfigMap every pod mounts each keep their own);
    - one that its trace points at (its span's child, on another resource, failing: the callee named);
    - for a container crashing or not pulled, the one its sibling's container fails alike in (the workload's);
    - one whose root is ``x``'s own resource (a resource's trouble stays one incident, whatever else it touches);
    - for a call, the one with trouble on the very pod it reached, then the one with more anomalies on what it
      called (``on_target``);
    - the one whose member it follows most closely in time (of two incidents upstream of one caller, the one
      failing now); then the stronger explanation, the later onset, the id.
    """

    # The nodes a timeout or probe failure points at: a call that got no answer, the nodes of both its ends (of a
    # Service's pods, for a call to a Service).
    pointed = {c.node for _, c in sides(x) if c.kind == "Pod" and c.node} if node_signals(x) else set()
    if x.target is not None and x.target.kind == "Service" and timed_out(x) and x.category in FAILED_CALL:
        pointed |= set(x.target.pod_nodes)  # an unanswered call to a Service: the nodes its pods run on

    slowed = x.category == "performance" and x.target is not None
    # a home rooted at the caller's own node in trouble (a cause, or named by its pods): what cuts its calls off,
    # whatever they reached
    found = [found_cause(c, learned) for c, _ in candidates]  # asked once each: a workload's crash counts members
    cut_off = any(rooted_at_node(c, x.ctx.node) and f for (c, _), f in zip(candidates, found, strict=True))
    failed = other_failure_at(x, [c for (c, _), f in zip(candidates, found, strict=True) if f])

    def fit(i: int) -> Fit:
        corr, ex = candidates[i]
        via = corr.members.get(ex.via)
        gap = abs(x.ts - via.seen_until) if via is not None else JOIN_GAP_MS
        on_it, down = reached(corr, x, learned)
        return Fit(
            slow=slowed and (ex.link == m.TARGET or slow_callee(corr, x)),
            earlier=failed is not None and earlier_episode(corr, x, failed),
            cause=found[i],
            down=not cut_off and down,
            node=any(rooted_at_node(corr, n) for n in pointed),
            named=ex.link == m.SAME_TRACE,  # its span's child on another resource is failing: the trace names it
            # a container failing the way its sibling's does is the workload's failure, not its own pod's episode
            alike=ex.link == m.SAME_WORKLOAD and via is not None and alike(x, via),
            own=corr.root is not None and ex.via == corr.root.event_id and ex.link == m.SAME_RESOURCE,
            reached=on_it,
            on_target=on_target(corr, x),
            recent=-(gap // 5_000),
            strength=ex.strength,
            onset=corr.first_seen,
            id=corr.id,
        )

    return max(range(len(candidates)), key=fit)


FAILING_KINDS = frozenset({"Pod", *m.WORKLOAD_KINDS})  # roots whose failure may come after a pod's own episode
EPISODE_SEEN = 2  # a subject's errors before another's failure that make an episode of its own (one is noise)


def subject(x: m.Member) -> str:
    """The uid of the pod ``x`` tells of: the very pod its call reached, else its own resource."""
    t = x.target
    if t is not None:
        return t.uid if t.kind == "Pod" else ""
    return x.ctx.uid


def other_failure_at(x: m.Member, rooted_in_cause: Sequence[m.Correlation]) -> int | None:
    """When the earliest of the correlations rooted at a cause (``found_cause``) began whose root is another pod's
    failure (a callee's OOM kill, its crash) or a workload's (None when there is none). A change (a rollout, a
    config edit) and a node are not such: what they do to a pod is new, whatever it showed before."""
    uid = subject(x)
    if not uid:
        return None
    times = [
        corr.members[corr.root.event_id].ts
        for corr in rooted_in_cause
        if corr.root is not None
        and corr.root.resource.kind in FAILING_KINDS
        and corr.root.resource.uid not in ("", uid)
    ]
    return min(times, default=None)


def earlier_episode(corr: m.Correlation, x: m.Member, failed: int) -> bool:
    """``corr`` is rooted at ``x``'s subject and holds an episode of it going on when another failure began at
    ``failed`` (``other_failure_at``): ``EPISODE_SEEN`` errors of its own on it before then (``CALL_SKEW_MS``
    allowed), the last within ``JOIN_GAP_MS``. Errors, not a failed probe or a slow request: what a busy pod shows
    now and then is no episode of its own."""
    uid = subject(x)
    root = corr.root
    if root is None or root.resource.uid != uid:
        return False
    before = [
        y.ts
        for y in corr.members.values()
        if y.ctx.uid == uid and y.target is None and y.category == "application_error" and y.ts + CALL_SKEW_MS < failed
    ]
    return len(before) >= EPISODE_SEEN and max(before) + JOIN_GAP_MS >= failed


TARGET_SEEN = 3  # anomalies on what a call reached, beyond which more say nothing new
TARGET_LOOKBACK = 64  # the newest members looked at for them


def recent_others(corr: m.Correlation, x: m.Member) -> Iterator[m.Member]:
    """``corr``'s newest members (of the last ``TARGET_LOOKBACK``), newest first, other than ``x``, whose trouble
    is still going on when ``x`` happens (within ``JOIN_GAP_MS``)."""
    for y in islice(reversed(corr.members.values()), TARGET_LOOKBACK):
        if y.id != x.id and y.seen_until + JOIN_GAP_MS >= x.ts:
            yield y


def on_target(corr: m.Correlation, x: m.Member) -> int:
    """How many of ``corr``'s recent members are on what ``x`` called (up to ``TARGET_SEEN``): of the pods behind a
    Service, the one whose trouble is going on now explains the call, before a lone anomaly of a sibling."""
    if x.target is None:
        return 0
    seen = 0
    for y in recent_others(corr, x):
        if seen >= TARGET_SEEN:
            break
        if on_callee(y, x):
            seen += 1
    return seen


def on_callee(y: m.Member, x: m.Member) -> bool:
    """``y`` is an anomaly of what ``x`` called (that pod, or a pod behind that Service); a node's condition is no
    anomaly of the callee itself (``Fit.node`` weighs it)."""
    return y.ctx.kind != "Node" and resource_explains(y.ctx, bare(x)) == m.TARGET


def slow_callee(corr: m.Correlation, x: m.Member) -> bool:
    """Whether ``corr`` has, going on now, what ``x`` called (that pod, or a pod behind that Service) slow itself
    (its spans, its latency, its CPU or memory): a call that was answered, slowly, took its time there."""
    return any(y.category in SLOWNESS and on_callee(y, x) for y in recent_others(corr, x))


def reached(corr: m.Correlation, x: m.Member, learned: Learned = NOTHING_LEARNED) -> tuple[bool, bool]:
    """Whether ``corr`` has recent trouble (within ``JOIN_GAP_MS``) on the very pod ``x``'s call reached (named by
    its address), and whether that trouble takes the pod away (``callee_down``: a cause on it, such as its OOM
    kill, or its container not running). A call that landed on an evicted or crashing pod is that pod's, before its
    siblings' trouble behind the Service; one that landed on a pod that is down, before a node named by such calls."""
    t = x.target
    if t is None or t.kind != "Pod" or not t.uid:
        return False, False
    on_it = [y for y in recent_others(corr, x) if y.ctx.uid == t.uid]
    return bool(on_it), any(callee_down(y, learned) for y in on_it)
