"""Which of the correlations that explain an event becomes its home: ``choice.choose``'s order, table-driven on
the pure core (whether a correlation explains the event at all is ``tests/test_explain.py``)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from correlate import choice
from correlate import explain as ex
from correlate import model as m
from correlate import ranking as rk
from tests.correlate_members import CALLER, DB, OOM, A, corr_of, ev, link, node, pod, service


def test_choose_prefers_a_cause_root_over_a_symptom_root() -> None:
    noise = corr_of(ev("n", 0, "http_5xx", CALLER, target=service("x")))
    incident = corr_of(OOM)
    homes = [(noise, ex.Explanation(1.0, m.SAME_RESOURCE, "n")), (incident, ex.Explanation(0.9, m.TARGET, "oom"))]
    assert choice.choose(ev("x", 6, "timeout", CALLER), homes) == 1


def test_choose_prefers_the_incident_whose_member_the_event_follows_most_closely() -> None:
    crash = corr_of(
        ev("c1", 0, "process_exit", pod("pay-1", "n1"), category="crash"),
        ev("c2", 2, "process_exit", pod("pay-2", "n2"), category="crash"),
    )
    crash.root = rk.decide_root(list(crash.members.values()), [])
    crash.members["k1"] = ev("k1", 100, "connection_refused", pod("checkout-1"), target=service("pay"))
    oom = corr_of(OOM)
    oom.members["k0"] = ev("k0", 10, "timeout", pod("checkout-1"), target=DB)
    x = ev("f", 104, "http_5xx", CALLER, target=pod("checkout-1"))
    homes = [(oom, ex.Explanation(0.9, m.TARGET, "k0")), (crash, ex.Explanation(0.9, m.TARGET, "k1"))]
    assert choice.choose(x, homes) == 1


def test_a_pods_ongoing_trouble_keeps_what_names_no_callee_and_a_crashed_callee_takes_what_names_it() -> None:
    """A pod already slow on its own grows slower: a callee crash-looping meanwhile does not explain that (its
    latency names no callee), so the pod's own episode keeps it. A symptom naming the callee goes to it."""
    text = pod("text-1", "n2")
    own = corr_of(ev("s0", 0, "slow_span", text, category="performance"))
    crash = corr_of(
        ev("c1", 20, "process_exit", pod("mention-1"), category="crash"),
        ev("c2", 25, "process_exit", pod("mention-2", "n3"), category="crash"),
    )
    x = ev("x", 50, "latency_p99", text, category="performance")
    assert ex.explanation(x, crash, [link("x", "c2", m.CALLS, 1)]) is None
    assert ex.explanation(x, own, [link("x", "s0", m.SAME_RESOURCE, 0)]) is not None
    named = ev("y", 50, "connection_refused", text, target=pod("mention-2", "n3"))
    homes = [(crash, ex.Explanation(0.9, m.TARGET, "c2")), (own, ex.Explanation(1.0, m.SAME_RESOURCE, "s0"))]
    assert ex.found_cause(crash) and choice.choose(named, homes) == 0


def test_choose_sends_a_call_to_a_service_to_the_backend_whose_trouble_is_going_on() -> None:
    """Of the pods behind a Service, the one misbehaving now explains a slow call, not a sibling's lone anomaly
    that happens to be the latest."""
    v3, v2 = pod("reviews-v3-1", services=("reviews",)), pod("reviews-v2-1", "n2", services=("reviews",))
    slow = corr_of(*(ev(f"s{i}", 20 * i, "slow_span", v3, category="performance") for i in range(4)))
    lone = corr_of(ev("l", 70, "latency_p99", v2, category="performance"))
    x = ev("x", 75, "slow_span", CALLER, category="performance", target=service("reviews"))
    homes = [(lone, ex.Explanation(0.9, m.TARGET, "l")), (slow, ex.Explanation(0.9, m.TARGET, "s3"))]
    assert choice.choose(x, homes) == 1


SHIPPING = pod("shipping-1", "n2", services=("shipping",))


@pytest.mark.parametrize(
    ("category", "via", "slow_home"),
    [
        ("performance", m.TARGET, True),
        ("performance", m.CALLS, True),  # by a link, not by resource: the callee slow itself says where
        ("application_error", m.TARGET, False),  # a failed call keeps preferring the cause
    ],
)
def test_choose_sends_a_slow_call_to_its_slow_callee_before_a_cause_at_its_caller(
    category: str, via: str, slow_home: bool
) -> None:
    """A call its callee answered, slowly, took its time at the callee: the callee's own slow episode (no cause
    found) explains it before a cause that reaches it through its caller (its node under memory pressure)."""
    slow = corr_of(*(ev(f"s{i}", 10 * i, "cpu_usage", SHIPPING, category="saturation") for i in range(3)))
    pressure = corr_of(ev("p", 0, "NodeHasInsufficientMemory", node("n3"), category="resource_exhaustion"))
    x = ev("x", 30, "latency", CALLER, category=category, target=service("shipping"))
    homes = [(pressure, ex.Explanation(1.0, m.SAME_NODE, "p")), (slow, ex.Explanation(0.9, via, "s2"))]
    assert ex.found_cause(pressure) and not ex.found_cause(slow)
    assert choice.choose(x, homes) == (1 if slow_home else 0)


def test_choose_keeps_a_slow_call_with_a_cause_at_its_callee_over_the_callees_lone_slow_span() -> None:
    """The callee's node NotReady explains the call through the callee as well: of the two, the cause."""
    blip = corr_of(ev("s", 20, "slow_span", SHIPPING, category="performance"))
    down = corr_of(ev("nr", 0, "NodeNotReady", node("n2"), category="node"))
    x = ev("x", 30, "latency", CALLER, category="performance", target=service("shipping"))
    homes = [(blip, ex.Explanation(0.9, m.TARGET, "s")), (down, ex.Explanation(1.0, m.TARGET, "nr"))]
    assert choice.choose(x, homes) == 1


def test_choose_sends_a_call_to_the_very_pod_it_reached_before_its_siblings() -> None:
    """A call whose address named one pod of a Service (evicted by its node now) is that pod's trouble, even when a
    config change elsewhere has its siblings' calls failing (more anomalies behind the same Service)."""
    reached = pod("front-proxy-1", "n1", services=("front-proxy",))
    siblings = [pod(f"front-proxy-{i}", "n2", services=("front-proxy",)) for i in (2, 3, 4)]
    cm = m.Context(uid="uid-cm", cluster="c", kind="ConfigMap", namespace="ns", name="proxy-config")
    calls = (
        ev(f"c{i}", 50 + i, "http_5xx", p, category="application_error", target=service("cart"))
        for i, p in enumerate(siblings)
    )
    config = corr_of(ev("cm", 40, "MODIFIED", cm, category="config", source_kind="change"), *calls)
    pressure = corr_of(
        ev("p", 55, "EvictionThresholdMet", node("n1"), category="resource_exhaustion"),
        ev(
            "e", 58, "Evicted", reached, category="resource_exhaustion", message="The node was low on resource: memory."
        ),
    )
    x = ev("x", 62, "http_5xx", CALLER, category="application_error", target=reached)
    by_config = ex.explanation(x, config, [link("x", "c2", m.CALLS, 1)])  # a sibling's failed call speaks for it
    by_node = ex.explanation(x, pressure, [link("x", "e", m.TARGET, 1)])
    assert by_config is not None and by_node is not None
    assert choice.on_target(config, x) > choice.on_target(pressure, x)  # more anomalies behind the Service...
    assert choice.choose(x, [(config, by_config), (pressure, by_node)]) == 1  # ...but the call reached the evicted pod


@pytest.mark.parametrize(
    ("reason", "message", "to_service", "node_home"),
    [
        ("timeout", "connect to 10.0.0.5:8080 timed out", False, True),  # no answer: the node it points at
        ("http_503", "HTTP 503 from a", False, False),  # an answer: what it follows most closely
        ("timeout", "connect to 10.0.0.5:8080 timed out", True, True),  # a Service with a pod on the node
    ],
)
def test_choose_sends_a_call_that_got_no_answer_to_the_node_it_points_at(
    reason: str, message: str, to_service: bool, node_home: bool
) -> None:
    config = corr_of(
        ev(
            "cm",
            0,
            "MODIFIED",
            m.Context(uid="uid-cm", cluster="c", kind="ConfigMap", name="settings"),
            category="config",
            source_kind="change",
        )
    )
    config.members["r1"] = ev("r1", 58, "timeout", pod("web-1", "n3"), target=A)  # mounted by every pod
    down = corr_of(ev("nr", 30, "NodeNotReady", node("n1"), category="node"))
    target = replace(service("a"), pod_nodes=("n1", "n2")) if to_service else A
    x = ev("x", 60, reason, CALLER, target=target, message=message)
    homes = [(config, ex.Explanation(0.9, m.TARGET, "r1")), (down, ex.Explanation(1.0, m.TARGET, "nr"))]
    assert choice.choose(x, homes) == (1 if node_home else 0)


def test_choose_keeps_a_resources_trouble_in_the_correlation_rooted_at_it() -> None:
    api = pod("api-1", "n1")
    own = corr_of(ev("u1", 0, "latency_p99", api, category="performance"))
    own.members["u2"] = ev("u2", 50, "latency_p99", api, category="performance")
    other = corr_of(ev("w1", 0, "slow_span", pod("web-1", "n2"), category="performance"))
    other.members["w2"] = ev("w2", 60, "latency_p99", api, category="performance")  # it took one of api's events
    x = ev("u3", 62, "cpu_usage", api, category="saturation")
    homes = [(other, ex.Explanation(0.95, m.SAME_RESOURCE, "w2")), (own, ex.Explanation(1.0, m.SAME_RESOURCE, "u1"))]
    assert choice.choose(x, homes) == 1


@pytest.mark.parametrize(
    ("reason", "category", "workload"), [("BackOff", "crash", True), ("latency_p99", "performance", False)]
)
def test_choose_sends_a_container_failing_like_its_siblings_to_the_workloads_failure(
    reason: str, category: str, workload: bool
) -> None:
    """A pod whose container crash-loops the way its sibling's does is part of the workload's failure, not of the
    pod's own background episode; its other troubles stay the pod's."""
    mine, sibling = pod("cat-2", "n2"), pod("cat-1", "n1")
    own = corr_of(ev("c1", 0, "cpu_throttled", mine, category="saturation"))
    crash = corr_of(ev("b1", 50, "BackOff", sibling, category="crash"))
    x = ev("b2", 59, reason, mine, category=category)
    homes = [(own, ex.Explanation(1.0, m.SAME_RESOURCE, "c1")), (crash, ex.Explanation(0.7, m.SAME_WORKLOAD, "b1"))]
    assert choice.choose(x, homes) == (1 if workload else 0)


def test_choose_follows_the_trace_to_the_callee_over_the_resources_own_episode() -> None:
    entry, callee = pod("ui-1", "n1"), pod("preserve-1", "n2")
    episode = corr_of(ev("u0", 0, "latency_p99", entry, category="performance"))  # the entry's usual noise
    fault = corr_of(ev("p0", 20, "latency_p99", callee, category="performance"))
    x = ev("u1", 60, "slow_span", entry, category="performance")
    homes = [
        (episode, ex.Explanation(1.0, m.SAME_RESOURCE, "u0")),
        (fault, ex.Explanation(0.8, m.SAME_TRACE, "p0")),  # its span's child, on the callee, was slow too
    ]
    assert choice.choose(x, homes) == 1
    assert choice.choose(x, homes[:1]) == 0


@pytest.mark.parametrize(
    ("caller", "down_home"),
    [
        (CALLER, True),  # a caller elsewhere: the pod it reached was OOM-killed
        (
            pod("front-2", "n2"),
            False,
        ),  # a caller on the node named: that node cuts its calls off, whatever they reached
    ],
)
def test_choose_sends_a_call_to_the_pod_it_reached_down_before_a_node_named_by_such_calls(
    caller: m.Context, down_home: bool
) -> None:
    """A call that reached a pod OOM-killed just before is that pod's, not the node its callers' timeouts named;
    unless the node named is the caller's own."""
    cache = pod("cache-1", "n1")
    oom = corr_of(ev("o", 0, "OOMKilled", cache, category="resource_exhaustion"))
    named = node_named_on("n1" if down_home else "n2")
    x = ev("x", 20, "timeout", caller, target=cache, message="dial tcp 10.0.0.7:11211: i/o timeout")
    homes = [(named, ex.Explanation(1.0, m.TARGET, "t1")), (oom, ex.Explanation(0.9, m.TARGET, "o"))]
    assert choice.choose(x, homes) == (1 if down_home else 0)


def node_named_on(n: str) -> m.Correlation:
    """A node named by timeouts of calls into its pods of two workloads and one of them failing its probe."""
    a, b = pod("a-9", n), pod("b-9", n)
    corr = corr_of(
        ev("t1", 0, "timeout", pod("z-1", "n4"), target=a, message="request timed out"),
        ev("t2", 8, "timeout", pod("z-1", "n4"), target=b, message="request timed out"),
        ev("p1", 15, "Unhealthy", b, category="probe", message="Readiness probe failed: timeout"),
    )
    assert corr.root is not None and corr.root.named and corr.root.resource.name == n
    return corr


def test_choose_takes_a_pod_reached_only_slow_for_no_pod_down() -> None:
    """The reached pod's own slowness, in a correlation rooted at another cause, does not take it away: the node its
    callers' timeouts named keeps the call."""
    cache = pod("cache-1", "n1")
    elsewhere = corr_of(OOM, ev("s", 5, "latency_p99", cache, category="performance"))
    named = node_named_on("n1")
    x = ev("x", 20, "timeout", CALLER, target=cache, message="dial tcp 10.0.0.7:11211: i/o timeout")
    homes = [(named, ex.Explanation(1.0, m.TARGET, "t1")), (elsewhere, ex.Explanation(0.9, m.TARGET, "s"))]
    assert ex.found_cause(elsewhere) and ex.found_cause(named)
    assert choice.choose(x, homes) == 0


def test_a_nodes_own_saturation_is_no_slow_callee() -> None:
    """A node's CPU is no anomaly of the callee itself: a slow call to a pod on it is not sent there by it."""
    busy = corr_of(ev("n", 0, "cpu_usage", node("n2"), category="saturation"))
    x = ev("x", 30, "latency", CALLER, category="performance", target=SHIPPING)
    assert not choice.slow_callee(busy, x)
    assert choice.slow_callee(corr_of(ev("p", 0, "cpu_usage", SHIPPING, category="saturation")), x)


CART = pod("cart-1", "n2", services=("cart",))


@pytest.mark.parametrize(
    ("own", "x", "own_home"),
    [
        # erroring twice before the datastore died, still going on: its own episode keeps its errors
        ((("e1", 0, "application_error"), ("e2", 20, "application_error")), ev("x", 60, "http_5xx", CART), True),
        # and a call that reached that very pod
        (
            (("e1", 0, "application_error"), ("e2", 20, "application_error")),
            ev("x", 60, "http_5xx", CALLER, category="application_error", target=CART),
            True,
        ),
        # one error before is noise: the datastore's failure explains what follows
        ((("e1", 20, "application_error"),), ev("x", 60, "http_5xx", CART), False),
        # a failed probe and a slow request are what a busy pod shows: no episode of its own
        ((("e1", 0, "probe"), ("e2", 20, "performance")), ev("x", 60, "http_5xx", CART), False),
        # errors that stopped more than JOIN_GAP_MS before the datastore died are over
        ((("e1", -200, "application_error"), ("e2", -180, "application_error")), ev("x", 60, "http_5xx", CART), False),
        # errors stamped with the datastore's failure (CALL_SKEW_MS) may be its first effects
        ((("e1", 28, "application_error"), ("e2", 29, "application_error")), ev("x", 60, "http_5xx", CART), False),
        # a call to the Service names no pod: the cause takes it
        (
            (("e1", 0, "application_error"), ("e2", 20, "application_error")),
            ev("x", 60, "http_5xx", CALLER, category="application_error", target=service("cart")),
            False,
        ),
    ],
)
def test_choose_keeps_a_pods_episode_from_before_its_callee_failed_in_its_own_correlation(
    own: tuple[tuple[str, float, str], ...], x: m.Member, own_home: bool
) -> None:
    """A pod erroring on its own before a datastore it calls was OOM-killed: its errors that follow, and the calls
    that reached it, are its own episode going on, not the datastore's effects (the cause's root came later)."""
    episode = corr_of(*(ev(eid, t, "error_log", CART, category=cat) for eid, t, cat in own))
    oom = corr_of(replace(OOM, ts=30_000))
    homes = [(oom, ex.Explanation(0.85, m.CALLS, "oom")), (episode, ex.Explanation(1.0, m.SAME_RESOURCE, own[0][0]))]
    assert choice.choose(x, homes) == (1 if own_home else 0)


@pytest.mark.parametrize(
    ("root_kind", "own_home"),
    [("Deployment", True), ("Node", False)],  # a node's failure is new to the pod, whatever it showed before
)
def test_choose_keeps_a_pods_episode_from_before_its_siblings_crashed_in_its_own_correlation(
    root_kind: str, own_home: bool
) -> None:
    """A pod erroring on its own before two siblings crashed once each (the workload as their root): its errors that
    follow are its episode going on, not the siblings' crash."""
    app = pod("details-1", "n1", workload="details")
    episode = corr_of(*(ev(f"e{i}", 20 * i, "error_log", app, category="application_error") for i in range(3)))
    c1 = ev("c1", 70, "panic", pod("details-2", "n1", workload="details"), category="crash")
    c2 = ev("c2", 80, "panic", pod("details-3", "n1", workload="details"), category="crash")
    crash = corr_of(c1, c2)
    if root_kind == "Node":
        crash = corr_of(replace(c1, ctx=node("n1"), reason="NodeNotReady", category="node"))
    assert crash.root is not None and crash.root.resource.kind == root_kind and ex.found_cause(crash)
    x = ev("x", 90, "error_log", app, category="application_error")
    homes = [(crash, ex.Explanation(1.0, m.OWNER, "c1")), (episode, ex.Explanation(1.0, m.SAME_RESOURCE, "e0"))]
    assert choice.choose(x, homes) == (1 if own_home else 0)
