"""``causegraph stats``: what is in the graph, by label and by relationship type."""

from __future__ import annotations

import argparse
import json
from typing import Any

from causegraph.settings import Settings
from causegraph.wiring import open_graph


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("stats", help="count nodes by label and relationships by type")
    p.add_argument("--graph", metavar="URL", help="graph URL (default: settings)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=run)


def collect(store: Any) -> dict[str, Any]:
    """Counts as a plain dict."""
    nodes = {r["label"]: r["count"] for r in store.query("graph_stats_nodes")}
    rels = {r["type"]: r["count"] for r in store.query("graph_stats_relationships")}
    return {"backend": store.backend, "url": store.url, "nodes": nodes, "relationships": rels}


def run(args: argparse.Namespace, settings: Settings) -> int:
    store = open_graph(settings, args.graph)
    try:
        stats = collect(store)
    finally:
        store.close()
    if args.json:
        print(json.dumps(stats, indent=2, sort_keys=True))
    else:
        print(f"graph {stats['url']} ({stats['backend']})")
        for label, n in stats["nodes"].items():
            print(f"  ({label}) {n}")
        for rel, n in stats["relationships"].items():
            print(f"  [:{rel}] {n}")
    return 0
