"""The CLI skeleton: help, stats as JSON, and user errors as one line with a non-zero exit, never a traceback."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from causegraph.cli import COMMANDS, build_parser, main
from graph import GraphStore
from graph.querybuilder import merge_nodes, merge_rels
from graph.schema import Label, Rel


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "stats" in capsys.readouterr().out


def test_every_command_is_registered() -> None:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == set(COMMANDS)


def test_a_command_that_does_not_import_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "causegraph.commands.stats", None)  # as if its import failed
    with pytest.raises(ModuleNotFoundError, match=r"causegraph\.commands\.stats"):
        build_parser()


def test_stats_json_counts_labels_and_relationships(
    store: GraphStore, falkor_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store.write(merge_nodes(Label.POD), [{"uid": "p1", "key": "c/Pod/ns/p1"}, {"uid": "p2", "key": "c/Pod/ns/p2"}])
    store.write(merge_nodes(Label.NODE), [{"uid": "n1", "key": "c/Node//n1"}])
    store.write(merge_rels(Rel.RUNS_ON), [{"from": "p1", "to": "c/Node//n1"}, {"from": "p2", "to": "c/Node//n1"}])
    graph_name = store._graph.name  # type: ignore[attr-defined]
    monkeypatch.setenv("CAUSEGRAPH_GRAPH__NAME", graph_name)
    assert main(["stats", "--graph", falkor_url, "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["nodes"] == {"Node": 1, "Pod": 2, "Resource": 3}
    assert stats["relationships"] == {"RUNS_ON": 2}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://localhost:7474", "accepted forms"),
        ("bolt://127.0.0.1:1", "cannot reach Neo4j at bolt://127.0.0.1:1"),
        ("falkordb://127.0.0.1:1", "cannot open FalkorDB at falkordb://127.0.0.1:1"),
    ],
)
def test_bad_graph_is_one_line_not_a_traceback(url: str, message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "causegraph", "stats", "--graph", url, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
