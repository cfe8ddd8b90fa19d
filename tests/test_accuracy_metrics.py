"""Scoring of correlation results against truth, with hand-made result files (DESIGN §6 shape)."""

from __future__ import annotations

from typing import Any

import pytest

from bench.accuracy.metrics import Score, last_versions, score

TRUTH: dict[str, Any] = {
    "incidents": [
        {
            "id": "inc-1",
            "kind": "datastore_oom",
            "root_event_id": "oom",
            "root_equivalents": ["npd"],
            "event_ids": ["oom", "npd", "a1", "a2", "a3"],
            "context_event_ids": [],
        },
        {
            "id": "inc-2",
            "kind": "node_notready",
            "root_event_id": "nr",
            "event_ids": ["nr", "p1", "p2", "p3"],
            "context_event_ids": ["taint1"],
        },
        {
            "id": "inc-3",
            "kind": "recurring_oom",
            "root_event_id": "r1",
            "event_ids": ["r1", "r2", "r3", "r4"],
            "period_seconds": 10800,
        },
    ],
    "noise_event_ids": ["n1", "n2", "churn1"],
    "warning_events": 20,
}


def _res(cid: str, version: int, root: str, members: list[str], period: int | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": cid,
        "version": version,
        "type": "cascading_failure",
        "root_cause": {"event_id": root},
        "related_events": members,
    }
    if period:
        doc["recurrence"] = {"period_seconds": period, "occurrences": 4}
    return doc


def test_last_version_of_each_correlation_wins() -> None:
    cs = last_versions([_res("c1", 1, "a1", ["a1"]), _res("c1", 3, "oom", ["oom", "a1"]), _res("c1", 2, "x", ["x"])])
    assert len(cs) == 1 and cs[0].root == "oom" and cs[0].members == {"oom", "a1"}
    with pytest.raises(ValueError, match="result 1"):
        last_versions([{"id": "c"}])


def test_perfect_results_score_one() -> None:
    s = score(
        TRUTH,
        last_versions(
            [
                _res("c1", 1, "oom", ["oom", "npd", "a1", "a2", "a3"]),
                _res("c2", 1, "nr", ["nr", "p1", "p2", "p3", "taint1"]),
                _res("c3", 2, "r1", ["r1", "r2", "r3", "r4"], period=11000),
            ]
        ),
    )
    assert s.grouping == 1.0 and s.purity == 1.0 and s.root_rank1 == 1.0
    assert s.noise_reduction == pytest.approx(1 - 3 / 20)
    assert s.noise_only == 0 and s.recurring_recall == 1.0


def test_split_merge_wrong_root_noise_and_period() -> None:
    s = score(
        TRUTH,
        last_versions(
            [
                # inc-1 split in two; the bigger half has an equivalent root (NPD report of the same kill)
                _res("c1", 1, "npd", ["npd", "a1", "a2"]),
                _res("c2", 1, "oom", ["oom", "a3"]),
                # inc-2 merged with noise, wrong root
                _res("c3", 1, "p1", ["nr", "p1", "p2", "p3", "n1"]),
                # recurring found with a period 30% off: not found
                _res("c4", 1, "r1", ["r1", "r2", "r3", "r4"], period=14100),
                _res("c5", 1, "n2", ["n2", "churn1"]),
            ]
        ),
    )
    assert s.grouped == 3 + 4 + 4 and s.related_events == 13
    assert s.root_hits == 2  # npd is an equivalent of oom; p1 is not nr
    assert s.purity_hits == 11 and s.purity_total == 3 + 5 + 4
    assert s.noise_only == 1 and s.recurring_found == 0
    assert s.by_kind["node_notready"] == [1, 0, 4, 4]


def test_one_correlation_counts_for_one_incident_only() -> None:
    s = score(TRUTH, last_versions([_res("c1", 1, "oom", ["oom", "npd", "a1", "a2", "a3", "nr", "p1"])]))
    assert s.grouped == 5  # inc-2's two events in it are not credited
    assert s.root_hits == 1


def test_scores_add_up_over_scenarios() -> None:
    total = Score()
    for _ in range(2):
        total.add(score(TRUTH, []))
    assert total.incidents == 6 and total.grouping == 0.0 and total.root_rank1 == 0.0
    assert total.noise_reduction == 1.0 and total.noise_only_share is None
