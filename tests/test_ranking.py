"""Root ranking and the root's level, table-driven on the pure core (no graph)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from correlate import causes
from correlate import model as m
from correlate import ranking as rk
from tests.correlate_members import CALLER, DB, OOM, A, B, S, ev, link, node, pod, service


def test_workload_wide_crash_is_rooted_at_the_deployment() -> None:
    members = [
        ev("c1", 0, "process_exit", pod("api-1", "n1", replicas=3), category="crash"),
        ev("c2", 4, "process_exit", pod("api-2", "n2", replicas=3), category="crash"),
        ev("b1", 12, "BackOff", pod("api-1", "n1", replicas=3), category="crash"),
        ev("r1", 15, "connection_refused", CALLER, target=service("api")),
    ]
    root = rk.decide_root(members, [])
    assert (root.resource.kind, root.resource.name, root.event_id) == ("Deployment", "api", "c1")
    assert root.inferred


@pytest.mark.parametrize(
    ("also", "kind"),
    [
        ("crash", "Deployment"),  # the pods crash-loop too: the workload fails
        ("probe", "Pod"),  # only failed probes beside the throttling: no crash, no workload failure
        ("", "Pod"),
    ],
)
def test_crash_looping_pods_are_their_workloads_whichever_of_their_events_ranks_first(also: str, kind: str) -> None:
    """Each pod's throttled CPU (a saturation metric) ranks above its BackOff; what else it went through counts."""
    a1, a2 = pod("api-1", "n1", replicas=3), pod("api-2", "n2", replicas=3)
    members = [
        ev("t1", 0, "cpu_throttled", a1, category="saturation"),
        ev("t2", 2, "cpu_throttled", a2, category="saturation"),
        ev("t3", 3, "cpu_throttled", a1, category="saturation"),
    ]
    reason = {"crash": "BackOff", "probe": "Unhealthy"}.get(also, "")
    if also:
        members += [ev("b1", 5, reason, a1, category=also), ev("b2", 6, reason, a2, category=also)]
    best = {x.id: x for x in members}[rk.rank_resources(members, [])[0][1]]
    assert best.category == "saturation"  # the metric is the top-ranked pod's event
    assert rk.decide_root(members, []).resource.kind == kind


def test_one_pod_of_many_is_not_a_workload_failure() -> None:
    members = [
        ev("c1", 0, "process_exit", pod("api-1", "n1", replicas=3), category="crash"),
        ev("b1", 12, "BackOff", pod("api-1", "n1", replicas=3), category="crash"),
    ]
    assert rk.decide_root(members, []).resource.kind == "Pod"


def test_a_single_replica_crash_loop_is_its_workloads() -> None:
    members = [
        ev("c1", 0, "process_exit", pod("api-1", "n1", replicas=1), category="crash"),
        ev("b1", 12, "BackOff", pod("api-1", "n1", replicas=1), category="crash"),
    ]
    assert rk.decide_root(members, []).resource.kind == "Deployment"


def test_one_pods_error_logs_stay_that_pods_even_with_one_replica() -> None:
    members = [
        ev("e1", 0, "error_log", pod("api-1", "n1", replicas=1), category="application_error"),
        ev("e2", 12, "error_log", pod("api-1", "n1", replicas=1), category="application_error"),
    ]
    root = rk.decide_root(members, [])
    assert (root.resource.kind, root.resource.name) == ("Pod", "api-1")


def test_pods_of_two_workloads_on_one_node_point_at_the_node() -> None:
    members = [
        ev("t1", 0, "timeout", CALLER, target=A, message="request timed out"),
        ev("t2", 8, "timeout", CALLER, target=B, message="request timed out"),
        ev("p1", 20, "Unhealthy", B, category="probe", message="Readiness probe failed: timeout"),
    ]
    root = rk.decide_root(members, [])
    assert (root.resource.kind, root.resource.name, root.inferred, root.event_id) == ("Node", "n1", True, "t1")


def test_a_node_event_is_the_root_of_its_pods_symptoms() -> None:
    members = [
        ev("t1", 0, "timeout", CALLER, target=A, message="request timed out"),
        ev("t2", 8, "timeout", CALLER, target=B, message="request timed out"),
        ev("nr", 45, "NodeNotReady", node("n1"), category="node"),
    ]
    root = rk.decide_root(members, [])
    assert (root.resource.kind, root.event_id, root.inferred) == ("Node", "nr", False)


def test_an_oom_killed_pod_stays_the_root_and_its_echo_on_the_node_does_not_take_over() -> None:
    members = [
        ev("echo", -1, "OOMKilling", node("n2"), category="resource_exhaustion"),
        OOM,
        ev("t1", 3, "timeout", CALLER, target=DB, message="timed out"),
        ev("t2", 4, "timeout", pod("front-2", "n1", workload="front"), target=DB, message="timed out"),
    ]
    root = rk.decide_root(members, [])
    assert (root.event_id, root.resource.name) == ("oom", "db-0")


def test_callers_errors_name_a_callee_without_events_of_its_own() -> None:
    members = [
        ev("t1", 0, "http_5xx", CALLER, target=DB),
        ev("t2", 3, "http_5xx", pod("front-2", "n1", workload="front"), target=DB),
    ]
    root = rk.decide_root(members, [])
    assert (root.resource.name, root.inferred) == ("db-0", True)


def test_the_pod_with_the_most_anomalies_beats_a_hub_with_one_slow_span() -> None:
    hub, bad = pod("hub-1", "n1"), pod("cart-1", "n2")
    members = [
        ev("h", 0, "slow_span", hub, category="application_error"),
        *(ev(f"c{i}", 2 + i, "error_log", bad, category="application_error") for i in range(5)),
        ev("f", 9, "slow_span", CALLER, category="application_error", target=bad),
    ]
    links = [link("f", "h", m.CALLS, 1), *(link(f"c{i}", "h", m.CALLS, -1) for i in range(5))]
    assert rk.decide_root(members, links).resource.name == "cart-1"


def test_a_late_symptom_is_no_root_candidate() -> None:
    members = [
        ev("a", 0, "error_log", A, category="application_error"),
        ev("a2", 20, "error_log", A, category="application_error"),
        ev("a3", 30, "error_log", A, category="application_error"),
        *(ev(f"l{i}", 400 + i, "error_log", B, category="application_error") for i in range(6)),
    ]
    names = [r.name for r, _, _ in rk.rank_resources(members, [])]
    assert names == ["a-1"]


def test_a_lone_warning_minutes_before_the_burst_is_no_root_candidate() -> None:
    members = [
        ev("early", 0, "memory_usage", DB, category="saturation"),
        *(ev(f"l{i}", 245 + 10 * i, "latency_p99", B, category="performance") for i in range(6)),
    ]
    assert rk.onset_of(sorted(members, key=lambda x: x.ts)) == 245 * S
    assert [r.name for r, _, _ in rk.rank_resources(members, [])] == ["b-1"]
    # a cause stays a candidate however long before (an OOM kill, a change: what the symptoms follow from)
    members[0] = ev("early", 0, "oom_kill", DB, category="resource_exhaustion")
    assert "db-0" in [r.name for r, _, _ in rk.rank_resources(members, [])]


def _config_change(ts_s: float) -> m.Member:
    cm = m.Context(uid="uid-cm", cluster="c", kind="ConfigMap", namespace="ns", name="api-config")
    return ev("cm", ts_s, "ConfigMapChanged", cm, category="config", source_kind="change")


@pytest.mark.parametrize(("changed_at", "behind"), [(0, True), (-900, False), (120, False)])
def test_a_change_that_the_crashing_pods_depend_on_is_the_root(changed_at: float, behind: bool) -> None:
    api1, api2 = pod("api-1", "n1", replicas=2), pod("api-2", "n2", replicas=2)
    members = [
        _config_change(changed_at),
        *(ev(f"b{i}", 60 + 5 * i, "BackOff", api1 if i % 2 else api2, category="crash") for i in range(1, 7)),
        *(ev(f"t{i}", 62 + 5 * i, "http_5xx", CALLER, target=api1) for i in range(1, 5)),
    ]
    links = [m.Link("b1", "cm", m.SHARED_CONFIG, 0.8, 1)]  # one symptom linked to it: the ranking favours api-1
    found = rk.change_behind(api1, members, links)
    assert (found is not None and found.id == "cm") is behind  # minutes before, or after it began: not its cause
    root = rk.decide_root(members, links)
    assert (root.event_id == "cm") is behind
    if behind:
        assert root.resource.kind == "ConfigMap"


@pytest.mark.parametrize(("reason", "category"), [("Failed", "config"), ("oom_kill", "resource_exhaustion")])
def test_a_change_behind_a_pods_own_cause_is_the_root(reason: str, category: str) -> None:
    """A pod that cannot start for its ConfigMap (or is killed under a limit just edited) is a cause by itself;
    the edit it follows is still what a person undoes."""
    api1 = pod("api-1", "n1", replicas=1)
    members = [
        _config_change(0),
        *(ev(f"f{i}", 30 + 10 * i, reason, api1, category=category) for i in range(1, 4)),
        *(ev(f"t{i}", 40 + 5 * i, "http_5xx", CALLER, target=api1) for i in range(1, 5)),
    ]
    assert causes.is_cause(members[1])
    links = [m.Link("f1", "cm", m.SHARED_CONFIG, 0.8, 1)]
    assert rk.rank_resources(members, links)[0][0].name == "api-1"  # the pod's own cause ranks first
    assert rk.decide_root(members, links).event_id == "cm"
    assert rk.decide_root(members, []).event_id == "f1"  # no change it depends on: the pod's own cause


@pytest.mark.parametrize(
    ("count", "before", "more_surprising_than"),
    [
        ((5, 0), (5, 30), True),  # the same anomalies now: a quiet resource's are news, a noisy one's are not
        ((6, 0), (3, 0), True),  # more of them now, the same quiet past
        ((3, 0), (8, 40), True),  # fewer, but a change; the other fires like this all the time
    ],
)
def test_surprise_weighs_anomalies_now_against_the_resources_own_past(
    count: tuple[int, int], before: tuple[int, int], more_surprising_than: bool
) -> None:
    span = 3 * 60 * S
    assert (rk.surprise(count[0], count[1], span) > rk.surprise(before[0], before[1], span)) is more_surprising_than


def test_the_pod_whose_anomalies_began_now_beats_one_that_fires_all_along() -> None:
    noisy, faulty = pod("entry-1", "n1"), pod("cart-1", "n2")
    members = [
        *(ev(f"n{i}", 100 + 20 * i, "latency_p99", noisy, category="performance") for i in range(6)),
        *(ev(f"f{i}", 105 + 25 * i, "error_log", faulty, category="application_error") for i in range(5)),
    ]
    quiet_past: dict[str, list[int]] = {}
    assert rk.rank_resources(members, [])[0][0].name == "entry-1"  # more anomalies, nothing known of its past
    times = [(100 - 60 * k) * S for k in range(25, 1, -1)]  # one a minute for the last half hour
    noisy_past = {noisy.uid: times, rk.signal_key(noisy.uid, "latency_p99"): times}
    assert rk.rank_resources(members, [], past=quiet_past)[0][0].name == "entry-1"
    assert rk.rank_resources(members, [], past=noisy_past)[0][0].name == "cart-1"


def test_a_nodes_housekeeping_is_no_root_of_its_pods_trouble() -> None:
    members = [
        ev("gc", 0, "FreeDiskSpaceFailed", node("n1"), category="resource_exhaustion"),
        ev("b1", 5, "BackOff", A, category="crash"),
        ev("b2", 9, "BackOff", A, category="crash"),
        ev("t1", 12, "timeout", CALLER, target=A),
    ]
    links = [link("b1", "gc", m.SAME_NODE, 1, 0.9), link("b2", "gc", m.SAME_NODE, 1, 0.9)]
    assert rk.decide_root(members, links).resource.name == "a-1"
    members[0] = ev("nr", 0, "NodeNotReady", node("n1"), category="node")  # a condition of its pods is
    links = [link("b1", "nr", m.SAME_NODE, 1, 0.9), link("b2", "nr", m.SAME_NODE, 1, 0.9)]
    assert rk.decide_root(members, links).resource.name == "n1"


def test_a_repeated_event_counts_as_often_as_it_happened() -> None:
    once = ev("b", 3600, "BackOff", pod("a-1"), category="crash")
    eight = replace(once, count=8)
    assert rk.surprises([eight])["uid-a-1"] > rk.surprises([once])["uid-a-1"] + 5


def test_a_crashing_pods_failed_probes_point_at_no_node() -> None:
    members = [
        ev("b1", 0, "BackOff", A, category="crash"),
        ev("p1", 5, "Unhealthy", A, category="probe", message="Liveness probe failed: timeout"),
        ev("p2", 9, "Unhealthy", A, category="probe", message="Readiness probe failed: timeout"),
        ev("p3", 12, "Unhealthy", B, category="probe", message="Readiness probe failed: timeout"),
    ]
    root = rk.decide_root(members, [])
    assert root.resource.kind != "Node"
    members[0] = ev("b1", 0, "latency", A, category="performance")  # no crash: A's probes are the node's signal
    assert rk.decide_root(members, []).resource.kind == "Node"


def test_a_burst_of_a_signal_a_noisy_pod_never_shows_is_news_and_more_of_its_usual_one_is_not() -> None:
    noisy = pod("adservice-1", "n1")
    cpu_past = [(100 - 60 * k) * S for k in range(25, 1, -1)]  # its CPU rule fired once a minute for half an hour
    past = {noisy.uid: cpu_past, rk.signal_key(noisy.uid, "cpu_usage"): cpu_past}
    errors = [ev(f"e{i}", 100 + 20 * i, "error_log", noisy, category="application_error") for i in range(6)]
    cpu = [ev(f"c{i}", 100 + 20 * i, "cpu_usage", noisy, category="resource") for i in range(6)]
    assert rk.surprises(errors, past)[noisy.uid] >= 3.0  # six errors in two minutes from a pod that logs none
    assert rk.surprises(cpu, past)[noisy.uid] < 3.0  # six CPU alerts: what it does, a little more often
    assert rk.surprises(errors, past)[noisy.uid] > rk.surprises(cpu, past)[noisy.uid] + 2  # one count, two signals


def test_signals_rising_together_on_one_pod_are_news_that_none_of_them_is_alone() -> None:
    """A pod whose memory rule fires all the time, and whose errors and latency each show now twice (once each in
    its past half hour): either alone could be chance; both at once, with its memory as usual, is the pod going
    wrong."""
    cart = pod("cart-1", "n1")
    memory = [(100 - 60 * k) * S for k in range(29, 1, -1)]  # once a minute
    errors, latency = [(100 - 60 * 20) * S], [(100 - 60 * 10) * S]
    past = {
        cart.uid: sorted(memory + errors + latency),
        rk.signal_key(cart.uid, "memory_usage"): memory,
        rk.signal_key(cart.uid, "error_log"): errors,
        rk.signal_key(cart.uid, "latency_p99"): latency,
    }
    errs = [ev(f"e{i}", 100 + 40 * i, "error_log", cart, category="application_error") for i in range(2)]
    slow = [ev(f"l{i}", 120 + 40 * i, "latency_p99", cart, category="performance") for i in range(2)]
    since = -3600 * S
    assert rk.surprises(errs, past, since)[cart.uid] < 3.0
    assert rk.surprises(slow, past, since)[cart.uid] < 3.0
    assert rk.surprises(errs + slow, past, since)[cart.uid] >= 4.0


@pytest.mark.parametrize(
    ("each", "together"),
    [((2.0,), 0.0), ((2.0, 2.0), 2.99), ((1.0, 1.0, 1.0), 1.50), ((4.0, 0.0), 2.99), ((0.0, 0.0), 0.0)],
)
def test_signals_together_by_fishers_method(each: tuple[float, ...], together: float) -> None:
    """Two chances of 1 in 100 each: about 1 in 1,000 together (not 1 in 10,000: some pair is that low by chance);
    one signal is no combination; a signal of no surprise dilutes the others."""
    assert rk.together(each) == pytest.approx(together, abs=0.01)


@pytest.mark.parametrize(
    ("since_min", "watched_min"),
    [(None, 30), (-60, 30), (-20, 20), (-3, 10)],  # long ago; more than the past kept; part of it; too little
)
def test_the_past_is_as_long_as_it_was_watched(since_min: int | None, watched_min: int) -> None:
    since = None if since_min is None else since_min * 60 * S
    assert rk.watched(0, since) == watched_min * 60 * S


def test_a_pods_usual_rate_since_the_watch_began_is_no_news() -> None:
    """Twenty anomalies in the ten minutes a replay has watched are the pod's rate, not a quiet half hour's."""
    noisy = pod("user-1", "n1")
    times = [(-600 + 30 * k) * S for k in range(20)]  # one every 30 s since the watch began, ten minutes ago
    past = {noisy.uid: times, rk.signal_key(noisy.uid, "latency_p99"): times}
    now = [ev(f"n{i}", 30 * i, "latency_p99", noisy, category="performance") for i in range(10)]
    assert rk.surprises(now, past)[noisy.uid] >= 3.0  # taken as a half hour's past: a burst
    assert rk.surprises(now, past, since=-600 * S)[noisy.uid] < 1.0  # its usual rate


def test_an_incidents_own_first_signs_are_not_the_resources_past() -> None:
    """Errors a minute apart, the first two before the burst that marks the onset: they are the incident's, so the
    pod, quiet for ten minutes before them, stays news. The same two times in another correlation would be its past."""
    svc = pod("storage-1", "n1")
    times = [0, 57, 121, 150, 172, 207]
    now = [ev(f"e{i}", t, "NullPointerException", svc, category="application_error") for i, t in enumerate(times)]
    past = {k: [t * S for t in times] for k in (svc.uid, rk.signal_key(svc.uid, "NullPointerException"))}
    own = rk.surprises(now, past, since=-600 * S)[svc.uid]
    assert own >= 3.0
    assert own > rk.surprises(now[2:], past, since=-600 * S)[svc.uid] + 1.5


@pytest.mark.parametrize(("category", "kind"), [("node", "Node"), ("resource_exhaustion", "Pod")])
def test_a_node_condition_told_on_a_pod_is_rooted_at_its_node(category: str, kind: str) -> None:
    """The node controller tells a pod its node is not ready: what a person fixes is the node, not the pod; a
    pod's own cause (its OOM kill) stays the pod's."""
    p = replace(pod("orders-1", "n7"), node_uid="uid-n7")
    members = [
        ev("nr", 0, "NodeNotReady" if category == "node" else "oom_kill", p, category=category),
        ev("t", 5, "timeout", CALLER, target=p),
    ]
    root = rk.decide_root(members, [])
    assert (root.event_id, root.resource.kind) == ("nr", kind)
    if kind == "Node":
        assert (root.resource.name, root.resource.uid) == ("n7", "uid-n7")


def test_a_nodes_own_report_of_its_network_down_ranks_as_the_cause_it_is() -> None:
    """Two of its pods' probes fail, a caller's calls to one time out, and one of its pods' own calls to another
    node time out: the node's report of its network down (a kernel's message, no cause word in its reason)
    explains all but the last and is the root, as ``causes.is_cause`` takes it everywhere else."""
    user, db = pod("user-1", "n1"), pod("user-db-1", "n1")
    members = [
        ev("dbp", 0, "Unhealthy", db, category="probe", message="Readiness probe failed: timeout"),
        ev("net", 1, "UnregisterNetDevice", node("n1"), category="network", message="unregister_netdevice: eth0"),
        ev("up", 13, "Unhealthy", user, category="probe", message="Readiness probe failed: timeout"),
        ev("t", 195, "timeout", CALLER, target=user, message="dial tcp 10.0.1.2:80: i/o timeout"),
        ev("o", 218, "timeout", pod("cat-1", "n1"), target=pod("cat-db-1", "n2"), message="i/o timeout"),
    ]
    root = rk.decide_root(members, [])
    assert (root.resource.kind, root.resource.name, root.event_id) == ("Node", "n1", "net")
