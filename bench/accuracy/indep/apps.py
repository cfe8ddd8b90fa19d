"""The real applications in ``data/topologies``: manifests and call graphs, read as published.

An app is a set of *components* (the nodes of ``<app>.calls.json``); each component is served by the workloads a
Service of that name selects, or, for a consumer without a Service, by the workload of that name. The generator
only needs which workload backs which component, who calls whom, and which components are datastores.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

Obj = dict[str, Any]

DATA = Path(__file__).resolve().parents[3] / "data" / "topologies"
SHARED = Path("/work/shared/data/topologies")
KEPT_KINDS = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "Service", "ConfigMap", "Secret", "PersistentVolumeClaim"}
)
# Image or name fragments that say "this keeps state": such components lose data on an OOM and their callers time out.
_STORE = re.compile(r"(mongo|redis|mysql|postgres|memcached|rabbitmq|kafka|valkey|cassandra|-db\b|db$|-cart$)")


@dataclass
class Component:
    """A node of the call graph and the manifest objects behind it."""

    name: str
    workloads: list[Obj] = field(default_factory=list)
    service: Obj | None = None
    callees: list[str] = field(default_factory=list)
    callers: list[str] = field(default_factory=list)

    @property
    def datastore(self) -> bool:
        images = " ".join(c.get("image", "") for w in self.workloads for c in containers(w))
        return bool(_STORE.search(self.name) or _STORE.search(images.split(":")[0] if images else ""))


@dataclass
class App:
    """One application: its name, components, and the other manifest objects (ConfigMaps, Secrets, PVCs)."""

    name: str
    components: dict[str, Component]
    extras: list[Obj]


def containers(workload: Obj) -> list[Obj]:
    spec = workload.get("spec", {}).get("template", {}).get("spec", {})
    return [c for c in spec.get("containers", []) if isinstance(c, dict)]


def _folder() -> Path:
    return DATA if DATA.is_dir() and any(DATA.glob("*.calls.json")) else SHARED


def app_names() -> list[str]:
    return sorted(p.name.removesuffix(".calls.json") for p in _folder().glob("*.calls.json"))


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


@cache
def _load(name: str) -> tuple[str, str]:
    folder = _folder()
    return (folder / f"{name}.yaml").read_text(), (folder / f"{name}.calls.json").read_text()


def load(name: str) -> App:
    """A fresh copy of one app (callers mutate what they get)."""
    text, calls_text = _load(name)
    docs = [d for d in yaml.safe_load_all(text) if isinstance(d, dict) and d.get("kind") in KEPT_KINDS]
    calls: dict[str, list[str]] = json.loads(calls_text)
    workloads = [d for d in docs if d["kind"] in ("Deployment", "StatefulSet", "DaemonSet")]
    services = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Service"}
    comps: dict[str, Component] = {}
    for comp in calls:
        c = Component(comp, callees=sorted(set(calls[comp])))
        svc = services.get(comp)
        if svc is not None:
            c.service = svc
            selector = svc.get("spec", {}).get("selector") or {}
            c.workloads = [
                w
                for w in workloads
                if _selects(selector, w.get("spec", {}).get("template", {}).get("metadata", {}).get("labels") or {})
            ]
        if not c.workloads:
            c.workloads = [w for w in workloads if w["metadata"]["name"] == comp]
        comps[comp] = c
    for c in comps.values():
        c.callees = [x for x in c.callees if x in comps]
        for callee in c.callees:
            comps[callee].callers.append(c.name)
    # Components with no workload (a Service over another app's pods) stay out: nothing of theirs can fail.
    comps = {k: v for k, v in comps.items() if v.workloads}
    for c in comps.values():
        c.callees = [x for x in c.callees if x in comps]
        c.callers = sorted(x for x in set(c.callers) if x in comps)
    extras = [d for d in docs if d["kind"] in ("ConfigMap", "Secret", "PersistentVolumeClaim")]
    return App(name, comps, extras)
