"""``causegraph replay``: topology files, then a mixed events.jsonl in file order; bad lines reported and skipped."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from causegraph.cli import main
from graph import open_store
from tests import scenario_events as sc
from tests.conftest import Neo4jTarget


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    topo = tmp_path / "topology.json"
    topo.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": sc.topology_objects()}))
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(sc.events_lines()) + "\n\n")
    return topo, events


def test_replay_mixed_events(
    files: tuple[Path, Path], falkor_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    graph_name = f"replay_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("CAUSEGRAPH_GRAPH__NAME", graph_name)
    topo, events = files
    code = main(["replay", "--topology", str(topo), "--events", str(events), "--graph", falkor_url, "--json"])
    out, err = capsys.readouterr()
    assert code == 0
    summary = json.loads(err.strip().splitlines()[-1])  # the result lines go to stdout
    for line in out.splitlines():
        assert json.loads(line)["schema"] == "causegraph.correlation/v1"
    assert summary["lines_read"] == len(sc.events_lines())
    assert summary["rejected"] == sc.BAD_LINES
    assert summary["changes_applied"] == 2
    assert summary["topology_objects"] == len(sc.topology_objects())
    assert summary["repeats"] == 2  # the updated Kubernetes Event and the repeated collector event
    bad = [ln for ln in err.splitlines() if ln.startswith(str(events))]
    assert [int(ln.split(":")[1]) for ln in bad] == [4, 6, 9, 15]
    assert "not JSON" in bad[0] and "timestamp" in bad[1] and "expected a JSON object" in bad[2]
    store = open_store(falkor_url, graph_name=graph_name)
    try:
        rows = store.run("MATCH (e:Event) OPTIONAL MATCH (e)-[:ABOUT]->(r) RETURN e.id AS id, r.name AS about")
        about = {r["id"]: r["about"] for r in rows}
        assert len(rows) == len(about) == summary["events_stored"]
        assert set(about) >= sc.STORED_IDS
        assert (about["u-old"], about["u-new"], about["u-nowhere"]) == ("old-1", "new-1", None)
    finally:
        store.clear()
        store.close()


def test_replay_names_a_missing_events_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "--events", str(tmp_path / "nope.jsonl")]) == 2
    assert "events file not found" in capsys.readouterr().err


def test_replay_refuses_lines_that_are_not_utf8_nested_too_deep_or_ahead_of_time(
    tmp_path: Path, falkor_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CAUSEGRAPH_GRAPH__NAME", f"replay_{uuid.uuid4().hex[:8]}")
    events = tmp_path / "events.jsonl"
    lines = [
        json.dumps(sc.unified("ok-1", sc.T0)).encode(),
        b'{"id": "coll\xffx", "timestamp": 1}',  # "coll\ufffdx" would be another event's id
        b'{"id": "deep", "tags": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
        json.dumps(sc.unified("year-9999", 253_402_300_799_000)).encode(),
        json.dumps(sc.unified("ok-2", sc.T0)).encode(),
    ]
    events.write_bytes(b"\n".join(lines) + b"\n")
    assert main(["replay", "--events", str(events), "--graph", falkor_url, "--json"]) == 0
    err = capsys.readouterr().err
    summary = json.loads(err.strip().splitlines()[-1])
    assert (summary["events_stored"], summary["rejected"]) == (2, 3)
    bad = [ln.split(":", 2)[1:] for ln in err.splitlines() if ln.startswith(str(events))]
    assert [int(n) for n, _ in bad] == [2, 3, 4]
    assert bad[0][1].startswith(" not UTF-8") and "nesting" in bad[1][1] and "timestamp" in bad[2][1]


@pytest.mark.neo4j
def test_replay_publishes_the_same_correlations_on_both_engines(
    tmp_path: Path, shared_data: Path, neo4j_schema: Neo4jTarget, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two generated accuracy scenarios, replayed into the embedded FalkorDB and into Neo4j (credentials in the URL):
    the same result lines, byte for byte (ids, versions, roots, members, patterns, impact)."""
    from bench.accuracy.generate import main as generate

    scenarios = tmp_path / "scenarios"
    args = ["--seed", "3", "--count", "2", "--topologies", str(shared_data / "topologies"), "--out", str(scenarios)]
    assert generate(args) == 0
    capsys.readouterr()
    bolt = neo4j_schema.url.replace("bolt://", f"bolt://{neo4j_schema.user}:{neo4j_schema.password}@")
    folders = sorted(p for p in scenarios.iterdir() if p.is_dir())
    assert len(folders) == 2
    for folder in folders:
        neo4j = neo4j_schema.open()
        neo4j.clear()
        neo4j.close()
        results = {}
        for engine, url in (("falkordb", str(tmp_path / folder.name / "graph.rdb")), ("neo4j", bolt)):
            out = tmp_path / f"{folder.name}-{engine}.jsonl"
            replay = ["replay", "--topology", str(folder / "topology.json"), "--events", str(folder / "events.jsonl")]
            assert main([*replay, "--graph", url, "--out", str(out)]) == 0
            results[engine] = out.read_text().splitlines()
        falkordb, neo4j_lines = results["falkordb"], results["neo4j"]
        assert falkordb, f"{folder.name}: no correlation published"
        summary = [(d["id"], d["version"], d["type"], d["root_cause"]["event_id"]) for d in map(json.loads, falkordb)]
        assert [
            (d["id"], d["version"], d["type"], d["root_cause"]["event_id"]) for d in map(json.loads, neo4j_lines)
        ] == summary
        assert neo4j_lines == falkordb
