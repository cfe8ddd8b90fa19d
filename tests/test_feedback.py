"""Verdicts shift cause priors by reason, confidence by pattern, and pin a corrected root."""

from __future__ import annotations

from correlate.feedback import NOTHING_LEARNED, PRIOR_MAX_SHIFT, Verdict, learn


def test_nothing_learned_changes_nothing() -> None:
    assert NOTHING_LEARNED.prior(0.4, "BackOff") == 0.4
    assert NOTHING_LEARNED.confidence(0.8, "cascading_failure") == 0.8


def test_wrong_root_moves_prior_from_the_wrong_reason_to_the_right_one_and_pins_the_root() -> None:
    learned = learn([Verdict("wrong_root_cause", "c1", "cascading_failure", "OOMKilled", "e9", "ConfigMapChanged")])
    assert learned.prior(0.9, "oomkilled") < 0.9
    assert learned.prior(0.5, "ConfigMapChanged") > 0.5
    assert learned.pinned_root == {"c1": "e9"}
    assert learned.confidence(0.8, "cascading_failure") < 0.8


def test_shifts_are_bounded() -> None:
    many = [Verdict("wrong_root_cause", f"c{i}", "p", "Unhealthy", f"e{i}", "OOMKilled") for i in range(100)]
    learned = learn(many)
    assert learned.prior(0.5, "Unhealthy") == 0.5 - PRIOR_MAX_SHIFT
    assert learned.prior(0.5, "OOMKilled") == 0.5 + PRIOR_MAX_SHIFT
    assert learned.confidence(0.9, "p") >= 0.9 * 0.85


def test_correct_raises_confidence_of_its_pattern_and_releases_a_pin() -> None:
    learned = learn([Verdict("wrong_root_cause", "c1", "node_failure", "X", "e1", "Y"), Verdict("correct", "c1", "x")])
    assert "c1" not in learned.pinned_root
    assert learn([Verdict("correct", "c2", "node_failure")] * 3).confidence(0.8, "node_failure") > 0.8


def test_not_related_lowers_confidence_without_moving_priors() -> None:
    learned = learn([Verdict("not_related", "c1", "workload_failure", "BackOff", "e2", "Unhealthy")])
    assert learned.prior_shift == {}
    assert learned.confidence(0.8, "workload_failure") < 0.8
