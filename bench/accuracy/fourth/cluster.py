"""Materialises one app's manifests as a running cluster, the way ``kubectl get -o json`` would show it.

Written for this generator (it shares nothing with the other generators' materialisers): nodes in one of four
provider styles (AKS, EKS, GKE, bare metal) with their own naming, node IPs, pod CIDRs and service ranges; the app's
workloads with ReplicaSets and Pods (ownerReferences, uids, pod IPs, node placement, the projected
``kube-api-access-*`` volume that real pods carry); Services with cluster IPs and Endpoints; ConfigMaps and Secrets
the pods mount (the manifests' own, plus an app config and a shared env ConfigMap that operators typically add);
HPAs; and the kube-system pieces every cluster has (kube-proxy, a CNI or log-shipper DaemonSet, CoreDNS).
"""

from __future__ import annotations

import base64
import copy
import random
from dataclasses import dataclass, field
from typing import Any

from . import ids
from .apps import App

Obj = dict[str, Any]


@dataclass
class Style:
    """How a provider names nodes and allocates addresses."""

    name: str
    cluster: str
    node_prefix: str
    node_ip_base: str
    pod_base: str
    svc_base: str
    dns_ip: str
    daemon: str  # the per-node agent besides kube-proxy
    runtime: str


@dataclass
class Node:
    name: str
    uid: str
    ip: str
    pod_prefix: str
    obj: Obj
    next_host: int = 10


@dataclass
class Pod:
    name: str
    namespace: str
    uid: str
    ip: str
    node: str
    workload: Workload
    container: str
    obj: Obj

    def ref(self) -> Obj:
        return {"kind": "Pod", "namespace": self.namespace, "name": self.name, "uid": self.uid}

    def backoff_message(self) -> str:
        """The kubelet's CrashLoopBackOff Event text for this pod."""
        return f"Back-off restarting failed container {self.container} in pod {self.name}_{self.namespace}({self.uid})"


@dataclass
class Workload:
    kind: str
    name: str
    namespace: str
    uid: str
    obj: Obj
    service: str  # the call-graph service it serves ("" for none)
    language: str
    rs_name: str = ""
    rs_uid: str = ""
    rs_obj: Obj | None = None
    pods: list[Pod] = field(default_factory=list)
    configmaps: list[str] = field(default_factory=list)

    def ref(self) -> Obj:
        return {"kind": self.kind, "namespace": self.namespace, "name": self.name, "uid": self.uid}


@dataclass
class Service:
    name: str
    namespace: str
    uid: str
    cluster_ip: str
    port: int
    target_port: int
    workloads: list[Workload] = field(default_factory=list)

    @property
    def pods(self) -> list[Pod]:
        return [p for w in self.workloads for p in w.pods]


@dataclass
class Cluster:
    """Everything in the topology file, with indexes the fault builders need."""

    name: str
    style: Style
    namespace: str
    app: App
    created_ms: int
    nodes: list[Node] = field(default_factory=list)
    workloads: dict[str, Workload] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    configmaps: dict[str, Obj] = field(default_factory=dict)
    hpas: dict[str, Obj] = field(default_factory=dict)  # workload name -> HPA
    gone: dict[str, int] = field(default_factory=dict)  # pod name -> when it stopped (evicted, killed, node lost)
    objects: list[Obj] = field(default_factory=list)
    rv: int = 0
    used_ips: set[str] = field(default_factory=set)

    def next_rv(self) -> str:
        self.rv += self.rv % 7 + 1
        return str(self.rv)

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    def pods(self) -> list[Pod]:
        return [p for w in self.workloads.values() for p in w.pods]

    def app_pods(self) -> list[Pod]:
        return [p for p in self.pods() if p.namespace == self.namespace]

    def pods_on(self, node: str) -> list[Pod]:
        return [p for p in self.pods() if p.node == node]

    def service_of(self, name: str) -> Service | None:
        return self.services.get(name)

    def pods_of_service(self, name: str) -> list[Pod]:
        svc = self.services.get(name)
        return svc.pods if svc else []

    def alive(self, pod: Pod, t: int) -> bool:
        """Whether ``pod`` can still report at ``t``."""
        return self.gone.get(pod.name, t + 1) > t

    def to_list(self) -> Obj:
        return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": self.objects}


STYLES = {
    "aks": lambda rng: Style(
        "aks",
        rng.choice(["aks-weu-prod-02", "aks-shop-prd-neu", "aks-core-prod-01"]),
        f"aks-nodepool1-{rng.randrange(10_000_000, 99_999_999)}-vmss",
        "10.224.0.",
        "10.244.",
        "10.0.",
        "10.0.0.10",
        "azure-ip-masq-agent",
        "containerd://1.7.15-1",
    ),
    "eks": lambda rng: Style(
        "eks",
        rng.choice(["shop-prod-euw1", "platform-prd-use1", "eks-apps-prod"]),
        "ip-10-0-",
        "10.0.",
        "10.0.",
        "172.20.",
        "172.20.0.10",
        "aws-node",
        "containerd://1.7.11",
    ),
    "gke": lambda rng: Style(
        "gke",
        rng.choice(["gke_acme-prod_europe-west1_main", "gke_shop-373412_us-central1_prod"]),
        f"gke-prod-default-pool-{ids.hexid(rng, 4)}-",
        "10.132.0.",
        "10.44.",
        "10.48.",
        "10.48.0.10",
        "fluentbit-gke",
        "containerd://1.7.10",
    ),
    "metal": lambda rng: Style(
        "metal",
        rng.choice(["dc1-k8s", "onprem-fra-01", "rke2-prod"]),
        "worker-",
        "192.168.10.",
        "10.42.",
        "10.43.",
        "10.43.0.10",
        "calico-node",
        "containerd://1.6.28-k3s1",
    ),
}


def _node_name(style: Style, i: int, rng: random.Random, ip: str) -> str:
    if style.name == "aks":
        return f"{style.node_prefix}{i:06d}"
    if style.name == "eks":
        return "ip-" + ip.replace(".", "-") + ".eu-west-1.compute.internal"
    if style.name == "gke":
        return style.node_prefix + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(4))
    return f"worker-{i + 1:02d}"


def _meta(name: str, namespace: str, uid: str, rv: str, created: int, **extra: Any) -> Obj:
    meta: Obj = {"name": name, "uid": uid, "resourceVersion": rv, "creationTimestamp": ids.rfc3339_s(created)}
    if namespace:
        meta["namespace"] = namespace
    meta.update(extra)
    return meta


def _make_nodes(c: Cluster, rng: random.Random, count: int) -> None:
    style = c.style
    for i in range(count):
        if style.name == "eks":
            ip = f"10.0.{rng.choice([12, 44, 87])}.{rng.randrange(10, 250)}"
            prefix = ip.rsplit(".", 1)[0] + "."
        else:
            ip = f"{style.node_ip_base}{4 + i if style.name != 'metal' else 21 + i}"
            prefix = f"{style.pod_base}{rng.randrange(0, 60) * 4 + i}."
        name = _node_name(style, i + (rng.randrange(0, 4) if style.name == "aks" else 0), rng, ip)
        uid = ids.uid(rng)
        created = c.created_ms - rng.randrange(3, 40) * 86_400_000
        labels = {
            "kubernetes.io/hostname": name,
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
            "node.kubernetes.io/instance-type": rng.choice(["Standard_D4s_v5", "m6i.xlarge", "e2-standard-4", "r640"]),
            "topology.kubernetes.io/zone": f"zone-{i % 3 + 1}",
        }
        conds = [
            ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
        ]
        obj: Obj = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": _meta(name, "", uid, c.next_rv(), created, labels=labels),
            "spec": {"podCIDR": prefix + "0/24", "providerID": f"{style.name}://{name}"},
            "status": {
                "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}],
                "capacity": {"cpu": "4", "memory": "16374584Ki", "pods": "110"},
                "allocatable": {"cpu": "3860m", "memory": "12880184Ki", "pods": "110"},
                "conditions": [
                    {
                        "type": t,
                        "status": s,
                        "reason": r,
                        "message": m,
                        "lastHeartbeatTime": ids.rfc3339_s(c.created_ms - 20_000),
                        "lastTransitionTime": ids.rfc3339_s(created + 30_000),
                    }
                    for t, s, r, m in conds
                ],
                "nodeInfo": {"containerRuntimeVersion": style.runtime, "kubeletVersion": "v1.29.4"},
            },
        }
        c.used_ips.add(ip)
        c.nodes.append(Node(name, uid, ip, prefix, obj))
        c.objects.append(obj)


def _alloc_ip(c: Cluster, node: Node, rng: random.Random) -> str:
    while True:
        node.next_host += rng.randrange(1, 6)
        ip = f"{node.pod_prefix}{node.next_host % 250 + 2}"
        if ip not in c.used_ips:
            c.used_ips.add(ip)
            return ip


def _pod_obj(
    c: Cluster,
    rng: random.Random,
    w: Workload,
    name: str,
    node: Node,
    ip: str,
    created: int,
    template: Obj,
    owner: Obj,
    extra_labels: dict[str, str],
) -> Pod:
    spec = copy.deepcopy(template.get("spec") or {})
    labels = dict((template.get("metadata") or {}).get("labels") or {})
    labels.update(extra_labels)
    uid = ids.uid(rng)
    token = f"kube-api-access-{ids.suffix(rng)}"
    spec.setdefault("volumes", []).append(
        {
            "name": token,
            "projected": {
                "defaultMode": 420,
                "sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                    {
                        "downwardAPI": {
                            "items": [{"path": "namespace", "fieldRef": {"fieldPath": "metadata.namespace"}}]
                        }
                    },
                ],
            },
        }
    )
    spec["nodeName"] = node.name
    spec.setdefault("serviceAccountName", "default")
    containers = spec.get("containers") or []
    statuses = []
    for ctr in containers:
        ctr.setdefault("volumeMounts", []).append(
            {"name": token, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": True}
        )
        statuses.append(
            {
                "name": ctr.get("name", "main"),
                "image": ctr.get("image", ""),
                "ready": True,
                "restartCount": 0,
                "started": True,
                "containerID": f"containerd://{ids.hexid(rng, 32)}",
                "state": {"running": {"startedAt": ids.rfc3339_s(created + 4000)}},
            }
        )
    obj: Obj = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": _meta(
            name,
            w.namespace,
            uid,
            c.next_rv(),
            created,
            labels=labels,
            ownerReferences=[{**owner, "controller": True, "blockOwnerDeletion": True}],
            **({"generateName": name[: -len(name.rsplit("-", 1)[-1])]} if w.kind != "StatefulSet" else {}),
        ),
        "spec": spec,
        "status": {
            "phase": "Running",
            "hostIP": node.ip,
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "qosClass": "Burstable",
            "startTime": ids.rfc3339_s(created + 1000),
            "conditions": [
                {"type": t, "status": "True", "lastTransitionTime": ids.rfc3339_s(created + 6000)}
                for t in ("Initialized", "Ready", "ContainersReady", "PodScheduled")
            ],
            "containerStatuses": statuses,
        },
    }
    container = str(containers[0].get("name", "main")) if containers else "main"
    return Pod(name, w.namespace, uid, ip, node.name, w, container, obj)


def new_replicaset(c: Cluster, rng: random.Random, w: Workload, template: Obj, revision: int, created: int) -> Obj:
    """A ReplicaSet for a new template of Deployment ``w`` (used by rollouts); not added to the topology."""
    h = ids.template_hash(rng)
    tpl = copy.deepcopy(template)
    tpl.setdefault("metadata", {}).setdefault("labels", {})["pod-template-hash"] = h
    sel = copy.deepcopy(w.obj["spec"]["selector"])
    sel.setdefault("matchLabels", {})["pod-template-hash"] = h
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": _meta(
            f"{w.name}-{h}",
            w.namespace,
            ids.uid(rng),
            c.next_rv(),
            created,
            labels=dict(tpl["metadata"]["labels"]),
            annotations={"deployment.kubernetes.io/revision": str(revision)},
            ownerReferences=[
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": w.name,
                    "uid": w.uid,
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        ),
        "spec": {"replicas": 1, "selector": sel, "template": tpl},
        "status": {"replicas": 0, "observedGeneration": 1},
    }


def new_pod(c: Cluster, rng: random.Random, w: Workload, node: Node, created: int, rs: Obj | None = None) -> Pod:
    """A new pod of ``w`` (a rollout's, or a replacement after an eviction); not added to the topology."""
    if w.kind == "StatefulSet":
        raise ValueError("StatefulSet pods keep their names")
    owner_obj = rs if rs is not None else w.rs_obj
    assert owner_obj is not None
    meta = owner_obj["metadata"]
    template = owner_obj["spec"]["template"]
    owner = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": meta["name"], "uid": meta["uid"]}
    name = f"{meta['name']}-{ids.suffix(rng)}"
    pod = _pod_obj(c, rng, w, name, node, _alloc_ip(c, node, rng), created, template, owner, {})
    pod.obj["status"]["phase"] = "Pending"
    return pod


def _add_workload(
    c: Cluster, rng: random.Random, doc: Obj, service: str, kind: str, replicas: int, nodes_for: list[Node]
) -> Workload:
    ns = c.namespace
    obj = copy.deepcopy(doc)
    obj["kind"] = kind
    obj["apiVersion"] = "apps/v1"
    meta = obj.setdefault("metadata", {})
    name = str(meta["name"])
    created = c.created_ms - rng.randrange(2, 20) * 86_400_000 - rng.randrange(86_400_000)
    meta.pop("creationTimestamp", None)
    meta.update(_meta(name, ns, ids.uid(rng), c.next_rv(), created))
    meta["generation"] = rng.randrange(1, 6)
    spec = obj.setdefault("spec", {})
    spec["replicas"] = replicas
    template = spec.setdefault("template", {})
    template.setdefault("metadata", {}).pop("creationTimestamp", None)
    if kind == "StatefulSet":
        spec.pop("strategy", None)
        spec["serviceName"] = service or name
        spec["podManagementPolicy"] = "OrderedReady"
    else:
        meta.setdefault("annotations", {})["deployment.kubernetes.io/revision"] = str(meta["generation"])
        spec.setdefault(
            "strategy", {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
        )
    obj["status"] = {
        "replicas": replicas,
        "readyReplicas": replicas,
        "availableReplicas": replicas,
        "observedGeneration": meta["generation"],
    }
    w = Workload(kind, name, ns, meta["uid"], obj, service, c.app.language(service) if service else "go")
    owner: Obj
    if kind == "Deployment":
        rs = new_replicaset(c, rng, w, template, int(meta["generation"]), created + 2000)
        h = str(rs["metadata"]["labels"]["pod-template-hash"])
        rs["spec"]["replicas"] = replicas
        rs["status"] = {"replicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas}
        w.rs_name, w.rs_uid, w.rs_obj = rs["metadata"]["name"], rs["metadata"]["uid"], rs
        owner = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": w.rs_name, "uid": w.rs_uid}
        extra = {"pod-template-hash": h}
    else:
        owner = {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": name, "uid": w.uid}
        extra = {"statefulset.kubernetes.io/pod-name": ""}
    start = rng.randrange(len(nodes_for))
    for i in range(replicas):
        node = nodes_for[(start + i) % len(nodes_for)]
        pname = f"{name}-{i}" if kind == "StatefulSet" else f"{w.rs_name}-{ids.suffix(rng)}"
        labels = dict(extra)
        if kind == "StatefulSet":
            labels["statefulset.kubernetes.io/pod-name"] = pname
        pod_created = c.created_ms - rng.randrange(1, 5 * 86_400_000 // 1000) * 1000
        w.pods.append(_pod_obj(c, rng, w, pname, node, _alloc_ip(c, node, rng), pod_created, template, owner, labels))
    return w


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _add_configmaps(c: Cluster, rng: random.Random, deployments: list[Obj]) -> None:
    """The manifests' ConfigMaps (created, since the manifests reference but do not ship them), plus an app
    config file mounted by a few services and a shared env ConfigMap (envFrom) that others read at start."""
    referenced: set[str] = set()
    for d in deployments:
        for vol in d["spec"]["template"]["spec"].get("volumes") or []:
            if "configMap" in vol:
                referenced.add(str(vol["configMap"]["name"]))
    app_services = [
        d
        for d in deployments
        if not c.app.is_store(str(d["metadata"]["name"])) and d["metadata"]["name"] != "loadgenerator"
    ]
    rng.shuffle(app_services)
    for d in app_services[: rng.randrange(2, 5)]:
        name = f"{d['metadata']['name']}-config"
        spec = d["spec"]["template"]["spec"]
        spec.setdefault("volumes", []).append({"name": "app-config", "configMap": {"name": name}})
        for ctr in spec.get("containers") or []:
            ctr.setdefault("volumeMounts", []).append(
                {"name": "app-config", "mountPath": f"/etc/{d['metadata']['name']}", "readOnly": True}
            )
        referenced.add(name)
    shared = f"{c.app.name.split('-')[0]}-shared-env"
    for d in app_services[rng.randrange(0, 2) : rng.randrange(3, 7)]:
        for ctr in d["spec"]["template"]["spec"].get("containers") or []:
            ctr.setdefault("envFrom", []).append({"configMapRef": {"name": shared}})
            referenced.add(shared)
    referenced.add("kube-root-ca.crt")
    for name in sorted(referenced):
        data = {
            "kube-root-ca.crt": {"ca.crt": "-----BEGIN CERTIFICATE-----\nMIIC5zCCAc+gAwIBAgIBADANBg...\n"},
        }.get(
            name,
            {
                "config.yaml": f"log_level: info\ntimeout_ms: {rng.choice([500, 1000, 3000])}\n"
                f"pool_size: {rng.choice([8, 16, 32])}\n",
                "FEATURE_FLAGS": "recommendations=true,new-checkout=false",
            },
        )
        obj = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": _meta(name, c.namespace, ids.uid(rng), c.next_rv(), c.created_ms - 7 * 86_400_000),
            "data": data,
        }
        c.configmaps[name] = obj
        c.objects.append(obj)


def _secret(c: Cluster, rng: random.Random, name: str, keys: list[str]) -> Obj:
    data = {k: base64.b64encode(ids.hexid(rng, 12).encode()).decode() for k in keys}
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": _meta(name, c.namespace, ids.uid(rng), c.next_rv(), c.created_ms - 9 * 86_400_000),
        "data": data,
    }


def build(app: App, rng: random.Random, start_ms: int) -> Cluster:
    """Materialise ``app`` on 3-6 nodes of a random provider style."""
    style = STYLES[rng.choice(sorted(STYLES))](rng)
    ns = app.namespace or rng.choice(
        {
            "online-boutique": ["boutique", "online-boutique", "shop"],
            "train-ticket": ["train-ticket", "tt-prod"],
            "hotel-reservation": ["hotel-res", "hotelreservation"],
            "bookinfo": ["bookinfo", "default"],
        }.get(app.name, [app.name])
    )
    c = Cluster(style.cluster, style, ns, app, start_ms, rv=rng.randrange(4_000_000, 90_000_000))
    _make_nodes(c, rng, rng.randrange(3, 7))
    namespaces = sorted({ns, "kube-system"})
    for n in namespaces:
        c.objects.append(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": _meta(n, "", ids.uid(rng), c.next_rv(), c.created_ms - 60 * 86_400_000, labels={"name": n}),
                "status": {"phase": "Active"},
            }
        )
    deployments = [copy.deepcopy(d) for d in app.docs if d["kind"] == "Deployment"]
    services = [d for d in app.docs if d["kind"] == "Service"]
    _add_configmaps(c, rng, deployments)
    stateful_stores = rng.random() < 0.5
    # Secrets: a credentials Secret per datastore that its callers read through secretKeyRef.
    secrets: list[Obj] = []
    for store in sorted(app.calls):
        if app.is_store(store) and store in {s for cs in app.calls.values() for s in cs} and rng.random() < 0.5:
            secrets.append(_secret(c, rng, f"{store}-credentials", ["username", "password"]))
            for d in deployments:
                if store in app.calls.get(str(d["metadata"]["name"]), []):
                    for ctr in d["spec"]["template"]["spec"].get("containers") or []:
                        ctr.setdefault("env", []).append(
                            {
                                "name": store.upper().replace("-", "_") + "_PASSWORD",
                                "valueFrom": {"secretKeyRef": {"name": f"{store}-credentials", "key": "password"}},
                            }
                        )
    c.objects.extend(secrets)
    # Which call-graph service does each Deployment serve? (the Service whose selector matches its pod labels)
    svc_of: dict[str, str] = {}
    for d in deployments:
        labels = (d["spec"]["template"].get("metadata") or {}).get("labels") or {}
        for s in services:
            sel = (s.get("spec") or {}).get("selector") or {}
            if "matchLabels" in sel:
                sel = sel["matchLabels"]
            if _selects({str(k): str(v) for k, v in sel.items()}, labels) and s["metadata"]["name"] in app.calls:
                svc_of[str(d["metadata"]["name"])] = str(s["metadata"]["name"])
                break
    for d in deployments:
        name = str(d["metadata"]["name"])
        service = svc_of.get(name, "")
        is_store = app.is_store(service or name)
        kind = "StatefulSet" if is_store and stateful_stores else "Deployment"
        if is_store or name == "loadgenerator" or app.name == "bookinfo":
            replicas = 1
        elif service == app.entry:
            replicas = rng.choice([2, 2, 3])
        else:
            replicas = rng.choice([1, 1, 2, 2, 3])
        w = _add_workload(c, rng, d, service, kind, replicas, c.nodes)
        for vol in d["spec"]["template"]["spec"].get("volumes") or []:
            if "configMap" in vol:
                w.configmaps.append(str(vol["configMap"]["name"]))
        for ctr in d["spec"]["template"]["spec"].get("containers") or []:
            for ef in ctr.get("envFrom") or []:
                if "configMapRef" in ef:
                    w.configmaps.append(str(ef["configMapRef"]["name"]))
        c.workloads[name] = w
    # kube-system: kube-proxy and the provider's agent on every node, CoreDNS with two replicas.
    for ds_name in ("kube-proxy", style.daemon):
        tpl = {
            "metadata": {"labels": {"k8s-app": ds_name}},
            "spec": {
                "containers": [{"name": ds_name, "image": f"registry.k8s.io/{ds_name}:v1.29.4"}],
                "priorityClassName": "system-node-critical",
            },
        }
        doc: Obj = {"metadata": {"name": ds_name}, "spec": {"selector": {"matchLabels": {"k8s-app": ds_name}}}}
        doc["spec"]["template"] = tpl
        w = _add_workload_daemon(c, rng, doc)
        c.workloads[f"kube-system/{ds_name}"] = w
    saved_ns = c.namespace
    c.namespace = "kube-system"
    dns_doc = {
        "metadata": {"name": "coredns", "labels": {"k8s-app": "kube-dns"}},
        "spec": {
            "selector": {"matchLabels": {"k8s-app": "kube-dns"}},
            "template": {
                "metadata": {"labels": {"k8s-app": "kube-dns"}},
                "spec": {"containers": [{"name": "coredns", "image": "registry.k8s.io/coredns/coredns:v1.11.1"}]},
            },
        },
    }
    dns = _add_workload(c, rng, dns_doc, "", "Deployment", 2, c.nodes)
    dns.language = "go"
    c.workloads["kube-system/coredns"] = dns
    c.namespace = saved_ns
    # Services and Endpoints
    used_ips: set[str] = {style.dns_ip}
    svc_docs = [*services, {"metadata": {"name": "kube-dns", "namespace": "kube-system"}, "spec": {}}]
    for s in svc_docs:
        sname = str(s["metadata"]["name"])
        sns = "kube-system" if sname == "kube-dns" else ns
        spec = copy.deepcopy(s.get("spec") or {})
        sel = spec.get("selector") or {}
        if "matchLabels" in sel:  # social-network's Services carry a Deployment-style selector; the API flattens it
            sel = dict(sel["matchLabels"])
        if sname == "kube-dns":
            sel = {"k8s-app": "kube-dns"}
            spec["ports"] = [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53}]
            ip = style.dns_ip
        else:
            while True:
                ip = f"{style.svc_base}{rng.randrange(0, 255)}.{rng.randrange(2, 255)}"
                if ip not in used_ips:
                    break
        used_ips.add(ip)
        spec["selector"] = sel
        spec["clusterIP"] = ip
        spec["clusterIPs"] = [ip]
        spec.setdefault("type", "ClusterIP")
        ports = spec.get("ports") or [{"port": 80}]
        for p in ports:
            p.setdefault("protocol", "TCP")
            if not isinstance(p.get("targetPort"), int):
                p["targetPort"] = p["port"] if not isinstance(p.get("targetPort"), str) else 9090
        spec["ports"] = ports
        sobj: Obj = {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta(
                sname,
                sns,
                ids.uid(rng),
                c.next_rv(),
                c.created_ms - 30 * 86_400_000,
                labels=dict((s.get("metadata") or {}).get("labels") or {}),
            ),
            "spec": spec,
        }
        selected = [
            w
            for w in c.workloads.values()
            if w.namespace == sns
            and _selects(
                {str(k): str(v) for k, v in sel.items()},
                {
                    str(k): str(v)
                    for k, v in ((w.obj["spec"]["template"].get("metadata") or {}).get("labels") or {}).items()
                },
            )
        ]
        first_port: Obj = ports[0]
        svc = Service(sname, sns, sobj["metadata"]["uid"], ip, int(first_port["port"]), int(first_port["targetPort"]))
        svc.workloads = selected
        if sname in app.calls or sname == "kube-dns":
            c.services[sname] = svc
        c.objects.append(sobj)
        ep = {
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": _meta(sname, sns, ids.uid(rng), c.next_rv(), c.created_ms - 30 * 86_400_000),
            "subsets": [
                {
                    "addresses": [
                        {
                            "ip": p.ip,
                            "nodeName": p.node,
                            "targetRef": {"kind": "Pod", "name": p.name, "namespace": p.namespace, "uid": p.uid},
                        }
                        for p in svc.pods
                    ],
                    "ports": [
                        {"name": str(p.get("name", "")), "port": int(p["targetPort"]), "protocol": p["protocol"]}
                        for p in ports
                    ],
                }
            ]
            if svc.pods
            else [],
        }
        c.objects.append(ep)
    # PersistentVolumes and claims (hotel-reservation), bound
    for d in app.docs:
        if d["kind"] in ("PersistentVolume", "PersistentVolumeClaim"):
            obj = copy.deepcopy(d)
            meta = obj["metadata"]
            meta.update(
                _meta(
                    str(meta["name"]),
                    ns if d["kind"] == "PersistentVolumeClaim" else "",
                    ids.uid(rng),
                    c.next_rv(),
                    c.created_ms - 20 * 86_400_000,
                )
            )
            if d["kind"] == "PersistentVolumeClaim":
                obj["spec"]["volumeName"] = str(meta["name"]).replace("-pvc", "-pv")
            obj["status"] = {"phase": "Bound"}
            c.objects.append(obj)
    # HPAs on one or two multi-replica app workloads
    candidates = [w for w in c.workloads.values() if w.namespace == ns and len(w.pods) >= 2 and w.kind == "Deployment"]
    rng.shuffle(candidates)
    for w in candidates[: rng.randrange(1, 3)]:
        hpa = {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": _meta(w.name, ns, ids.uid(rng), c.next_rv(), c.created_ms - 5 * 86_400_000),
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": w.name},
                "minReplicas": len(w.pods),
                "maxReplicas": len(w.pods) + 4,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
                    }
                ],
            },
            "status": {"currentReplicas": len(w.pods), "desiredReplicas": len(w.pods)},
        }
        c.hpas[w.name] = hpa
        c.objects.append(hpa)
    for w in c.workloads.values():
        c.objects.append(w.obj)
        if w.rs_obj is not None:
            c.objects.append(w.rs_obj)
    for p in c.pods():
        c.objects.append(p.obj)
    return c


def _add_workload_daemon(c: Cluster, rng: random.Random, doc: Obj) -> Workload:
    name = str(doc["metadata"]["name"])
    obj = copy.deepcopy(doc)
    obj.update({"apiVersion": "apps/v1", "kind": "DaemonSet"})
    created = c.created_ms - 50 * 86_400_000
    obj["metadata"] = _meta(name, "kube-system", ids.uid(rng), c.next_rv(), created, generation=1)
    w = Workload("DaemonSet", name, "kube-system", obj["metadata"]["uid"], obj, "", "go")
    owner = {"apiVersion": "apps/v1", "kind": "DaemonSet", "name": name, "uid": w.uid}
    for node in c.nodes:
        pod = _pod_obj(
            c,
            rng,
            w,
            f"{name}-{ids.suffix(rng)}",
            node,
            node.ip if name == "kube-proxy" or name == "calico-node" else _alloc_ip(c, node, rng),
            created + rng.randrange(86_400_000),
            obj["spec"]["template"],
            owner,
            {"controller-revision-hash": ids.suffix(rng, 10)},
        )
        w.pods.append(pod)
    return w
