"""``causegraph import``: every sample imports, problems are reported with file and position, exit codes."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from causegraph.cli import main
from causegraph.commands.import_ import EXIT_NOTHING_IMPORTED, EXIT_OK, EXIT_SOME_FAILED, import_paths
from graph import GraphStore, open_store
from tests.test_loader import _secrets, assert_no_secret_value

DATA = Path(__file__).resolve().parents[1] / "data"


def test_all_samples_import_without_error(store: GraphStore) -> None:
    paths = [*sorted((DATA / "topologies").glob("*.yaml")), DATA / "k8s-json"]
    summary = import_paths(store, paths, "samples")
    assert summary.problems == [] and summary.exit_code == EXIT_OK
    assert summary.objects["Deployment"] == 170 and summary.objects["Service"] >= 170
    assert summary.skipped["ServiceAccount"] == 20 and summary.skipped["Event"] == 1  # kinds the graph does not keep


def _graph_dump(store: GraphStore) -> tuple[list[Any], list[Any]]:
    """Every node's labels and properties, every edge with its ends and properties (link times left out)."""
    nodes = store.run("MATCH (n) RETURN n")
    edges = store.run(
        "MATCH (a)-[r]->(b) RETURN type(r) AS t, a.uid AS a, b.uid AS b, properties(r) AS p ORDER BY t, a, b"
    )
    for e in edges:
        e["p"] = {k: v for k, v in e["p"].items() if k not in ("first_seen", "last_seen")}
    return sorted(json.dumps(n, sort_keys=True) for n in nodes), edges


def test_worker_process_gives_the_same_graph_as_in_process(store: GraphStore, falkor_url: str) -> None:
    paths = [DATA / "k8s-json", DATA / "topologies" / "online-boutique.yaml"]
    in_process = import_paths(store, paths, "same", batch_size=7, worker=False)
    other = open_store(falkor_url, graph_name=f"t_{uuid.uuid4().hex[:12]}")
    try:
        other.apply_schema()
        in_worker = import_paths(other, paths, "same", batch_size=7, worker=True)
        assert in_worker.to_dict() | {"seconds": 0} == in_process.to_dict() | {"seconds": 0}
        assert in_worker.imported > 100 and in_worker.change_events > 0
        assert _graph_dump(other) == _graph_dump(store)
        assert gc.isenabled()  # paused for the import only
    finally:
        other.clear()
        other.close()


def test_online_boutique_env_calls(store: GraphStore) -> None:
    summary = import_paths(store, [DATA / "topologies" / "online-boutique.yaml"], "ob")
    rows = store.run("MATCH (a:Service)-[r:CALLS {source: 'env'}]->(b:Service) RETURN a.name AS a, b.name AS b")
    got = {(r["a"], r["b"]) for r in rows}
    calls = json.loads((DATA / "topologies" / "online-boutique.calls.json").read_text())
    # loadgenerator has no Service in front of it, so no Service can be the caller of its calls
    expected = {(a, b) for a, bs in calls.items() for b in bs if a != "loadgenerator"}
    assert expected <= got  # every call of the published graph, from *_ADDR env values
    assert summary.linked["link_env_calls"] == len(got)


def test_secrets_through_files_never_reach_the_graph(store: GraphStore, tmp_path: Path) -> None:
    f = tmp_path / "secrets.json"
    f.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": _secrets()}))
    summary = import_paths(store, [f], "prod")
    assert summary.objects == {"Secret": 2}
    assert_no_secret_value(store)


def test_cli_exit_codes_and_problem_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    graph = str(tmp_path / "g" / "graph.rdb")
    good = tmp_path / "ns.yaml"
    good.write_text("kind: Namespace\nmetadata: {name: shop}\n")
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    assert main(["import", str(good), "--graph", graph, "--cluster", "t", "--json"]) == EXIT_OK
    out = json.loads(capsys.readouterr().out)
    assert out["objects"] == {"Namespace": 1}
    assert main(["import", str(good), str(bad), "--graph", graph]) == EXIT_SOME_FAILED
    err = capsys.readouterr().err
    assert f"{bad}:1:2: invalid JSON" in err
    assert main(["import", str(bad), "--graph", graph]) == EXIT_NOTHING_IMPORTED


def test_import_leaves_no_temporary_folder_behind(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    manifest = tmp_path / "ns.yaml"
    manifest.write_text("kind: Namespace\nmetadata: {name: shop}\n")
    graph = tmp_path / "g" / "graph.rdb"
    env = {**os.environ, "TMPDIR": str(temp)}  # where the embedded server keeps its config, log and socket
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "causegraph", "import", str(manifest), "--graph", str(graph)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == EXIT_OK, done.stderr
        assert list(temp.iterdir()) == []
    assert sorted(p.name for p in graph.parent.iterdir()) == ["graph.rdb", "graph.rdb.aof"]
