"""The same events give the same correlations whatever the batch sizes and the arrival order within the disorder
bound (DESIGN §6): hypothesis reorders arrival and splits batches at random, on a real graph, with the engine
holding the bound back and with it placing each event at once (speculation, the default)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from correlate import engine as engine_module
from correlate.engine import Engine
from correlate.settings import CorrelateSettings
from graph import GraphStore
from model.event import Category as C
from model.event import SourceKind, StoredEvent
from tests import topo_builder as tb

DISORDER_S = 3.0  # how far out of event-time order an event may arrive

# Two incidents a few seconds apart in one app, a background warning between them, and symptoms that touch both.
EVENTS = [
    tb.event("oom", 0, "Pod", "mysql-0", "OOMKilled", C.RESOURCE_EXHAUSTION, severity="high"),
    # the kubelet stopping it, its time cut to the second (before the kill): an aftermath event waits for it
    tb.event("kill", -0.5, "Pod", "mysql-0", "Killing", C.LIFECYCLE, severity="info", message="Stopping container"),
    tb.event("m-backoff", 1.5, "Pod", "mysql-0", "BackOff", C.CRASH),
    tb.event("api-timeout", 4, "Pod", "api-2", "timeout", C.NETWORK, target=("Service", "mysql")),
    tb.event("front-503", 5, "Pod", "frontend-2", "http_503", C.NETWORK, trace="t1", target=("Service", "api")),
    tb.event("noise", 6, "Pod", "noise-1", "BackOff", C.CRASH),
    tb.event(
        "cm",
        7,
        "ConfigMap",
        "app-config",
        "ConfigMapChanged",
        C.CONFIG,
        severity="info",
        source_kind=SourceKind.CHANGE,
    ),
    tb.event("api1-err", 8.5, "Pod", "api-1", "ConfigError", C.APPLICATION_ERROR, severity="error"),
    tb.event("api1-probe", 9, "Pod", "api-1", "Unhealthy", C.PROBE, message="Readiness probe failed: 500"),
    tb.event("front1-503", 10, "Pod", "frontend-1", "http_503", C.NETWORK, trace="t2", target=("Service", "api")),
    tb.event("m-probe", 11, "Pod", "mysql-0", "Unhealthy", C.PROBE, message="Readiness probe timed out"),
]


def outcome(
    store: GraphStore, batches: Sequence[Sequence[StoredEvent]], *, speculate: bool = False
) -> set[tuple[frozenset[str], frozenset[str], str, str]]:
    """Each open correlation as (members, aftermath, root event, root resource) after feeding ``batches`` in order."""
    engine = Engine(store, CorrelateSettings(disorder_ms=int(DISORDER_S * 1000), speculate=speculate), tb.CLUSTER)
    for batch in batches:
        engine.process(batch)
    engine.flush()
    out = set()
    for c in engine.open_correlations():
        assert c.root is not None
        out.add((frozenset(c.members), frozenset(c.aftermath), c.root.event_id, c.root.resource.name))
    return out


@st.composite
def arrivals(draw: st.DrawFn) -> list[list[StoredEvent]]:
    """EVENTS in an arrival order at most DISORDER_S out of time order, split into batches at random."""
    delays = draw(st.lists(st.floats(0, DISORDER_S), min_size=len(EVENTS), max_size=len(EVENTS)))
    order = sorted(range(len(EVENTS)), key=lambda i: (EVENTS[i].event.ts + delays[i] * 1000, i))
    cuts = draw(st.lists(st.booleans(), min_size=len(EVENTS) - 1, max_size=len(EVENTS) - 1))
    batches: list[list[StoredEvent]] = [[EVENTS[order[0]]]]
    for i, cut in zip(order[1:], cuts, strict=True):
        if cut:
            batches.append([])
        batches[-1].append(EVENTS[i])
    return batches


def test_one_batch_in_time_order_is_the_reference(store: GraphStore) -> None:
    tb.build(store)
    tb.stored(store, EVENTS)
    reference = outcome(store, [EVENTS])
    homes = {eid: (root, name) for members, _, root, name in reference for eid in members}
    after = {eid: root for _, aftermath, root, _ in reference for eid in aftermath}
    assert homes["oom"] == homes["front-503"] == ("oom", "mysql-0")
    assert homes["api1-err"] == ("cm", "app-config")  # the config change explains its users' errors
    assert homes["noise"][0] == "noise"  # a background warning stays on its own
    assert after == {"kill": "oom"}  # the kubelet's stop goes with the kill it follows, not as a member
    assert outcome(store, [[e] for e in EVENTS]) == reference  # batches of one
    assert outcome(store, [EVENTS], speculate=True) == reference
    assert outcome(store, [[e] for e in EVENTS], speculate=True) == reference
    # every event before the one placed last (beyond the bound too: no checkpoint is passed without a newer event)
    assert outcome(store, [[e] for e in reversed(EVENTS)], speculate=True) == reference


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=arrivals())
def test_batches_and_arrival_order_do_not_change_the_correlations(
    store: GraphStore, batches: list[list[StoredEvent]]
) -> None:
    tb.build(store)
    tb.stored(store, EVENTS)
    assert outcome(store, batches) == outcome(store, [EVENTS])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=arrivals())
def test_speculation_ends_with_the_same_correlations(store: GraphStore, batches: list[list[StoredEvent]]) -> None:
    """Placed at once and placed again when an earlier event arrives: after the last event, the in-order outcome."""
    tb.build(store)
    tb.stored(store, EVENTS)
    assert outcome(store, batches, speculate=True) == outcome(store, [EVENTS])
    assert outcome(store, [[e] for b in batches for e in b], speculate=True) == outcome(store, [EVENTS])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=arrivals(), every=st.sampled_from([1, 2, 3]))
def test_speculation_from_the_latest_checkpoint_before_a_late_arrival_ends_the_same(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch, batches: list[list[StoredEvent]], every: int
) -> None:
    """A checkpoint every few events: a late arrival goes back to the latest one before it, not to the oldest."""
    monkeypatch.setattr(engine_module, "CHECKPOINT_EVENTS", every)
    tb.build(store)
    tb.stored(store, EVENTS)
    assert outcome(store, batches, speculate=True) == outcome(store, [EVENTS])
    assert outcome(store, [[e] for b in batches for e in b], speculate=True) == outcome(store, [EVENTS])


def test_two_events_of_one_millisecond_arriving_against_their_id_order_are_in_time_order(store: GraphStore) -> None:
    """Placed by time to the nanosecond: the later one arriving last is not late, nothing is placed again."""
    tb.build(store)
    first, second = (
        replace(e, event=replace(e.event, ts=EVENTS[0].event.ts, ts_sub=n))
        for e, n in ((EVENTS[1], 100), (EVENTS[2], 900))
    )  # "m-backoff" then "api-probe": time order, against id order
    tb.stored(store, [first, second])
    engine = Engine(store, CorrelateSettings(disorder_ms=int(DISORDER_S * 1000)), tb.CLUSTER)
    engine.process([first])
    engine.process([second])
    assert engine.replaced == 0


@pytest.mark.parametrize("speculate", [True, False])
def test_a_waiting_aftermath_event_is_not_dropped_by_the_clock(store: GraphStore, speculate: bool) -> None:
    """The kubelet's stop (cut to the second, before the kill) waits for the kill by event time: a tick of the
    live clock between the two arrivals changes nothing."""
    tb.build(store)
    tb.stored(store, EVENTS)
    kill = next(e for e in EVENTS if e.event.id == "kill")
    rest = [e for e in EVENTS if e is not kill]
    engine = Engine(store, CorrelateSettings(disorder_ms=int(DISORDER_S * 1000), speculate=speculate), tb.CLUSTER)
    engine.process([kill])
    engine.tick(kill.event.ts + 10_000)
    engine.process(rest)
    engine.flush()
    homes = {eid: c.root.event_id for c in engine.open_correlations() if c.root for eid in c.aftermath}
    assert homes == {"kill": "oom"}


def test_an_event_told_again_is_news_when_told_not_when_read_with_its_first_telling(store: GraphStore) -> None:
    """A Kubernetes Event read with a later telling folded in (a replay's batch, a relist: ``count`` 2, its
    ``lastTimestamp`` five minutes on) is the event at its first time and a repeat at the last: an OOM's incident
    that went quiet for three minutes does not take a caller's timeout then because its BackOff was told again
    later, however the tellings were batched."""
    tb.build(store)
    oom = tb.event("oom", 0, "Pod", "mysql-0", "OOMKilled", C.RESOURCE_EXHAUSTION, severity="high")
    backoff = tb.event("m-backoff", 1.5, "Pod", "mysql-0", "BackOff", C.CRASH)
    again = replace(backoff, event=replace(backoff.event, count=2, last_ts=backoff.event.ts + 300_000))
    timeout = tb.event("api-timeout", 200, "Pod", "api-2", "timeout", C.NETWORK, target=("Service", "mysql"))
    tb.stored(store, [oom, backoff, timeout])
    streamed = [[oom], [backoff], [timeout], [again]]  # each telling when it happens
    reference = outcome(store, streamed)
    homes = {eid: root for members, _, root, _ in reference for eid in members}
    assert homes == {"oom": "oom", "m-backoff": "oom", "api-timeout": "api-timeout"}
    folded = [[oom, again, timeout]]  # the later telling read at once with the first
    assert outcome(store, folded) == reference
    assert outcome(store, folded, speculate=True) == reference
    assert outcome(store, streamed, speculate=True) == reference
    assert outcome(store, [[again], [oom], [timeout]], speculate=True) == reference
