"""Choosing the resource an event is about (pure): uid first, then key, then a network event's IPs at its time; what
a failed call was calling: its destination IP, or the Service its log names."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ingest.resolve import Candidate, named_services, pick
from model.event import Category, NetworkRef, NormalEvent, SourceKind
from model.resource import ResourceRef


def test_pick_is_pure_and_prefers_uid() -> None:
    ev = NormalEvent(
        "x",
        100,
        SourceKind.COLLECTOR,
        "r",
        "Normal",
        "info",
        Category.NETWORK,
        resource=ResourceRef("c", "Pod", "n", "p", "u"),
        network=NetworkRef(dest_ip="1.2.3.4"),
    )
    cands = [
        Candidate("key", "k-old", kind="Pod", created_at=0, deleted_at=50),
        Candidate("key", "k-new", kind="Pod", created_at=60),
        Candidate("dst_service", "s", kind="Service"),
    ]
    assert pick(ev, cands).about == cands[1]
    assert pick(ev, [Candidate("uid", "u", kind="Pod"), *cands]).resolved_by == "uid"
    res = pick(replace(ev, resource=ResourceRef()), [cands[2]])
    assert (res.resolved_by, res.about) == ("ip", cands[2])
    assert pick(ev, []).about is None


def test_an_ip_resolves_to_whoever_held_it_at_the_event_time_or_to_nothing() -> None:
    net = NetworkRef(source_ip="10.0.0.1", direction="egress")
    ev = NormalEvent("x", 100, SourceKind.COLLECTOR, "r", "Normal", "info", Category.NETWORK, network=net)
    old = Candidate("src_pod", "old", kind="Pod", created_at=0, deleted_at=90, ip_since=0)
    new = Candidate("src_pod", "new", kind="Pod", created_at=0, ip_since=95)
    assert pick(replace(ev, ts=50), [old, new]).about == old
    assert pick(replace(ev, ts=92), [old, new]).about is None  # held by no pod then: not today's holder
    assert pick(replace(ev, ts=100), [old, new]).about == new


def _log(message: str, category: Category = Category.APPLICATION_ERROR) -> NormalEvent:
    ctx = ResourceRef("c", "Pod", "shop", "web-1", "u-web-1")
    return NormalEvent(
        "x", 100, SourceKind.COLLECTOR, "error_log", "Warning", "error", category, message, resource=ctx,
        workload_kind="Deployment", workload_name="web",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("message", "category", "named"),
    [
        ("failed to call carts.shop.svc.cluster.local: deadline exceeded", Category.APPLICATION_ERROR, "carts"),
        ("circuit breaker open for carts after 5 consecutive failures", Category.APPLICATION_ERROR, "carts"),
        ("upstream ts-order-service unavailable, retrying", Category.NETWORK, "ts-order-service"),
        ("GET http://carts/api failed", Category.APPLICATION_ERROR, "carts"),  # a URL's host
        ("POST /api/carts -> 500", Category.APPLICATION_ERROR, ""),  # a path: the server's own endpoint
        ("lookup carts: i/o timeout", Category.NETWORK, ""),  # the DNS server's silence: carts was never called
        ("dial tcp: lookup carts.shop on 10.0.0.10:53: no such host", Category.NETWORK, ""),  # the URL's too
        ('Get "http://carts.shop:80/x": dial tcp: lookup carts.shop on 10.0.0.10:53', Category.NETWORK, ""),
        ("carts:7070 answered 500", Category.APPLICATION_ERROR, "carts"),  # host:port
        ("carts: unhandled NullPointerException", Category.APPLICATION_ERROR, ""),  # a word, and no call
        ("error parsing carts.json", Category.APPLICATION_ERROR, ""),  # a file, not a host
        ("web: failed to call web-1 then carts", Category.APPLICATION_ERROR, "carts"),  # never its own
        ("slow call to carts:7070 took 2242 ms", Category.PERFORMANCE, ""),  # a slow span: its own operation
        ("carts:7070 gone: container exited with code 137", Category.CRASH, ""),  # a crash is the pod's own
    ],
)
def test_a_failed_calls_log_names_its_callee_by_address(message: str, category: Category, named: str) -> None:
    keys = named_services(_log(message, category), "c")
    if named:
        assert f"c/Service/shop/{named}" in keys
    else:
        assert "c/Service/shop/carts" not in keys
    assert not {"c/Service/shop/web-1", "c/Service/shop/web"} & set(keys)
    assert not any(k.rsplit("/", 1)[1][0].isdigit() for k in keys)  # a number, an address: no Service name


def test_a_service_named_by_its_fqdn_is_looked_for_in_the_namespace_the_fqdn_gives() -> None:
    keys = named_services(_log("failed to call orders.billing.svc.cluster.local:80: deadline exceeded"), "c")
    assert "c/Service/billing/orders" in keys and "c/Service/shop/orders" not in keys


def test_an_info_line_is_not_asked_what_it_called() -> None:
    assert named_services(replace(_log("failed to call carts:7070"), severity="info"), "c") == ()
    assert "c/Service/shop/carts" in named_services(_log("failed to call carts:7070"), "c")


def test_a_network_event_is_named_by_its_destination_ip_not_its_message() -> None:
    ev = replace(_log("connect to carts timed out", Category.NETWORK), network=NetworkRef(dest_ip="10.96.0.9"))
    assert named_services(ev, "c") == ()


def test_pick_takes_the_first_live_service_its_message_names_other_than_its_own() -> None:
    ev = _log("web calling carts then orders failed")
    own = Candidate("uid", "u-web-1", kind="Pod", services=("svc-web",))
    web = Candidate("named", "svc-web", kind="Service")
    gone = Candidate("named", "svc-old", kind="Service", created_at=0, deleted_at=50)
    carts = Candidate("named", "svc-carts", kind="Service")
    orders = Candidate("named", "svc-orders", kind="Service")
    assert pick(ev, [own, web, gone, carts, orders]).target == "svc-carts"
    assert pick(ev, [own, web]).target == ""  # only its own Service: no call named
    assert pick(ev, [own]).target == ""
