"""The fourth benchmark generator (bench/accuracy/fourth): deterministic, and its truth matches its files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.accuracy.fourth import scenario

Obj = dict[str, Any]
INCIDENT_FIELDS = {
    "id",
    "kind",
    "root_event_id",
    "root_equivalents",
    "event_ids",
    "context_event_ids",
    "root_resource",
    "start",
    "end",
}
KINDS = set(scenario.KINDS)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("fourth")
    return [scenario.write(7, i, out) for i in range(6)]


def _read(folder: Path) -> tuple[Obj, list[Obj], Obj]:
    topology = json.loads((folder / "topology.json").read_text())
    events = [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]
    truth = json.loads((folder / "truth.json").read_text())
    return topology, events, truth


def test_same_seed_same_bytes(tmp_path: Path, generated: list[Path]) -> None:
    for i in (0, 4):
        again = scenario.write(7, i, tmp_path)
        for name in ("topology.json", "events.jsonl", "truth.json"):
            assert (again / name).read_bytes() == (generated[i] / name).read_bytes()


def test_other_seed_differs(tmp_path: Path, generated: list[Path]) -> None:
    other = scenario.write(8, 0, tmp_path)
    assert (other / "events.jsonl").read_bytes() != (generated[0] / "events.jsonl").read_bytes()


def test_truth_fields(generated: list[Path]) -> None:
    apps = set()
    for folder in generated:
        _, _, truth = _read(folder)
        apps.add(truth["app"])
        assert truth["cluster"]
        assert isinstance(truth["warning_events"], int) and truth["warning_events"] > 0
        assert isinstance(truth["noise_event_ids"], list)
        incidents = truth["incidents"]
        assert len({i.get("series") or i["id"] for i in incidents}) >= 2
        spans = [(i["start"], i["end"]) for i in incidents]
        assert any(a[0] < b[1] and b[0] < a[1] for n, a in enumerate(spans) for b in spans[n + 1 :]), "no overlap"
        for inc in incidents:
            assert set(inc) >= INCIDENT_FIELDS, inc["id"]
            assert inc["kind"] in KINDS
            assert inc["root_event_id"] in inc["event_ids"]
            root = inc["root_resource"]
            assert {"cluster", "kind", "namespace", "name", "uid"} <= set(root)
            assert root["cluster"] == truth["cluster"]
            if root["kind"] == "Pod":
                assert inc["root_workload"]["kind"] in ("Deployment", "StatefulSet")
            if inc["kind"].startswith("node_"):
                assert root["kind"] == "Node"
            if inc["kind"] == "recurring_oom":
                assert inc["period_seconds"] > 0 and inc["series"]
            assert inc["start"] <= inc["end"]
    assert len(apps) == 6


def test_ids_exist_and_resources_resolve(generated: list[Path]) -> None:
    for folder in generated:
        topology, events, truth = _read(folder)
        objects = {(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]) for o in topology["items"]}
        uids = {o["metadata"]["uid"] for o in topology["items"]}
        ips = {o["spec"]["clusterIP"] for o in topology["items"] if o["kind"] == "Service"}
        ips |= {o["status"]["podIP"] for o in topology["items"] if o["kind"] == "Pod"}
        ids: set[str] = set()
        for line in events:
            ids.add(scenario.event_id(line))
            if "observed_at" in line:  # a watch change: later lines may be about what it added
                obj = line["object"]
                objects.add((obj["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"]))
                uids.add(obj["metadata"]["uid"])
                if obj["kind"] == "Pod":
                    ips.add(obj["status"]["podIP"])
                continue
            if line.get("kind") == "Event":
                about = line.get("involvedObject") or line["regarding"]
                assert about["uid"] in uids, (folder.name, about)
                assert (about["kind"], about.get("namespace", ""), about["name"]) in objects
                continue
            ctx = line.get("k8s_context") or {}
            assert ctx.get("cluster_name") == truth["cluster"]
            if ctx.get("kind"):
                assert (ctx["kind"], ctx.get("namespace", ""), ctx["name"]) in objects, (folder.name, ctx)
                if "uid" in ctx:
                    assert ctx["uid"] in uids
            else:  # IP-only: the addresses are the cluster's
                net = line["network"]
                assert net["source_ip"] in ips or net["dest_ip"] in ips, (folder.name, net)
        for inc in truth["incidents"]:
            for eid in [inc["root_event_id"], *inc["root_equivalents"], *inc["event_ids"], *inc["context_event_ids"]]:
                assert eid in ids, (folder.name, inc["id"], eid)
        for eid in truth["noise_event_ids"]:
            assert eid in ids


def test_event_lines_have_the_accepted_shapes(generated: list[Path]) -> None:
    for folder in generated:
        _, events, _ = _read(folder)
        for line in events:
            if "observed_at" in line:
                assert line["type"] in ("ADDED", "MODIFIED", "DELETED")
            elif line.get("kind") == "Event":
                assert line["apiVersion"] in ("v1", "events.k8s.io/v1")
                assert line["type"] in ("Normal", "Warning")
            else:
                assert line["id"] and line["timestamp"] and line["source"]
                assert line["severity"] in ("debug", "info", "low", "medium", "warning", "high", "error", "critical")
