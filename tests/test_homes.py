"""The index of open correlations: which ones a new event's keys find (pure)."""

from __future__ import annotations

from dataclasses import replace

from correlate import homes
from correlate import model as m
from tests.correlate_members import CALLER, DB, A, deployment, ev, node, service


def test_a_member_is_found_by_an_event_on_its_resource_or_calling_it() -> None:
    index = homes.Index()
    index.add_member("c1", ev("b", 0, "BackOff", DB, category="crash"))
    assert index.find(homes.keys_of(ev("x", 5, "http_5xx", CALLER, target=DB))) == {"c1"}  # a call that reached it
    assert index.find(homes.keys_of(ev("y", 5, "http_5xx", CALLER, target=service("db")))) == {"c1"}  # its Service
    assert index.find(homes.keys_of(ev("z", 5, "http_5xx", CALLER, target=A))) == set()  # another pod


def test_a_member_pointing_at_a_node_is_found_under_that_node() -> None:
    """Under the callee's node and, a call out unanswered, the caller's: where ``Placement._infer_node`` looks."""
    index = homes.Index()
    index.add_member("c1", ev("t", 0, "timeout", CALLER, target=A, message="request timed out"))
    assert index.find({"ns:n1"}) == {"c1"}  # the timeout points at the callee's node
    assert index.find({"ns:n3"}) == {"c1"}  # and, unanswered, out of the caller's (``nodes.sent_out``)
    assert index.find({"ns:n2"}) == set()  # not at another


def test_a_root_is_found_by_the_events_it_may_explain() -> None:
    index = homes.Index()
    root = m.Root("nr", node("n1"))
    index.set_root("c1", root, ev("nr", 0, "NodeNotReady", node("n1"), category="node"))
    assert index.find(homes.keys_of(ev("x", 5, "BackOff", A, category="crash"))) == {"c1"}  # a pod on the node
    spread = replace(service("web"), pod_nodes=("n2", "n1"))
    assert index.find(homes.keys_of(ev("y", 5, "timeout", CALLER, target=spread))) == {"c1"}  # a call to its pod
    assert index.find(homes.keys_of(ev("z", 5, "timeout", CALLER, target=service("db")))) == set()  # none there
    workload = m.Root("d", deployment("a"))
    assert "rw:deployment/ns/a" in homes.keys_explained_by(workload)
    assert homes.keys_explained_by(m.Root("p", DB)) >= {"ru:uid-db-0", "rs:db"}  # a call to its Service too


def test_a_node_root_finds_a_correlation_rooted_at_a_call_to_a_service_with_a_pod_on_it() -> None:
    """Callers feel a node go down before the node controller says so: their calls to a Service whose pods run
    there open a correlation first, which the node's NotReady must find to take in."""
    index = homes.Index()
    call = ev("t", 0, "timeout", CALLER, target=replace(service("db"), pod_nodes=("n2",)))
    index.set_root("c1", m.Root("t", service("db")), call)
    assert index.find(homes.keys_explained_by(m.Root("nr", node("n2")))) == {"c1"}
    assert index.find(homes.keys_explained_by(m.Root("nr", node("n1")))) == set()  # none of its pods there


def test_a_removed_correlation_is_found_no_more_and_a_copy_keeps_its_own_keys() -> None:
    index = homes.Index()
    index.add_member("c1", ev("b", 0, "BackOff", DB, category="crash"))
    saved = index.copy()
    index.remove("c1")
    keys = homes.keys_of(ev("x", 5, "BackOff", DB, category="crash"))
    assert index.find(keys) == set()
    assert saved.find(keys) == {"c1"}
