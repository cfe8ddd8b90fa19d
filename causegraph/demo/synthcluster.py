"""Materialise application manifests into the API objects a running cluster would serve.

``make demo`` and the accuracy benchmark both need a cluster that looks real (uids, owner chains, pod IPs,
endpoints) without a cluster. This turns Deployments/StatefulSets/DaemonSets/Services/ConfigMaps from a manifest
file into Nodes, Namespaces, ReplicaSets, Pods, Services with cluster IPs, Endpoints and EndpointSlices, as the
API server would list them. Pure and deterministic for a seed: the same input gives byte-identical output.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from model.resource import SAFE_ALPHABET

Obj = dict[str, Any]

DEFAULT_START_MS = 1_777_622_400_000  # 2026-05-01T08:00:00Z
_DAY_MS = 86_400_000
_ZONES = ("a", "b", "c")
_PASS_THROUGH = ("ConfigMap", "Secret", "PersistentVolumeClaim", "PersistentVolume", "PodDisruptionBudget", "Ingress")
_WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet")


def iso(ms: int) -> str:
    """RFC3339 at second precision, as the API server writes metadata timestamps."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _safe_encode(digest: bytes, length: int) -> str:
    return "".join(SAFE_ALPHABET[b % len(SAFE_ALPHABET)] for b in digest[:length])


@dataclass
class _Ctx:
    """Counters and generators shared while materialising one cluster."""

    cluster: str
    seed: int
    start_ms: int
    rng: random.Random
    rv: int = 1000
    service_ips: set[str] = field(default_factory=set)

    def uid(self, *parts: str) -> str:
        digest = hashlib.sha256("/".join((str(self.seed), self.cluster, *parts)).encode()).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))

    def suffix(self, length: int, *parts: str) -> str:
        return _safe_encode(hashlib.sha256("/".join((str(self.seed), *parts)).encode()).digest(), length)

    def next_rv(self) -> str:
        self.rv += self.rng.randint(1, 40)
        return str(self.rv)

    def meta(self, kind: str, name: str, namespace: str, created_ms: int, src: Obj | None = None) -> Obj:
        """metadata as the API server returns it, keeping the manifest's labels and annotations."""
        src = src or {}
        meta: Obj = {"name": name}
        if namespace:
            meta["namespace"] = namespace
        meta["uid"] = self.uid(kind, namespace, name)
        meta["resourceVersion"] = self.next_rv()
        meta["creationTimestamp"] = iso(created_ms)
        if src.get("labels"):
            meta["labels"] = dict(src["labels"])
        if src.get("annotations"):
            meta["annotations"] = dict(src["annotations"])
        return meta


def _pod_template_hash(template: Obj) -> str:
    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).digest()
    return _safe_encode(digest, 10)


def _namespace_of(doc: Obj, default_ns: str) -> str:
    ns = (doc.get("metadata") or {}).get("namespace")
    return str(ns) if ns else default_ns


def default_namespace(manifests: list[Obj]) -> str:
    """The namespace for objects that name none: the manifest's only Namespace object, else ``default``."""
    names = [
        d["metadata"]["name"]
        for d in manifests
        if isinstance(d, dict) and d.get("kind") == "Namespace" and d.get("metadata")
    ]
    return str(names[0]) if len(names) == 1 else "default"


def _matches(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _make_nodes(ctx: _Ctx, count: int) -> list[Obj]:
    nodes: list[Obj] = []
    for i in range(count):
        name = f"{ctx.cluster}-pool-1-{ctx.suffix(4, 'node', str(i))}"
        zone = f"europe-west1-{_ZONES[i % len(_ZONES)]}"
        created = ctx.start_ms - 30 * _DAY_MS + i * 60_000
        meta = ctx.meta("Node", name, "", created)
        meta["labels"] = {
            "beta.kubernetes.io/arch": "amd64",
            "beta.kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
            "kubernetes.io/hostname": name,
            "kubernetes.io/os": "linux",
            "node.kubernetes.io/instance-type": "e2-standard-4",
            "topology.kubernetes.io/region": "europe-west1",
            "topology.kubernetes.io/zone": zone,
        }
        meta["annotations"] = {"node.alpha.kubernetes.io/ttl": "0"}
        heartbeat = iso(ctx.start_ms - 10_000)
        since = iso(created + 30_000)
        conditions = [
            ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
        ]
        nodes.append(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": meta,
                "spec": {
                    "podCIDR": f"10.244.{i}.0/24",
                    "podCIDRs": [f"10.244.{i}.0/24"],
                    "providerID": f"gce://causegraph-demo/{zone}/{name}",
                },
                "status": {
                    "addresses": [
                        {"type": "InternalIP", "address": f"10.132.0.{10 + i}"},
                        {"type": "Hostname", "address": name},
                    ],
                    "allocatable": {
                        "cpu": "3920m",
                        "ephemeral-storage": "47060071478",
                        "memory": "13292736Ki",
                        "pods": "110",
                    },
                    "capacity": {"cpu": "4", "ephemeral-storage": "98831908Ki", "memory": "16393408Ki", "pods": "110"},
                    "conditions": [
                        {
                            "type": t,
                            "status": s,
                            "reason": r,
                            "message": m,
                            "lastHeartbeatTime": heartbeat,
                            "lastTransitionTime": since,
                        }
                        for t, s, r, m in conditions
                    ],
                    "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                    "nodeInfo": {
                        "architecture": "amd64",
                        "containerRuntimeVersion": "containerd://1.7.24",
                        "kernelVersion": "6.6.56+",
                        "kubeProxyVersion": "v1.31.5",
                        "kubeletVersion": "v1.31.5",
                        "machineID": ctx.suffix(16, "machine", name),
                        "operatingSystem": "linux",
                        "osImage": "Container-Optimized OS from Google",
                        "systemUUID": ctx.uid("system", name),
                    },
                },
            }
        )
    return nodes


def _node_ip(node: Obj) -> str:
    return str(node["status"]["addresses"][0]["address"])


def _container_defaults(container: Obj) -> Obj:
    c = copy.deepcopy(container)
    image = str(c.get("image", ""))
    c.setdefault("imagePullPolicy", "Always" if image.endswith(":latest") or ":" not in image else "IfNotPresent")
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    c.setdefault("resources", {})
    for port in c.get("ports") or []:
        port.setdefault("protocol", "TCP")
    return c


def _qos(containers: list[Obj]) -> str:
    res = [c.get("resources") or {} for c in containers]
    if any(r.get("limits") or r.get("requests") for r in res):
        guaranteed = all(
            (r.get("limits") or {}).get(k)
            and (r.get("requests") or {}).get(k, (r.get("limits") or {}).get(k)) == (r.get("limits") or {}).get(k)
            for r in res
            for k in ("cpu", "memory")
        )
        return "Guaranteed" if guaranteed else "Burstable"
    return "BestEffort"


@dataclass
class _PodPlacer:
    """Spreads pods over nodes (least loaded, ties in a seeded order) and hands out unique pod IPs per node CIDR."""

    nodes: list[Obj]
    rng: random.Random
    load: list[int] = field(default_factory=list)
    next_ip: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.load = [0] * len(self.nodes)
        self.next_ip = [2] * len(self.nodes)

    def place(self, node_index: int | None = None) -> tuple[int, str]:
        if node_index is None:
            low = min(self.load)
            candidates = [i for i, n in enumerate(self.load) if n == low]
            node_index = self.rng.choice(candidates)
        self.load[node_index] += 1
        host = self.next_ip[node_index]
        self.next_ip[node_index] += 1
        if host > 254:
            raise ValueError(f"more than 253 pods on node {self.nodes[node_index]['metadata']['name']}")
        return node_index, f"10.244.{node_index}.{host}"


def _make_pod(
    ctx: _Ctx,
    placer: _PodPlacer,
    *,
    name: str,
    namespace: str,
    template: Obj,
    owner: Obj,
    extra_labels: Mapping[str, str],
    created_ms: int,
    node_index: int | None = None,
) -> Obj:
    tmeta = template.get("metadata") or {}
    spec = copy.deepcopy(template.get("spec") or {})
    idx, ip = placer.place(node_index)
    node = placer.nodes[idx]
    spec["containers"] = [_container_defaults(c) for c in spec.get("containers") or []]
    if spec.get("initContainers"):
        spec["initContainers"] = [_container_defaults(c) for c in spec["initContainers"]]
    spec["nodeName"] = node["metadata"]["name"]
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("serviceAccountName", "default")
    spec["serviceAccount"] = spec["serviceAccountName"]
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("securityContext", {})
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("priority", 0)
    spec.setdefault(
        "tolerations",
        [
            {
                "key": "node.kubernetes.io/not-ready",
                "operator": "Exists",
                "effect": "NoExecute",
                "tolerationSeconds": 300,
            },
            {
                "key": "node.kubernetes.io/unreachable",
                "operator": "Exists",
                "effect": "NoExecute",
                "tolerationSeconds": 300,
            },
        ],
    )
    meta = ctx.meta("Pod", name, namespace, created_ms, tmeta)
    meta["labels"] = {**(tmeta.get("labels") or {}), **extra_labels}
    meta["generateName"] = name.rsplit("-", 1)[0] + "-" if owner["kind"] == "ReplicaSet" else None
    if meta["generateName"] is None:
        del meta["generateName"]
    meta["ownerReferences"] = [
        {
            "apiVersion": "apps/v1",
            "kind": owner["kind"],
            "name": owner["metadata"]["name"],
            "uid": owner["metadata"]["uid"],
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    started = created_ms + 1_000 + ctx.rng.randint(0, 4_000)
    ready = started + 2_000 + ctx.rng.randint(0, 8_000)
    statuses = []
    for c in spec["containers"]:
        statuses.append(
            {
                "name": c["name"],
                "image": c.get("image", ""),
                "imageID": f"{str(c.get('image', '')).split(':')[0]}@sha256:"
                + hashlib.sha256(str(c.get("image", "")).encode()).hexdigest(),
                "containerID": "containerd://" + hashlib.sha256(f"{meta['uid']}/{c['name']}".encode()).hexdigest(),
                "ready": True,
                "started": True,
                "restartCount": 0,
                "lastState": {},
                "state": {"running": {"startedAt": iso(started)}},
            }
        )
    conditions = [
        ("PodReadyToStartContainers", started),
        ("Initialized", created_ms + 500),
        ("Ready", ready),
        ("ContainersReady", ready),
        ("PodScheduled", created_ms),
    ]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": spec,
        "status": {
            "phase": "Running",
            "conditions": [
                {"type": t, "status": "True", "lastProbeTime": None, "lastTransitionTime": iso(ms)}
                for t, ms in conditions
            ],
            "hostIP": _node_ip(node),
            "hostIPs": [{"ip": _node_ip(node)}],
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "startTime": iso(created_ms),
            "qosClass": _qos(spec["containers"]),
            "containerStatuses": statuses,
        },
    }


def _workload_status(kind: str, replicas: int, generation: int) -> Obj:
    if kind == "DaemonSet":
        return {
            "currentNumberScheduled": replicas,
            "desiredNumberScheduled": replicas,
            "numberAvailable": replicas,
            "numberMisscheduled": 0,
            "numberReady": replicas,
            "observedGeneration": generation,
            "updatedNumberScheduled": replicas,
        }
    status: Obj = {
        "observedGeneration": generation,
        "replicas": replicas,
        "readyReplicas": replicas,
        "availableReplicas": replicas,
        "updatedReplicas": replicas,
    }
    if kind == "StatefulSet":
        status["currentReplicas"] = replicas
    return status


def _service_ip(ctx: _Ctx, name: str, namespace: str) -> str:
    digest = hashlib.sha256(f"{ctx.seed}/{namespace}/{name}".encode()).digest()
    n = int.from_bytes(digest[:2]) % 65000 + 20
    while True:
        ip = f"10.96.{n // 254 % 256}.{n % 254 + 1}"
        if ip not in ctx.service_ips and ip != "10.96.0.1":
            ctx.service_ips.add(ip)
            return ip
        n += 1


def _resolve_target_port(port: Obj, pod: Obj) -> int | None:
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    for c in pod["spec"].get("containers") or []:
        for p in c.get("ports") or []:
            if p.get("name") == target:
                return int(p["containerPort"])
    return None


def _zone_of(nodes: list[Obj], node_name: str) -> str:
    for n in nodes:
        if n["metadata"]["name"] == node_name:
            return str(n["metadata"]["labels"]["topology.kubernetes.io/zone"])
    return ""


def _make_service_objects(ctx: _Ctx, doc: Obj, namespace: str, pods: list[Obj], nodes: list[Obj]) -> list[Obj]:
    name = doc["metadata"]["name"]
    created = ctx.start_ms - 3 * _DAY_MS + 700_000
    svc = copy.deepcopy(doc)
    svc["apiVersion"] = "v1"
    svc["metadata"] = ctx.meta("Service", name, namespace, created, doc.get("metadata"))
    spec = svc.setdefault("spec", {})
    spec.setdefault("type", "ClusterIP")
    if spec.get("clusterIP") != "None":
        spec["clusterIP"] = _service_ip(ctx, name, namespace)
    spec["clusterIPs"] = [spec["clusterIP"]]
    spec.setdefault("ipFamilies", ["IPv4"])
    spec.setdefault("ipFamilyPolicy", "SingleStack")
    spec.setdefault("sessionAffinity", "None")
    spec.setdefault("internalTrafficPolicy", "Cluster")
    for i, port in enumerate(spec.get("ports") or []):
        port.setdefault("protocol", "TCP")
        port.setdefault("targetPort", port.get("port"))
        if spec["type"] in ("NodePort", "LoadBalancer") and "nodePort" not in port:
            port["nodePort"] = 30000 + (
                int.from_bytes(hashlib.sha256(f"{ctx.seed}/{name}/{i}".encode()).digest()[:2]) % 2767
            )
    svc["status"] = {"loadBalancer": {}}
    if spec["type"] == "LoadBalancer":
        svc["status"]["loadBalancer"] = {
            "ingress": [{"ip": f"34.76.{len(ctx.service_ips) % 250}.{10 + len(name)}", "ipMode": "VIP"}]
        }
    out = [svc]
    selector = spec.get("selector") or {}
    if not selector:
        return out
    members = [
        p
        for p in pods
        if p["metadata"].get("namespace") == namespace and _matches(selector, p["metadata"].get("labels") or {})
    ]
    ep_created = created + 2_000
    ports = spec.get("ports") or []
    resolved = [(p, _resolve_target_port(p, members[0]) if members else None) for p in ports]
    ep_ports = [
        {k: v for k, v in (("name", p.get("name")), ("port", tp), ("protocol", p["protocol"])) if v is not None}
        for p, tp in resolved
        if tp is not None
    ]
    endpoints: Obj = {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": ctx.meta("Endpoints", name, namespace, ep_created, {"labels": doc["metadata"].get("labels")}),
    }
    if members:
        endpoints["subsets"] = [
            {
                "addresses": [
                    {
                        "ip": p["status"]["podIP"],
                        "nodeName": p["spec"]["nodeName"],
                        "targetRef": _pod_ref(p, namespace),
                    }
                    for p in members
                ],
                "ports": ep_ports,
            }
        ]
    slice_name = f"{name}-{ctx.suffix(5, 'eps', namespace, name)}"
    eps_meta = ctx.meta("EndpointSlice", slice_name, namespace, ep_created, {"labels": doc["metadata"].get("labels")})
    eps_meta["generateName"] = f"{name}-"
    eps_meta["labels"] = {
        **(eps_meta.get("labels") or {}),
        "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
        "kubernetes.io/service-name": name,
    }
    eps_meta["ownerReferences"] = [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "name": name,
            "uid": svc["metadata"]["uid"],
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    slice_obj: Obj = {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": eps_meta,
        "addressType": "IPv4",
        "endpoints": [
            {
                "addresses": [p["status"]["podIP"]],
                "conditions": {"ready": True, "serving": True, "terminating": False},
                "nodeName": p["spec"]["nodeName"],
                "zone": _zone_of(nodes, p["spec"]["nodeName"]),
                "targetRef": _pod_ref(p, namespace),
            }
            for p in members
        ],
        "ports": ep_ports,
    }
    return [*out, endpoints, slice_obj]


def _workload_objects(
    ctx: _Ctx, doc: Obj, namespace: str, replicas: int, placer: _PodPlacer
) -> tuple[list[Obj], list[Obj]]:
    """The workload, its ReplicaSet (Deployments) and pods: (controllers, pods)."""
    kind = doc["kind"]
    name = doc["metadata"]["name"]
    created = ctx.start_ms - 3 * _DAY_MS + ctx.rng.randint(0, 600_000)
    work = copy.deepcopy(doc)
    work["apiVersion"] = "apps/v1"
    work["metadata"] = ctx.meta(kind, name, namespace, created, doc.get("metadata"))
    work["metadata"]["generation"] = 1
    spec = work.setdefault("spec", {})
    template = spec.get("template") or {}
    if kind == "DaemonSet":
        replicas = len(placer.nodes)
    else:
        spec["replicas"] = replicas
    work["status"] = _workload_status(kind, replicas, 1)
    controllers = [work]
    pods: list[Obj] = []
    if kind == "Deployment":
        work["metadata"].setdefault("annotations", {})["deployment.kubernetes.io/revision"] = "1"
        spec.setdefault(
            "strategy", {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
        )
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("progressDeadlineSeconds", 600)
        work["status"]["conditions"] = [
            {
                "type": "Available",
                "status": "True",
                "reason": "MinimumReplicasAvailable",
                "message": "Deployment has minimum availability.",
                "lastUpdateTime": iso(created + 20_000),
                "lastTransitionTime": iso(created + 20_000),
            },
            {
                "type": "Progressing",
                "status": "True",
                "reason": "NewReplicaSetAvailable",
                "message": f'ReplicaSet "{name}-{_pod_template_hash(template)}" has successfully progressed.',
                "lastUpdateTime": iso(created + 20_000),
                "lastTransitionTime": iso(created),
            },
        ]
        pth = _pod_template_hash(template)
        rs_name = f"{name}-{pth}"
        rs_template = copy.deepcopy(template)
        rs_template.setdefault("metadata", {})["labels"] = {
            **(template.get("metadata", {}).get("labels") or {}),
            "pod-template-hash": pth,
        }
        rs_meta = ctx.meta(
            "ReplicaSet", rs_name, namespace, created + 1_000, {"labels": rs_template["metadata"]["labels"]}
        )
        rs_meta["generation"] = 1
        rs_meta["annotations"] = {
            "deployment.kubernetes.io/desired-replicas": str(replicas),
            "deployment.kubernetes.io/max-replicas": str(replicas + max(1, (replicas + 3) // 4)),
            "deployment.kubernetes.io/revision": "1",
        }
        rs_meta["ownerReferences"] = [
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "name": name,
                "uid": work["metadata"]["uid"],
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
        selector = copy.deepcopy(spec.get("selector") or {"matchLabels": {}})
        selector.setdefault("matchLabels", {})["pod-template-hash"] = pth
        rs: Obj = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": rs_meta,
            "spec": {"replicas": replicas, "selector": selector, "template": rs_template},
            "status": {
                "replicas": replicas,
                "fullyLabeledReplicas": replicas,
                "readyReplicas": replicas,
                "availableReplicas": replicas,
                "observedGeneration": 1,
            },
        }
        controllers.append(rs)
        for i in range(replicas):
            pod_name = f"{rs_name}-{ctx.suffix(5, 'pod', namespace, rs_name, str(i))}"
            pods.append(
                _make_pod(
                    ctx,
                    placer,
                    name=pod_name,
                    namespace=namespace,
                    template=template,
                    owner=rs,
                    extra_labels={"pod-template-hash": pth},
                    created_ms=created + 2_000 + i * 300,
                )
            )
    elif kind == "StatefulSet":
        revision = f"{name}-{_pod_template_hash(template)}"
        work["status"].update({"currentRevision": revision, "updateRevision": revision, "collisionCount": 0})
        for i in range(replicas):
            pods.append(
                _make_pod(
                    ctx,
                    placer,
                    name=f"{name}-{i}",
                    namespace=namespace,
                    template=template,
                    owner=work,
                    extra_labels={
                        "controller-revision-hash": revision,
                        "statefulset.kubernetes.io/pod-name": f"{name}-{i}",
                        "apps.kubernetes.io/pod-index": str(i),
                    },
                    created_ms=created + 2_000 + i * 15_000,
                )
            )
    else:  # DaemonSet: one pod per node
        revision = ctx.suffix(10, "ds", name)
        for i in range(replicas):
            pod_name = f"{name}-{ctx.suffix(5, 'pod', namespace, name, str(i))}"
            pods.append(
                _make_pod(
                    ctx,
                    placer,
                    name=pod_name,
                    namespace=namespace,
                    template=template,
                    owner=work,
                    extra_labels={"controller-revision-hash": revision, "pod-template-generation": "1"},
                    created_ms=created + 2_000,
                    node_index=i,
                )
            )
    return controllers, pods


def materialise(
    manifests: list[Obj],
    *,
    cluster: str = "demo",
    nodes: int = 3,
    seed: int = 0,
    start_ms: int = DEFAULT_START_MS,
    replicas: Mapping[str, int] | None = None,
) -> list[Obj]:
    """The API objects of a running cluster that has ``manifests`` applied, settled and healthy at ``start_ms``.

    ``replicas`` overrides the replica count per workload name (else the manifest's, default 1). Objects that name
    no namespace go to :func:`default_namespace`. Kinds other than workloads, Services, Namespaces and the storage and
    config kinds are left out (RBAC, ServiceAccounts): the graph does not read them.
    """
    if nodes < 1:
        raise ValueError(f"nodes must be at least 1, got {nodes}")
    ctx = _Ctx(cluster=cluster, seed=seed, start_ms=start_ms, rng=random.Random(f"{seed}/{cluster}"))
    overrides = dict(replicas or {})
    default_ns = default_namespace(manifests)
    docs = [d for d in manifests if isinstance(d, dict) and d.get("kind") and (d.get("metadata") or {}).get("name")]
    node_objs = _make_nodes(ctx, nodes)
    namespaces = sorted(
        {_namespace_of(d, default_ns) for d in docs if d["kind"] not in ("Namespace", "PersistentVolume")}
        | {d["metadata"]["name"] for d in docs if d["kind"] == "Namespace"}
    )
    out: list[Obj] = list(node_objs)
    for ns in namespaces:
        src: Obj = next((d["metadata"] for d in docs if d["kind"] == "Namespace" and d["metadata"]["name"] == ns), {})
        meta = ctx.meta("Namespace", ns, "", start_ms - 3 * _DAY_MS, src)
        meta["labels"] = {**(meta.get("labels") or {}), "kubernetes.io/metadata.name": ns}
        out.append(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": meta,
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"},
            }
        )
    for d in docs:
        if d["kind"] in _PASS_THROUGH:
            ns = "" if d["kind"] == "PersistentVolume" else _namespace_of(d, default_ns)
            obj = copy.deepcopy(d)
            obj["metadata"] = ctx.meta(
                d["kind"], d["metadata"]["name"], ns, start_ms - 3 * _DAY_MS + 1_000, d["metadata"]
            )
            out.append(obj)
    placer = _PodPlacer(node_objs, ctx.rng)
    pods: list[Obj] = []
    for d in docs:
        if d["kind"] not in _WORKLOADS:
            continue
        count = overrides.get(d["metadata"]["name"], int((d.get("spec") or {}).get("replicas", 1) or 1))
        controllers, new_pods = _workload_objects(ctx, d, _namespace_of(d, default_ns), max(0, count), placer)
        out.extend(controllers)
        pods.extend(new_pods)
    out.extend(pods)
    for d in docs:
        if d["kind"] == "Service":
            out.extend(_make_service_objects(ctx, d, _namespace_of(d, default_ns), pods, node_objs))
    return out


def as_list(objects: list[Obj]) -> Obj:
    """A ``kubectl get -o json`` style v1 List of the objects."""
    return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": objects}


def _pod_ref(pod: Obj, namespace: str) -> Obj:
    """The ``targetRef`` of an Endpoints address or an EndpointSlice endpoint."""
    return {"kind": "Pod", "namespace": namespace, "name": pod["metadata"]["name"], "uid": pod["metadata"]["uid"]}
