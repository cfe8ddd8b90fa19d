"""Topology import at Kubernetes' published limits: synthetic ``kubectl get -o json`` files -> embedded FalkorDB.

    .venv/bin/python -m bench.topology_import [--scale 1.0] [--keep DIR] [--json]

Generates 5,000 Nodes and 150,000 Pods (times ``--scale``) with their ReplicaSets, Deployments, Services,
EndpointSlices, ConfigMaps and Namespaces, written as ``List`` JSON files of at most 5,000 objects, then imports
them with ``causegraph.commands.import_.import_paths`` (the code ``causegraph import`` runs: parse, transform,
write, link) into a fresh embedded FalkorDB. Prints objects/s end to end, the total time, the peak RSS of this
process, of its parse worker and of the FalkorDB server (sampled every 0.2 s).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from causegraph.commands.import_ import import_paths
from graph import open_store
from graph.falkor import FalkorStore

NODES, PODS, PODS_PER_DEPLOYMENT, NAMESPACES = 5_000, 150_000, 20, 100
FILE_OBJECTS = 5_000
T0 = "2026-01-01T00:00:00Z"


def _meta(name: str, uid: str, ns: str = "", labels: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    m: dict[str, Any] = {"name": name, "uid": uid, "resourceVersion": "1", "creationTimestamp": T0}
    if ns:
        m["namespace"] = ns
    if labels:
        m["labels"] = labels
    m.update(extra)
    return m


def _node(i: int) -> dict[str, Any]:
    conds = [
        {"type": t, "status": "False", "lastTransitionTime": T0}
        for t in ("MemoryPressure", "DiskPressure", "PIDPressure")
    ]
    conds.append({"type": "Ready", "status": "True", "lastTransitionTime": T0})
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": _meta(f"node-{i}", f"node-u{i}", labels={"topology.kubernetes.io/zone": f"zone-{i % 3}"}),
        "status": {
            "conditions": conds,
            "addresses": [{"type": "InternalIP", "address": f"10.{i // 250}.{i % 250}.1"}],
            "capacity": {"cpu": "32", "memory": "128Gi"},
        },
    }


def _template(app: str, callee: str) -> dict[str, Any]:
    return {
        "metadata": {"labels": {"app": app}},
        "spec": {
            "containers": [
                {
                    "name": "app",
                    "image": f"registry/{app}:v1.0.0",
                    "env": [{"name": "NEXT_ADDR", "value": f"{callee}:8080"}],
                    "envFrom": [{"configMapRef": {"name": f"{app}-config"}}],
                    "resources": {
                        "limits": {"memory": "512Mi", "cpu": "500m"},
                        "requests": {"memory": "256Mi", "cpu": "100m"},
                    },
                }
            ],
            "volumes": [{"name": "cfg", "configMap": {"name": f"{app}-config"}}],
        },
    }


def generate(folder: Path, scale: float) -> int:
    """Write the synthetic cluster into ``folder``; return the number of objects."""
    n_nodes, n_pods = max(1, int(NODES * scale)), max(PODS_PER_DEPLOYMENT, int(PODS * scale))
    n_deps = n_pods // PODS_PER_DEPLOYMENT
    objects: list[dict[str, Any]] = [_node(i) for i in range(n_nodes)]
    objects += [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(f"ns-{i}", f"ns-u{i}")} for i in range(NAMESPACES)
    ]
    pod_index = 0
    for d in range(n_deps):
        ns, app = f"ns-{d % NAMESPACES}", f"app-{d}"
        tmpl = _template(app, f"app-{d + NAMESPACES}" if d + NAMESPACES < n_deps else "external")
        objects.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": _meta(
                    app, f"dep-u{d}", ns, {"app": app}, annotations={"deployment.kubernetes.io/revision": "1"}
                ),
                "spec": {"replicas": PODS_PER_DEPLOYMENT, "selector": {"matchLabels": {"app": app}}, "template": tmpl},
                "status": {"replicas": PODS_PER_DEPLOYMENT, "readyReplicas": PODS_PER_DEPLOYMENT},
            }
        )
        rs_owner = [
            {"apiVersion": "apps/v1", "kind": "Deployment", "name": app, "uid": f"dep-u{d}", "controller": True}
        ]
        objects.append(
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "metadata": _meta(
                    f"{app}-5d9f",
                    f"rs-u{d}",
                    ns,
                    {"app": app},
                    ownerReferences=rs_owner,
                    annotations={"deployment.kubernetes.io/revision": "1"},
                ),
                "spec": {"replicas": PODS_PER_DEPLOYMENT, "template": tmpl},
                "status": {"replicas": PODS_PER_DEPLOYMENT, "readyReplicas": PODS_PER_DEPLOYMENT},
            }
        )
        objects.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": _meta(f"{app}-config", f"cm-u{d}", ns),
                "data": {"app.yaml": f"name: {app}\nreplicas: 20\n", "LOG_LEVEL": "info"},
            }
        )
        objects.append(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": _meta(app, f"svc-u{d}", ns, {"app": app}),
                "spec": {
                    "type": "ClusterIP",
                    "clusterIP": f"172.{16 + d // 65000}.{d // 250 % 256}.{d % 250}",
                    "selector": {"app": app},
                    "ports": [{"name": "http", "port": 80, "targetPort": 8080}],
                },
            }
        )
        endpoints = []
        rs_ref = [
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": f"{app}-5d9f",
                "uid": f"rs-u{d}",
                "controller": True,
            }
        ]
        for r in range(PODS_PER_DEPLOYMENT):
            i, ip = pod_index, f"100.{pod_index // 65000}.{pod_index // 250 % 260}.{pod_index % 250}"
            pod_index += 1
            node = f"node-{i % n_nodes}"
            objects.append(
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": _meta(
                        f"{app}-5d9f-{r}",
                        f"pod-u{i}",
                        ns,
                        {"app": app, "pod-template-hash": "5d9f"},
                        ownerReferences=rs_ref,
                    ),
                    "spec": {**tmpl["spec"], "nodeName": node},
                    "status": {
                        "phase": "Running",
                        "podIP": ip,
                        "hostIP": "10.0.0.1",
                        "startTime": T0,
                        "conditions": [{"type": "Ready", "status": "True"}],
                        "containerStatuses": [
                            {
                                "name": "app",
                                "ready": True,
                                "restartCount": 0,
                                "image": f"registry/{app}:v1.0.0",
                                "state": {"running": {"startedAt": T0}},
                            }
                        ],
                    },
                }
            )
            endpoints.append(
                {
                    "addresses": [ip],
                    "conditions": {"ready": True},
                    "nodeName": node,
                    "targetRef": {"kind": "Pod", "namespace": ns, "name": f"{app}-5d9f-{r}", "uid": f"pod-u{i}"},
                }
            )
        objects.append(
            {
                "apiVersion": "discovery.k8s.io/v1",
                "kind": "EndpointSlice",
                "addressType": "IPv4",
                "metadata": _meta(f"{app}-abcde", f"es-u{d}", ns, {"kubernetes.io/service-name": app}),
                "endpoints": endpoints,
                "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
            }
        )
    for start in range(0, len(objects), FILE_OBJECTS):
        chunk = objects[start : start + FILE_OBJECTS]
        (folder / f"part-{start // FILE_OBJECTS:04d}.json").write_text(
            json.dumps({"apiVersion": "v1", "kind": "List", "items": chunk})
        )
    return len(objects)


class PeakRss:
    """Sample the RSS of a process in a thread (with ``children``: of its child processes but ``exclude``, summed);
    ``peak`` in bytes."""

    def __init__(self, pid: int, *, children: bool = False, exclude: int = 0) -> None:
        self.proc, self.peak, self._stop = psutil.Process(pid), 0, threading.Event()
        self.children, self.exclude = children, exclude
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        if not self.children:
            return int(self.proc.memory_info().rss)
        total = 0
        for child in self.proc.children(recursive=True):
            if child.pid != self.exclude:
                with contextlib.suppress(psutil.Error):
                    total += child.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self._rss())
            except psutil.Error:
                return
            self._stop.wait(0.2)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of 5,000 nodes / 150,000 pods (default 1.0)")
    ap.add_argument("--batch", type=int, default=1000, help="rows per UNWIND batch")
    ap.add_argument("--keep", metavar="DIR", help="write the files (and the graph) here instead of a temp folder")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.keep or tmp)
        files = root / "files"
        files.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        n = generate(files, args.scale)
        gen_s = time.perf_counter() - t
        size = sum(f.stat().st_size for f in files.iterdir())
        store = open_store(str(root / "graph" / "graph.rdb"), graph_name="bench", batch_size=args.batch)
        assert isinstance(store, FalkorStore)
        server_pid = store._client.pid  # the embedded redis-server
        try:
            store.clear()
            store.apply_schema()
            with PeakRss(server_pid) as server, PeakRss(os.getpid(), children=True, exclude=server_pid) as workers:
                summary = import_paths(store, [files], "bench", args.batch)
            stats = {r["label"]: r["count"] for r in store.query("graph_stats_nodes")}
            rels = {r["type"]: r["count"] for r in store.query("graph_stats_relationships")}
        finally:
            store.close()
    result = {
        "scale": args.scale,
        "objects": n,
        "files_mb": round(size / 2**20, 1),
        "generate_s": round(gen_s, 1),
        "import_s": round(summary.seconds, 1),
        "objects_per_s": round(summary.imported / summary.seconds),
        "peak_rss_importer_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "peak_rss_worker_mb": round(workers.peak / 2**20),
        "peak_rss_falkordb_mb": round(server.peak / 2**20),
        "problems": len(summary.problems),
        "nodes": stats,
        "relationships": rels,
    }
    print(json.dumps(result, indent=None if args.json else 2))
    return 0 if not summary.problems else 1


if __name__ == "__main__":
    sys.exit(main())
