"""``api.views`` on plain data: times and windows in, cursors, the timeline, the incident graph, a neighbourhood."""

from __future__ import annotations

from typing import Any

import pytest

from api import views

T = 1_777_629_600_000  # 2026-05-01T10:00:00Z


@pytest.mark.parametrize(
    ("value", "ms"),
    [(None, None), ("", None), (str(T), T), ("2026-05-01T10:00:00Z", T), ("2026-05-01T12:00:00+02:00", T)],
)
def test_parse_time(value: str | None, ms: int | None) -> None:
    assert views.parse_time(value, "since") == ms


@pytest.mark.parametrize("value", ["yesterday", "2026-05-01T10:00:00", "9" * 40, "²", "-5", "2026-05-01"])
def test_parse_time_names_the_parameter(value: str) -> None:
    with pytest.raises(views.BadInput, match=r"^until: "):
        views.parse_time(value, "until")


def test_time_range_defaults_and_bounds() -> None:
    day = 86_400_000
    assert views.time_range(None, None, T, day) == (T - day, T)
    assert views.time_range(T - 5, None, T, day) == (T - 5, T)
    with pytest.raises(views.BadInput, match="since"):
        views.time_range(T, T - 1, T, day)
    with pytest.raises(views.BadInput, match="at most 1 days"):
        views.time_range(T - 2 * day, T, T, day)


def test_cursor_round_trip_and_refusals() -> None:
    assert views.decode_cursor(views.encode_cursor(T, "corr-1")) == (T, "corr-1")
    assert views.decode_cursor(None) == (None, None)
    for bad in ("not-a-cursor", views.encode_cursor(T, "a").upper(), "W1tdXQ"):
        with pytest.raises(views.BadInput, match="cursor"):
            views.decode_cursor(bad)


def test_clean_props_never_shows_a_secret_value() -> None:
    props = {"uid": "s", "name": "db", "_labels": ["Secret"], "data": {"password": "x"}, "stringData": "y"}
    assert views.clean_props(props) == {"uid": "s", "name": "db"}


def _row(ident: str, ts: int, **over: Any) -> dict[str, Any]:
    row = {"id": ident, "ts": ts, "reason": "R", "severity": "warning", "kind": "Pod", "resource_uid": "u-" + ident}
    return row | over


def test_timeline_orders_marks_the_root_and_keeps_the_link() -> None:
    rows = [
        _row("b", 20, rel="INCLUDES", role="symptom", link="calls", weight=0.8),
        _row("a", 10, rel="ROOT_CAUSE"),
        _row("a", 10, rel="INCLUDES", role="", link="", weight=None),
    ]
    out = views.timeline(rows, root_event_id=None)
    assert [(e["id"], e["root"], e["role"], e["link"], e["weight"]) for e in out] == [
        ("a", True, "root", "", None),
        ("b", False, "symptom", "calls", 0.8),
    ]


def test_incident_graph_links_events_to_their_resources_and_the_chain() -> None:
    events = views.timeline([_row("a", 10), _row("b", 20)], root_event_id="a")
    about = [{"uid": "u-a", "kind": "Pod", "name": "a"}, {"uid": "u-b", "kind": "Pod", "name": "b"}]
    edges = [{"source": "u-b", "type": "CALLS", "target": "u-a"}, {"source": "u-b", "type": "X", "target": "gone"}]
    graph = views.incident_graph(events, about, [], [], edges, chain=[{"event_id": "a"}, {"event_id": "b"}])
    kinds = {(e["source"], e["type"], e["target"]) for e in graph["edges"]}
    assert ("u-b", "CALLS", "u-a") in kinds and ("event:a", "ABOUT", "u-a") in kinds
    assert ("event:a", "CHAIN", "event:b") in kinds and not any(e["target"] == "gone" for e in graph["edges"])
    assert {n["id"] for n in graph["nodes"]} == {"u-a", "u-b", "event:a", "event:b"}


def test_neighbourhood_is_bounded_and_frontier_is_the_last_hop() -> None:
    start = {"uid": "p", "kind": "Pod", "name": "p"}
    hop1 = [
        {"node": {"uid": "n", "kind": "Node", "name": "n"}, "from_uid": "p", "outgoing": True, "type": "RUNS_ON"},
        {"node": {"uid": "s", "kind": "Service", "name": "s"}, "from_uid": "p", "outgoing": False, "type": "SELECTS"},
    ]
    full = views.neighbourhood(start, [hop1], max_nodes=10)
    edges = {(e["source"], e["type"], e["target"]) for e in full["edges"]}
    assert edges == {("p", "RUNS_ON", "n"), ("s", "SELECTS", "p")}
    assert sorted(views.frontier(full, 1)) == ["n", "s"] and full["truncated"] is False
    cut = views.neighbourhood(start, [hop1], max_nodes=2)
    assert len(cut["nodes"]) == 2 and cut["truncated"] is True
