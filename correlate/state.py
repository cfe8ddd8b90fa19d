"""The life of a correlation: ``building`` -> ``active`` -> ``resolved``, its versions, and when to publish (pure).

A correlation is published when it becomes active, whenever its root cause, pattern, impact or members change
while active, and once more when an active one resolves. A correlation that never had enough evidence stays
unpublished: isolated warnings are kept, not paged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from correlate.settings import CorrelateSettings
from model.vocab import Pattern, State

BUILDING, ACTIVE, RESOLVED = State.BUILDING, State.ACTIVE, State.RESOLVED
# A lone event is worth publishing only when it is this bad (critical) or a recurring failure.
SINGLE_PUBLISH_RANK = 7
CAUSE_PUBLISH_RANK = 5  # high: an OOM kill or a node condition is an incident on its own
# Symptoms with no cause need one event this bad (high: an error, a 5xx) or one warning that keeps repeating (a probe
# that keeps failing, a detector that keeps firing: ``singleton_min_count``): a 4xx, a slow span and a failed probe,
# once or twice each, are what background looks like, however unlikely together on a quiet pod.
SERIOUS_RANK = 5
# A warning "keeps repeating" when ``singleton_min_count`` of its tellings fall within this span: a probe failing
# every 10 s, a crash loop's first back-offs, a detector firing every minute or two. The same warning once every few
# minutes for as long as anyone watched (an HPA that never reads its metrics, an agent crash-looping at the kubelet's
# 5 min back-off cap) is a standing condition, not an incident starting. (Measured: 3 min lost an app fault whose
# CPU detector fired three times in 200 s; 4 min halves the fourth generator's background results, 61 -> 29.)
REPEAT_SPAN_MS = 4 * 60_000


@dataclass(frozen=True)
class Snapshot:
    """The parts of a correlation whose change is news."""

    state: str
    root: str
    pattern: str
    impact: tuple[str, ...]
    members: tuple[str, ...]


def evidence_enough(
    settings: CorrelateSettings,
    *,
    members: int,
    confidence: float,
    worst_rank: int,
    pattern: str,
    repeats: int = 1,
    cause_rank: int = 0,
    rooted_in_cause: bool = False,
    surprises: Sequence[float] | None = None,
    traced: int = 0,
    serious: int = 0,
) -> bool:
    """Whether a building correlation has become an incident: enough distinct evidence, a critical event, a
    failure that is a cause in itself (an OOM kill, a node condition: ``cause_rank`` is its severity), a warning
    that keeps repeating, or a recurring failure. Symptoms with no cause among them need more of them
    (``active_min_symptoms``), they must be news for their resources' own past (``surprises``, one per resource;
    None: not judged, as a cause is not), and serious or persistent: ``singleton_min_count`` events high or worse
    (``serious``), or one warning repeated as often. Background warnings that happen to touch each other, an
    error or two among them now and then, stay unpublished."""
    if pattern == Pattern.RECURRING_FAILURE:
        return True
    if surprises is not None:  # symptoms with no cause, judged
        if max(serious, repeats) < settings.singleton_min_count:
            return worst_rank >= SINGLE_PUBLISH_RANK  # one-off warnings, an error or two: a busy cluster's noise
        if not news(settings, surprises, traced):
            return worst_rank >= SINGLE_PUBLISH_RANK  # what these resources always do: only a critical event is news
    needed = (
        settings.active_min_events if rooted_in_cause else max(settings.active_min_events, settings.active_min_symptoms)
    )
    if members >= needed and confidence >= settings.active_min_confidence:
        return True
    if cause_rank >= CAUSE_PUBLISH_RANK:
        return True
    return worst_rank >= SINGLE_PUBLISH_RANK or repeats >= settings.singleton_min_count


class Mark(NamedTuple):
    """A member as ``repeats`` and ``serious`` see it."""

    resource: str
    reason: str
    times: int  # a Kubernetes Event's own count of its repeats, the most within ``REPEAT_SPAN_MS`` (``burst``)
    sent_again: bool  # a collector's: each firing is an event of its own
    rank: int  # its severity rank
    category: str
    ts: int = 0  # when it was (first) told: a collector's firings count together within ``REPEAT_SPAN_MS``


def burst(told: Sequence[tuple[int, int]], count: int, span_ms: int = REPEAT_SPAN_MS) -> int:
    """The most tellings of one event within ``span_ms``, from ``told`` ((time, count so far) of its tellings, in
    order): between two tellings further apart than the span, the repeats are taken as evenly spread. ``count``
    when nothing is known of when it was told."""
    if not told:
        return count
    best = told[0][1] if len(told) == 1 else 1  # a first point kept may count tellings long before
    for i, (t0, c0) in enumerate(told):
        for t1, c1 in told[i + 1 :]:
            gap = t1 - t0
            best = max(best, 1 + int((c1 - c0) * min(1.0, span_ms / gap)) if gap > 0 else c1 - c0 + 1)
    return best


def serious(marks: Iterable[Mark], restarted_only: Collection[str]) -> int:
    """How many events are high or worse (``SERIOUS_RANK``). The crash events of a pod that restarted without
    crash-looping (in ``restarted_only``) do not count: a container that restarted once or twice is what a busy
    workload shows now and then."""
    return sum(
        1 for x in marks if x.rank >= SERIOUS_RANK and not (x.category == "crash" and x.resource in restarted_only)
    )


def repeats(marks: Iterable[Mark]) -> int:
    """How often the most repeated warning (one reason on one resource) happened within ``REPEAT_SPAN_MS``. A
    Kubernetes Event counts its own repeats (``times``); a collector's detector that fires every window sends a new
    event each time (``sent_again``), so those add up. A slow request is a sample, not a window: one resource's
    slow spans (or its latency reports: one signal), warnings, with nothing else in the correlation, repeat as a
    busy service's slow requests do, and count once (a detector's CPU or memory alert firing alone still adds
    up)."""
    seen = list(marks)
    counted: Counter[tuple[str, str]] = Counter()
    sent: dict[tuple[str, str], list[int]] = {}
    for x in seen:
        if x.sent_again:
            sent.setdefault((x.resource, x.reason), []).append(x.ts)
        else:
            counted[x.resource, x.reason] = max(counted[x.resource, x.reason], x.times)
    if not counted and len(sent) == 1 and all(x.category == "performance" and x.rank < SERIOUS_RANK for x in seen):
        return 1
    return max([*counted.values(), *map(_densest, sent.values())], default=0)


def _densest(times: list[int], span_ms: int = REPEAT_SPAN_MS) -> int:
    """The most of ``times`` within ``span_ms`` of each other."""
    ts = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(ts):
        while t - ts[lo] > span_ms:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def next_state(current: str, *, enough: bool, quiet: bool, recovered: bool = False) -> str:
    """The state after this change: active ones resolve when quiet or recovered; new evidence reopens."""
    if current == RESOLVED:
        return ACTIVE if enough and not quiet else RESOLVED
    if quiet or recovered:
        return RESOLVED
    if current == BUILDING and enough:
        return ACTIVE
    return current


def is_quiet(last_seen_ms: int, now_ms: int, settings: CorrelateSettings) -> bool:
    return now_ms - last_seen_ms >= settings.resolve_quiet_ms


def should_publish(previous: Snapshot | None, current: Snapshot, *, ever_published: bool) -> bool:
    """Publish on becoming active, on news while active, and on resolving after having been published."""
    if current.state == BUILDING:
        return False
    if current.state == RESOLVED:
        return ever_published and (previous is None or previous.state != RESOLVED)
    if previous is None or previous.state != ACTIVE:
        return True
    return previous != current


def next_version(version: int, publish: bool) -> int:
    """Versions count publishes: each published document carries a new one."""
    return version + 1 if publish else version


def news(settings: CorrelateSettings, surprises: Sequence[float], traced: int = 0) -> bool:
    """Whether symptoms with no cause among them are news: together unlikely for their resources' own past
    (``active_min_surprise``, -log10 of the chance), and either one resource unlikely by itself
    (``active_min_resource_surprise``), trouble on many resources at once (``active_broad_resources``), or one
    request failing on several resources (``traced``: the most resources whose events share a trace id, or name
    one callee, the callee's own events counted).

    One lone warning on each of a few quiet pods is likely somewhere in a busy namespace at any time: a
    correlation gathers whichever of them touch each other, so their chances multiplied overstate the news. One
    request's failure seen on three services is the incident's path, not a coincidence."""
    if sum(surprises) < settings.active_min_surprise:
        return False
    return (
        max(surprises, default=0.0) >= settings.active_min_resource_surprise
        or len(surprises) >= settings.active_broad_resources
        or traced >= settings.active_trace_resources
    )


def traced_resources(members: Iterable[tuple[str, str]]) -> int:
    """The most distinct resources among ``(trace id, resource key)`` pairs that share one trace id."""
    by_trace: dict[str, set[str]] = {}
    for trace, key in members:
        if trace:
            by_trace.setdefault(trace, set()).add(key)
    return max(map(len, by_trace.values()), default=0)
