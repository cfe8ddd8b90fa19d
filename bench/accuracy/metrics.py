"""Scoring correlation results against a scenario's ground truth (definitions in bench/README.md). Pure.

Results are DESIGN §6 documents; only ``id``, ``version``, ``type``, ``root_cause.event_id``,
``root_cause.resource``, ``related_events`` and ``recurrence.period_seconds`` are read. §6 has no ranked list of
root-cause candidates, so root cause is scored at rank 1 only: by resource when the result names one (the truth's
``root_resource``, or for a Pod root of a datastore/recurring OOM or an app fault its ``root_workload``), else by
event id (the truth's ``root_event_id`` or one of its ``root_equivalents``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]
PERIOD_TOLERANCE = 0.20
WORKLOAD_ACCEPTED = frozenset({"datastore_oom", "recurring_oom", "app_fault"})  # the pod's owner is right too
Ref = tuple[str, str, str]  # kind, namespace, name


@dataclass(frozen=True)
class Correlation:
    """The last published version of one correlation."""

    id: str
    members: frozenset[str]
    root: str
    type: str = ""
    period_seconds: int | None = None
    root_resource: Ref | None = None  # ``root_cause.resource`` when it names a kind and a name


def ref(resource: Any) -> Ref | None:
    """(kind, namespace, name) of a resource object, or None when it lacks a kind or a name."""
    if not isinstance(resource, Mapping):
        return None
    kind, name = str(resource.get("kind") or ""), str(resource.get("name") or "")
    if not kind or not name:
        return None
    return kind, str(resource.get("namespace") or ""), name


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
        cause = doc.get("root_cause") or {}
        root = str(cause.get("event_id", "")) if isinstance(cause, Mapping) else ""
        resource = ref(cause.get("resource")) if isinstance(cause, Mapping) else None
        rec = doc.get("recurrence") or {}
        period = rec.get("period_seconds") if isinstance(rec, Mapping) else None
        members = frozenset(str(e) for e in doc["related_events"]) | ({root} if root else frozenset())
        out.append(Correlation(cid, members, root, str(doc.get("type", "")), int(period) if period else None, resource))
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
    root_by_resource: int = 0  # hits judged by the result's root resource (the rest by event id)
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
            "root_by_resource",
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


def root_hit(inc: Mapping[str, Any], c: Correlation | None) -> tuple[bool, bool]:
    """(hit, judged by resource): the result's root resource is the truth's (or, for a Pod root of the kinds in
    ``WORKLOAD_ACCEPTED``, its top-level workload); a result without a root resource is judged by event id."""
    if c is None:
        return False, False
    want = ref(inc.get("root_resource"))
    if c.root_resource is not None and want is not None:
        if c.root_resource == want:
            return True, True
        workload = ref(inc.get("root_workload"))
        accepted = want[0] == "Pod" and str(inc.get("kind")) in WORKLOAD_ACCEPTED and workload is not None
        return bool(accepted and c.root_resource == workload), True
    return c.root in {inc["root_event_id"], *inc.get("root_equivalents", [])}, False


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
        ok, by_resource = root_hit(inc, c)
        hit = int(ok)
        s.related_events += len(events)
        s.grouped += held
        s.root_hits += hit
        s.root_by_resource += int(by_resource)
        if c is not None:
            s.purity_hits += held
            s.purity_total += len(c.members & scored_ids)
        keys = [str(inc["kind"])]
        if inc.get("variant") == "no_node_event":  # also shown on its own: the root no event is about
            keys.append(f"{inc['kind']} (no node event)")
        for key in keys:
            kind = s.by_kind.setdefault(key, [0, 0, 0, 0])
            kind[0] += 1
            kind[1] += hit
            kind[2] += len(events)
            kind[3] += held
    # A recurring failure is found when some correlation holding one of its events has its period (±20%); the
    # occurrences of one failure (one ``series``) count once.
    series: dict[str, tuple[int, set[str]]] = {}
    for inc in incidents:
        period = inc.get("period_seconds")
        if period:
            key = str(inc.get("series") or inc["id"])
            series.setdefault(key, (int(period), set()))[1].update(inc["event_ids"])
    for period, events in series.values():
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
