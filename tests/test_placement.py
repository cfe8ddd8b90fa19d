"""The engine's pure core: placing members, merging, inferring a node, forgetting, adopting (no graph, no I/O)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from correlate import model as m
from correlate import ranking as rk
from correlate import state as st
from correlate.checkpoint import clone_placement
from correlate.feedback import NOTHING_LEARNED, Learned
from correlate.placement import Placement, Step, correlation_id
from correlate.settings import CorrelateSettings
from tests import correlate_members as cm
from tests.correlate_members import CALLER, DB, OOM, ev, pod, service


def place_all(core: Placement, *members: m.Member, links: dict[str, list[m.Link]] | None = None) -> Step:
    step = Step()
    for x in members:
        core.place(x, (links or {}).get(x.id, []), step)
    return step


def homes(core: Placement) -> set[frozenset[str]]:
    return {frozenset(c.members) for c in core.open()}


def test_a_call_naming_the_oom_killed_pod_joins_its_incident_and_a_stranger_stays_alone() -> None:
    core = Placement()
    stranger = ev("s", 3, "BackOff", pod("other-1", "n3"), category="crash")
    place_all(core, OOM, ev("t", 5, "timeout", CALLER, target=DB), stranger)
    assert homes(core) == {frozenset({"oom", "t"}), frozenset({"s"})}
    home = core.home("t")
    assert home is not None and home.id == correlation_id("oom") and home.root is not None
    assert home.root.event_id == "oom"


A, B = pod("a-1", "n1"), pod("b-1", "n1")  # two workloads' pods on one node
TIMEOUTS = (  # a caller's calls to both time out: two correlations, each rooted at its call
    ev("t1", 0, "timeout", CALLER, target=A, message="request timed out"),
    ev("t2", 8, "timeout", CALLER, target=B, message="request timed out"),
)
B_PROBE = ev("p1", 20, "Unhealthy", B, category="probe", message="Readiness probe failed: timeout")


def test_symptoms_of_two_workloads_on_one_node_merge_under_the_inferred_node() -> None:
    core = Placement()
    step = place_all(core, *TIMEOUTS, B_PROBE)
    (c,) = core.open()
    assert set(c.members) == {"t1", "t2", "p1"} and c.root is not None
    assert (c.root.resource.kind, c.root.resource.name, c.root.inferred) == ("Node", "n1", True)
    assert [g.id for g in step.merged] == [correlation_id("t2")]


def test_a_pod_of_a_node_cut_off_timing_out_on_its_own_calls_is_in_the_nodes_incident() -> None:
    """A pod on n1 is the first to time out calling a Service with pods on two other nodes: that says nothing of
    n1 alone, and its correlation is rooted at its call. Then callers time out calling into it and into a pod of
    another workload on n1: n1 is cut off, and the first call was its too."""
    core = Placement()
    catalog = replace(service("catalog"), pod_nodes=("n2", "n4"))
    front2 = pod("front-2", "n4", workload="front")
    place_all(
        core,
        ev("out", 0, "timeout", A, target=catalog, message="read timed out"),
        ev("t1", 8, "timeout", CALLER, target=A, message="dial tcp 10.0.0.1:80: i/o timeout"),
        ev("t2", 12, "timeout", front2, target=B, message="dial tcp 10.0.0.2:80: i/o timeout"),
        ev("t3", 15, "timeout", CALLER, target=B, message="dial tcp 10.0.0.2:80: i/o timeout"),
    )
    (c,) = core.open()
    assert set(c.members) == {"out", "t1", "t2", "t3"} and c.root is not None
    assert (c.root.resource.kind, c.root.resource.name, c.root.inferred) == ("Node", "n1", True)


def test_evictions_on_one_node_are_its_incident_not_another_nodes() -> None:
    """Two workloads' pods evicted on n2 while n1's pods time out: the evictions make n2's incident. n1's inferred
    incident, though it also holds a probe failure on n2 (so the index finds it for n2's signals), is not theirs."""
    core = Placement()
    a1, b1, c2, d2 = pod("a-1", "n1"), pod("b-1", "n1"), pod("c-1", "n2"), pod("d-1", "n2")
    low = "The node was low on resource: memory"
    place_all(
        core,
        ev("t1", 0, "timeout", CALLER, target=a1, message="request timed out"),
        ev("t2", 5, "timeout", CALLER, target=b1, message="request timed out"),
        ev("p1", 10, "Unhealthy", b1, category="probe", message="Readiness probe failed: timeout"),
    )
    (n1,) = core.open()
    probe = ev("p2", 12, "Unhealthy", c2, category="probe", message="Readiness probe failed: timeout")
    n1.members[probe.id] = probe  # joined on evidence of its own (a trace, say)
    core.of[probe.id] = n1.id
    core.index.add_member(n1.id, probe)
    place_all(
        core,
        ev("e1", 20, "Evicted", c2, category="resource_exhaustion", message=low),
        ev("e2", 40, "Evicted", d2, category="resource_exhaustion", message=low),
    )
    roots = {frozenset(c.members): c.root for c in core.open()}
    assert set(roots) == {frozenset({"t1", "t2", "p1", "p2"}), frozenset({"e1", "e2"})}
    n2 = roots[frozenset({"e1", "e2"})]
    assert n2 is not None and (n2.resource.name, n2.inferred, n2.event_id) == ("n2", True, "e1")


def test_a_late_node_condition_merges_what_it_explains() -> None:
    core = Placement()
    a = pod("a-1", "n1")
    place_all(core, ev("t1", 0, "timeout", CALLER, target=a, message="timed out"))
    node_event = ev(
        "nr", 40, "NodeNotReady", m.Context(uid="uid-n1", kind="Node", name="n1", node="n1"), category="node"
    )
    place_all(core, node_event)
    (c,) = core.open()
    assert set(c.members) == {"t1", "nr"} and c.root is not None and c.root.event_id == "nr"


def test_a_pod_crash_looping_in_a_large_correlation_takes_in_the_calls_it_refused() -> None:
    """A crash-looping pod is down but no cause: in a correlation past ``REROOT_EAGER`` members it brings no reroot,
    and still takes in the correlation its callers' failed calls opened."""
    core = Placement()
    api = [pod(f"api-{i}", "n1") for i in range(30)]
    siblings = {f"b{i}": [cm.link(f"b{i}", "b0", m.SAME_WORKLOAD, 0)] for i in range(1, 30)}
    place_all(core, *[ev(f"b{i}", i, "BackOff", api[i], category="crash") for i in range(30)], links=siblings)
    assert len(core.open()) == 1
    err = ev("t", 31, "error_log", CALLER, category="application_error", message="rpc error: code = Unavailable")
    place_all(core, err)
    assert core.home("t") is not None and core.home("t") is not core.home("b0")
    again = ev("bd", 32, "BackOff", pod("api-30", "n1"), category="crash")  # the 31st member: no reroot
    place_all(core, again, links={"bd": [cm.link("bd", "t", m.CALLS, -1), cm.link("bd", "b0", m.SAME_WORKLOAD, 0)]})
    home = core.home("t")
    assert home is not None and home is core.home("bd") is core.home("b0") and len(home.members) == 32


def test_a_node_told_down_late_takes_in_the_failed_calls_its_pods_callers_logged_before() -> None:
    """The callers' errors name no callee and come ~40 s before the node controller says NotReady; the NotReady of
    the pod they call arrives into the node's correlation (its root unchanged) and takes their correlation in."""
    core = Placement()
    db = pod("db-0", "n2")
    err = ev("t", 0, "error_log", CALLER, category="application_error", message="rpc error: code = Unavailable")
    node_down = ev(
        "nr", 40, "NodeNotReady", m.Context(uid="uid-n2", kind="Node", name="n2", node="n2"), category="node"
    )
    pod_down = ev("np", 41, "NodeNotReady", db, category="node")
    place_all(core, err, node_down)
    assert homes(core) == {frozenset({"t"}), frozenset({"nr"})}
    place_all(core, pod_down, links={"np": [cm.link("np", "t", m.CALLS, -1)]})  # db-0 is what the caller calls
    assert homes(core) == {frozenset({"t", "nr", "np"})}
    home = core.home("t")
    assert home is not None and home.root is not None and home.root.event_id == "nr"


def test_callers_naming_one_pod_while_it_fails_corroborate_it_as_a_shared_trace_does() -> None:
    """A pod's slow burn (one CPU alert a minute) is no news by its own rate; two callers each reporting it slow
    by its address while it does are (``Placement.traced``, read by ``state.news``)."""
    core = Placement()
    order = pod("order-1", "n1")
    slow = [ev(f"c{i}", 60 * i, "cpu_throttled", order, category="performance") for i in range(3)]
    callers = [ev(f"s{i}", 60 * i + 30, "slow_response", pod(f"pay-{i}", "n2"), target=order) for i in range(2)]
    place_all(core, *sorted([*slow, *callers], key=lambda x: x.ts))
    (c,) = core.open()
    assert core.traced(c) == 3
    one_caller = Placement()
    place_all(one_caller, *sorted([*slow, callers[0]], key=lambda x: x.ts))
    (c1,) = one_caller.open()
    assert one_caller.traced(c1) == 2
    unknown = replace(callers[1], ctx=replace(callers[1].ctx, uid=""))  # a caller known only by an address
    place_all(one_caller, unknown)
    assert one_caller.traced(c1) == 2


def test_a_cause_that_arrives_after_its_effect_takes_it_in() -> None:
    core = Placement()
    cart = pod("cart-1", "n2")
    timeout = ev("t", 5, "timeout", cart, target=DB)  # arrived first (a slower path), happened later
    place_all(core, timeout)
    place_all(core, OOM)  # the OOM kill of the pod cart's call reached
    assert homes(core) == {frozenset({"oom", "t"})}
    home = core.home("t")
    assert home is not None and home.root is not None and home.root.event_id == "oom"


def test_a_callee_cause_does_not_take_in_what_its_caller_did_not_say_was_the_call() -> None:
    core = Placement()
    backoff = ev("b", 5, "BackOff", pod("cart-1", "n2"), category="crash")
    place_all(core, backoff)
    # the OOM kill of what cart calls: the call graph says cart depends on it, cart's BackOff says nothing of it
    place_all(core, OOM, links={"oom": [m.Link("oom", "b", m.CALLS, 0.85, -1, 1)]})
    assert homes(core) == {frozenset({"oom"}), frozenset({"b"})}


def test_forget_and_adopt() -> None:
    core = Placement()
    place_all(core, OOM, ev("t", 5, "timeout", CALLER, target=service("db")))
    (c,) = core.open()
    core.forget(c)
    assert core.open() == [] and core.home("oom") is None
    core.adopt(c)
    assert core.home("t") is c
    later = ev("t2", 9, "timeout", pod("front-2", "n1", workload="front"), target=DB)
    place_all(core, later)
    assert core.home("t2") is c  # an adopted correlation explains new events as before


def _span(eid: str, ts_s: float, ctx: m.Context, span_id: str, parent: str = "") -> m.Member:
    x = ev(eid, ts_s, "slow_span", ctx, category="performance")
    x.detail = {"span_id": span_id} | ({"parent_span_id": parent} if parent else {})
    return x


def test_a_callers_slow_span_joins_its_callees_incident_when_the_trace_names_the_callee() -> None:
    core = Placement()
    cart, front, ads = pod("cart-1", "n2"), pod("front-1", "n1"), pod("ads-1", "n3")
    callee = _span("c1", 0, cart, "s2", parent="s1")
    place_all(core, callee, ev("c2", 10, "latency_p99", cart, category="performance"))
    same_trace = {
        "f1": [m.Link("f1", "c1", m.SAME_TRACE, 0.95)],  # front's span is c1's parent: the trace names cart
        "a1": [m.Link("a1", "c1", m.SAME_TRACE, 0.95)],  # ads is in the trace too, but no parent of anything
    }
    place_all(core, _span("f1", 12, front, "s1"), _span("a1", 13, ads, "s7", parent="s0"), links=same_trace)
    assert homes(core) == {frozenset({"c1", "c2", "f1"}), frozenset({"a1"})}
    home = core.home("f1")
    assert home is not None and home.root is not None and home.root.resource.name == "cart-1"


def test_placement_remembers_each_resources_anomalies_as_its_past() -> None:
    core, step = Placement(), Step()
    a = cm.pod("a-1", "n1")
    for i in range(3):
        core.place(cm.ev(f"a{i}", 10 * i, "latency_p99", a, category="performance"), [], step)
    assert core.past[a.uid] == [0, 10 * cm.S, 20 * cm.S]
    assert rk.count_before(core.past, a.uid, 20 * 60 * cm.S) == 3
    assert rk.count_before(core.past, a.uid, 40 * 60 * cm.S) == 0  # older than the past looked at


def test_a_correlations_surprise_is_judged_against_its_resources_past() -> None:
    core, step = Placement(), Step()
    a = cm.pod("a-1", "n1")
    burst = [cm.ev(f"b{i}", 3600 + 10 * i, "latency_p99", a, category="performance") for i in range(3)]
    for x in burst:
        core.place(x, [], step)
    quiet = sum(core.surprises(core.home("b0")))  # type: ignore[arg-type]
    noisy_core = Placement()
    for k in range(20):  # the same pod fired every 90 s for the half hour before
        noisy_core.place(cm.ev(f"n{k}", 1800 + 90 * k, "latency_p99", a, category="performance"), [], Step())
    for x in burst:
        noisy_core.place(x, [], Step())
    noisy = sum(noisy_core.surprises(noisy_core.home("b0")))  # type: ignore[arg-type]
    assert quiet >= CorrelateSettings().active_min_surprise > noisy


def test_a_quiet_pods_burst_is_news_beside_a_resource_that_always_fires() -> None:
    core = Placement()
    entry, cart = cm.pod("entry-1", "n1"), cm.pod("cart-1", "n2")
    for k in range(20):  # the entry service fired every 90 s for the half hour before
        core.place(cm.ev(f"n{k}", 1800 + 90 * k, "latency_p99", entry, category="performance"), [], Step())
    corr = m.Correlation("c")
    corr.members["e1"] = cm.ev("e1", 3600, "latency_p99", entry, category="performance")
    for i, t in enumerate((3605, 3620, 3640)):
        corr.members[f"c{i}"] = cm.ev(f"c{i}", t, "error_log", cart, category="application_error")
    assert st.news(CorrelateSettings(), core.surprises(corr))


@pytest.mark.parametrize(("pods", "each", "expected"), [(3, 1, False), (3, 3, True), (6, 1, False), (10, 1, True)])
def test_lone_anomalies_on_a_few_quiet_pods_are_no_news_many_pods_or_a_pod_repeating_are(
    pods: int, each: int, expected: bool
) -> None:
    core, corr = Placement(), m.Correlation("c")
    for i in range(pods):  # nothing before on any of them
        x = cm.ev(f"x{i}", 3600 + 7 * i, "BackOff", cm.pod(f"w{i}-1"), category="crash")
        corr.members[x.id] = replace(x, count=each)  # a BackOff repeated counts as often as it happened
    assert st.news(CorrelateSettings(), core.surprises(corr)) is expected


def test_the_past_of_a_resource_quiet_for_an_hour_is_forgotten() -> None:
    core = Placement()
    old, recent = cm.pod("old-1"), cm.pod("recent-1")
    core.place(cm.ev("o", 0, "latency_p99", old, category="performance"), [], Step())
    core.place(cm.ev("r", 3000, "latency_p99", recent, category="performance"), [], Step())
    core.prune_past(3700 * cm.S)  # an hour and a bit after the old one, ten minutes after the recent one
    assert list(core.past) == [recent.uid, rk.signal_key(recent.uid, "latency_p99")]


def _stopped(eid: str, ts_s: float, ctx: m.Context) -> m.Member:
    """The kubelet's Normal "Stopping container" (an aftermath event, ``correlate.aftermath``)."""
    return replace(ev(eid, ts_s, "Killing", ctx, category="lifecycle", source_kind="k8s_event"), severity_rank=2)


def test_an_aftermath_event_goes_with_the_member_it_follows_and_changes_nothing_else() -> None:
    core = Placement()
    a = pod("a-1", "n1")
    step = place_all(core, ev("evicted", 10, "Evicted", a, category="resource_exhaustion"))
    (c,) = core.open()
    root = c.root
    core.place_aftermath(_stopped("k", 10, a), step)
    core.place_aftermath(_stopped("k2", 11, pod("other-1", "n2")), step)  # nothing of its pod is held: it waits
    assert set(c.aftermath) == {"k"} and set(c.members) == {"evicted"} and c.root == root
    assert core.home("k") is c and core.home("k2") is None and set(core.loose) == {"k2"}
    core.forget(c)
    assert core.home("k") is None


def test_an_aftermath_event_whose_time_was_cut_waits_for_the_member_it_follows_by_event_time() -> None:
    """Both at 10 s to the second, the Killing placed first: it waits ``LEAD_MS`` of event time for its pod's
    eviction; a repeat of it replaces it; one older than the lead before the next event placed is forgotten."""
    core = Placement()
    a = pod("a-1", "n1")
    step = Step()
    core.place_aftermath(_stopped("k", 10, a), step)
    core.place_aftermath(replace(_stopped("k", 10, a), count=2), step)  # a repeat: still one waiting
    core.place_aftermath(_stopped("old", 5, a), step)
    assert core.open() == [] and set(core.loose) == {"k", "old"}
    place_all(core, ev("evicted", 10.5, "Evicted", a, category="resource_exhaustion"))
    (c,) = core.open()
    assert set(c.aftermath) == {"k"} and c.aftermath["k"].linked_to == "evicted" and c.aftermath["k"].count == 2
    assert core.loose == {}  # "old" was 5.5 s before the eviction: forgotten, not taken
    core.place_aftermath(_stopped("late", 30, pod("b-1", "n2")), step)
    place_all(core, ev("x", 31, "BackOff", pod("c-1", "n3"), category="crash"))
    assert set(core.loose) == {"late"}  # within the lead of the newest event placed: still waiting
    place_all(core, ev("y", 33, "BackOff", pod("c-1", "n3"), category="crash"))
    assert core.loose == {}


def test_a_merge_takes_the_aftermath_along_and_a_checkpoint_copy_keeps_its_own() -> None:
    """The caller's stop follows its second timeout; when the node its timeouts point at is inferred, that
    correlation is merged into the first one, the stop with it."""
    core = Placement()
    step = place_all(core, *TIMEOUTS)
    core.place_aftermath(_stopped("k", 8, CALLER), step)
    assert core.home("k") is core.home("t2")
    copy = clone_placement(core)
    merged = place_all(core, B_PROBE)
    assert [g.id for g in merged.merged] == [correlation_id("t2")]
    (c,) = core.open()
    assert set(c.aftermath) == {"k"} and core.home("k") is c
    assert set(copy.corrs[correlation_id("t2")].aftermath) == {"k"}  # the copy is as it was


@pytest.mark.parametrize("pinned", [True, False])
def test_a_pinned_root_stays_at_its_own_resource_and_named_when_its_pods_name_its_node(pinned: bool) -> None:
    """A person pins the node's own failed cleanup as the root: the root is that event's resource, and the node its
    pods' timeouts name stays named (it explains their calls cut off)."""
    gc = ev("gc", -30, "FreeDiskSpaceFailed", cm.node("n1"), category="node")
    core = Placement(Learned(pinned_root={correlation_id("t1"): "gc"}) if pinned else NOTHING_LEARNED)
    place_all(core, gc, *TIMEOUTS, B_PROBE)
    home = core.home("gc")
    assert home is not None and home.root is not None
    assert (home.root.event_id, home.root.resource.kind, home.root.named) == ("gc", "Node", True)


@pytest.mark.parametrize(("again_s", "backoff"), [(360, True), (360, False), (11 * 60, True)])
def test_a_pod_oom_killed_again_minutes_later_is_an_occurrence_of_its_own(again_s: int, backoff: bool) -> None:
    """Killed again six minutes on, with or without the kubelet backing off in between: each kill is its own
    incident, paged on its own; recurrence links them, nothing merges them (the kubelet's BackOff joins the kill
    it follows)."""
    core = Placement()
    first = (OOM, ev("t", 5, "timeout", CALLER, target=DB))
    again: tuple[m.Member, ...] = (ev("oom2", again_s, "oom_kill", DB, category="resource_exhaustion"),)
    if backoff:
        again += (ev("bo", again_s + 9, "BackOff", DB, category="crash"),)
    step = place_all(core, *first, *again)
    assert homes(core) == {frozenset({"oom", "t"}), frozenset(x.id for x in again)}
    home = core.home("oom2")
    assert home is not None and home.root is not None and home.root.event_id == "oom2"
    assert step.merged == []


N2 = m.Context(uid="uid-n2", kind="Node", name="n2", node="n2")


@pytest.mark.parametrize(("pod_nodes", "merged"), [(("n1", "n2", "n3"), True), (("n1", "n3"), False)])
def test_a_cause_that_leaves_the_root_as_it_was_still_takes_in_what_the_root_now_explains(
    pod_nodes: tuple[str, ...], merged: bool
) -> None:
    """The node's housekeeping warning stays the root of its pods' timeouts; when the node controller then says the
    node NotReady, the unanswered call to a Service with a pod on that node (opened on its own before) is the node's
    too. A Service with no pod there stays apart."""
    core = Placement()
    front = pod("front-1", "n3")
    orders = replace(service("orders"), pod_nodes=pod_nodes)
    place_all(
        core,
        ev("gc", 0, "ContainerGCFailed", N2, category="node", source_kind="kubernetes"),
        ev("t1", 60, "timeout", front, target=pod("cat-1", "n2"), message="dial tcp 10.0.0.1:80: i/o timeout"),
        ev("s1", 62, "timeout", front, target=orders, message="dial tcp 10.96.0.1:80: i/o timeout"),
    )
    assert homes(core) == {frozenset({"gc", "t1"}), frozenset({"s1"})}
    place_all(core, ev("nn", 100, "NodeNotReady", N2, category="node", source_kind="kubernetes"))
    home = core.home("nn")
    assert home is not None and home.root is not None and home.root.event_id == "gc"  # the root stays
    assert (core.home("s1") is home) == merged
