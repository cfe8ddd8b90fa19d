"""Batched write throughput on the embedded FalkorDB: the store layer against the raw falkordb client.

    .venv/bin/python -m bench.store_write [--nodes 100000] [--rels 200000] [--batch 1000]

Writes N Pod nodes and M RUNS_ON-like relationships (pod -> node, by key) with the generated MERGE statements,
first through ``GraphStore.write`` and then with the same statements on the raw client, each into a fresh graph,
and prints rows/s for both and the ratio.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from typing import Any

from graph import open_store
from graph.falkor import FalkorStore
from graph.querybuilder import merge_nodes, merge_rels
from graph.schema import Label, Rel


def _rows(n_nodes: int, n_rels: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    n_hosts = max(1, n_nodes // 30)
    hosts = [{"uid": f"node-{i}", "key": f"b/Node//node-{i}", "name": f"node-{i}"} for i in range(n_hosts)]
    pods = [
        {"uid": f"pod-{i}", "key": f"b/Pod/ns/pod-{i}", "name": f"pod-{i}", "namespace": "ns", "phase": "Running"}
        for i in range(n_nodes - n_hosts)
    ]
    rels = [{"from": f"pod-{i % len(pods)}", "to": f"b/Node//node-{i % n_hosts}"} for i in range(n_rels)]
    return hosts, pods, rels


def _timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--rels", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=1000)
    args = ap.parse_args()
    hosts, pods, rels = _rows(args.nodes, args.rels)
    url = tempfile.mkdtemp(prefix="cg-bench-") + "/graph.rdb"
    results: dict[str, tuple[float, float]] = {}
    for mode in ("store", "raw"):
        store = open_store(url, graph_name=f"bench_{mode}", batch_size=args.batch)
        assert isinstance(store, FalkorStore)
        store.clear()
        store.apply_schema()

        def write(text: str, rows: list[dict[str, Any]], mode: str = mode, store: FalkorStore = store) -> None:
            if mode == "store":
                store.write(text, rows)  # type: ignore[arg-type]
            else:  # the raw falkordb client, same statements and batches
                for i in range(0, len(rows), args.batch):
                    store._graph.query(text, {"rows": rows[i : i + args.batch]})

        t_nodes = _timed(lambda: (write(merge_nodes(Label.NODE), hosts), write(merge_nodes(Label.POD), pods)))
        t_rels = _timed(lambda: write(merge_rels(Rel.RUNS_ON), rels))
        results[mode] = (args.nodes / t_nodes, args.rels / t_rels)
        count = store.run("MATCH ()-[r:RUNS_ON]->() RETURN count(r) AS n")[0]["n"]
        print(
            f"{mode:5}: nodes {results[mode][0]:>9,.0f} rows/s   rels {results[mode][1]:>9,.0f} rows/s   ({count} rels)"
        )
        store.clear()
        store.close()
    print(
        f"store/raw: nodes {results['store'][0] / results['raw'][0]:.0%}, "
        f"relationships {results['store'][1] / results['raw'][1]:.0%}"
    )


if __name__ == "__main__":
    main()
