"""Materialise one real app on 3-6 nodes as the API server would list it: Nodes, workloads, ReplicaSets, Pods with
ownerReferences/nodeName/podIP, ConfigMaps, Secrets, PVCs, Services with clusterIPs, Endpoints and EndpointSlices.

Why: the engine reads topology from ``kubectl get -o json`` output, so the topology must carry what real objects carry
(and only that): uids, resourceVersions, hashes in names, the projected service-account volume, endpoint targetRefs.
The manifests have no ConfigMaps or Secrets for most apps, so, as an operator would, each service gets its own config
file, some share an app-wide one, and the clients of each data store mount its credentials Secret.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from bench.accuracy.blind import times
from bench.accuracy.blind.app import App, Workload
from bench.accuracy.blind.rand import Rand

Obj = dict[str, Any]


@dataclass
class Node:
    name: str
    uid: str
    ip: str
    index: int
    obj: Obj


@dataclass
class Pod:
    name: str
    uid: str
    ip: str
    node: str
    wl: WorkloadInfo
    containers: list[str]
    images: list[str]
    port: int
    configmaps: list[str]
    secrets: list[str]
    obj: Obj
    rv: int = 0

    @property
    def container(self) -> str:
        return self.containers[0]


@dataclass
class WorkloadInfo:
    kind: str
    name: str
    uid: str
    wl: Workload
    replicas: int
    obj: Obj
    rs_name: str = ""
    rs_uid: str = ""
    rs_hash: str = ""
    rs_obj: Obj | None = None
    pods: list[Pod] = field(default_factory=list)

    @property
    def datastore(self) -> bool:
        return self.wl.datastore

    @property
    def owner(self) -> tuple[str, str, str]:
        """(kind, name, uid) of the pods' direct controller."""
        if self.kind == "Deployment":
            return "ReplicaSet", self.rs_name, self.rs_uid
        return self.kind, self.name, self.uid


@dataclass
class Service:
    name: str
    uid: str
    cluster_ip: str
    port: int
    pods: list[Pod]


@dataclass
class Cluster:
    name: str
    namespace: str
    app: App
    nodes: list[Node]
    workloads: list[WorkloadInfo]
    services: dict[str, Service]
    configmaps: dict[str, Obj]
    secrets: dict[str, Obj]
    items: list[Obj]
    created_ms: int
    rv: int = 0
    pod_by_ip: dict[str, Pod] = field(default_factory=dict)

    @property
    def pods(self) -> list[Pod]:
        return [p for w in self.workloads for p in w.pods]

    def next_rv(self) -> str:
        self.rv += self.rv % 7 + 3
        return str(self.rv)

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    def workload(self, name: str) -> WorkloadInfo:
        return next(w for w in self.workloads if w.name == name)

    def component_pods(self, comp: str) -> list[Pod]:
        """Pods behind a call-graph name: its Service's pods, else the workload of that name."""
        svc = self.services.get(comp)
        if svc is not None and svc.pods:
            return svc.pods
        return next((w.pods for w in self.workloads if w.name == comp), [])

    def component_of(self, wl: WorkloadInfo) -> str | None:
        for name, svc in self.services.items():
            if any(p.wl is wl for p in svc.pods) and name in self.app.calls:
                return name
        return wl.name if wl.name in self.app.calls else None

    def callers(self, comp: str) -> list[str]:
        return sorted(c for c, callees in self.app.calls.items() if comp in callees and self.component_pods(c))

    def callees(self, comp: str) -> list[str]:
        return sorted(c for c in self.app.calls.get(comp, []) if self.component_pods(c))


def _node_names(rnd: Rand, cluster: str, n: int) -> list[str]:
    style = rnd.randint(0, 2)
    if style == 0:
        pool = rnd.hex(8)
        return [f"gke-{cluster}-default-pool-{pool}-{rnd.safe(4)}" for _ in range(n)]
    if style == 1:
        region = rnd.choice(["eu-west-1", "us-east-2", "ap-southeast-1"])
        return [f"ip-10-0-{rnd.randint(1, 250)}-{rnd.randint(2, 250)}.{region}.compute.internal" for _ in range(n)]
    return [f"{cluster}-worker{i + 1 if i else ''}" for i in range(n)]


def _node(rnd: Rand, name: str, index: int, created: int, rv: str) -> Node:
    ip = f"10.0.{index + 1}.{rnd.randint(10, 240)}"
    t = times.seconds(created)
    cond = [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ]
    obj: Obj = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "uid": rnd.uid(),
            "resourceVersion": rv,
            "creationTimestamp": t,
            "labels": {
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/os": "linux",
                "kubernetes.io/hostname": name,
                "node.kubernetes.io/instance-type": "e2-standard-4",
                "topology.kubernetes.io/zone": f"zone-{'abc'[index % 3]}",
            },
            "annotations": {
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        },
        "spec": {"podCIDR": f"10.244.{index}.0/24", "podCIDRs": [f"10.244.{index}.0/24"]},
        "status": {
            "addresses": [{"address": ip, "type": "InternalIP"}, {"address": name, "type": "Hostname"}],
            "allocatable": {"cpu": "3920m", "ephemeral-storage": "47060071478", "memory": "13180540Ki", "pods": "110"},
            "capacity": {"cpu": "4", "ephemeral-storage": "98831908Ki", "memory": "16393340Ki", "pods": "110"},
            "conditions": [
                {"type": c, "status": s, "reason": r, "message": m, "lastHeartbeatTime": t, "lastTransitionTime": t}
                for c, s, r, m in cond
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "kubeletVersion": "v1.30.5",
                "containerRuntimeVersion": "containerd://1.7.22",
                "osImage": "Ubuntu 22.04.4 LTS",
                "architecture": "amd64",
                "operatingSystem": "linux",
            },
        },
    }
    return Node(name, obj["metadata"]["uid"], ip, index, obj)


def _meta(rnd: Rand, c: Cluster, kind_obj: Obj, name: str, created: int) -> None:
    md = kind_obj.setdefault("metadata", {})
    md["name"] = name
    md["namespace"] = c.namespace
    md["uid"] = rnd.uid()
    md["resourceVersion"] = c.next_rv()
    md["creationTimestamp"] = times.seconds(created)


def _listed(obj: dict[str, Any], key: str) -> list[Any]:
    """``obj[key]`` as a list to append to: real manifests say ``volumes: null`` as often as they leave it out."""
    items = obj[key] = obj.get(key) or []
    return items


def _config_objects(rnd: Rand, c: Cluster, created: int) -> None:
    """ConfigMaps/Secrets every pod template refers to, plus the ones an operator adds (see the module docstring)."""
    app = c.app
    for o in app.others:
        if o["kind"] in ("ConfigMap", "Secret"):
            _meta(rnd, c, o, o["metadata"]["name"], created)
            o.pop("data", None) if o["kind"] == "Secret" else None
            (c.configmaps if o["kind"] == "ConfigMap" else c.secrets)[o["metadata"]["name"]] = o
    apps = [w for w in app.workloads if not w.tooling]
    shared = rnd.sample([w for w in apps if not w.datastore], rnd.randint(2, 4))
    shared_name = f"{app.name}-shared-config"
    for w in apps:
        spec = w.manifest["spec"]["template"]["spec"]
        vols = spec["volumes"] = spec.get("volumes") or []  # a manifest may say ``volumes: null``
        mounts = spec["containers"][0]["volumeMounts"] = spec["containers"][0].get("volumeMounts") or []
        if not w.datastore and not any("configMap" in v for v in vols) and rnd.chance(0.6):
            vols.append({"name": "app-config", "configMap": {"name": f"{w.name}-config", "defaultMode": 420}})
            mounts.append({"name": "app-config", "mountPath": f"/etc/{w.name}", "readOnly": True})
        if w in shared:
            vols.append({"name": "shared-config", "configMap": {"name": shared_name, "defaultMode": 420}})
            mounts.append({"name": "shared-config", "mountPath": "/etc/shared", "readOnly": True})
    for store in [w for w in apps if w.datastore]:
        secret = f"{store.name}-credentials"
        users = [store] + [
            w
            for w in apps
            if store.name in app.calls.get(w.name, [])
            or any(store.name in app.calls.get(s["metadata"]["name"], []) for s in app.services if _selects(s, w))
        ]
        for w in users:
            spec = w.manifest["spec"]["template"]["spec"]
            if any(v.get("secret", {}).get("secretName") == secret for v in spec.get("volumes") or []):
                continue
            _listed(spec, "volumes").append(
                {"name": f"{store.name}-creds", "secret": {"secretName": secret, "defaultMode": 420}}
            )
            _listed(spec["containers"][0], "volumeMounts").append(
                {"name": f"{store.name}-creds", "mountPath": f"/var/run/secrets/{store.name}", "readOnly": True}
            )
    for w in app.workloads:
        for v in w.manifest["spec"]["template"]["spec"].get("volumes", []) or []:
            if "configMap" in v and v["configMap"]["name"] not in c.configmaps:
                name = v["configMap"]["name"]
                cm: Obj = {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "data": {"config.yaml": f"# {name}\nlogLevel: info\ntimeoutMs: 3000\n"},
                }
                _meta(rnd, c, cm, name, created)
                c.configmaps[name] = cm
            if "secret" in v and v["secret"]["secretName"] not in c.secrets:
                name = v["secret"]["secretName"]
                sec: Obj = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque"}
                _meta(rnd, c, sec, name, created)
                c.secrets[name] = sec


def _selects(svc: Obj, w: Workload) -> bool:
    sel = svc.get("spec", {}).get("selector") or {}
    return bool(sel) and all(w.labels.get(k) == v for k, v in sel.items())


def build(rnd: Rand, app: App, cluster_name: str, start_ms: int) -> Cluster:
    created = start_ms - rnd.randint(3, 40) * 86_400_000
    c = Cluster(cluster_name, app.namespace, app, [], [], {}, {}, {}, [], created, rv=rnd.randint(400_000, 9_000_000))
    n_nodes = rnd.randint(3, 6)
    for i, name in enumerate(_node_names(rnd, cluster_name, n_nodes)):
        c.nodes.append(_node(rnd, name, i, created - 5 * 86_400_000, c.next_rv()))
    _config_objects(rnd, c, created)
    used_ips: set[str] = set()
    for w in app.workloads:
        replicas = 1 if w.kind == "StatefulSet" or w.tooling else rnd.choice([1, 1, 2, 2, 2, 3, 3])
        if w.datastore:
            replicas = 1
        obj = copy.deepcopy(w.manifest)
        _meta(rnd, c, obj, w.name, created)
        obj["metadata"].setdefault("labels", dict(w.labels))
        obj["metadata"]["generation"] = rnd.randint(1, 6)
        obj["spec"]["replicas"] = replicas
        info = WorkloadInfo(w.kind, w.name, obj["metadata"]["uid"], w, replicas, obj)
        if w.kind == "Deployment":
            rev = str(obj["metadata"]["generation"])
            obj["metadata"]["annotations"] = {"deployment.kubernetes.io/revision": rev}
            obj["spec"].setdefault(
                "strategy", {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
            )
            info.rs_hash = rnd.safe(rnd.choice([9, 10, 10]))
            info.rs_name = f"{w.name}-{info.rs_hash}"
            rs: Obj = {"apiVersion": "apps/v1", "kind": "ReplicaSet"}
            _meta(rnd, c, rs, info.rs_name, created)
            info.rs_uid = rs["metadata"]["uid"]
            tmpl = copy.deepcopy(obj["spec"]["template"])
            tmpl.setdefault("metadata", {}).setdefault("labels", {})["pod-template-hash"] = info.rs_hash
            rs["metadata"]["labels"] = dict(tmpl["metadata"]["labels"])
            rs["metadata"]["annotations"] = {
                "deployment.kubernetes.io/desired-replicas": str(replicas),
                "deployment.kubernetes.io/max-replicas": str(replicas + 1),
                "deployment.kubernetes.io/revision": rev,
            }
            rs["metadata"]["ownerReferences"] = [
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": w.name,
                    "uid": info.uid,
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ]
            sel = dict(obj["spec"].get("selector", {}).get("matchLabels") or w.labels)
            sel["pod-template-hash"] = info.rs_hash
            rs["spec"] = {"replicas": replicas, "selector": {"matchLabels": sel}, "template": tmpl}
            rs["status"] = {
                "replicas": replicas,
                "readyReplicas": replicas,
                "availableReplicas": replicas,
                "fullyLabeledReplicas": replicas,
                "observedGeneration": 1,
            }
            info.rs_obj = rs
        obj["status"] = {
            "replicas": replicas,
            "readyReplicas": replicas,
            "availableReplicas": replicas,
            "updatedReplicas": replicas,
            "observedGeneration": obj["metadata"]["generation"],
        }
        c.workloads.append(info)
        for i in range(replicas):
            node = rnd.choice(c.nodes)
            name = f"{w.name}-{i}" if w.kind == "StatefulSet" else f"{info.rs_name}-{rnd.safe(5)}"
            pod = make_pod(rnd, c, info, name, node, created + rnd.randint(60, 86_400) * 1000, used_ips)
            info.pods.append(pod)
    for svc in app.services:
        _service(rnd, c, copy.deepcopy(svc), created)
    c.items = _items(c)
    return c


def make_pod(
    rnd: Rand, c: Cluster, info: WorkloadInfo, name: str, node: Node, created: int, used_ips: set[str] | None = None
) -> Pod:
    """A running Pod object of ``info`` on ``node`` (also used for the replacement pods incidents create)."""
    used = used_ips if used_ips is not None else set(c.pod_by_ip)
    while True:
        ip = f"10.244.{node.index}.{rnd.randint(2, 254)}"
        if ip not in used and ip not in c.pod_by_ip:
            break
    used.add(ip)
    spec = copy.deepcopy(info.obj["spec"]["template"]["spec"])
    labels = dict(info.obj["spec"]["template"].get("metadata", {}).get("labels") or {})
    kind, owner, owner_uid = info.owner
    if info.kind == "Deployment":
        labels["pod-template-hash"] = info.rs_hash
    elif info.kind == "StatefulSet":
        labels["statefulset.kubernetes.io/pod-name"] = name
    token = f"kube-api-access-{rnd.safe(5)}"
    _listed(spec, "volumes").append(
        {
            "name": token,
            "projected": {
                "defaultMode": 420,
                "sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                    {
                        "downwardAPI": {
                            "items": [
                                {
                                    "path": "namespace",
                                    "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                                }
                            ]
                        }
                    },
                ],
            },
        }
    )
    for ctr in spec.get("containers", []):
        _listed(ctr, "volumeMounts").append(
            {"name": token, "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}
        )
    spec["nodeName"] = node.name
    spec.setdefault("serviceAccountName", spec.get("serviceAccountName", "default"))
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("schedulerName", "default-scheduler")
    md: Obj = {
        "name": name,
        "namespace": c.namespace,
        "uid": rnd.uid(),
        "resourceVersion": c.next_rv(),
        "creationTimestamp": times.seconds(created),
        "labels": labels,
        "ownerReferences": [
            {
                "apiVersion": "apps/v1",
                "kind": kind,
                "name": owner,
                "uid": owner_uid,
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ],
    }
    if info.kind == "Deployment":
        md["generateName"] = f"{info.rs_name}-"
    containers = [ct["name"] for ct in spec.get("containers", [])]
    images = [ct.get("image", "") for ct in spec.get("containers", [])]
    t = times.seconds(created + 4000)
    obj: Obj = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": md,
        "spec": spec,
        "status": {
            "phase": "Running",
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "hostIP": node.ip,
            "startTime": times.seconds(created + 1000),
            "qosClass": "Burstable",
            "conditions": [
                {"type": t_, "status": "True", "lastProbeTime": None, "lastTransitionTime": t}
                for t_ in ("Initialized", "Ready", "ContainersReady", "PodScheduled")
            ],
            "containerStatuses": [
                {
                    "name": n,
                    "image": im,
                    "imageID": f"{im.split(':')[0]}@sha256:{rnd.hex(64)}",
                    "containerID": f"containerd://{rnd.hex(64)}",
                    "ready": True,
                    "restartCount": 0,
                    "started": True,
                    "lastState": {},
                    "state": {"running": {"startedAt": t}},
                }
                for n, im in zip(containers, images, strict=True)
            ],
        },
    }
    cms = sorted({v["configMap"]["name"] for v in spec["volumes"] if "configMap" in v})
    secrets = sorted({v["secret"]["secretName"] for v in spec["volumes"] if "secret" in v})
    ports = [p.get("containerPort") for ct in spec.get("containers", []) for p in ct.get("ports", []) or []]
    port = next((int(p) for p in ports if isinstance(p, int)), 8080)
    pod = Pod(name, md["uid"], ip, node.name, info, containers, images, port, cms, secrets, obj)
    c.pod_by_ip[ip] = pod
    return pod


def _service(rnd: Rand, c: Cluster, svc: Obj, created: int) -> None:
    name = svc["metadata"]["name"]
    _meta(rnd, c, svc, name, created)
    spec = svc.setdefault("spec", {})
    headless = spec.get("clusterIP") == "None"
    ip = "None" if headless else f"10.96.{rnd.randint(0, 255)}.{rnd.randint(2, 254)}"
    spec["clusterIP"] = ip
    spec["clusterIPs"] = [ip]
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    spec["ipFamilies"] = ["IPv4"]
    ports = spec.get("ports") or []
    for p in ports:
        p.setdefault("protocol", "TCP")
        p.setdefault("targetPort", p.get("port"))
    sel = spec.get("selector") or {}
    pods = [
        p
        for w in c.workloads
        for p in w.pods
        if sel and all(p.obj["metadata"]["labels"].get(k) == v for k, v in sel.items())
    ]
    port = int(ports[0]["port"]) if ports else 80
    c.services[name] = Service(name, svc["metadata"]["uid"], ip, port, pods)
    svc["status"] = {"loadBalancer": {}}
    c.app.services = [s for s in c.app.services if s["metadata"]["name"] != name] + [svc]


def endpoints(c: Cluster, svc: Obj, pods: list[Pod]) -> list[Obj]:
    """The Endpoints and the EndpointSlice the controllers keep for ``svc`` (ready pods only)."""
    name = svc["metadata"]["name"]
    ports = svc["spec"].get("ports") or []

    def target_port(p: Obj, pod: Pod) -> int:
        tp = p.get("targetPort")
        return tp if isinstance(tp, int) and tp else pod.port

    ep_ports = [
        {
            "name": p.get("name", ""),
            "port": target_port(p, pods[0]) if pods else int(p["port"]),
            "protocol": p.get("protocol", "TCP"),
        }
        for p in ports
    ]
    for p in ep_ports:
        if not p["name"]:
            del p["name"]
    addresses = [
        {
            "ip": p.ip,
            "nodeName": p.node,
            "targetRef": {"kind": "Pod", "name": p.name, "namespace": c.namespace, "uid": p.uid},
        }
        for p in sorted(pods, key=lambda x: x.ip)
    ]
    md = svc["metadata"]
    ep: Obj = {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {
            "name": name,
            "namespace": c.namespace,
            "uid": _derive(md["uid"], 1),
            "resourceVersion": c.next_rv(),
            "creationTimestamp": md["creationTimestamp"],
            "labels": dict(md.get("labels") or {}),
        },
        "subsets": [{"addresses": addresses, "ports": ep_ports}] if addresses else [],
    }
    sl: Obj = {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "addressType": "IPv4",
        "metadata": {
            "name": f"{name}-{md['uid'][:5].replace('-', 'x')}",
            "namespace": c.namespace,
            "uid": _derive(md["uid"], 2),
            "resourceVersion": c.next_rv(),
            "creationTimestamp": md["creationTimestamp"],
            "generateName": f"{name}-",
            "labels": {
                "kubernetes.io/service-name": name,
                "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
            },
            "ownerReferences": [
                {
                    "apiVersion": "v1",
                    "kind": "Service",
                    "name": name,
                    "uid": md["uid"],
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "endpoints": [
            {
                "addresses": [p.ip],
                "conditions": {"ready": True, "serving": True, "terminating": False},
                "nodeName": p.node,
                "zone": f"zone-{'abc'[c.node(p.node).index % 3]}",
                "targetRef": {"kind": "Pod", "name": p.name, "namespace": c.namespace, "uid": p.uid},
            }
            for p in sorted(pods, key=lambda x: x.ip)
        ],
        "ports": ep_ports,
    }
    return [ep, sl]


def _derive(uid: str, n: int) -> str:
    """A second uid tied to ``uid`` (Endpoints/EndpointSlices get their own uids from the API server)."""
    h = f"{(int(uid.replace('-', ''), 16) * (2 * n + 1) + n) % (1 << 128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def _items(c: Cluster) -> list[Obj]:
    items: list[Obj] = [n.obj for n in c.nodes]
    items.append(
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": c.namespace,
                "uid": _derive(c.nodes[0].uid, 3),
                "resourceVersion": "211",
                "creationTimestamp": times.seconds(c.created_ms),
                "labels": {"kubernetes.io/metadata.name": c.namespace},
            },
            "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"},
        }
    )
    items += list(c.configmaps.values()) + list(c.secrets.values())
    for o in c.app.others:
        if o["kind"] in ("PersistentVolumeClaim", "PersistentVolume", "ServiceAccount"):
            o = copy.deepcopy(o)
            md = o.setdefault("metadata", {})
            if o["kind"] != "PersistentVolume":
                md["namespace"] = c.namespace
            md.setdefault("uid", _derive(c.nodes[0].uid, 10 + len(items)))
            md.setdefault("resourceVersion", c.next_rv())
            md.setdefault("creationTimestamp", times.seconds(c.created_ms))
            if o["kind"] == "PersistentVolumeClaim":
                o.setdefault("status", {"phase": "Bound"})
            items.append(o)
    for w in c.workloads:
        items.append(w.obj)
        if w.rs_obj is not None:
            items.append(w.rs_obj)
        items += [p.obj for p in w.pods]
    for s in c.app.services:
        items.append(s)
        if (s["spec"].get("selector") or {}) and s["metadata"]["name"] in c.services:
            items += endpoints(c, s, c.services[s["metadata"]["name"]].pods)
    return items
