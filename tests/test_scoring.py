"""Link weights, priors and root ranking, without a database."""

from __future__ import annotations

import pytest

from correlate import model as m
from correlate.scoring import confidence, downstream_of, link_weight, prior, rank_root, upstream_map
from tests.correlate_members import member


@pytest.mark.parametrize(
    ("kind", "direction", "expected"),
    [
        (m.SAME_TRACE, 0, 0.95),
        (m.CALLS, 1, 0.85),
        (m.SAME_NODE, 1, 0.9),
        (m.SAME_NODE, 0, 0.3),
        (m.SHARED_CONFIG, -1, 0.85),
        (m.SHARED_CONFIG, 0, 0.3),
        (m.SAME_RESOURCE, 0, 0.9),
    ],
)
def test_base_weights(kind: str, direction: int, expected: float) -> None:
    assert link_weight(kind, direction) == expected


def test_weight_falls_with_hops_and_time() -> None:
    assert link_weight(m.CALLS, 1, hops=3) < link_weight(m.CALLS, 1, hops=1)
    assert link_weight(m.CALLS, 1, dt_ms=900_000, window_ms=900_000) == pytest.approx(0.85 * 0.7)
    assert link_weight(m.CALLS, 1, dt_ms=10**9, window_ms=900_000) == pytest.approx(0.85 * 0.7)


@pytest.mark.parametrize(
    ("category", "reason", "source", "low", "high"),
    [
        ("resource_exhaustion", "OOMKilled", "", 0.85, 1),
        ("network", "http_503", "", 0, 0.25),
        ("probe", "Unhealthy", "", 0, 0.25),
        ("config", "ConfigMapChanged", "change", 0.85, 1),
        ("network", "timeout", "", 0, 0.25),
        ("node", "NodeNotReady", "", 0.85, 1),
        ("crash", "BackOff", "", 0.4, 0.7),
        # a metric over its baseline is evidence of a cause, not one: above symptoms, below an OOM kill
        ("saturation", "memory_usage", "", 0.5, 0.7),
        ("saturation", "cpu_usage", "", 0.5, 0.7),
        # the kubelet's housekeeping failing is a node to watch, not what takes its pods down
        ("node", "ImageGCFailed", "", 0, 0.5),
        ("resource_exhaustion", "FreeDiskSpaceFailed", "", 0, 0.5),
        ("node", "NodeHasDiskPressure", "", 0.85, 1),
    ],
)
def test_priors_causes_over_symptoms(category: str, reason: str, source: str, low: float, high: float) -> None:
    assert low <= prior(category, reason, source) <= high


def test_downstream_is_transitive() -> None:
    links = [m.Link("api", "db", m.CALLS, 0.8, 1), m.Link("web", "api", m.CALLS, 0.8, 1)]
    assert downstream_of("db", upstream_map(links)) == {"api", "web"}
    assert upstream_map([m.Link("node", "pod", m.SAME_NODE, 0.9, -1)]) == {"node": {"pod"}}


def test_callee_ranked_first_even_when_later() -> None:
    members = [
        member("web", 0, "http_503", "network"),
        member("api", 1, "timeout", "network"),
        member("db", 2, "OOMKilled", "resource_exhaustion"),
    ]
    links = [m.Link("api", "db", m.CALLS, 0.8, 1), m.Link("web", "api", m.CALLS, 0.8, 1)]
    assert rank_root(members, links)[0][0] == "db"


def test_without_direction_prior_then_time_decide() -> None:
    members = [member("a", 0, "Unhealthy", "probe"), member("b", 5, "OOMKilled", "resource_exhaustion")]
    assert rank_root(members, [])[0][0] == "b"
    same = [member("a", 0, "BackOff", "crash"), member("b", 5, "BackOff", "crash")]
    assert rank_root(same, [])[0][0] == "a"


def test_rank_ties_are_deterministic() -> None:
    members = [member("b", 0, "BackOff", "crash"), member("a", 0, "BackOff", "crash")]
    assert [i for i, _ in rank_root(members, [])] == ["a", "b"]
    assert rank_root([], []) == []


def test_confidence_grows_with_evidence() -> None:
    single = [member("a", 0, "BackOff", "crash")]
    two = [*single, member("b", 1, "BackOff", "crash", link=m.SAME_WORKLOAD, weight=0.7)]
    five = two + [member(f"c{i}", 2 + i, "timeout", "network", link=m.CALLS, weight=0.85) for i in range(3)]
    c1, c2, c5 = (confidence(x, rank_root(x, [])) for x in (single, two, five))
    assert c1 < 0.5 <= c2 < c5 <= 0.99
    assert confidence([], []) == 0.0
