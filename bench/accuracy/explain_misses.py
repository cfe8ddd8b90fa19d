"""Where each incident's events went and why its root was missed: a reading aid for development seeds only.

.venv/bin/python -m bench.accuracy.explain_misses bench/out/dev [--scenario s003]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.accuracy.metrics import _assign, last_versions, root_hit


def _events(folder: Path) -> dict[str, dict[str, Any]]:
    """Event id -> a short description (reason, what it is about) from the scenario's input."""
    out: dict[str, dict[str, Any]] = {}
    for line in (folder / "events.jsonl").read_text().splitlines():
        o = json.loads(line)
        if "object" in o and "type" in o and o.get("kind") != "Event":
            obj = o["object"]
            md = obj.get("metadata", {})
            eid = f"{md.get('uid')}@{md.get('resourceVersion')}"
            out[eid] = {"reason": f"{o['type']} {obj.get('kind')}", "about": md.get("name", "")}
        elif o.get("kind") == "Event" or "involvedObject" in o or "regarding" in o:
            md = o.get("metadata", {})
            inv = o.get("involvedObject") or o.get("regarding") or {}
            out[md.get("uid", "")] = {"reason": o.get("reason", ""), "about": f"{inv.get('kind')}/{inv.get('name')}"}
        else:
            ctx = o.get("k8s_context") or o.get("entity") or {}
            net = o.get("network") or {}
            about = ctx.get("name") or f"{net.get('source_ip')}->{net.get('dest_ip')}"
            reason = (o.get("kubernetes") or {}).get("reason") or o.get("type", "")
            out[o.get("id", "")] = {"reason": f"{reason}:{o.get('message', '')[:40]}", "about": about}
    return out


def show(folder: Path) -> None:
    truth = json.loads((folder / "truth.json").read_text())
    results = [json.loads(x) for x in (folder / "results.jsonl").read_text().splitlines() if x.strip()]
    corrs = last_versions(results)
    docs = {}
    for r in results:
        docs[r["id"]] = r
    ev = _events(folder)
    noise = set(truth.get("noise_event_ids", []))
    owner = {e: inc["id"] for inc in truth["incidents"] for e in inc["event_ids"]}
    chosen = _assign(truth["incidents"], corrs)
    print(f"== {folder.name}")
    for inc in truth["incidents"]:
        c = chosen.get(inc["id"])
        hit, _ = root_hit(inc, c)
        rr = inc.get("root_resource", {})
        print(f"  {inc['id']} {inc['kind']} root {rr.get('kind')}/{rr.get('name')} [{'ok' if hit else 'MISS'}]")
        if c is None:
            print("    no correlation")
            continue
        d = docs[c.id]
        res = d["root_cause"]["resource"]
        print(
            f"    -> {c.id[:12]} {d['type']} root {res['kind']}/{res['name']} ev={d['root_cause']['event_id'][:12]}"
            f" {ev.get(d['root_cause']['event_id'], {}).get('reason', '')}"
        )
        for e in inc["event_ids"]:
            if e not in c.members:
                where = next((o.id[:12] for o in corrs if e in o.members), "-")
                print(f"    missing {ev.get(e, {}).get('reason', e)} on {ev.get(e, {}).get('about')} in {where}")
        for e in sorted(c.members):
            if e in noise or (e in owner and owner[e] != inc["id"]):
                tag = "noise" if e in noise else owner[e]
                print(f"    extra[{tag}] {ev.get(e, {}).get('reason', e)} on {ev.get(e, {}).get('about')}")
    for c in corrs:
        if not (c.members & set(owner)) and not any(
            e in inc.get("context_event_ids", []) for inc in truth["incidents"] for e in c.members
        ):
            d = docs[c.id]
            root = d["root_cause"]["resource"]["name"]
            print(f"  noise-only {c.id[:12]} {d['type']} conf={d['confidence']} root={root}")
            for e in sorted(c.members):
                print(f"      {ev.get(e, {}).get('reason')} on {ev.get(e, {}).get('about')}")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("folder", type=Path)
    p.add_argument("--scenario", default="")
    a = p.parse_args(argv)
    for f in sorted(a.folder.iterdir()):
        if f.is_dir() and f.name.startswith(a.scenario) and (f / "results.jsonl").exists():
            show(f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
