"""One app materialised on a made-up cluster: nodes, controllers with replicas, pods with IPs, Services with their
endpoints, mounted ConfigMaps/Secrets, claimed volumes. Written as a ``kubectl get -o json`` List.

Conventions of this generator (deliberately its own): nodes named like a cloud pool or an EC2 host, pod IPs in
``100.64.<node>.0/24``, Service IPs in ``172.20.0.0/16``, node IPs in ``10.12.<zone>.<n>``; datastores are often
StatefulSets with a claim per replica; a log-forwarding DaemonSet runs on every node; calls are wired through
``*_ADDR`` env values in only some clusters (elsewhere only traffic shows them).
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from typing import Any

from bench.accuracy.indep.apps import App, Component, containers

Obj = dict[str, Any]
_ALNUM = "bcdfghjklmnpqrstvwxz2456789"
EPOCH_DAY = 86_400_000


def uid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def suffix(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_ALNUM) for _ in range(n))


def iso(ms: int) -> str:
    from datetime import UTC, datetime

    dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + (f".{ms % 1000:03d}Z" if ms % 1000 else "Z")


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
    node: Node
    workload: Workload
    obj: Obj

    @property
    def container(self) -> str:
        return str(self.obj["spec"]["containers"][0]["name"])


@dataclass
class Workload:
    kind: str
    name: str
    uid: str
    obj: Obj
    component: str = ""
    datastore: bool = False
    port: int = 8080
    rs: Obj | None = None
    pods: list[Pod] = field(default_factory=list)
    mounts: list[tuple[str, str]] = field(default_factory=list)  # (ConfigMap|Secret, name)

    @property
    def top(self) -> tuple[str, str]:
        return self.kind, self.name


@dataclass
class Cluster:
    """The materialised cluster and the lookups the fault builders need."""

    name: str
    namespace: str
    app: App
    start_ms: int
    nodes: list[Node] = field(default_factory=list)
    workloads: dict[str, Workload] = field(default_factory=dict)
    services: dict[str, Obj] = field(default_factory=dict)  # component -> Service
    configs: dict[tuple[str, str], Obj] = field(default_factory=dict)
    items: list[Obj] = field(default_factory=list)
    call_env: bool = False
    pod_ips: set[str] = field(default_factory=set)

    def pods(self) -> list[Pod]:
        return [p for w in self.workloads.values() for p in w.pods]

    def pods_on(self, node: Node) -> list[Pod]:
        return [p for p in self.pods() if p.node is node]

    def comp(self, name: str) -> Component:
        return self.app.components[name]

    def workloads_of(self, comp: str) -> list[Workload]:
        return [w for w in self.workloads.values() if w.component == comp]

    def callers(self, w: Workload) -> list[Workload]:
        """Workloads whose component calls ``w``'s component."""
        if not w.component:
            return []
        return [c for name in self.comp(w.component).callers for c in self.workloads_of(name) if c.pods]

    def service_addr(self, w: Workload) -> tuple[str, int] | None:
        svc = self.services.get(w.component)
        if svc is None:
            return None
        port = (svc["spec"].get("ports") or [{}])[0].get("port", w.port)
        return str(svc["spec"]["clusterIP"]), int(port)

    def users_of(self, kind: str, name: str) -> list[Workload]:
        return [w for w in self.workloads.values() if (kind, name) in w.mounts and w.pods]

    def new_pod_ip(self, node: Node, rng: random.Random) -> str:
        while True:
            ip = f"100.64.{node.index}.{rng.randint(2, 253)}"
            if ip not in self.pod_ips:
                self.pod_ips.add(ip)
                return ip


def _meta(obj: Obj, ns: str, rng: random.Random, created: int) -> Obj:
    m: Obj = obj.setdefault("metadata", {})
    m["namespace"] = ns
    m["uid"] = uid(rng)
    m["resourceVersion"] = str(rng.randint(100_000, 9_000_000))
    m["creationTimestamp"] = iso(created)
    return m


def _node(i: int, style: str, rng: random.Random, created: int, zone: str) -> Node:
    ip = f"10.12.{10 + i % 3}.{rng.randint(10, 250)}"
    name = (
        f"gke-{style}-pool-{i // 3 + 1}-{suffix(rng, 4)}"
        if style != "aws"
        else f"ip-{ip.replace('.', '-')}.eu-west-1.compute.internal"
    )
    cond = [
        {"type": t, "status": "False", "reason": f"KubeletHasNo{t}", "lastTransitionTime": iso(created)}
        for t in ("MemoryPressure", "DiskPressure", "PIDPressure")
    ]
    cond.append({"type": "Ready", "status": "True", "reason": "KubeletReady", "lastTransitionTime": iso(created)})
    obj: Obj = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "uid": uid(rng),
            "resourceVersion": str(rng.randint(100_000, 9_000_000)),
            "creationTimestamp": iso(created),
            "labels": {"kubernetes.io/hostname": name, "topology.kubernetes.io/zone": zone},
        },
        "spec": {"podCIDR": f"100.64.{i}.0/24"},
        "status": {
            "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}],
            "capacity": {"cpu": "8", "memory": "32880156Ki", "pods": "110"},
            "conditions": cond,
        },
    }
    return Node(name, obj["metadata"]["uid"], ip, i, obj)


def _port(c: Obj, svc: Obj | None) -> int:
    if svc is not None:
        p = (svc.get("spec", {}).get("ports") or [{}])[0]
        target = p.get("targetPort", p.get("port"))
        if isinstance(target, int):
            return target
        if isinstance(p.get("port"), int):
            return int(p["port"])
    for port in c.get("ports") or []:
        if isinstance(port.get("containerPort"), int):
            return int(port["containerPort"])
    return 8080


def build(app: App, rng: random.Random, start_ms: int, index: int) -> Cluster:
    """Materialise ``app``; deterministic for the state of ``rng``."""
    ns = rng.choice([app.name, f"{app.name}-prod", f"shop-{index}", f"team-{suffix(rng, 3)}"])
    cl = Cluster(rng.choice(["prod-eu1", "prod-us2", "staging", "edge-7"]), ns, app, start_ms)
    cl.call_env = rng.random() < 0.5
    created = start_ms - rng.randint(3, 40) * EPOCH_DAY
    style = rng.choice(["aws", "prod", "main"])
    n_nodes = rng.randint(3, 6)
    cl.nodes = [_node(i, style, rng, created, f"zone-{'abc'[i % 3]}") for i in range(n_nodes)]
    cl.items.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "uid": uid(rng)}})
    cl.items += [n.obj for n in cl.nodes]
    comp_of: dict[int, str] = {}
    for comp in app.components.values():
        for w in comp.workloads:
            comp_of[id(w)] = comp.name
        if comp.service is not None:
            cl.services[comp.name] = comp.service
    seen: set[str] = set()
    for comp in app.components.values():
        for raw in comp.workloads:
            if raw["metadata"]["name"] in seen:
                continue
            seen.add(raw["metadata"]["name"])
            _workload(cl, comp, raw, rng, created)
    _daemonset(cl, rng, created)
    _configs(cl, rng, created)
    if cl.call_env:
        _wire_calls(cl)
    _place(cl, rng, created)
    _services(cl, rng, created)
    for wl in cl.workloads.values():
        cl.items.append(wl.obj)
        if wl.rs is not None:
            cl.items.append(wl.rs)
        cl.items += [p.obj for p in wl.pods]
    return cl


def _workload(cl: Cluster, comp: Component, raw: Obj, rng: random.Random, created: int) -> None:
    obj = copy.deepcopy(raw)
    store = comp.datastore
    if store and obj["kind"] == "Deployment" and rng.random() < 0.6:
        obj["kind"], obj["apiVersion"] = "StatefulSet", "apps/v1"
        obj["spec"].pop("strategy", None)
        obj["spec"]["serviceName"] = comp.name
        obj["spec"]["volumeClaimTemplates"] = [
            {"metadata": {"name": "data"}, "spec": {"resources": {"requests": {"storage": "10Gi"}}}}
        ]
    replicas = rng.choice([1, 1, 1, 3]) if store else rng.choices([1, 2, 3, 4], weights=[2, 4, 3, 1])[0]
    obj["spec"]["replicas"] = replicas
    m = _meta(obj, cl.namespace, rng, created)
    labels = obj["spec"]["template"].setdefault("metadata", {}).setdefault("labels", {})
    if not labels:
        labels["app"] = m["name"]
    obj["spec"].setdefault("selector", {"matchLabels": dict(labels)})
    cs = containers(obj)
    for c in cs:
        res = c.setdefault("resources", {})
        res.setdefault("limits", {}).setdefault("memory", rng.choice(["256Mi", "512Mi", "1Gi"]))
    w = Workload(obj["kind"], m["name"], m["uid"], obj, comp.name, store, _port(cs[0], comp.service))
    cl.workloads[w.name] = w


def _daemonset(cl: Cluster, rng: random.Random, created: int) -> None:
    name = rng.choice(["log-forwarder", "node-agent", "metrics-collector"])
    obj: Obj = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "containers": [
                        {
                            "name": name,
                            "image": "cr.fluentbit.io/fluent/fluent-bit:3.0.4",
                            "resources": {"limits": {"memory": "200Mi"}},
                        }
                    ]
                },
            },
        },
    }
    m = _meta(obj, cl.namespace, rng, created)
    cl.workloads[name] = Workload("DaemonSet", name, m["uid"], obj, "", False, 2020)


def _list(d: Obj, key: str) -> list[Any]:
    """``d[key]`` as a list to append to (manifests write ``key:`` with nothing after it)."""
    if not isinstance(d.get(key), list):
        d[key] = []
    out: list[Any] = d[key]
    return out


def _mount(w: Workload, kind: str, name: str, how: str) -> None:
    spec = w.obj["spec"]["template"]["spec"]
    c = spec["containers"][0]
    if how == "volume":
        vol = f"{name}-vol"[:63]
        src = {"configMap": {"name": name}} if kind == "ConfigMap" else {"secret": {"secretName": name}}
        _list(spec, "volumes").append({"name": vol, **src})
        _list(c, "volumeMounts").append({"name": vol, "mountPath": f"/etc/{name}", "readOnly": True})
    elif how == "envFrom":
        ref = {"configMapRef": {"name": name}} if kind == "ConfigMap" else {"secretRef": {"name": name}}
        _list(c, "envFrom").append(ref)
    else:
        key = "configMapKeyRef" if kind == "ConfigMap" else "secretKeyRef"
        var = name.upper().replace("-", "_") + ("_PASSWORD" if kind == "Secret" else "_MODE")
        _list(c, "env").append({"name": var, "valueFrom": {key: {"name": name, "key": "value"}}})
    if (kind, name) not in w.mounts:
        w.mounts.append((kind, name))


def _config_obj(cl: Cluster, kind: str, name: str, rng: random.Random, created: int) -> Obj:
    obj: Obj = {"apiVersion": "v1", "kind": kind, "metadata": {"name": name}}
    if kind == "ConfigMap":
        obj["data"] = {"settings.yaml": f"log_level: info\npool_size: {rng.randint(4, 64)}\n", "value": "standard"}
    else:
        obj["type"] = "Opaque"
        obj["data"] = {"value": f"{rng.getrandbits(64):016x}", "username": "YXBw"}
    _meta(obj, cl.namespace, rng, created)
    cl.configs[(kind, name)] = obj
    return obj


def _configs(cl: Cluster, rng: random.Random, created: int) -> None:
    """Keep the app's own ConfigMaps/Secrets/PVCs; add a shared settings ConfigMap, some per-service ones, and a
    credentials Secret per datastore that its callers read."""
    for extra in cl.app.extras:
        obj = copy.deepcopy(extra)
        _meta(obj, cl.namespace, rng, created)
        if obj["kind"] == "PersistentVolumeClaim":
            cl.items.append(obj)
            continue
        cl.configs[(obj["kind"], obj["metadata"]["name"])] = obj
    stateless = [w for w in cl.workloads.values() if not w.datastore and w.kind != "DaemonSet"]
    for w in cl.workloads.values():
        for kind, name in _referenced(w.obj):
            if (kind, name) in cl.configs and (kind, name) not in w.mounts:
                w.mounts.append((kind, name))
    shared = f"{cl.app.name}-settings"
    _config_obj(cl, "ConfigMap", shared, rng, created)
    for w in rng.sample(stateless, k=min(len(stateless), rng.randint(2, 4))):
        _mount(w, "ConfigMap", shared, rng.choice(["volume", "volume", "env"]))
    for w in stateless:
        if rng.random() < 0.35:
            name = f"{w.name}-config"
            _config_obj(cl, "ConfigMap", name, rng, created)
            _mount(w, "ConfigMap", name, rng.choice(["volume", "envFrom"]))
    for w in [w for w in cl.workloads.values() if w.datastore]:
        users = [u for u in cl.callers(w) if u.kind != "DaemonSet"]
        if not users or rng.random() < 0.3:
            continue
        name = f"{w.name}-credentials"
        _config_obj(cl, "Secret", name, rng, created)
        _mount(w, "Secret", name, "env")
        for u in users:
            _mount(u, "Secret", name, rng.choice(["env", "volume"]))
    cl.items += list(cl.configs.values())


def _referenced(obj: Obj) -> list[tuple[str, str]]:
    spec = obj["spec"]["template"]["spec"]
    out = []
    for v in spec.get("volumes") or []:
        if (v.get("configMap") or {}).get("name"):
            out.append(("ConfigMap", str(v["configMap"]["name"])))
        if (v.get("secret") or {}).get("secretName"):
            out.append(("Secret", str(v["secret"]["secretName"])))
    for c in spec.get("containers") or []:
        for e in c.get("env") or []:
            ref = (e.get("valueFrom") or {}).get("secretKeyRef") or {}
            if ref.get("name"):
                out.append(("Secret", str(ref["name"])))
    return out


def _wire_calls(cl: Cluster) -> None:
    """``<CALLEE>_ADDR=callee:port`` on each caller that does not name its callee already."""
    for w in cl.workloads.values():
        if not w.component:
            continue
        c = w.obj["spec"]["template"]["spec"]["containers"][0]
        env = _list(c, "env")
        text = " ".join(str(e.get("value", "")) for e in env)
        for callee in cl.comp(w.component).callees:
            svc = cl.services.get(callee)
            if svc is None or callee in text:
                continue
            port = (svc["spec"].get("ports") or [{}])[0].get("port", 80)
            env.append({"name": callee.upper().replace("-", "_") + "_ADDR", "value": f"{callee}:{port}"})


def _place(cl: Cluster, rng: random.Random, created: int) -> None:
    for w in list(cl.workloads.values()):
        spec = w.obj["spec"]
        tmpl_labels = dict(spec["template"]["metadata"]["labels"])
        owner_kind, owner_name, owner_uid = w.kind, w.name, w.uid
        if w.kind == "Deployment":
            h = suffix(rng, 10)
            rs: Obj = {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "metadata": {
                    "name": f"{w.name}-{h}",
                    "labels": {**tmpl_labels, "pod-template-hash": h},
                    "annotations": {"deployment.kubernetes.io/revision": str(rng.randint(1, 9))},
                    "ownerReferences": [
                        {
                            "apiVersion": "apps/v1",
                            "kind": "Deployment",
                            "name": w.name,
                            "uid": w.uid,
                            "controller": True,
                        }
                    ],
                },
                "spec": {"replicas": spec["replicas"], "template": copy.deepcopy(spec["template"])},
            }
            _meta(rs, cl.namespace, rng, created)
            w.rs = rs
            owner_kind, owner_name, owner_uid = "ReplicaSet", rs["metadata"]["name"], rs["metadata"]["uid"]
            tmpl_labels["pod-template-hash"] = h
        nodes = cl.nodes if w.kind == "DaemonSet" else None
        count = len(cl.nodes) if nodes else int(spec["replicas"])
        first = rng.randrange(len(cl.nodes))
        for i in range(count):
            node = cl.nodes[i] if nodes else cl.nodes[(first + i) % len(cl.nodes)]
            name = f"{w.name}-{i}" if w.kind == "StatefulSet" else f"{owner_name}-{suffix(rng, 5)}"
            pod = make_pod(cl, w, name, node, (owner_kind, owner_name, owner_uid), tmpl_labels, rng, created)
            w.pods.append(pod)


def make_pod(
    cl: Cluster,
    w: Workload,
    name: str,
    node: Node,
    owner: tuple[str, str, str],
    labels: dict[str, str],
    rng: random.Random,
    started: int,
    image: str | None = None,
) -> Pod:
    """A running pod of ``w`` on ``node`` (also used for the pods a rollout adds)."""
    spec = copy.deepcopy(w.obj["spec"]["template"]["spec"])
    spec["nodeName"] = node.name
    if image:
        spec["containers"][0]["image"] = image
    if w.kind == "StatefulSet":
        _list(spec, "volumes").append({"name": "data", "persistentVolumeClaim": {"claimName": f"data-{name}"}})
        pvc: Obj = {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": f"data-{name}"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}},
            "status": {"phase": "Bound"},
        }
        _meta(pvc, cl.namespace, rng, started)
        pvc["spec"]["volumeName"] = f"pvc-{pvc['metadata']['uid']}"
        cl.items.append(pvc)
    ip = cl.new_pod_ip(node, rng)
    obj: Obj = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "labels": dict(labels),
            "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": owner[0], "name": owner[1], "uid": owner[2], "controller": True}
            ],
        },
        "spec": spec,
        "status": {
            "phase": "Running",
            "hostIP": node.ip,
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "startTime": iso(started),
            "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": iso(started)}],
            "containerStatuses": [
                {
                    "name": c["name"],
                    "image": c.get("image", ""),
                    "ready": True,
                    "restartCount": 0,
                    "state": {"running": {"startedAt": iso(started)}},
                }
                for c in spec["containers"]
            ],
        },
    }
    _meta(obj, cl.namespace, rng, started)
    return Pod(name, obj["metadata"]["uid"], ip, node, w, obj)


def _services(cl: Cluster, rng: random.Random, created: int) -> None:
    slices = rng.random() < 0.5
    used: set[str] = set()
    for comp, raw in list(cl.services.items()):
        svc = copy.deepcopy(raw)
        _meta(svc, cl.namespace, rng, created)
        while True:
            ip = f"172.20.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
            if ip not in used:
                used.add(ip)
                break
        svc["spec"]["clusterIP"] = ip
        cl.services[comp] = svc
        cl.items.append(svc)
        pods = [p for w in cl.workloads_of(comp) for p in w.pods]
        name = svc["metadata"]["name"]
        port = cl.workloads_of(comp)[0].port if pods else 80
        targets: list[Obj] = [
            {"ip": p.ip, "nodeName": p.node.name, "targetRef": {"kind": "Pod", "name": p.name, "uid": p.uid}}
            for p in pods
        ]
        ep: Obj
        if slices:
            ep = {
                "apiVersion": "discovery.k8s.io/v1",
                "kind": "EndpointSlice",
                "metadata": {"name": f"{name}-{suffix(rng, 5)}", "labels": {"kubernetes.io/service-name": name}},
                "addressType": "IPv4",
                "endpoints": [
                    {
                        "addresses": [t["ip"]],
                        "conditions": {"ready": True},
                        "nodeName": t["nodeName"],
                        "targetRef": {**t["targetRef"], "namespace": cl.namespace},
                    }
                    for t in targets
                ],
                "ports": [{"port": port, "protocol": "TCP"}],
            }
        else:
            ep = {
                "apiVersion": "v1",
                "kind": "Endpoints",
                "metadata": {"name": name},
                "subsets": [{"addresses": targets, "ports": [{"port": port, "protocol": "TCP"}]}] if targets else [],
            }
        _meta(ep, cl.namespace, rng, created)
        cl.items.append(ep)
