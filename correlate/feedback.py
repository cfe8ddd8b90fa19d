"""What people's verdicts on results teach the engine (DESIGN §5: feedback shifts the weights and the confidence).

Pure: ``learn`` turns stored verdicts into a ``Learned`` the scoring consults.

- ``wrong_root_cause`` (with the right event): the reason that was wrongly taken for the cause loses cause prior,
  the reason of the right event gains it; and that correlation's root is pinned to the right event while open.
- ``correct`` raises, ``wrong_root_cause`` and ``not_related`` lower, the confidence of results of that pattern.

Shifts are small per verdict and bounded, so a few verdicts nudge and no single one dominates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

PRIOR_STEP = 0.05
PRIOR_MAX_SHIFT = 0.3
FACTOR_SPAN = 0.15  # confidence factor in [1 - span, 1 + span / 3]


@dataclass(frozen=True)
class Verdict:
    """One stored verdict with what it is about."""

    verdict: str  # correct | wrong_root_cause | not_related
    correlation_id: str
    pattern: str = ""
    root_reason: str = ""
    right_event_id: str = ""
    right_reason: str = ""


@dataclass(frozen=True)
class Learned:
    """Prior shifts by reason, confidence factors by pattern, and pinned roots by correlation."""

    prior_shift: Mapping[str, float] = field(default_factory=dict)
    pattern_factor: Mapping[str, float] = field(default_factory=dict)
    pinned_root: Mapping[str, str] = field(default_factory=dict)

    def prior(self, base: float, reason: str) -> float:
        return min(1.0, max(0.0, base + self.prior_shift.get(reason.lower(), 0.0)))

    def confidence(self, conf: float, pattern: str) -> float:
        return round(min(0.99, max(0.0, conf * self.pattern_factor.get(pattern, 1.0))), 3)


NOTHING_LEARNED = Learned()


def learn(verdicts: Iterable[Verdict]) -> Learned:
    """Fold verdicts (oldest first) into what the scoring uses."""
    shift: Counter[str] = Counter()
    good: Counter[str] = Counter()
    bad: Counter[str] = Counter()
    pinned: dict[str, str] = {}
    for v in verdicts:
        if v.verdict == "correct":
            good[v.pattern] += 1
            pinned.pop(v.correlation_id, None)
            continue
        if v.verdict not in ("wrong_root_cause", "not_related"):
            continue
        bad[v.pattern] += 1
        if v.verdict == "wrong_root_cause" and v.right_event_id:
            pinned[v.correlation_id] = v.right_event_id
            if v.root_reason and v.root_reason.lower() != v.right_reason.lower():
                shift[v.root_reason.lower()] -= 1
                if v.right_reason:
                    shift[v.right_reason.lower()] += 1
    prior_shift = {
        reason: max(-PRIOR_MAX_SHIFT, min(PRIOR_MAX_SHIFT, n * PRIOR_STEP)) for reason, n in shift.items() if n
    }
    factors = {}
    for pattern in set(good) | set(bad):
        balance = (good[pattern] - bad[pattern]) / (good[pattern] + bad[pattern] + 2)  # in (-1, 1)
        factors[pattern] = 1 + (FACTOR_SPAN / 3 if balance > 0 else FACTOR_SPAN) * balance
    return Learned(prior_shift, factors, pinned)
