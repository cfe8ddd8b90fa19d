"""Scoring correlation results against a scenario's ground truth (definitions in bench/README.md). Pure.

Results are DESIGN §6 documents; only ``id``, ``version``, ``type``, ``root_cause.event_id``, ``related_events`` and
``recurrence.period_seconds`` are read. §6 has no ranked list of root-cause candidates, so root cause is scored at
rank 1 only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]
PERIOD_TOLERANCE = 0.20


@dataclass(frozen=True)
class Correlation:
    """The last published version of one correlation."""

    id: str
    members: frozenset[str]
    root: str
    type: str = ""
    period_seconds: int | None = None


def last_versions(results: Iterable[Mapping[str, Any]]) -> list[Correlation]:
    """One Correlation per id: the highest ``version`` (the later line wins a tie). Raises ValueError naming the
    line of a result that lacks ``id``/``related_events``."""
    latest: dict[str, tuple[int, Mapping[str, Any]]] = {}
    for n, doc in enumerate(results, 1):
        if not isinstance(doc, Mapping) or "id" not in doc or not isinstance(doc.get("related_events"), list):
            raise ValueError(f"result {n}: not a correlation result (needs id and related_events)")
        version = int(doc.get("version", 0))
        prev = latest.get(str(doc["id"]))
        if prev is None or version >= prev[0]:
            latest[str(doc["id"])] = (version, doc)
    out = []
    for cid, (_, doc) in latest.items():
        root = str((doc.get("root_cause") or {}).get("event_id", ""))
        rec = doc.get("recurrence") or {}
        period = rec.get("period_seconds") if isinstance(rec, Mapping) else None
        members = frozenset(str(e) for e in doc["related_events"]) | ({root} if root else frozenset())
        out.append(Correlation(cid, members, root, str(doc.get("type", "")), int(period) if period else None))
    return out


@dataclass
class Score:
    """Counts for one scenario (or summed over many); ratios are taken over the sums (micro-average)."""

    incidents: int = 0
    related_events: int = 0
    grouped: int = 0
    purity_hits: int = 0
    purity_total: int = 0
    root_hits: int = 0
    published: int = 0
    warnings: int = 0
    noise_only: int = 0
    recurring: int = 0
    recurring_found: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [incidents, root hits, related, grouped]

    def add(self, other: Score) -> None:
        for name in (
            "incidents",
            "related_events",
            "grouped",
            "purity_hits",
            "purity_total",
            "root_hits",
            "published",
            "warnings",
            "noise_only",
            "recurring",
            "recurring_found",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for kind, vals in other.by_kind.items():
            mine = self.by_kind.setdefault(kind, [0, 0, 0, 0])
            for i, v in enumerate(vals):
                mine[i] += v

    @staticmethod
    def _ratio(a: int, b: int) -> float | None:
        return a / b if b else None

    @property
    def grouping(self) -> float | None:
        return self._ratio(self.grouped, self.related_events)

    @property
    def purity(self) -> float | None:
        return self._ratio(self.purity_hits, self.purity_total)

    @property
    def root_rank1(self) -> float | None:
        return self._ratio(self.root_hits, self.incidents)

    @property
    def noise_reduction(self) -> float | None:
        return 1 - self.published / self.warnings if self.warnings else None

    @property
    def noise_only_share(self) -> float | None:
        return self._ratio(self.noise_only, self.published)

    @property
    def recurring_recall(self) -> float | None:
        return self._ratio(self.recurring_found, self.recurring)


def _assign(incidents: list[Obj], correlations: list[Correlation]) -> dict[str, Correlation]:
    """Each incident gets the correlation holding most of its events; a correlation goes to at most one incident
    (the one it holds most of), so merging two incidents costs the smaller one its events."""
    pairs = []
    for inc in incidents:
        events = set(inc["event_ids"])
        for c in correlations:
            overlap = len(events & c.members)
            if overlap:
                pairs.append((overlap, inc["id"], c))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2].id))
    taken: set[str] = set()
    chosen: dict[str, Correlation] = {}
    for _, inc_id, c in pairs:
        if inc_id not in chosen and c.id not in taken:
            chosen[inc_id] = c
            taken.add(c.id)
    return chosen


def score(truth: Mapping[str, Any], correlations: list[Correlation]) -> Score:
    """Score one scenario's correlations against its truth."""
    incidents: list[Obj] = list(truth.get("incidents", []))
    chosen = _assign(incidents, correlations)
    scored_ids: set[str] = set(truth.get("noise_event_ids", []))
    incident_ids: set[str] = set()
    for inc in incidents:
        scored_ids |= set(inc["event_ids"])
        incident_ids |= set(inc["event_ids"]) | set(inc.get("context_event_ids", []))
    s = Score(incidents=len(incidents), published=len(correlations), warnings=int(truth.get("warning_events", 0)))
    for inc in incidents:
        events = set(inc["event_ids"])
        c = chosen.get(inc["id"])
        held = len(events & c.members) if c else 0
        roots = {inc["root_event_id"], *inc.get("root_equivalents", [])}
        hit = int(c is not None and c.root in roots)
        s.related_events += len(events)
        s.grouped += held
        s.root_hits += hit
        if c is not None:
            s.purity_hits += held
            s.purity_total += len(c.members & scored_ids)
        kind = s.by_kind.setdefault(str(inc["kind"]), [0, 0, 0, 0])
        kind[0] += 1
        kind[1] += hit
        kind[2] += len(events)
        kind[3] += held
        period = inc.get("period_seconds")
        if period:
            s.recurring += 1
            s.recurring_found += int(
                any(
                    c2.period_seconds
                    and abs(c2.period_seconds - period) <= PERIOD_TOLERANCE * period
                    and c2.members & events
                    for c2 in correlations
                )
            )
    s.noise_only = sum(1 for c in correlations if not (c.members & incident_ids))
    return s
