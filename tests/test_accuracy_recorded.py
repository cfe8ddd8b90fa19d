"""The recorded-fault-like scenarios: faults back to back, seen only through detectors on pods, scored per fault."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from bench.accuracy.recorded import REPO, WINDOW, _ms, build, score, write


def test_faults_come_back_to_back_seen_only_through_collector_events(tmp_path: Path) -> None:
    sc = build(REPO / "data" / "topologies", 0, 3, app="sock-shop", gap_min=10, faults=4)
    faults = sc["truth"]["faults"]
    assert [f["t0"] - faults[0]["t0"] for f in faults] == [0, 600_000, 1_200_000, 1_800_000]
    objs = [line.obj for line in sc["lines"]]
    assert all("k8s_context" in o and o["k8s_context"]["kind"] == "Pod" for o in objs)
    assert not any("network" in o or "involvedObject" in o for o in objs)
    by_id = {o["id"]: o for o in objs}
    for f in faults:
        on_root = [o for o in objs if o["k8s_context"]["name"] == f["pod"]]
        assert on_root, f"no detector fired on the injected pod {f['pod']}"
        # the truth names the fault's own events (on its pod, and what its callers felt) from its start, a
        # detector's window closing up to one window after its end; the background that fired there is not among them
        assert any(by_id[e]["k8s_context"]["name"] == f["pod"] for e in f["events"])
        assert all(f["t0"] <= _ms(by_id[e]["timestamp"]) < f["t1"] + WINDOW for e in f["events"])
    # background: detectors fire on pods that no fault touched
    touched = {f["pod"] for f in faults}
    assert Counter(o["k8s_context"]["name"] for o in objs if o["k8s_context"]["name"] not in touched)


def test_a_fault_is_answered_by_the_result_holding_most_of_its_window(tmp_path: Path) -> None:
    sc = build(REPO / "data" / "topologies", 1, 3, app="sock-shop", gap_min=10, faults=2)
    folder = write(sc, tmp_path)
    first = sc["truth"]["faults"][0]
    events = [json.loads(x) for x in (folder / "events.jsonl").read_text().splitlines()]
    ids = [e["id"] for e in events]
    root = {"resource": {"kind": "Pod", "name": first["pod"]}}
    wrong = {"resource": {"kind": "Pod", "name": "somebody-else"}}
    results = tmp_path / "results.jsonl"
    results.write_text(
        json.dumps({"id": "c1", "version": 1, "root_cause": wrong, "related_events": ids[:1]})
        + "\n"
        + json.dumps({"id": "c1", "version": 2, "root_cause": root, "related_events": ids})
        + "\n"
    )
    s = score(folder, results)
    assert s["faults"] == 2 and s["answered"] == 2
    assert s["results"] == 1 and s["noise_only"] == 0
    assert s["pod"] >= 1  # the first fault's pod is the (latest version's) root
    assert s["workload"] >= s["pod"]


def test_a_result_holding_no_faults_events_is_background_published(tmp_path: Path) -> None:
    sc = build(REPO / "data" / "topologies", 1, 3, app="sock-shop", gap_min=10, faults=2)
    folder = write(sc, tmp_path)
    caused = {e for f in sc["truth"]["faults"] for e in f["events"]}
    background = [line.obj["id"] for line in sc["lines"] if line.obj["id"] not in caused]
    results = tmp_path / "results.jsonl"
    results.write_text(
        json.dumps({"id": "c1", "version": 1, "root_cause": {}, "related_events": background[:3]})
        + "\n"
        + json.dumps({"id": "c2", "version": 1, "root_cause": {}, "related_events": [*background[3:5], min(caused)]})
        + "\n"
    )
    s = score(folder, results)
    assert s["results"] == 2 and s["noise_only"] == 1
