"""``causegraph groups``: what is failing now, grouped by top-level owner."""

from __future__ import annotations

import argparse
import json

from causegraph.settings import Settings
from causegraph.wiring import open_graph
from correlate.groups import failing_groups
from ingest.clock import event_clock
from model.times import now_ms


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("groups", help="what is failing now, grouped by top-level owner")
    p.add_argument("--cluster", help="only this cluster (default: all)")
    p.add_argument("--limit", type=int, default=100, help="at most this many groups (default 100)")
    p.add_argument("--graph", metavar="URL", help="graph URL (default: settings)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.limit < 1:
        raise ValueError("groups: --limit must be at least 1")
    store = open_graph(settings, args.graph)
    try:
        clock_ms = event_clock(store, now_ms(), settings.ingest.max_future_ms)
        groups = failing_groups(store, args.cluster, args.limit, now_ms=clock_ms)
    finally:
        store.close()
    if args.json:
        print(json.dumps(groups, indent=2, sort_keys=True))
    elif not groups:
        print("nothing is failing")
    else:
        for g in groups:
            print(g["summary"])
    return 0
