"""``causegraph groups``: what is failing now, as JSON or lines."""

from __future__ import annotations

import json

import pytest

from causegraph.cli import main
from graph import GraphStore
from model.event import Category as C
from tests import topo_builder as tb


def test_groups_json_and_text(
    store: GraphStore, falkor_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CAUSEGRAPH_GRAPH__NAME", store._graph.name)  # type: ignore[attr-defined]
    tb.build(store)
    assert main(["groups", "--graph", falkor_url]) == 0
    assert capsys.readouterr().out.strip() == "nothing is failing"
    tb.write_events(store, [tb.event("a1", 0, "Pod", "api-1", "BackOff", C.CRASH)])
    assert main(["groups", "--graph", falkor_url, "--json"]) == 0
    (group,) = json.loads(capsys.readouterr().out)
    assert group["owner"]["name"] == "api" and group["pods"] == ["api-1"]
    assert main(["groups", "--graph", falkor_url, "--limit", "0"]) == 2
