"""The realistic live mix of the overload bench: deterministic, many pods, IP-only flows, repeats, incidents."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from bench.livemix import Mix, Pod, Topo, event_id


def topo() -> Topo:
    pods = [Pod(f"uid-{i}", f"pod-{i}", f"ns-{i % 3}", f"10.0.{i // 250}.{i % 250}") for i in range(600)]
    by_service = {f"svc-{s}": pods[s * 20 : s * 20 + 20] for s in range(30)}
    return Topo(
        pods,
        by_service,
        {s: f"10.96.0.{i}" for i, s in enumerate(by_service)},
        [(f"svc-{s}", f"svc-{s + 1}") for s in range(29)],
    )


def stream(n: int, seed: int = 7) -> list[tuple[str, dict[str, Any]]]:
    mix = Mix(topo(), seed=seed)
    return [(s, json.loads(p)) for s, p in (mix.next(1_800_000_000_000 + 10 * i) for i in range(n))]


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_ones() -> None:
    assert stream(500) == stream(500)
    assert stream(500) != stream(500, seed=8)


def test_the_mix_spreads_over_many_pods_and_ips_with_repeats_and_incidents() -> None:
    lines = stream(10_000)
    kinds = Counter(d.get("kind") or d["type"] for _s, d in lines)
    assert kinds["log"] > 5_000 and kinds["network"] > 2_500 and kinds["Event"] > 500 and kinds["memory"] > 200
    flows = [d["network"] for _s, d in lines if "network" in d]
    assert all("k8s_context" not in d for _s, d in lines if "network" in d)  # placed by IP only
    assert len({f["source_ip"] for f in flows}) > 400 and len({f["dest_ip"] for f in flows}) > 20
    assert len({d["k8s_context"]["uid"] for _s, d in lines if d.get("type") == "log"}) > 500
    ids = Counter(event_id(json.dumps(d).encode()) for _s, d in lines)
    assert 20 < sum(1 for c in ids.values() if c > 1) < 500  # Kubernetes Events updated again (same uid)
    oom = next(d for _s, d in lines if d.get("type") == "memory")
    trace = f"inc-{oom['id'].removeprefix('oom-')}"
    assert sum(1 for s, _d in lines if s == f"traces.{trace}.ebpf") == 4  # the OOM kill and three callers' timeouts
