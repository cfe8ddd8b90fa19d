"""The blind scenario generator (bench/accuracy/blind): deterministic, and its truth points at real input."""

from __future__ import annotations

import json
from pathlib import Path

from bench.accuracy.blind.compose import write


def _ids(events: Path) -> set[str]:
    out = set()
    for line in events.read_text().splitlines():
        o = json.loads(line)
        if "observed_at" in o:
            out.add(f"{o['object']['metadata']['uid']}@{o['object']['metadata']['resourceVersion']}")
        elif o.get("kind") == "Event":
            out.add(o["metadata"]["uid"])
        else:
            out.add(o["id"])
    return out


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    for sub in ("a", "b"):
        write(tmp_path / sub, 7, 0)
        write(tmp_path / sub, 7, 1)
    for folder in sorted((tmp_path / "a").iterdir()):
        for name in ("topology.json", "events.jsonl", "truth.json"):
            assert (folder / name).read_bytes() == (tmp_path / "b" / folder.name / name).read_bytes()


def test_truth_points_at_events_and_topology(tmp_path: Path) -> None:
    for i in range(4):
        folder = write(tmp_path, 3, i)
        truth = json.loads((folder / "truth.json").read_text())
        ids = _ids(folder / "events.jsonl")
        assert len(truth["incidents"]) >= 2
        for inc in truth["incidents"]:
            assert inc["root_event_id"] and inc["root_event_id"] in ids
            assert inc["root_resource"]["kind"] and inc["root_resource"]["name"]
            for eid in inc["event_ids"] + inc["context_event_ids"] + inc["root_equivalents"]:
                assert eid in ids
        assert set(truth["noise_event_ids"]) <= ids
        items = json.loads((folder / "topology.json").read_text())["items"]
        nodes = {o["metadata"]["name"] for o in items if o["kind"] == "Node"}
        pods = [o for o in items if o["kind"] == "Pod"]
        assert pods and 3 <= len(nodes) <= 6
        assert all(p["spec"]["nodeName"] in nodes and p["metadata"]["ownerReferences"] for p in pods)
        node_roots = [i for i in truth["incidents"] if i["root_resource"]["kind"] == "Node"]
        assert all(i["root_resource"]["name"] in nodes for i in node_roots)
