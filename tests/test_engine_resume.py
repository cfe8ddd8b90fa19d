"""A restarted correlator takes up what the earlier one left: open correlations keep their ids and version counts,
ghosts resolve, events stored but never correlated are, recurring failures go on counting (on a real graph)."""

from __future__ import annotations

from correlate.engine import Engine
from correlate.placement import correlation_id
from correlate.settings import CorrelateSettings
from graph import GraphStore
from model.event import Category as C
from tests import topo_builder as tb
from tests.test_engine import cascade

H = 3_600_000


def fresh(store: GraphStore) -> Engine:
    return Engine(store, CorrelateSettings(disorder_ms=0), tb.CLUSTER)


def test_an_incident_that_goes_on_after_a_restart_keeps_its_id_and_counts_on(store: GraphStore) -> None:
    tb.build(store)
    before = fresh(store)
    (first,) = before.process(tb.stored(store, cascade()))
    assert first.version == 1
    after = fresh(store)  # the process died; a new one starts on the same graph
    assert after.resume(tb.T0 + 60_000) == []  # nothing new to say
    (c,) = after.open_correlations()
    assert c.id == first.id and set(c.members) == {"oom", "t1", "f1", "f2"} and c.version == 1
    more = tb.event("f3", 70, "Pod", "frontend-1", "http_503", C.NETWORK, trace="tr1", target=("Service", "api"))
    (next_,) = after.process(tb.stored(store, [more]))
    assert (next_.id, next_.version, next_.root_cause.event_id) == (first.id, 2, "oom")
    assert next_.related_events == ["oom", "t1", "f1", "f2", "f3"]
    # how each member joined, through which member, is read back: the evidence is still there after the restart
    before = {(e.from_, e.to, e.link) for e in first.evidence}
    assert before and before <= {(e.from_, e.to, e.link) for e in next_.evidence}


def test_a_correlation_left_active_resolves_once_it_is_quiet(store: GraphStore) -> None:
    tb.build(store)
    (first,) = fresh(store).process(tb.stored(store, cascade()))
    (resolved,) = fresh(store).resume(tb.T0 + 2 * H)
    assert (resolved.id, resolved.state, resolved.version) == (first.id, "resolved", 2)
    state = store.run("MATCH (c:Correlation {id: $id}) RETURN c.state AS s", {"id": first.id})
    assert state == [{"s": "resolved"}]


def test_events_stored_but_never_correlated_are_taken_at_start(store: GraphStore) -> None:
    tb.build(store)
    tb.stored(store, cascade())  # stored and acknowledged; the process died before correlating them
    engine = fresh(store)
    out = engine.resume(tb.T0 + 60_000)
    assert [r.id for r in out] == [correlation_id("oom")]
    (c,) = engine.open_correlations()
    assert set(c.members) == {"oom", "t1", "f1", "f2"}
    assert fresh(store).resume(tb.T0 + 61_000) == []  # taken once: they belong to their correlation now


def test_a_recurring_failure_goes_on_counting_across_a_restart(store: GraphStore) -> None:
    tb.build(store)
    engine = fresh(store)
    for i in range(2):
        ev = tb.event(f"oom-{i}", i * 6 * 3600, "Pod", "api-1", "OOMKilled", C.RESOURCE_EXHAUSTION, severity="high")
        engine.process(tb.stored(store, [ev]))
    later = fresh(store)
    later.resume(tb.T0 + 6 * H + 60_000)
    third = tb.event("oom-2", 12 * 3600, "Pod", "api-1", "OOMKilled", C.RESOURCE_EXHAUSTION, severity="high")
    (r,) = [x for x in later.process(tb.stored(store, [third])) if x.id == correlation_id("oom-2")]
    assert r.type == "recurring_failure" and r.recurrence is not None
    assert (r.recurrence.occurrences, r.recurrence.period_seconds) == (3, 21600)
    assert r.recurrence.previous == [correlation_id("oom-0"), correlation_id("oom-1")]


def test_an_aftermath_event_comes_back_as_aftermath_after_a_restart(store: GraphStore) -> None:
    """The kubelet's stop of the OOM-killed pod is written with its correlation (link ``aftermath``) and read back
    apart from the members: nothing reasons over it after the restart either."""
    tb.build(store)
    stop = tb.event("stop", 0.5, "Pod", "mysql-0", "Killing", C.LIFECYCLE, severity="info", message="Stopping")
    (first,) = fresh(store).process(tb.stored(store, [*cascade(), stop]))
    assert first.related_events[-1] == "stop"
    after = fresh(store)
    assert after.resume(tb.T0 + 60_000) == []
    (c,) = after.open_correlations()
    assert set(c.members) == {"oom", "t1", "f1", "f2"} and set(c.aftermath) == {"stop"}
    assert c.aftermath["stop"].weight == 0.0 and c.aftermath["stop"].link == "aftermath"
    more = tb.event("f3", 70, "Pod", "frontend-1", "http_503", C.NETWORK, trace="tr1", target=("Service", "api"))
    (next_,) = after.process(tb.stored(store, [more]))
    assert next_.related_events == ["oom", "t1", "f1", "f2", "f3", "stop"]
    assert (next_.chain[-1].event_id, next_.chain[-1].link) == ("stop", "aftermath")
