"""``causegraph impact``: the blast radius of losing a node or any resource.

causegraph impact node NAME [--cluster C] [--graph URL] [--json]
causegraph impact KIND NAMESPACE NAME [--cluster C] [--graph URL] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from causegraph.settings import Settings
from causegraph.wiring import open_graph
from correlate.impact import TargetNotFound, blast_radius_node, blast_radius_resource
from model.kinds import BY_KIND


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "impact",
        help="blast radius of losing a node or a resource",
        description="What losing a node or a resource takes down: pods, workloads, services (down, degraded, "
        "upstream) and PodDisruptionBudgets that would be violated. "
        "Forms: 'impact node NAME' or 'impact KIND NAMESPACE NAME' (e.g. impact Deployment shop api).",
    )
    p.add_argument("target", nargs="+", metavar="ARG", help="node NAME | KIND NAMESPACE NAME")
    p.add_argument("--cluster", help="cluster name (default: settings kubernetes.cluster)")
    p.add_argument("--graph", metavar="URL", help="graph URL (default: settings)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=run)


def parse_target(args: list[str]) -> tuple[str, str, str]:
    """``(kind, namespace, name)`` from the positional arguments; kind spelled as Kubernetes does."""
    if len(args) == 2 and args[0].lower() == "node":
        return "Node", "", args[1]
    if len(args) != 3:
        raise ValueError("impact: give 'node NAME' or 'KIND NAMESPACE NAME' (e.g. 'Deployment shop api')")
    folded = {k.lower(): k for k in BY_KIND} | {
        "pvc": "PersistentVolumeClaim",
        "pv": "PersistentVolume",
        "deploy": "Deployment",
        "svc": "Service",
        "cm": "ConfigMap",
        "sts": "StatefulSet",
        "ds": "DaemonSet",
    }
    kind = folded.get(args[0].lower())
    if kind is None:
        raise ValueError(f"impact: unknown kind {args[0]!r}; known: {', '.join(sorted(BY_KIND))}")
    return kind, args[1], args[2]


def run(args: argparse.Namespace, settings: Settings) -> int:
    kind, namespace, name = parse_target(list(args.target))
    cluster = args.cluster or settings.kubernetes.cluster
    store = open_graph(settings, args.graph)
    try:
        if kind == "Node":
            radius = blast_radius_node(store, cluster, name)
        else:
            radius = blast_radius_resource(store, cluster, kind, namespace, name)
    except TargetNotFound as exc:
        print(f"causegraph: {exc.args[0]}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(json.dumps(radius, indent=2, sort_keys=True) if args.json else render(radius))
    return 0


def render(radius: dict[str, Any]) -> str:
    """Plain text for a person."""
    lines = [radius["summary"]]
    for s in radius["services"]:
        extra = f" ({s['affected_endpoints']}/{s['endpoints']} endpoints)" if s["status"] != "upstream" else ""
        lines.append(f"  service {s['namespace']}/{s['name']}: {s['status']}{extra}")
    for w in radius["workloads"]:
        lines.append(
            f"  {w['kind'].lower()} {w['namespace']}/{w['name']}: {w['status']} ({w['affected']} of {w['replicas']})"
        )
    for b in radius["pdb_violations"]:
        lines.append(f"  PodDisruptionBudget {b['namespace']}/{b['name']} violated ({b['lost']} of {b['protected']})")
    return "\n".join(lines)
