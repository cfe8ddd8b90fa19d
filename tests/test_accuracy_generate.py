"""The scenario generator: deterministic, every input kind present, truth consistent with the events."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from bench.accuracy.baseline import Labeller
from bench.accuracy.generate import main
from bench.accuracy.knobs import Knobs
from bench.accuracy.scenario import KINDS, build


def _ids(line: dict[str, object]) -> str:
    if "object" in line and "id" not in line:
        obj = line["object"]
        assert isinstance(obj, dict)
        return f"{obj['metadata']['uid']}@{obj['metadata']['resourceVersion']}"
    if line.get("kind") == "Event":
        meta = line["metadata"]
        assert isinstance(meta, dict)
        return str(meta["uid"])
    return str(line["id"])


def test_writes_deterministic_scenarios(tmp_path: Path, shared_data: Path) -> None:
    args = ["--seed", "3", "--count", "2", "--topologies", str(shared_data / "topologies")]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    for name in ("s000-online-boutique", "s001-sock-shop"):
        for f in ("topology.json", "events.jsonl", "truth.json"):
            assert (tmp_path / "a" / name / f).read_bytes() == (tmp_path / "b" / name / f).read_bytes()
    topo = json.loads((tmp_path / "a" / "s000-online-boutique" / "topology.json").read_text())
    assert topo["kind"] == "List" and any(o["kind"] == "EndpointSlice" for o in topo["items"])


def test_truth_matches_the_events_and_covers_every_kind(shared_data: Path) -> None:
    seen_kinds: set[str] = set()
    shapes: set[str] = set()
    for index in range(len(KINDS)):
        sc = build(shared_data / "topologies", index, seed=1)
        lines = [ln.obj for ln in sc.lines]
        ids = {_ids(ln) for ln in lines}
        truth = sc.truth
        assert len(truth["incidents"]) >= 2, sc.name  # overlapping incidents in one scenario
        for inc in truth["incidents"]:
            seen_kinds.add(
                inc["kind"].removeprefix("bad_rollout_").replace("crashloop", "x")
                if inc["kind"].startswith("bad_rollout")
                else inc["kind"]
            )
            assert inc["root_event_id"] in inc["event_ids"]
            assert set(inc["event_ids"]) <= ids and set(inc["context_event_ids"]) <= ids
        noise = set(truth["noise_event_ids"])
        incident_ids = {e for i in truth["incidents"] for e in i["event_ids"] + i["context_event_ids"]}
        assert not noise & incident_ids and noise <= ids and truth["noise_warning_ids"]
        assert noise | incident_ids == ids  # every event is accounted for
        times = [ln.ts for ln in sc.lines]
        assert sum(1 for a, b in itertools.pairwise(times) if b < a) > 0  # jitter: not strictly sorted
        for ln in lines:
            if ln.get("kind") == "Event":
                shapes.add(str(ln["apiVersion"]))
            elif "object" in ln and "id" not in ln:
                shapes.add("change")
            else:
                shapes.add("k8s_context" if "k8s_context" in ln else "entity" if "entity" in ln else "network")
        # IP-only events name pods that the topology knows
        lab = Labeller(sc.objects)
        for ln in lines:
            if "network" in ln and "k8s_context" not in ln and "entity" not in ln:
                net = ln["network"]
                assert net["source_ip"] in lab.by_ip
    assert {
        "datastore_oom",
        "node_notready",
        "configmap_change",
        "node_memory_pressure",
        "node_network_loss",
        "crashloop",
        "recurring_oom",
    } <= seen_kinds
    assert shapes == {"v1", "events.k8s.io/v1", "change", "k8s_context", "entity", "network"}


def test_recurring_incident_has_its_period(shared_data: Path) -> None:
    """Classic: one incident for the whole series (realistic splits it: test_accuracy_realistic)."""
    index = KINDS.index("recurring_oom")
    sc = build(shared_data / "topologies", index, seed=1, knobs=Knobs.classic())
    (inc,) = [i for i in sc.truth["incidents"] if i["kind"] == "recurring_oom"]
    assert inc["period_seconds"] in (7200, 10800, 14400, 21600)
    oom_times = sorted(ln.ts for ln in sc.lines if ln.event_id in inc["event_ids"] and "oom_kill" in ln.event_id)
    gaps = [b - a for a, b in itertools.pairwise(oom_times)]
    assert len(oom_times) >= 4 and all(
        abs(g / 1000 - inc["period_seconds"]) < 0.05 * inc["period_seconds"] for g in gaps
    )
