"""The real benchmark apps: their manifests and call graphs from ``data/topologies`` (the shared data, kept in the
repository), read as they are.

Why: the incidents must happen in topologies people actually deploy, with the service names, labels, ports and call
edges of the real apps, not in a shape invented to suit a correlation rule.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Obj = dict[str, Any]
DATA = Path(__file__).resolve().parents[3] / "data" / "topologies"  # the repository's copy of the shared data
APPS = ("online-boutique", "sock-shop", "hotel-reservation", "social-network", "bookinfo", "otel-demo", "train-ticket")
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")
# Words in a workload's name or image that mark it as a data store (a database, cache, broker or search engine).
STORE_WORDS = ("redis", "mongo", "mysql", "memcached", "rabbitmq", "kafka", "valkey", "postgres", "opensearch", "-db")
# Workloads that are tooling around the app rather than the app (they take no part in incidents).
TOOLING = (
    "jaeger",
    "grafana",
    "prometheus",
    "otel-collector",
    "consul",
    "loadgenerator",
    "load-generator",
    "ubuntu-client",
)


@dataclass
class Workload:
    kind: str
    name: str
    manifest: Obj
    labels: dict[str, str]  # the pod template's labels

    @property
    def datastore(self) -> bool:
        images = " ".join(c.get("image", "") for c in self.manifest["spec"]["template"]["spec"].get("containers", []))
        text = f"{self.name} {images}".lower()
        return any(w in text for w in STORE_WORDS)

    @property
    def tooling(self) -> bool:
        return any(self.name.startswith(t) for t in TOOLING)


@dataclass
class App:
    name: str
    namespace: str
    workloads: list[Workload]
    services: list[Obj]
    others: list[Obj]  # ConfigMaps, Secrets, PVCs, PVs, ServiceAccounts kept from the manifests
    calls: dict[str, list[str]] = field(default_factory=dict)


def load(name: str) -> App:
    docs = [d for d in yaml.safe_load_all((DATA / f"{name}.yaml").read_text()) if isinstance(d, dict)]
    calls = json.loads((DATA / f"{name}.calls.json").read_text())
    namespaces = {d["metadata"].get("namespace") for d in docs if d.get("kind") in WORKLOAD_KINDS}
    ns = next((n for n in sorted(n for n in namespaces if n)), name)
    workloads, services, others = [], [], []
    for d in docs:
        d = copy.deepcopy(d)
        kind = d.get("kind")
        if kind in WORKLOAD_KINDS:
            labels = dict(d["spec"]["template"].get("metadata", {}).get("labels") or {})
            workloads.append(Workload(kind, d["metadata"]["name"], d, labels))
        elif kind == "Service":
            services.append(d)
        elif kind in ("ConfigMap", "Secret", "PersistentVolumeClaim", "PersistentVolume", "ServiceAccount"):
            others.append(d)
    return App(name, ns, workloads, services, others, {k: list(v) for k, v in calls.items()})
