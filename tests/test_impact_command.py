"""``causegraph impact``: JSON for programs, text for people, clear errors."""

from __future__ import annotations

import json

import pytest

from causegraph.cli import main
from causegraph.commands.impact import parse_target
from graph import GraphStore
from tests import topo_builder as tb


@pytest.fixture
def graph(store: GraphStore, falkor_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    tb.build(store)
    monkeypatch.setenv("CAUSEGRAPH_GRAPH__NAME", store._graph.name)  # type: ignore[attr-defined]
    monkeypatch.setenv("CAUSEGRAPH_KUBERNETES__CLUSTER", tb.CLUSTER)
    return falkor_url


def test_node_json(graph: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["impact", "node", "node-2", "--graph", graph, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"target", "pods", "workloads", "services", "pdb_violations", "summary"}
    assert {s["name"]: s["status"] for s in out["services"]}["mysql"] == "down"


def test_resource_text_and_aliases(graph: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["impact", "cm", "shop", "app-config", "--graph", graph]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Losing configmap/app-config will impact: api")
    assert "PodDisruptionBudget shop/api-pdb violated" in text


def test_unknown_target_and_bad_forms(graph: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["impact", "node", "node-9", "--graph", graph]) == 1
    assert "node-9" in capsys.readouterr().err
    assert main(["impact", "Widget", "shop", "x", "--graph", graph]) == 2
    assert "unknown kind 'Widget'" in capsys.readouterr().err
    with pytest.raises(ValueError, match="KIND NAMESPACE NAME"):
        parse_target(["Deployment", "api"])
    assert parse_target(["deployment", "shop", "api"]) == ("Deployment", "shop", "api")
