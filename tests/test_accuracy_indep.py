"""The independent scenario generator (bench/accuracy/indep): deterministic per seed, and every scenario is
something ``bench.accuracy.run`` can replay and score (files parse, truth ids exist, every incident has a root)."""

from __future__ import annotations

import json
from pathlib import Path

from bench.accuracy.indep.__main__ import main
from bench.accuracy.indep.compose import deck
from bench.accuracy.indep.kinds import BUILDERS
from ingest.lines import classify_line

COUNT = 4


def _write(tmp: Path, seed: int, count: int = COUNT) -> Path:
    assert main(["--seed", str(seed), "--count", str(count), "--out", str(tmp)]) == 0
    return tmp


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_other(tmp_path: Path) -> None:
    a = _tree(_write(tmp_path / "a", 7, 2))
    b = _tree(_write(tmp_path / "b", 7, 2))
    c = _tree(_write(tmp_path / "c", 8, 2))
    assert a == b
    assert a != c


def test_scenarios_parse_and_truth_is_consistent(tmp_path: Path) -> None:
    out = _write(tmp_path, 3)
    folders = sorted(p.parent for p in out.glob("*/truth.json"))
    assert len(folders) == COUNT
    for folder in folders:
        topology = json.loads((folder / "topology.json").read_text())
        assert topology["kind"] == "List" and topology["items"]
        lines = [json.loads(x) for x in (folder / "events.jsonl").read_text().splitlines()]
        ids: set[str] = set()
        for line in lines:
            kind = classify_line(line)  # each line is one of the three inputs replay takes
            if kind == "k8s_event":
                ids.add(line["metadata"]["uid"])
            elif kind == "unified":
                ids.add(line["id"])
            else:  # a recorded change; its event id is made by the engine (<uid>@...)
                ids.add(line["object"]["metadata"]["uid"])
        truth = json.loads((folder / "truth.json").read_text())
        assert truth["incidents"] and truth["warning_events"] > 0
        seen: set[str] = set()
        for inc in truth["incidents"]:
            assert inc["kind"] in BUILDERS
            assert inc["root_resource"]["kind"] and inc["root_resource"]["name"]
            assert inc["root_event_id"] or inc.get("variant") == "no_node_event"
            for eid in inc["event_ids"] + inc["context_event_ids"] + inc["root_equivalents"]:
                assert eid.split("@")[0] in ids, eid
            assert inc["root_event_id"] == "" or inc["root_event_id"] in inc["event_ids"]
            assert not seen & set(inc["event_ids"]), "an event belongs to one incident"
            seen |= set(inc["event_ids"])
        for eid in truth["noise_event_ids"]:
            assert eid in ids and eid not in seen


def test_deck_covers_every_kind() -> None:
    plan = deck(1, 12)
    assert {k for kinds in plan for k in kinds} == set(BUILDERS)
    assert all(2 <= len(kinds) <= 3 and len(set(kinds)) == len(kinds) for kinds in plan)
