"""Choosing the resource an event is about (pure): uid first, then key, then a network event's IPs at its time."""

from __future__ import annotations

from dataclasses import replace

from ingest.resolve import Candidate, pick
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
