"""Events that follow from a member: which correlation, which member, and when they count at all (pure)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from correlate import aftermath as af
from correlate import model as m
from tests.correlate_members import deployment, ev, node, pod

P, Q = pod("api-1", "n1"), pod("api-2", "n2")
EVICTED = replace(ev("evicted", 100, "Evicted", P, category="resource_exhaustion"), type="Warning")
NOT_READY = ev("notready", 100, "NodeNotReady", node("n1"), category="node")
ROLLOUT = ev("change", 100.4, "DeploymentUpdated", deployment("api"), category="rollout", source_kind="change")


def corr(*members: m.Member, root: m.Member | None = None) -> m.Correlation:
    c = m.Correlation("corr-" + members[0].id, members={x.id: x for x in members})
    top = root or members[0]
    c.root = m.Root(top.id, top.ctx)
    return c


def normal(eid: str, ts_s: float, reason: str, ctx: m.Context) -> m.Member:
    return replace(ev(eid, ts_s, reason, ctx, category="lifecycle", source_kind="k8s_event"), severity_rank=2)


@pytest.mark.parametrize(
    ("reason", "warning", "expected"),
    [
        ("Killing", False, True),  # "Stopping container x": the kubelet's reaction
        ("Killing", True, False),  # "failed liveness probe, will be restarted": trouble itself, placed as such
        ("ScalingReplicaSet", False, True),
        ("TaintManagerEviction", False, True),
        # "Marking for deletion": the catalogue makes it a warning, still the taint manager's act on a NoExecute taint
        ("TaintManagerEviction", True, True),
        ("Started", False, False),  # lifecycle chatter follows from nothing
        ("BackOff", True, False),
    ],
)
def test_what_is_an_aftermath_event(reason: str, warning: bool, expected: bool) -> None:
    assert af.is_aftermath(reason, warning) is expected


@pytest.mark.parametrize(
    ("name", "x", "held", "expected"),
    [
        ("stopped the second its pod was evicted", normal("k", 100, "Killing", P), corr(EVICTED), "evicted"),
        ("stopped within the window after", normal("k", 100 + 359, "Killing", P), corr(EVICTED), "evicted"),
        ("stopped long after: another story", normal("k", 100 + 361, "Killing", P), corr(EVICTED), None),
        ("another pod's stop", normal("k", 100, "Killing", Q), corr(EVICTED), None),
        # the Event's time is cut to the second: the change it follows may be up to LEAD_MS later
        (
            "the rollout's scaling, its time cut",
            normal("s", 100, "ScalingReplicaSet", deployment("api")),
            corr(ROLLOUT),
            "change",
        ),
        (
            "a scaling well before the change",
            normal("s", 97, "ScalingReplicaSet", deployment("api")),
            corr(ROLLOUT),
            None,
        ),
        (
            "the taint manager on the root node's pod",
            normal("t", 400, "TaintManagerEviction", P),
            corr(NOT_READY),
            "notready",
        ),
        ("the taint manager on another node's pod", normal("t", 400, "TaintManagerEviction", Q), corr(NOT_READY), None),
        # before it, the latest; the one after it only when none came before (whichever was placed first)
        (
            "the eviction before it, not the probe after",
            normal("k", 100, "Killing", P),
            corr(EVICTED, replace(EVICTED, id="probe", ts=101_000, reason="Unhealthy")),
            "evicted",
        ),
        (
            "the latest before it",
            normal("k", 100, "Killing", P),
            corr(replace(EVICTED, id="early", ts=50_000), EVICTED),
            "evicted",
        ),
    ],
)
def test_which_member_an_aftermath_event_follows(
    name: str, x: m.Member, held: m.Correlation, expected: str | None
) -> None:
    y = af.followed(x, held)
    assert (y.id if y is not None else None) == expected, name


def test_the_holder_is_the_correlation_of_the_member_it_follows() -> None:
    """Of two correlations holding the pod's trouble, the one whose member came last before the event; a member
    after it only when none came before."""
    early, late = corr(replace(EVICTED, id="early", ts=10_000)), corr(EVICTED)
    after = corr(replace(EVICTED, id="after", ts=101_000))
    found = af.holder(normal("k", 100.5, "Killing", P), [early, after, late])
    assert found is not None and (found[0].id, found[1].id) == (late.id, "evicted")
    found = af.holder(normal("k", 100.5, "Killing", P), [after])
    assert found is not None and found[1].id == "after"
    assert af.holder(normal("k", 101, "Killing", Q), [early, late]) is None


def test_an_attached_event_is_a_new_member_object_naming_what_it_follows() -> None:
    x = normal("k", 100, "Killing", P)
    y = af.attached(x, EVICTED)
    assert (y.link, y.linked_to, y.weight) == (m.AFTERMATH, "evicted", 0.0)
    assert x.link == m.ROOT  # a checkpoint holding the loose event keeps it as it was
