"""Recurring failures: the same workload failing the same way at a regular interval (DESIGN §5, history).

``period`` and ``is_regular`` are pure; ``History`` is the engine's memory of occurrences per (workload, failure):
recurrence links the occurrences (each its own correlation, paged on its own), it never merges them.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from statistics import median

from correlate import model as m
from correlate.settings import CorrelateSettings

MAX_OCCURRENCES = 64
TOLERANCE = 0.3  # every interval within 30% of the median
# Occurrences closer than this are one burst (a container OOM-killed again right after its restart), not a series;
# a workload killed every few minutes is a series like one killed every few hours.
BURST_MS = 2 * 60_000


def period_ms(times: Sequence[int]) -> int:
    """The median interval between sorted occurrence times (0 with fewer than two)."""
    ts = sorted(times)
    gaps = [b - a for a, b in pairwise(ts)]
    return int(median(gaps)) if gaps else 0


def is_regular(times: Sequence[int], minimum: int, min_gap_ms: int) -> bool:
    """At least ``minimum`` occurrences, intervals longer than ``min_gap_ms`` and within TOLERANCE of their median."""
    if len(times) < minimum:
        return False
    ts = sorted(times)
    gaps = [b - a for a, b in pairwise(ts)]
    mid = median(gaps)
    return mid > min_gap_ms and all(abs(g - mid) <= TOLERANCE * mid for g in gaps)


def key_of(x: m.Member) -> tuple[str, str]:
    """What recurs: the workload (or the resource when it has none) and the kind of failure, not the source's word
    for it: one OOM kill is ``OOMKilled`` read from the pod's status, the next ``oom_kill`` from the kernel, as the
    source that saw it first names it; a CPU alert of the same workload is another failure."""
    reason = x.reason.lower()
    return (x.ctx.workload or x.ctx.uid or x.ctx.name, "oom" if "oom" in reason else x.reason)


def image_tag(images: Sequence[str]) -> str:
    """``v2.1.0`` of ``repo/cart:v2.1.0`` (the whole reference when it has no tag)."""
    if not images:
        return ""
    ref = images[0]
    return ref.rsplit(":", 1)[1] if ":" in ref.rsplit("/", 1)[-1] else ref


class History:
    """Occurrences per (workload, failure: ``key_of``): each occurrence is its own correlation; a regular series
    links them.

    An occurrence is a correlation whose root is a cause-like event of a workload; one that comes back at a
    regular interval gets ``recurring`` (period, count, the earlier occurrences' correlation ids). Nothing merges.
    """

    def __init__(self, settings: CorrelateSettings) -> None:
        self.settings = settings
        self._seen: dict[tuple[str, str], list[tuple[int, str]]] = {}  # key -> [(root time, correlation id)]

    def copy(self) -> History:
        """A history of its own (a checkpoint of the engine keeps one)."""
        out = History(self.settings)
        out._seen = {k: list(v) for k, v in self._seen.items()}
        return out

    def occurred(self, root: m.Member, corr_id: str) -> m.Recurring | None:
        """Record ``corr_id`` (rooted at ``root``) as an occurrence; its recurrence when the series is regular."""
        if not root.ctx.workload:
            return None
        key = key_of(root)
        seen = self._seen.setdefault(key, [])
        if any(cid == corr_id for _, cid in seen):
            return self._recurrence(seen, corr_id, root)
        if seen and abs(root.ts - seen[-1][0]) <= BURST_MS:
            return None  # part of the burst of the previous occurrence
        seen.append((root.ts, corr_id))
        seen.sort()
        del seen[:-MAX_OCCURRENCES]
        return self._recurrence(seen, corr_id, root)

    def _recurrence(self, seen: Sequence[tuple[int, str]], corr_id: str, root: m.Member) -> m.Recurring | None:
        upto = [(t, c) for t, c in seen if t <= root.ts]
        times = [t for t, _ in upto]
        if not is_regular(times, self.settings.recurrence_min, BURST_MS):
            return None
        return m.Recurring(
            period_seconds=period_ms(times) // 1000,
            occurrences=len(times),
            since_image=image_tag(root.ctx.workload_images),
            previous=tuple(c for _, c in upto if c != corr_id),
            since=times[0],
        )
