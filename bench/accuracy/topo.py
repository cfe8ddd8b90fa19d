"""An app from ``data/topologies`` as a materialised cluster, indexed the way fault generators ask about it:
which pods serve a call-graph service, who calls it, what runs on a node, which workloads use a ConfigMap."""

from __future__ import annotations

import copy
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from causegraph.demo.synthcluster import default_namespace, materialise

Obj = dict[str, Any]
DATASTORE = re.compile(r"redis|mongo|mysql|memcached|postgres|valkey|-db$|rabbitmq|kafka|cache|opensearch")


def _labels(o: Obj) -> dict[str, str]:
    return dict(o["metadata"].get("labels") or {})


def _template_configmaps(doc: Obj) -> set[str]:
    spec = doc.get("spec", {}).get("template", {}).get("spec", {}) or {}
    refs = {v["configMap"]["name"] for v in spec.get("volumes") or [] if "configMap" in v}
    for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        refs |= {e["configMapRef"]["name"] for e in c.get("envFrom") or [] if "configMapRef" in e}
        refs |= {
            e["valueFrom"]["configMapKeyRef"]["name"]
            for e in c.get("env") or []
            if "configMapKeyRef" in (e.get("valueFrom") or {})
        }
    return refs


def add_configmaps(manifests: list[Obj], rng: random.Random, calls: dict[str, list[str]]) -> list[Obj]:
    """Apps whose manifests mount no ConfigMap get one per few services (a mounted ``<name>-config``), as most
    real apps have, so the config-change fault has something to change."""
    docs = copy.deepcopy(manifests)
    workloads = [d for d in docs if d.get("kind") in ("Deployment", "StatefulSet")]
    present = {d["metadata"]["name"] for d in docs if d.get("kind") == "ConfigMap"}
    if any(_template_configmaps(d) & present for d in workloads):
        return docs
    stateless = [d for d in workloads if not DATASTORE.search(d["metadata"]["name"])]
    for d in rng.sample(stateless, k=min(len(stateless), max(2, len(stateless) // 3))):
        name = f"{d['metadata']['name']}-config"
        ns = d["metadata"].get("namespace")
        cm: Obj = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, **({"namespace": ns} if ns else {})},
            "data": {
                "LOG_LEVEL": "info",
                "MAX_CONNECTIONS": "100",
                "REQUEST_TIMEOUT": "5s",
                "config.yaml": "server:\n  port: 8080\nfeatures:\n  cache: true\n",
            },
        }
        docs.append(cm)
        spec = d["spec"]["template"]["spec"]
        spec.setdefault("volumes", []).append({"name": "app-config", "configMap": {"name": name}})
        for c in spec["containers"]:
            c.setdefault("volumeMounts", []).append({"name": "app-config", "mountPath": "/etc/app", "readOnly": True})
    return docs


@dataclass
class ClusterView:
    """The materialised objects of one app and the lookups the faults need."""

    app: str
    objects: list[Obj]
    calls: dict[str, list[str]]
    namespace: str
    by_uid: dict[str, Obj] = field(default_factory=dict)
    pods_of_service: dict[str, list[Obj]] = field(default_factory=dict)
    workload_of_pod: dict[str, Obj] = field(default_factory=dict)
    service_obj: dict[str, Obj] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_uid = {o["metadata"]["uid"]: o for o in self.objects}
        for pod in self.kind("Pod"):
            owner = self.by_uid[pod["metadata"]["ownerReferences"][0]["uid"]]
            if owner["kind"] == "ReplicaSet":
                owner = self.by_uid[owner["metadata"]["ownerReferences"][0]["uid"]]
            self.workload_of_pod[pod["metadata"]["uid"]] = owner
        services = {s["metadata"]["name"]: s for s in self.kind("Service")}
        workloads = {w["metadata"]["name"]: w for w in self.workloads()}
        for name in self.calls:
            svc = services.get(name)
            if svc is not None and svc["spec"].get("selector"):
                sel = svc["spec"]["selector"]
                self.service_obj[name] = svc
                self.pods_of_service[name] = [
                    p for p in self.kind("Pod") if all(_labels(p).get(k) == v for k, v in sel.items())
                ]
            elif name in workloads:
                uid = workloads[name]["metadata"]["uid"]
                self.pods_of_service[name] = [
                    p for p in self.kind("Pod") if self.workload_of_pod[p["metadata"]["uid"]]["metadata"]["uid"] == uid
                ]
            else:
                self.pods_of_service[name] = []

    def kind(self, kind: str) -> list[Obj]:
        return [o for o in self.objects if o["kind"] == kind]

    def workloads(self) -> list[Obj]:
        return [o for o in self.objects if o["kind"] in ("Deployment", "StatefulSet", "DaemonSet")]

    def callers(self, service: str) -> list[str]:
        return sorted(k for k, v in self.calls.items() if service in v and self.pods_of_service.get(k))

    def services_with_pods(self) -> list[str]:
        return sorted(s for s, pods in self.pods_of_service.items() if pods)

    def service_of_pod(self, pod: Obj) -> str:
        for name, pods in self.pods_of_service.items():
            if any(p["metadata"]["uid"] == pod["metadata"]["uid"] for p in pods):
                return name
        return ""

    def pods_on(self, node_name: str) -> list[Obj]:
        return [p for p in self.kind("Pod") if p["spec"]["nodeName"] == node_name]

    def node(self, name: str) -> Obj:
        return next(n for n in self.kind("Node") if n["metadata"]["name"] == name)

    def workload(self, pod: Obj) -> Obj:
        return self.workload_of_pod[pod["metadata"]["uid"]]

    def configmap_users(self) -> dict[str, list[Obj]]:
        """ConfigMap name -> the workloads whose pod template uses it."""
        users: dict[str, list[Obj]] = {}
        for w in self.workloads():
            for cm in _template_configmaps(w):
                users.setdefault(cm, []).append(w)
        known = {c["metadata"]["name"] for c in self.kind("ConfigMap")}
        return {k: v for k, v in sorted(users.items()) if k in known}

    def pods_of_workload(self, workload: Obj) -> list[Obj]:
        uid = workload["metadata"]["uid"]
        return [p for p in self.kind("Pod") if self.workload_of_pod[p["metadata"]["uid"]]["metadata"]["uid"] == uid]

    def service_ip(self, service: str) -> str:
        svc = self.service_obj.get(service)
        return str(svc["spec"].get("clusterIP", "")) if svc else ""

    def service_port(self, service: str) -> int:
        svc = self.service_obj.get(service)
        ports = (svc or {}).get("spec", {}).get("ports") or []
        return int(ports[0]["port"]) if ports else 8080


APPS = ("online-boutique", "sock-shop", "hotel-reservation", "social-network", "bookinfo", "train-ticket", "otel-demo")


def load_app(
    topologies: Path, app: str, rng: random.Random, *, cluster: str, nodes: int, seed: int, start_ms: int
) -> ClusterView:
    """Materialise ``app`` with a few replicas on stateless services (datastores stay single)."""
    manifests = [d for d in yaml.safe_load_all((topologies / f"{app}.yaml").read_text()) if isinstance(d, dict)]
    calls: dict[str, list[str]] = json.loads((topologies / f"{app}.calls.json").read_text())
    manifests = add_configmaps(manifests, rng, calls)
    replicas = {
        d["metadata"]["name"]: (1 if DATASTORE.search(d["metadata"]["name"]) else rng.choice((1, 1, 2, 2, 3)))
        for d in manifests
        if d.get("kind") == "Deployment"
    }
    objects = materialise(manifests, cluster=cluster, nodes=nodes, seed=seed, start_ms=start_ms, replicas=replicas)
    return ClusterView(app=app, objects=objects, calls=calls, namespace=default_namespace(manifests))
