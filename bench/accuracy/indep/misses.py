"""``python -m bench.accuracy.indep.misses DIR``: after ``bench.accuracy.run`` replayed DIR, name each missed root
and each split incident in terms of the scenario, and count the classes.

Per incident, the correlation ``metrics`` assigns it is read: a wrong root is described by what it named instead
(the root's own pod, a caller, a pod on the root node, another incident's root, a noise event ...); a grouping
loss by where the missing events went (another incident's correlation, a correlation of their own, nowhere).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.accuracy.metrics import Correlation, _assign, last_versions, root_hit

Obj = dict[str, Any]


def _events(folder: Path) -> dict[str, Obj]:
    """Event id -> (reason-ish label, kind, name) of what each line is about."""
    out: dict[str, Obj] = {}
    for raw in (folder / "events.jsonl").open():
        ev = json.loads(raw)
        if ev.get("kind") == "Event":
            ref = ev.get("involvedObject") or ev.get("regarding") or {}
            out[ev["metadata"]["uid"]] = {"what": ev["reason"], "kind": ref.get("kind"), "name": ref.get("name")}
        elif "id" in ev:
            ctx = ev.get("k8s_context") or {}
            label = ev.get("type", "?") + ("/ip-only" if not ctx else "")
            out[ev["id"]] = {"what": label, "kind": ctx.get("kind"), "name": ctx.get("name")}
    return out


def _pod_owner(topology: list[Obj]) -> dict[str, tuple[str, str]]:
    """Pod name -> (node, top workload name)."""
    rs_owner = {
        o["metadata"]["name"]: o["metadata"]["ownerReferences"][0]["name"]
        for o in topology
        if o.get("kind") == "ReplicaSet" and o["metadata"].get("ownerReferences")
    }
    out = {}
    for o in topology:
        if o.get("kind") == "Pod":
            owner = o["metadata"]["ownerReferences"][0]["name"]
            out[o["metadata"]["name"]] = (o["spec"].get("nodeName", ""), rs_owner.get(owner, owner))
    return out


def _describe_root(
    inc: Obj, c: Correlation, truth: Obj, pods: dict[str, tuple[str, str]], events: dict[str, Obj]
) -> str:
    want = inc["root_resource"]
    got = c.root_resource
    what = events.get(c.root, {}).get("what", "change" if "@" in c.root else "?")
    if got is None:
        return f"no root resource (root event {what})"
    kind, _, name = got
    others = [i for i in truth["incidents"] if i is not inc]
    if c.root in set(truth.get("noise_event_ids", [])):
        return f"a background {what} on a {kind}" + (
            " (the root of another incident)"
            if any((o["root_resource"]["kind"], o["root_resource"]["name"]) == (kind, name) for o in others)
            else ""
        )
    if any((o["root_resource"]["kind"], o["root_resource"]["name"]) == (kind, name) for o in others):
        return f"another incident's root ({kind})"
    wl = (inc.get("root_workload") or {}).get("name")
    if kind == "Pod":
        node, owner = pods.get(name, ("", ""))
        if want["kind"] == "Node" and node == want["name"]:
            return f"a pod on the root node ({what})"
        if want["kind"] in ("Deployment", "StatefulSet") and owner == want["name"]:
            return f"one pod of the root workload ({what})"
        if want["kind"] == "Pod" and owner == wl:
            return f"another pod of the root workload ({what})"
        if want["kind"] in ("ConfigMap", "Secret"):
            return f"a pod mounting the changed {want['kind']} ({what})"
        return f"an unrelated/symptom pod ({what})"
    if kind in ("Deployment", "StatefulSet", "DaemonSet"):
        if want["kind"] == "Node":
            return f"a workload with pods on the root node ({kind}, {what})"
        if want["kind"] in ("ConfigMap", "Secret"):
            return f"a workload mounting the changed {want['kind']} ({kind}, {what})"
        return f"a symptom workload ({kind}, {what})"
    if kind == "Node":
        return f"a Node ({what})"
    return f"{kind} ({what})"


def explain(folder: Path) -> tuple[list[str], Counter[str], Counter[str]]:
    truth = json.loads((folder / "truth.json").read_text())
    results = [json.loads(x) for x in (folder / "results.jsonl").open() if x.strip()]
    corrs = last_versions(results)
    chosen = _assign(truth["incidents"], corrs)
    events = _events(folder)
    pods = _pod_owner(json.loads((folder / "topology.json").read_text())["items"])
    owner_of: dict[str, str] = {}
    for inc in truth["incidents"]:
        for e in inc["event_ids"]:
            owner_of[e] = inc["id"]
    lines: list[str] = []
    roots: Counter[str] = Counter()
    splits: Counter[str] = Counter()
    for inc in truth["incidents"]:
        variant = inc.get("variant", "")
        label = inc["kind"] + (" (no node event)" if variant == "no_node_event" else f" ({variant})" if variant else "")
        c = chosen.get(inc["id"])
        if c is None:
            whats = Counter(events.get(e, {"what": "change"})["what"] for e in inc["event_ids"])
            seen = ", ".join(f"{n} {w}" for w, n in whats.most_common())
            homes = [o for o in corrs if o.members & set(inc["event_ids"])]
            if not homes:
                where = "its events in no correlation"
            else:
                held = {owner_of.get(m) for o in homes for m in o.members} - {None, inc["id"]}
                kinds = sorted({k for k, *_ in (o.root_resource or ("?",) for o in homes)})
                where = ("merged into another incident's correlation" if held else "in a noise-rooted correlation") + (
                    f" (root {'/'.join(kinds)})"
                )
            roots[f"{label}: no correlation of its own, {where}"] += 1
            lines.append(f"{inc['id']} {label}: {where}; its events: {seen}")
            continue
        ok, _ = root_hit(inc, c)
        if not ok:
            desc = _describe_root(inc, c, truth, pods, events)
            roots[f"{label}: root given to {desc}"] += 1
            lines.append(
                f"{inc['id']} {label}: root {c.root_resource} instead of {inc['root_resource']['name']}: {desc}"
            )
        missing = [e for e in inc["event_ids"] if e not in c.members]
        for e in missing:
            homes = [o for o in corrs if e in o.members]
            if not homes:
                where = "in no correlation"
            else:
                held = {owner_of.get(m) for m in homes[0].members} - {None}
                where = (
                    "in another incident's correlation"
                    if held - {inc["id"]}
                    else "in a correlation of their own (split)"
                )
            ev = events.get(e, {"what": "change" if "@" in e else "?"})
            splits[f"{label}: {ev['what']} {where}"] += 1
    return lines, roots, splits


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.accuracy.indep.misses", description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", type=Path, nargs="+")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per missed root")
    args = parser.parse_args(argv)
    roots: Counter[str] = Counter()
    splits: Counter[str] = Counter()
    for top in args.scenarios:
        for folder in sorted(p.parent for p in top.glob("*/results.jsonl")):
            lines, r, s = explain(folder)
            roots.update(r)
            splits.update(s)
            if args.verbose and lines:
                print("\n".join(lines))
    print("root misses by class:")
    for k, n in roots.most_common():
        print(f"  {n:3d}  {k}")
    print("incident events outside the incident's correlation:")
    for k, n in splits.most_common():
        print(f"  {n:3d}  {k}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
