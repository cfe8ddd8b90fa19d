"""The realistic generator knobs: overlapping incidents in one namespace, noise on their own resources inside their
window, sparse traces, IP-only evidence, the fault variants the hidden sets have, app faults; --classic unchanged."""

from __future__ import annotations

import argparse
import itertools
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bench.accuracy import knobs as knobs_mod
from bench.accuracy.generate import main
from bench.accuracy.knobs import Knobs
from bench.accuracy.metrics import score
from bench.accuracy.scenario import KINDS, Scenario, build

TOPOLOGIES = Path(__file__).resolve().parents[1] / "data" / "topologies"
SEEDS = range(1, 4)


@cache
def _sc(index: int, seed: int, classic: bool = False) -> Scenario:
    return build(TOPOLOGIES, index, seed, knobs=Knobs.classic() if classic else None)


def _all() -> list[Scenario]:
    return [_sc(i, seed) for seed in SEEDS for i in range(len(KINDS))]


def _times(sc: Scenario) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for line in sc.lines:
        out.setdefault(line.event_id, []).append(line.ts)
    return out


def _pods(sc: Scenario) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["uid"]: o for o in sc.objects if o["kind"] == "Pod"}


def _subject(line_obj: dict[str, Any], pods_by_ip: dict[str, dict[str, Any]]) -> tuple[str, str]:
    """(pod uid or node name, node name) an input line is about."""
    if line_obj.get("kind") == "Event":
        ref = line_obj.get("involvedObject") or line_obj.get("regarding") or {}
        return str(ref.get("uid") or ref.get("name")), ""
    ctx = line_obj.get("k8s_context")
    if ctx:
        return str(ctx["uid"]), str(ctx.get("node_name", ""))
    net = line_obj.get("network") or {}
    pod = pods_by_ip.get(str(net.get("source_ip", "")))
    return (str(pod["metadata"]["uid"]), str(pod["spec"]["nodeName"])) if pod else ("", "")


def test_knobs_flags_round_trip() -> None:
    parser = argparse.ArgumentParser()
    knobs_mod.add_arguments(parser)
    assert knobs_mod.from_args(parser.parse_args([])) == Knobs()
    assert knobs_mod.from_args(parser.parse_args(["--classic"])).is_classic
    mixed = knobs_mod.from_args(parser.parse_args(["--no-near-noise", "--ip-only", "0.3"]))
    assert not mixed.near_noise and mixed.overlap and mixed.ip_only == 0.3
    assert knobs_mod.from_args(parser.parse_args(mixed.argv())) == mixed
    on = knobs_mod.from_args(parser.parse_args(["--classic", "--variants"]))
    assert on.variants and not on.overlap and knobs_mod.from_args(parser.parse_args(on.argv())) == on
    assert Knobs.classic().label() == "classic" and Knobs().label() == "realistic"


def test_realistic_is_deterministic_and_classic_differs(tmp_path: Path) -> None:
    args = ["--seed", "5", "--count", "2", "--topologies", str(TOPOLOGIES)]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    assert main([*args, "--classic", "--out", str(tmp_path / "c")]) == 0
    for name in ("s000-online-boutique", "s001-sock-shop"):
        for f in ("topology.json", "events.jsonl", "truth.json"):
            assert (tmp_path / "a" / name / f).read_bytes() == (tmp_path / "b" / name / f).read_bytes()
        assert (tmp_path / "a" / name / "events.jsonl").read_bytes() != (
            tmp_path / "c" / name / "events.jsonl"
        ).read_bytes()


def test_truth_accounts_for_every_event() -> None:
    for sc in _all():
        ids = {line.event_id for line in sc.lines}
        seen: set[str] = set()
        for inc in sc.truth["incidents"]:
            assert inc["root_event_id"] in inc["event_ids"], (sc.name, inc["id"])
            mine = set(inc["event_ids"]) | set(inc["context_event_ids"])
            assert not mine & seen, (sc.name, inc["id"])  # an event belongs to one incident
            seen |= mine
            if inc["root_resource"]["kind"] == "Pod":
                assert inc["root_workload"]["kind"] in ("Deployment", "StatefulSet", "DaemonSet")
        noise = set(sc.truth["noise_event_ids"])
        assert not noise & seen and noise | seen == ids, sc.name
        assert set(sc.truth["noise_warning_ids"]) <= noise


def test_incidents_overlap_in_one_namespace_with_distinct_roots() -> None:
    overlapping = 0
    for sc in _all():
        incs = sc.truth["incidents"]
        firsts = [i for i in incs if not i.get("series") or i["id"].endswith(".1")]
        assert 2 <= len(firsts) <= 4, sc.name
        namespaces = {i["root_resource"].get("namespace") for i in firsts} - {""}
        assert len(namespaces) <= 1, sc.name  # one app, one namespace (Node roots have none)
        roots = [(i["root_resource"]["kind"], i["root_resource"]["name"]) for i in firsts]
        assert len(set(roots)) == len(roots), sc.name
        starts = sorted(i["start"] for i in firsts)
        overlapping += int(starts[1] - starts[0] <= 10 * 60 * 1000)
    assert overlapping >= 0.9 * len(_all())


def test_incidents_share_callers_sometimes() -> None:
    shared = 0
    for sc in _all():
        pods = _pods(sc)
        by_ip = {p["status"]["podIP"]: p for p in pods.values()}
        objs = {line.event_id: line.obj for line in sc.lines}
        who: list[set[str]] = []
        for inc in sc.truth["incidents"]:
            who.append(
                {
                    _subject(objs[e], by_ip)[0]
                    for e in inc["event_ids"]
                    if "network" in objs[e] and objs[e].get("kind") != "Event"
                }
                - {""}
            )
        shared += int(any(a & b for n, a in enumerate(who) for b in who[n + 1 :]))
    assert shared >= 3


def test_noise_on_incident_resources_inside_the_window() -> None:
    hits = 0
    for sc in _all():
        pods = _pods(sc)
        by_ip = {p["status"]["podIP"]: p for p in pods.values()}
        times = _times(sc)
        objs = {line.event_id: line.obj for line in sc.lines}
        for inc in sc.truth["incidents"]:
            nodes = {pods[u]["spec"]["nodeName"] for u in _subjects(inc, objs, by_ip) if u in pods}
            if inc["root_resource"]["kind"] == "Node":
                nodes.add(inc["root_resource"]["name"])
            for eid in sc.truth["noise_warning_ids"]:
                uid, _ = _subject(objs[eid], by_ip)
                pod = pods.get(uid)
                inside = any(inc["start"] <= t <= inc["end"] for t in times[eid])
                if pod is not None and inside and pod["spec"]["nodeName"] in nodes:
                    hits += 1
    assert hits >= len(_all())  # at least one per scenario on average
    classic = [_sc(i, 1, classic=True) for i in range(4)]
    for sc in classic:
        assert "knobs" in sc.truth and sc.truth["knobs"] == "classic"


def _subjects(inc: dict[str, Any], objs: dict[str, dict[str, Any]], by_ip: dict[str, dict[str, Any]]) -> set[str]:
    return {_subject(objs[e], by_ip)[0] for e in inc["event_ids"]}


def test_symptoms_carry_traces_only_sometimes_and_ip_only_is_common() -> None:
    traced = untraced = network_only = with_context = 0
    for sc in _all():
        members = {e for inc in sc.truth["incidents"] for e in inc["event_ids"]}
        for line in sc.lines:
            o = line.obj
            if line.event_id in members and o.get("type") == "network":
                if "trace_context" in o:
                    traced += 1
                else:
                    untraced += 1
                if "k8s_context" in o or "entity" in o:
                    with_context += 1
                else:
                    network_only += 1
    assert traced and untraced > 0.3 * (traced + untraced)
    assert network_only > with_context


def _find(kind: str, pred: Any) -> tuple[Scenario, dict[str, Any]]:
    for seed in range(1, 12):
        for index in range(len(KINDS)):
            sc = _sc(index, seed)
            for inc in sc.truth["incidents"]:
                if inc["kind"] == kind and pred(inc):
                    return sc, inc
    pytest.fail(f"no {kind} incident matching the predicate")


def test_network_loss_without_a_node_event_is_rooted_at_the_node() -> None:
    sc, inc = _find("node_network_loss", lambda i: i.get("variant") == "no_node_event")
    objs = {line.event_id: line.obj for line in sc.lines}
    node = inc["root_resource"]
    assert node["kind"] == "Node"
    about_node = [
        e
        for e in inc["event_ids"]
        if objs[e].get("kind") == "Event"
        and (objs[e].get("involvedObject") or objs[e].get("regarding") or {}).get("kind") == "Node"
    ]
    assert not about_node
    times = _times(sc)
    assert min(times[inc["root_event_id"]]) == min(min(times[e]) for e in inc["event_ids"])
    probes = [e for e in inc["event_ids"] if objs[e].get("reason") == "Unhealthy"]
    pods = _pods(sc)
    owners = {
        pods[(objs[e].get("involvedObject") or objs[e].get("regarding"))["uid"]]["metadata"]["ownerReferences"][0][
            "uid"
        ]
        for e in probes
    }
    assert len(owners) >= 2  # pods of several workloads
    ip_only = [e for e in inc["event_ids"] if "network" in objs[e] and "k8s_context" not in objs[e]]
    assert ip_only
    # and the other half still has the node controller's NodeNotReady
    _find("node_network_loss", lambda i: not i.get("variant"))


def test_memory_pressure_sometimes_only_evictions() -> None:
    sc, inc = _find("node_memory_pressure", lambda i: i.get("variant") == "no_node_event")
    objs = {line.event_id: line.obj for line in sc.lines}
    reasons = {objs[e].get("reason") for e in inc["event_ids"] if objs[e].get("kind") == "Event"}
    assert "Evicted" in reasons and not reasons & {"EvictionThresholdMet", "NodeHasInsufficientMemory", "SystemOOM"}
    assert inc["root_resource"]["kind"] == "Node" and objs[inc["root_event_id"]]["reason"] == "Evicted"


def test_crashloop_covers_the_workload() -> None:
    sc, inc = _find("crashloop", lambda i: True)
    assert inc["root_resource"]["kind"] in ("Deployment", "StatefulSet")
    pods = [p for p in _pods(sc).values() if inc["root_resource"]["name"] in p["metadata"]["name"]]
    objs = {line.event_id: line.obj for line in sc.lines}
    failing = {
        (objs[e].get("involvedObject") or objs[e].get("regarding"))["uid"]
        for e in inc["event_ids"]
        if objs[e].get("reason") == "BackOff"
    }
    assert len(failing) >= max(1, len(pods) - 1)


def test_recurring_occurrences_are_separate_incidents() -> None:
    index = KINDS.index("recurring_oom")
    sc = _sc(index, 1)
    occ = [i for i in sc.truth["incidents"] if i["kind"] == "recurring_oom"]
    assert len(occ) >= 4 and len({i["series"] for i in occ}) == 1 and len({i["id"] for i in occ}) == len(occ)
    assert len({i["period_seconds"] for i in occ}) == 1
    times = _times(sc)
    starts = sorted(min(times[i["root_event_id"]]) for i in occ)
    period = occ[0]["period_seconds"] * 1000
    assert all(abs((b - a) - period) < 0.05 * period for a, b in itertools.pairwise(starts))
    for i in occ:
        assert "oom_kill" in i["root_event_id"] and i["root_resource"]["kind"] == "Pod"
        assert not set(i["event_ids"]) & {e for j in occ if j is not i for e in j["event_ids"]}
    # classic keeps one incident for the whole series
    classic = _sc(KINDS.index("recurring_oom"), 1, classic=True).truth["incidents"]
    assert not any("series" in i for i in classic)


def test_app_faults_back_to_back_seen_only_through_collector_events() -> None:
    index = KINDS.index("app_fault")
    sc = _sc(index, 1)
    faults = [i for i in sc.truth["incidents"] if i["kind"] == "app_fault"]
    assert len(faults) >= 2
    starts = sorted(i["start"] for i in faults)
    assert all(60_000 <= b - a <= 15 * 60_000 for a, b in itertools.pairwise(starts))
    objs = {line.event_id: line.obj for line in sc.lines}
    pods = _pods(sc)
    times = _times(sc)
    for inc in faults:
        assert inc["variant"] in ("cpu_contention", "network_delay", "exception")
        assert all("id" in objs[e] for e in inc["event_ids"])  # collector events only, no Kubernetes Event
        assert inc["root_resource"]["kind"] == "Pod" and inc["root_workload"]["kind"] in ("Deployment", "StatefulSet")
        assert min(times[inc["root_event_id"]]) == min(min(times[e]) for e in inc["event_ids"])
        pod = pods[inc["root_resource"]["uid"]]
        pointing = [
            e for e in inc["event_ids"] if (objs[e].get("network") or {}).get("dest_ip") == pod["status"]["podIP"]
        ]
        assert pointing  # callers' slow or failed calls name the faulty pod's IP
    metrics = {objs[e]["tags"][0] for inc in faults for e in inc["event_ids"] if objs[e].get("type") == "metric"}
    assert metrics & {"cpu_usage", "latency_p99", "memory_usage"}


def test_root_scored_by_resource_with_workload_accepted_for_pod_roots() -> None:
    pod = {"kind": "Pod", "namespace": "shop", "name": "redis-0", "uid": "u"}
    wl = {"kind": "StatefulSet", "namespace": "shop", "name": "redis"}
    truth = {
        "incidents": [
            {
                "id": "a",
                "kind": "datastore_oom",
                "root_event_id": "oom",
                "event_ids": ["oom", "x"],
                "root_resource": pod,
                "root_workload": wl,
            },
            {
                "id": "b",
                "kind": "crashloop",
                "root_event_id": "exit",
                "event_ids": ["exit", "y"],
                "root_resource": {"kind": "Deployment", "namespace": "shop", "name": "cart"},
                "root_workload": {},
            },
            {
                "id": "c",
                "kind": "node_network_loss",
                "root_event_id": "t1",
                "event_ids": ["t1", "t2"],
                "root_resource": {"kind": "Node", "namespace": "", "name": "node-1"},
            },
        ],
        "warning_events": 6,
    }

    def res(cid: str, root: str, members: list[str], resource: dict[str, str] | None) -> dict[str, Any]:
        cause: dict[str, Any] = {"event_id": root}
        if resource is not None:
            cause["resource"] = resource
        return {"id": cid, "version": 1, "root_cause": cause, "related_events": members}

    from bench.accuracy.metrics import last_versions

    s = score(
        truth,
        last_versions(
            [
                res("1", "x", ["oom", "x"], {**wl, "cluster": "c", "uid": ""}),  # the workload: accepted
                res("2", "exit", ["exit", "y"], {"kind": "Pod", "namespace": "shop", "name": "cart-1"}),  # pod: no
                res("3", "t2", ["t1", "t2"], {"kind": "Node", "namespace": "", "name": "node-1"}),  # inferred node
            ]
        ),
    )
    assert s.root_hits == 2 and s.root_by_resource == 3
    assert s.by_kind["crashloop"][1] == 0
    # without a root resource the event id decides
    s2 = score(truth, last_versions([res("1", "oom", ["oom", "x"], {"kind": "", "name": ""})]))
    assert s2.root_hits == 1 and s2.root_by_resource == 0
