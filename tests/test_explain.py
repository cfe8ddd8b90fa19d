"""The rules of placement, merging, inference and root level, table-driven on the pure core (no graph)."""

from __future__ import annotations

import pytest

from correlate import explain as ex
from correlate import model as m

S = 1000


def pod(
    name: str, node: str = "n1", workload: str = "", services: tuple[str, ...] = (), replicas: int = 0
) -> m.Context:
    wl = workload or name.rsplit("-", 1)[0]
    return m.Context(
        uid=f"uid-{name}",
        cluster="c",
        kind="Pod",
        namespace="ns",
        name=name,
        node=node,
        workload_uid=f"uid-{wl}",
        workload_kind="Deployment",
        workload_namespace="ns",
        workload_name=wl,
        workload_replicas=replicas,
        services=services or (wl,),
    )


def node(name: str) -> m.Context:
    return m.Context(uid=f"uid-{name}", cluster="c", kind="Node", name=name, node=name)


def service(name: str) -> m.Context:
    return m.Context(uid=f"uid-svc-{name}", cluster="c", kind="Service", namespace="ns", name=name)


def deployment(name: str) -> m.Context:
    return m.Context(
        uid=f"uid-{name}",
        cluster="c",
        kind="Deployment",
        namespace="ns",
        name=name,
        workload_uid=f"uid-{name}",
        workload_kind="Deployment",
        workload_namespace="ns",
        workload_name=name,
    )


def ev(
    eid: str,
    ts_s: float,
    reason: str,
    ctx: m.Context,
    *,
    category: str = "network",
    target: m.Context | None = None,
    source_kind: str = "collector",
    message: str = "",
) -> m.Member:
    return m.Member(
        id=eid,
        ts=int(ts_s * S),
        reason=reason,
        category=category,
        severity_rank=6,
        source_kind=source_kind,
        message=message,
        ctx=ctx,
        target=target,
    )


def corr_of(*members: m.Member, root: m.Root | None = None) -> m.Correlation:
    c = m.Correlation("corr-" + members[0].id, members={x.id: x for x in members})
    c.root = root or ex.decide_root(list(members), [])
    return c


A, B, DB = pod("a-1", "n1"), pod("b-1", "n1"), pod("db-0", "n2", workload="db")
CALLER = pod("front-1", "n3")


@pytest.mark.parametrize(
    ("root", "x", "want"),
    [
        (node("n1"), ev("e", 1, "timeout", A), m.SAME_NODE),  # pod on the node
        (node("n1"), ev("e", 1, "timeout", CALLER, target=A), m.TARGET),  # a call to a pod on the node
        (node("n2"), ev("e", 1, "timeout", CALLER, target=A), ""),  # neither end on that node
        (node("n3"), ev("e", 1, "timeout", CALLER, target=A), ""),  # the caller's node only carried the call
        (deployment("a"), ev("e", 1, "BackOff", pod("a-2", "n2")), m.OWNER),  # a pod of the workload
        (DB, ev("e", 1, "timeout", CALLER, target=DB), m.TARGET),  # the caller named the pod
        (DB, ev("e", 1, "http_5xx", CALLER, target=service("db")), m.TARGET),  # ... or the service it serves
        (service("db"), ev("e", 1, "refused", CALLER, target=DB), m.TARGET),  # a pod the service selects
        (DB, ev("e", 1, "BackOff", DB), m.SAME_RESOURCE),
        (DB, ev("e", 1, "timeout", CALLER), ""),  # a caller's error that names nothing is no explanation
        (A, ev("e", 1, "timeout", B), ""),  # same node is symmetric: a pod never explains its neighbour
        (DB, ev("e", 1, "OOMKilling", node("n2"), category="resource_exhaustion"), m.SAME_NODE),  # echo
    ],
)
def test_resource_explains(root: m.Context, x: m.Member, want: str) -> None:
    assert ex.resource_explains(root, x) == want


@pytest.mark.parametrize(
    ("x", "want"),
    [
        # a call to a pod on another node that timed out blames the callee's node, not the caller's
        (ev("e", 1, "timeout", CALLER, target=A, message="request timed out"), [("n1", "ns/a")]),
        (
            ev("e", 1, "timeout", pod("front-2", "n1", workload="front"), target=A, message="timed out"),
            [
                ("n1", "ns/front"),
                ("n1", "ns/a"),
            ],
        ),
        (ev("e", 1, "connection_refused", CALLER, target=A, message="connection refused"), []),
        (ev("e", 1, "Unhealthy", A, category="probe", message="Readiness probe failed: timeout"), [("n1", "ns/a")]),
        (ev("e", 1, "Evicted", A, category="resource_exhaustion", message="The node was low"), [("n1", "ns/a")]),
        (ev("e", 1, "BackOff", A, category="crash", message="Back-off restarting"), []),
    ],
)
def test_node_signals(x: m.Member, want: list[tuple[str, str]]) -> None:
    got = [(n, w.split("/", 1)[1]) for n, w in ex.node_signals(x)]
    assert got == want


def _link(a: str, b: str, kind: str, direction: int, weight: float = 0.85) -> m.Link:
    return m.Link(a, b, kind, weight, direction)


OOM = ev("oom", 0, "oom_kill", DB, category="resource_exhaustion")


@pytest.mark.parametrize(
    ("corr", "x", "links", "joins"),
    [
        # a caller's error naming the OOM-killed pod joins its incident
        (corr_of(OOM), ev("t", 5, "timeout", CALLER, target=DB), [], True),
        # an effect before its cause (beyond the clock slack) does not
        (corr_of(OOM), ev("t", -60, "timeout", CALLER, target=DB), [], False),
        # nor one long after the incident went quiet
        (corr_of(OOM), ev("t", 400, "timeout", CALLER, target=DB), [], False),
        # a directed link (the member is upstream) explains
        (corr_of(OOM), ev("t", 5, "http_5xx", CALLER), [_link("t", "oom", m.CALLS, 1)], True),
        # symmetric links never do: same trace, same node, the callee's side of a call
        (corr_of(OOM), ev("t", 5, "http_5xx", CALLER), [_link("t", "oom", m.SAME_TRACE, 0, 0.95)], False),
        (corr_of(OOM), ev("t", 5, "http_5xx", CALLER), [_link("t", "oom", m.SAME_NODE, 0, 0.3)], False),
        (corr_of(OOM), ev("t", 5, "http_5xx", CALLER), [_link("t", "oom", m.CALLS, -1)], False),
        # an eviction of a caller pod is not explained by that pod's failed call to something else
        (
            corr_of(OOM, ev("c", 2, "timeout", CALLER, target=DB)),
            ev("x", 5, "Evicted", CALLER, category="resource_exhaustion", message="The node was low on memory"),
            [_link("x", "c", m.SAME_RESOURCE, 0, 0.9)],
            False,
        ),
        # nor by any symptom of that pod: the kubelet evicts for its node's sake
        (
            corr_of(OOM, ev("c", 2, "timeout", CALLER)),
            ev("x", 5, "Evicted", CALLER, category="resource_exhaustion", message="The node was low on memory"),
            [_link("x", "c", m.SAME_RESOURCE, 0, 0.9)],
            False,
        ),
        (
            corr_of(ev("p", 0, "EvictionThresholdMet", node("n3"), category="node")),
            ev("x", 5, "Evicted", CALLER, category="resource_exhaustion", message="The node was low on memory"),
            [_link("x", "p", m.SAME_NODE, 1, 0.9)],
            True,
        ),
        # ... but the same call failing again is
        (
            corr_of(OOM, ev("c", 2, "timeout", CALLER, target=DB)),
            ev("x", 5, "timeout", CALLER, target=DB),
            [_link("x", "c", m.SAME_RESOURCE, 0, 0.9)],
            True,
        ),
        # a sibling pod joins a workload-wide crash, not a pod's OOM
        (
            corr_of(ev("c1", 0, "process_exit", pod("a-1"), category="crash")),
            ev("c2", 5, "process_exit", pod("a-2", "n2"), category="crash"),
            [_link("c2", "c1", m.SAME_WORKLOAD, 0, 0.7)],
            True,
        ),
        (
            corr_of(ev("o1", 0, "oom_kill", pod("a-1"), category="resource_exhaustion")),
            ev("c2", 5, "process_exit", pod("a-2", "n2"), category="crash"),
            [_link("c2", "o1", m.SAME_WORKLOAD, 0, 0.7)],
            False,
        ),
    ],
)
def test_explanation(corr: m.Correlation, x: m.Member, links: list[m.Link], joins: bool) -> None:
    assert (ex.explanation(x, corr, links) is not None) is joins


def test_choose_prefers_a_cause_root_over_a_symptom_root() -> None:
    noise = corr_of(ev("n", 0, "http_5xx", CALLER, target=service("x")))
    incident = corr_of(OOM)
    homes = [(noise, ex.Explanation(1.0, m.SAME_RESOURCE, "n")), (incident, ex.Explanation(0.9, m.TARGET, "oom"))]
    assert ex.choose(ev("x", 6, "timeout", CALLER), homes) == 1


def test_choose_prefers_the_incident_whose_member_the_event_follows_most_closely() -> None:
    crash = corr_of(
        ev("c1", 0, "process_exit", pod("pay-1", "n1"), category="crash"),
        ev("c2", 2, "process_exit", pod("pay-2", "n2"), category="crash"),
    )
    crash.root = ex.decide_root(list(crash.members.values()), [])
    crash.members["k1"] = ev("k1", 100, "connection_refused", pod("checkout-1"), target=service("pay"))
    oom = corr_of(OOM)
    oom.members["k0"] = ev("k0", 10, "timeout", pod("checkout-1"), target=DB)
    x = ev("f", 104, "http_5xx", CALLER, target=pod("checkout-1"))
    homes = [(oom, ex.Explanation(0.9, m.TARGET, "k0")), (crash, ex.Explanation(0.9, m.TARGET, "k1"))]
    assert ex.choose(x, homes) == 1


def test_choose_keeps_a_resources_trouble_in_the_correlation_rooted_at_it() -> None:
    api = pod("api-1", "n1")
    own = corr_of(ev("u1", 0, "latency_p99", api, category="performance"))
    own.members["u2"] = ev("u2", 50, "latency_p99", api, category="performance")
    other = corr_of(ev("w1", 0, "slow_span", pod("web-1", "n2"), category="performance"))
    other.members["w2"] = ev("w2", 60, "latency_p99", api, category="performance")  # it took one of api's events
    x = ev("u3", 62, "cpu_usage", api, category="saturation")
    homes = [(other, ex.Explanation(0.95, m.SAME_RESOURCE, "w2")), (own, ex.Explanation(1.0, m.SAME_RESOURCE, "u1"))]
    assert ex.choose(x, homes) == 1


@pytest.mark.parametrize(
    ("a", "b", "merges"),
    [
        # a node condition explains the OOM-less timeouts toward its pods (reported up to 90 s late)
        (
            corr_of(ev("nr", 45, "NodeNotReady", node("n1"), category="node")),
            corr_of(ev("t", 2, "timeout", CALLER, target=A)),
            True,
        ),
        # ... but not a pod's own OOM: a symptom-free cause stays its own incident
        (
            corr_of(ev("t0", 0, "timeout", CALLER, target=DB)),
            corr_of(OOM),
            False,
        ),
        # a node condition does not take in a pod's OOM kill on it: each cause is its own incident
        (corr_of(ev("nr", 5, "NodeNotReady", node("n2"), category="node")), corr_of(OOM), False),
        # a change before a cause does (a rollout whose pods then run out of memory)
        (
            corr_of(ev("ch", -20, "MODIFIED", deployment("db"), category="rollout", source_kind="change")),
            corr_of(OOM),
            True,
        ),
        # a cause minutes after another episode's root explains nothing of it
        (
            corr_of(ev("nr", 600, "NodeNotReady", node("n1"), category="node")),
            corr_of(ev("t", 2, "timeout", CALLER, target=A)),
            False,
        ),
        # a root on another node is not explained
        (
            corr_of(ev("nr", 5, "NodeNotReady", node("n2"), category="node")),
            corr_of(ev("t", 2, "timeout", CALLER, target=A)),
            False,
        ),
    ],
)
def test_root_explains_root(a: m.Correlation, b: m.Correlation, merges: bool) -> None:
    assert ex.root_explains_root(a, b, {}) is merges


def test_workload_wide_crash_is_rooted_at_the_deployment() -> None:
    members = [
        ev("c1", 0, "process_exit", pod("api-1", "n1", replicas=3), category="crash"),
        ev("c2", 4, "process_exit", pod("api-2", "n2", replicas=3), category="crash"),
        ev("b1", 12, "BackOff", pod("api-1", "n1", replicas=3), category="crash"),
        ev("r1", 15, "connection_refused", CALLER, target=service("api")),
    ]
    root = ex.decide_root(members, [])
    assert (root.resource.kind, root.resource.name, root.event_id) == ("Deployment", "api", "c1")
    assert root.inferred


def test_one_pod_of_many_is_not_a_workload_failure() -> None:
    members = [
        ev("c1", 0, "process_exit", pod("api-1", "n1", replicas=3), category="crash"),
        ev("b1", 12, "BackOff", pod("api-1", "n1", replicas=3), category="crash"),
    ]
    assert ex.decide_root(members, []).resource.kind == "Pod"


def test_a_single_replica_crash_loop_is_its_workloads() -> None:
    members = [
        ev("c1", 0, "process_exit", pod("api-1", "n1", replicas=1), category="crash"),
        ev("b1", 12, "BackOff", pod("api-1", "n1", replicas=1), category="crash"),
    ]
    assert ex.decide_root(members, []).resource.kind == "Deployment"


def test_one_pods_error_logs_stay_that_pods_even_with_one_replica() -> None:
    members = [
        ev("e1", 0, "error_log", pod("api-1", "n1", replicas=1), category="application_error"),
        ev("e2", 12, "error_log", pod("api-1", "n1", replicas=1), category="application_error"),
    ]
    root = ex.decide_root(members, [])
    assert (root.resource.kind, root.resource.name) == ("Pod", "api-1")


def test_pods_of_two_workloads_on_one_node_point_at_the_node() -> None:
    members = [
        ev("t1", 0, "timeout", CALLER, target=A, message="request timed out"),
        ev("t2", 8, "timeout", CALLER, target=B, message="request timed out"),
        ev("p1", 20, "Unhealthy", B, category="probe", message="Readiness probe failed: timeout"),
    ]
    root = ex.decide_root(members, [])
    assert (root.resource.kind, root.resource.name, root.inferred, root.event_id) == ("Node", "n1", True, "t1")


def test_a_node_event_is_the_root_of_its_pods_symptoms() -> None:
    members = [
        ev("t1", 0, "timeout", CALLER, target=A, message="request timed out"),
        ev("t2", 8, "timeout", CALLER, target=B, message="request timed out"),
        ev("nr", 45, "NodeNotReady", node("n1"), category="node"),
    ]
    root = ex.decide_root(members, [])
    assert (root.resource.kind, root.event_id, root.inferred) == ("Node", "nr", False)


def test_an_oom_killed_pod_stays_the_root_and_its_echo_on_the_node_does_not_take_over() -> None:
    members = [
        ev("echo", -1, "OOMKilling", node("n2"), category="resource_exhaustion"),
        OOM,
        ev("t1", 3, "timeout", CALLER, target=DB, message="timed out"),
        ev("t2", 4, "timeout", pod("front-2", "n1", workload="front"), target=DB, message="timed out"),
    ]
    root = ex.decide_root(members, [])
    assert (root.event_id, root.resource.name) == ("oom", "db-0")


def test_callers_errors_name_a_callee_without_events_of_its_own() -> None:
    members = [
        ev("t1", 0, "http_5xx", CALLER, target=DB),
        ev("t2", 3, "http_5xx", pod("front-2", "n1", workload="front"), target=DB),
    ]
    root = ex.decide_root(members, [])
    assert (root.resource.name, root.inferred) == ("db-0", True)


def test_the_pod_with_the_most_anomalies_beats_a_hub_with_one_slow_span() -> None:
    hub, bad = pod("hub-1", "n1"), pod("cart-1", "n2")
    members = [
        ev("h", 0, "slow_span", hub, category="application_error"),
        *(ev(f"c{i}", 2 + i, "error_log", bad, category="application_error") for i in range(5)),
        ev("f", 9, "slow_span", CALLER, category="application_error", target=bad),
    ]
    links = [_link("f", "h", m.CALLS, 1), *(_link(f"c{i}", "h", m.CALLS, -1) for i in range(5))]
    assert ex.decide_root(members, links).resource.name == "cart-1"


def test_a_late_symptom_is_no_root_candidate() -> None:
    members = [
        ev("a", 0, "error_log", A, category="application_error"),
        ev("a2", 20, "error_log", A, category="application_error"),
        ev("a3", 30, "error_log", A, category="application_error"),
        *(ev(f"l{i}", 400 + i, "error_log", B, category="application_error") for i in range(6)),
    ]
    names = [r.name for r, _, _ in ex.rank_resources(members, [])]
    assert names == ["a-1"]


def test_a_lone_warning_minutes_before_the_burst_is_no_root_candidate() -> None:
    members = [
        ev("early", 0, "memory_usage", DB, category="saturation"),
        *(ev(f"l{i}", 245 + 10 * i, "latency_p99", B, category="performance") for i in range(6)),
    ]
    assert ex.onset_of(sorted(members, key=lambda x: x.ts)) == 245 * S
    assert [r.name for r, _, _ in ex.rank_resources(members, [])] == ["b-1"]
    # a cause stays a candidate however long before (an OOM kill, a change: what the symptoms follow from)
    members[0] = ev("early", 0, "oom_kill", DB, category="resource_exhaustion")
    assert "db-0" in [r.name for r, _, _ in ex.rank_resources(members, [])]


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
    found = ex.change_behind(api1, members, links)
    assert (found is not None and found.id == "cm") is behind  # minutes before, or after it began: not its cause
    root = ex.decide_root(members, links)
    assert (root.event_id == "cm") is behind
    if behind:
        assert root.resource.kind == "ConfigMap"
