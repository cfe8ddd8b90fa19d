"""Recurring failures: the same workload failing for the same reason at a regular interval (DESIGN §5, history).

``period`` and ``is_regular`` are pure; ``History`` is the engine's memory of occurrences per (workload, reason)
and of the one recurring correlation per key, which outlives the engine's window so that its versions keep growing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from itertools import pairwise
from statistics import median

from causegraph.settings import CorrelateSettings
from correlate import model as m

MAX_OCCURRENCES = 64
TOLERANCE = 0.3  # every interval within 30% of the median


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
    """What recurs: the workload (or the resource when it has none) and the reason."""
    return (x.ctx.workload or x.ctx.uid or x.ctx.name, x.reason)


def image_tag(images: Sequence[str]) -> str:
    """``v2.1.0`` of ``repo/cart:v2.1.0`` (the whole reference when it has no tag)."""
    if not images:
        return ""
    ref = images[0]
    return ref.rsplit(":", 1)[1] if ":" in ref.rsplit("/", 1)[-1] else ref


def belongs(x: m.Member, occurrence: m.Member) -> bool:
    """What an occurrence brings along into the recurring correlation: events of the same workload, and the
    node's own report of the same kind of failure on the node it ran on (an OOM kill seen by the node)."""
    if x.ctx.workload and x.ctx.workload == occurrence.ctx.workload:
        return True
    return x.ctx.kind == "Node" and x.ctx.name == occurrence.ctx.node and x.category == occurrence.category


class History:
    """Occurrences per (workload, reason); the recurring correlation of each key once it is regular.

    Each occurrence remembers the correlation it was placed in, so that the recurring correlation gathers every
    event of every occurrence (the kill and what followed it), not only the repeated event itself.
    """

    def __init__(self, settings: CorrelateSettings) -> None:
        self.settings = settings
        self._seen: dict[tuple[str, str], list[tuple[m.Member, m.Correlation]]] = {}
        self._recurring: dict[tuple[str, str], m.Correlation] = {}
        self.first: dict[str, str] = {}  # recurring correlation id -> its first occurrence (the root)

    def observe(self, x: m.Member, corr: m.Correlation) -> None:
        """Record ``x`` as an occurrence when it is not part of the burst of the previous one."""
        if not x.ctx.workload:
            return
        key = key_of(x)
        seen = self._seen.setdefault(key, [])
        if seen and x.ts - seen[-1][0].ts <= self.settings.window_ms:
            return
        seen.append((x, corr))
        del seen[:-MAX_OCCURRENCES]
        if self._recurring.get(key) is corr:
            self._update(corr, [p for p, _ in seen])

    def recurring_for(self, x: m.Member) -> tuple[m.Correlation | None, list[m.Correlation]]:
        """The recurring correlation ``x`` belongs to (created when this occurrence makes the series regular), and
        the correlations of earlier occurrences whose members it has just absorbed."""
        if not x.ctx.workload:
            return None, []
        key = key_of(x)
        seen = self._seen.get(key, [])
        if seen and x.ts - seen[-1][0].ts <= self.settings.window_ms:
            return None, []
        times = [p.ts for p, _ in seen] + [x.ts]
        if not is_regular(times, self.settings.recurrence_min, self.settings.window_ms):
            return None, []
        corr = self._recurring.get(key)
        absorbed: list[m.Correlation] = []
        if corr is None:
            first = seen[0][0]
            digest = hashlib.sha256(f"{key[0]}|{key[1]}|{first.id}".encode()).hexdigest()[:20]
            corr = m.Correlation(f"corr-{digest}")
            for occurrence, placed in seen:
                home = placed.current()
                members = {k: v for k, v in home.members.items() if belongs(v, occurrence)}
                members[occurrence.id] = occurrence
                for mid, member in sorted(members.items(), key=lambda kv: (kv[1].ts, kv[0])):
                    if mid not in corr.members:
                        if mid == first.id:
                            member.link, member.linked_to, member.weight = m.ROOT, "", 1.0
                        elif member.link == m.ROOT:
                            member.link, member.linked_to, member.weight = m.SAME_WORKLOAD, first.id, 0.6
                        corr.members[mid] = member
                corr.links.extend(home.links)
                if home is not corr and home not in absorbed:
                    absorbed.append(home)
            corr.recurring = m.Recurring(0, 2, image_tag(first.ctx.workload_images))
            self._recurring[key] = corr
            self.first[corr.id] = first.id
        self._update(corr, [*(p for p, _ in seen), x])
        return corr, absorbed

    def _update(self, corr: m.Correlation, seen: Sequence[m.Member]) -> None:
        times = [p.ts for p in seen]
        assert corr.recurring is not None
        corr.recurring.period_seconds = period_ms(times) // 1000
        corr.recurring.occurrences = len(times)
