"""What a call is, what it named and how it failed: the words of the wire, table-driven."""

from __future__ import annotations

from dataclasses import replace

import pytest

from correlate import calls
from correlate import model as m
from tests.correlate_members import CALLER, DB, A, ev, pod, service

SPREAD = replace(service("db"), pod_nodes=("n1", "n2"))  # a Service whose pods run on two nodes
ON_N2 = replace(service("db"), pod_nodes=("n2",))


@pytest.mark.parametrize(
    ("x", "want"),
    [
        (ev("t", 0, "timeout", CALLER, target=DB), True),  # a failed call that names its callee
        (ev("s", 0, "slow_span", CALLER, category="performance", target=DB), True),  # a slow one too
        (ev("t", 0, "timeout", CALLER), False),  # names no callee
        (ev("u", 0, "Unhealthy", CALLER, category="probe", target=DB), False),  # a probe is no call
    ],
)
def test_is_call(x: m.Member, want: bool) -> None:
    assert calls.is_call(x) is want


@pytest.mark.parametrize(
    ("x", "want"),
    [
        (ev("t", 0, "timeout", CALLER, target=DB), "n2"),  # the callee pod's node, not the caller's
        (ev("t", 0, "timeout", CALLER, target=ON_N2), "n2"),  # the one node a Service's pods run on
        (ev("t", 0, "timeout", CALLER, target=SPREAD), ""),  # pods on two nodes: no node to blame
        (ev("u", 0, "Unhealthy", CALLER, category="probe"), "n3"),  # not a call: its own node
    ],
)
def test_blamed_node(x: m.Member, want: str) -> None:
    assert calls.blamed_node(x) == want


@pytest.mark.parametrize(
    ("reason", "message", "status", "timed_out", "answered"),
    [
        ("timeout", "dial tcp 10.0.0.9:5432: i/o timeout", None, True, False),
        ("network", "connect 10.0.0.9: no route, host unreachable", None, True, False),
        ("network", "dial tcp 10.0.0.9:5432: connection refused", None, False, False),  # the peer's host said no
        ("http_5xx", "upstream error", 500, False, True),  # the callee answered 500: the network carried it
        ("http_5xx", "gateway timeout", 504, True, False),  # a gateway's 504: maybe never reached
        ("http_4xx", "too many requests", 429, False, True),
    ],
)
def test_how_a_call_failed(reason: str, message: str, status: int | None, timed_out: bool, answered: bool) -> None:
    x = ev("t", 0, reason, CALLER, category="application_error", target=DB, message=message)
    if status is not None:
        x = replace(x, detail={"network.status_code": status})
    assert calls.timed_out(x) is timed_out
    assert calls.answered(x) is answered


@pytest.mark.parametrize(
    ("message", "target", "want"),
    [
        ("unhandled NullPointerException in CartController", None, True),  # its own code throwing
        ("upstream connect error or disconnect/reset before headers", None, False),  # the wire's
        ("lookup redis on 10.96.0.10:53: i/o timeout", None, False),
        ("unhandled NullPointerException", DB, False),  # named a callee: a call, not its own code
    ],
)
def test_code_failure(message: str, target: m.Context | None, want: bool) -> None:
    x = ev("e", 0, "error_log", CALLER, category="application_error", target=target, message=message)
    assert calls.code_failure(x) is want


@pytest.mark.parametrize(
    ("x", "out_of_n1", "behind_n1"),
    [
        (ev("t", 0, "timeout", A, target=DB, message="i/o timeout"), True, False),  # out of a pod on n1
        # to a Service with one of its pods there
        (ev("t", 0, "timeout", CALLER, target=SPREAD, message="i/o timeout"), False, True),
        (ev("t", 0, "timeout", CALLER, target=ON_N2, message="i/o timeout"), False, False),
        (ev("s", 0, "slow_span", A, category="performance", target=DB), False, False),  # slow got through
        (ev("p", 0, "Unhealthy", pod("a-2", "n1"), category="probe"), False, False),  # no call
    ],
)
def test_outbound_and_behind(x: m.Member, out_of_n1: bool, behind_n1: bool) -> None:
    assert calls.outbound(x, "n1") is out_of_n1
    assert calls.behind(x, "n1") is behind_n1


@pytest.mark.parametrize(
    ("category", "message", "want"),
    [
        ("application_error", "rpc error: code = Unavailable desc = upstream connect error", True),
        ("application_error", "failed to query: server selection error: context deadline exceeded", True),
        ("application_error", "request failed with status 503 Service Unavailable", True),
        ("network", "read tcp: connection reset by peer", True),
        ("application_error", "NullPointerException at CartStore.get", False),  # the caller's own code
        ("application_error", "lookup db: i/o timeout", False),  # a name server's silence
        ("network", "dial tcp: lookup db on 10.96.0.10:53: no such host", False),
        ("performance", "GET /cart took 2400 ms", False),  # a slow call got through
    ],
)
def test_failed_on_wire(category: str, message: str, want: bool) -> None:
    assert calls.failed_on_wire(ev("x", 0, "error", CALLER, category=category, message=message)) is want


def test_a_call_the_callee_answered_or_a_resolver_failing_by_its_reason_is_not_failed_on_the_wire() -> None:
    answered = replace(ev("x", 0, "http_error", CALLER, message="POST /cart"), detail={"network.status_code": 500})
    assert not calls.failed_on_wire(answered)
    assert calls.failed_on_wire(
        replace(answered, detail={"network.status_code": 503})
    )  # a gateway's: maybe never reached
    assert not calls.failed_on_wire(ev("x", 0, "dns_lookup_failed", CALLER))


RPC_DEADLINE = ev(
    "r", 10, "deadline", CALLER, category="application_error", message="rpc error: code = DeadlineExceeded"
)
DIAL = ev("d", 10, "timeout", CALLER, target=A, message="dial tcp 10.0.0.1:80: i/o timeout")
SAME_POD = m.Link("r", "d", m.SAME_RESOURCE, 0.9)


@pytest.mark.parametrize(
    ("name", "x", "y", "twice"),
    [
        ("the RPC layer's deadline and the dialer's address, one second", RPC_DEADLINE, DIAL, True),
        ("within the clocks' skew", replace(RPC_DEADLINE, ts=14_000), DIAL, True),
        ("beyond it: another call", replace(RPC_DEADLINE, ts=16_000), DIAL, False),
        ("another pod's call", replace(RPC_DEADLINE, ctx=pod("other-1")), DIAL, False),
        ("a refused call is answered, no timeout", RPC_DEADLINE, replace(DIAL, message="connection refused"), False),
        ("a name server's silence names no call", replace(RPC_DEADLINE, message="lookup db: i/o timeout"), DIAL, False),
        ("both named their callee", replace(RPC_DEADLINE, target=DB), DIAL, False),
    ],
)
def test_one_call_told_by_two_layers(name: str, x: m.Member, y: m.Member, twice: bool) -> None:
    """A call that timed out naming no callee goes with the same pod's timed-out call that named one."""
    assert calls.told_twice(x, y) is twice, name


@pytest.mark.parametrize(
    ("name", "x", "y", "beside"),
    [
        ("a deadline 6 s after the dial that named its callee", replace(RPC_DEADLINE, ts=16_000), DIAL, True),
        (
            "a 503 logged a minute before",
            replace(RPC_DEADLINE, ts=-50_000, message="request failed with 503"),
            DIAL,
            True,
        ),
        ("two minutes apart", replace(RPC_DEADLINE, ts=130_000), DIAL, True),
        ("more than two minutes apart", replace(RPC_DEADLINE, ts=131_000), DIAL, False),
        ("another pod's call", replace(RPC_DEADLINE, ctx=pod("other-1")), DIAL, False),
        (
            "the caller's own code failing",
            replace(RPC_DEADLINE, reason="error_log", message="NullPointerException at Cart.get"),
            DIAL,
            False,
        ),
        ("a name server's silence names no call", replace(RPC_DEADLINE, message="lookup db: i/o timeout"), DIAL, False),
        ("the named call was slow, not failed", RPC_DEADLINE, replace(DIAL, category="performance"), False),
        ("both named their callee", replace(RPC_DEADLINE, target=DB), DIAL, False),
    ],
)
def test_a_pods_calls_fail_where_its_named_ones_do(name: str, x: m.Member, y: m.Member, beside: bool) -> None:
    """A call that failed on the wire naming no callee goes with the same pod's failed call that named one, within
    two minutes: the caller's code rarely says which callee failed, its dialer does. A failed call that shares only
    its caller with another explains nothing of it (``beside_a_call``), unless it is that call told again."""
    assert calls.told_beside(x, y) is beside, name
    assert calls.beside_a_call(x, y, SAME_POD) is not (beside or calls.told_twice(x, y)), name
