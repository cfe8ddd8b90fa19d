"""Link weights, cause priors and root ranking: pure functions over members and links.

A root cause is the member the others are downstream of in the dependency direction (a callee before its
callers, a node before its pods, a change before what fails after it), weighed with a prior by what the event
is (exhaustion and changes cause; timeouts and 5xx are symptoms) and with time (earlier is likelier).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from correlate import model as m
from correlate.feedback import NOTHING_LEARNED, Learned

# Base weight of each link kind; directed links (one side depends on the other) are stronger than siblings.
BASE_WEIGHTS: dict[tuple[str, bool], float] = {
    (m.SAME_RESOURCE, False): 0.9,
    (m.OWNER, True): 0.85,
    (m.SAME_WORKLOAD, False): 0.7,
    (m.SAME_NODE, True): 0.9,
    (m.SAME_NODE, False): 0.3,
    (m.SELECTS, True): 0.85,
    (m.CALLS, True): 0.85,
    (m.SHARED_CONFIG, True): 0.85,
    (m.SHARED_CONFIG, False): 0.3,
    (m.SHARED_VOLUME, True): 0.8,
    (m.SHARED_VOLUME, False): 0.55,
    (m.SAME_TRACE, False): 0.95,
}

CATEGORY_PRIOR: dict[str, float] = {
    "resource_exhaustion": 0.9,
    "node": 0.9,
    "config": 0.85,
    "rollout": 0.85,
    "storage": 0.75,
    "image": 0.7,
    "scheduling": 0.55,
    "crash": 0.55,
    "lifecycle": 0.35,
    "probe": 0.3,
    "network": 0.3,
    "performance": 0.25,
    "saturation": 0.6,
    "application_error": 0.25,
    "informational": 0.1,
}

# Words in a reason that mark a symptom or a cause more surely than its category does.
SYMPTOM_WORDS = ("timeout", "5xx", "503", "502", "504", "500", "unavailable", "refused", "latency", "slow", "unhealthy")
CAUSE_WORDS = ("oom", "memory", "disk", "pressure", "notready", "evict", "killed", "exhaust", "quota", "limit")
# The kubelet's housekeeping failing on a node (image and disk garbage collection, reading the disk's capacity): a
# node to watch, not what takes its pods down (DiskPressure, evictions, NotReady are, and say so themselves).
HOUSEKEEPING_REASONS = frozenset({"imagegcfailed", "freediskspacefailed", "invaliddiskcapacity"})
HOUSEKEEPING_PRIOR = 0.4

# Ranking mix: topology first, then what the event is, then time.
W_UPSTREAM, W_PRIOR, W_TIME = 0.5, 0.35, 0.15


def link_weight(kind: str, direction: int, hops: int = 0, dt_ms: int = 0, window_ms: int = 900_000) -> float:
    """Weight of one link: its kind, fewer hops, and closeness in time (a link at the window's edge keeps 70%)."""
    return weight_at(link_base(kind, direction, hops), dt_ms, window_ms)


def link_base(kind: str, direction: int, hops: int = 0) -> float:
    """``link_weight`` before time: the same for every link of one kind, direction and hop count (``reach.fold``
    works it out once per row of linked events)."""
    base = BASE_WEIGHTS.get((kind, direction != 0), BASE_WEIGHTS.get((kind, not direction), 0.3))
    if kind == m.CALLS and hops > 1:
        base -= 0.08 * (hops - 1)
    return base


def weight_at(base: float, dt_ms: int, window_ms: int) -> float:
    """``link_weight`` from its ``link_base`` and the time between the two events."""
    closeness = 1.0 - 0.3 * min(1.0, max(0, dt_ms) / max(1, window_ms))
    return round(max(0.0, base * closeness), 4)


@lru_cache(maxsize=8192)
def prior(category: str, reason: str, source_kind: str = "") -> float:
    """How likely an event of this kind is a cause rather than a symptom (0..1). Cached: the engine asks for
    the same few (category, reason) pairs for every candidate home and every root ranking."""
    if source_kind == "change":
        return 0.9
    p = CATEGORY_PRIOR.get(category, 0.3)
    r = reason.lower()
    if category != "saturation" and any(w in r for w in CAUSE_WORDS):
        p = max(p, 0.85)
    if any(w in r for w in SYMPTOM_WORDS):
        p = min(p, 0.2)
    if r in HOUSEKEEPING_REASONS:
        p = min(p, HOUSEKEEPING_PRIOR)
    return p


def upstream_map(links: Iterable[m.Link]) -> dict[str, set[str]]:
    """``{upstream id: {ids directly downstream of it}}`` from the directed links."""
    down: dict[str, set[str]] = {}
    for link in links:
        if link.direction > 0:
            down.setdefault(link.b, set()).add(link.a)
        elif link.direction < 0:
            down.setdefault(link.a, set()).add(link.b)
    return down


def downstream_of(node: str, down: Mapping[str, set[str]]) -> set[str]:
    """Every id transitively downstream of ``node``."""
    seen: set[str] = set()
    stack = [node]
    while stack:
        for nxt in down.get(stack.pop(), ()):
            if nxt not in seen and nxt != node:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def rank_root(
    members: Sequence[m.Member], links: Iterable[m.Link], learned: Learned = NOTHING_LEARNED
) -> list[tuple[str, float]]:
    """Members ranked as root cause, best first: ``[(id, score)]``; ties go to the earlier, then smaller id.

    ``learned`` (from feedback) shifts the cause prior of the reasons people corrected.
    """
    if not members:
        return []
    ids = {x.id for x in members}
    down = upstream_map(link for link in links if link.a in ids and link.b in ids)
    n = len(members)
    by_time = sorted(members, key=lambda x: (x.ts, x.id))
    position = {x.id: i for i, x in enumerate(by_time)}
    scored = []
    for x in members:
        upstream = len(downstream_of(x.id, down)) / (n - 1) if n > 1 else 1.0
        early = 1.0 - position[x.id] / (n - 1) if n > 1 else 1.0
        cause = learned.prior(prior(x.category, x.reason, x.source_kind), x.reason)
        score = W_UPSTREAM * upstream + W_PRIOR * cause + W_TIME * early
        scored.append((x.id, round(score, 4), x.ts))
    scored.sort(key=lambda t: (-t[1], t[2], t[0]))
    return [(i, s) for i, s, _ in scored]


def confidence(members: Sequence[m.Member], ranking: Sequence[tuple[str, float]]) -> float:
    """How sure the grouping and root are: more members, strong links, a clear root with a causal prior."""
    if not members:
        return 0.0
    by_id = {x.id: x for x in members}
    root = by_id[ranking[0][0]] if ranking else members[0]
    root_prior = prior(root.category, root.reason, root.source_kind)
    if len(members) == 1:
        return round(0.2 + 0.3 * root_prior, 3)
    weights = [x.weight for x in members if x.id != root.id]
    mean_w = sum(weights) / len(weights)
    size = min(1.0, (len(members) - 1) / 4)
    margin = min(1.0, (ranking[0][1] - ranking[1][1]) / 0.3) if len(ranking) > 1 else 1.0
    score = 0.3 + 0.25 * mean_w + 0.15 * size + 0.15 * margin + 0.14 * root_prior
    return round(min(0.99, max(0.0, score)), 3)
