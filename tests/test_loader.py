"""TopologyLoader on the embedded FalkorDB: the exact graph from real API JSON, lookups by IP, deletion, changes."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from graph import GraphStore
from ingest.eventwriter import EventWriter
from ingest.files import read_file
from ingest.loader import TopologyLoader

DATA = Path(__file__).resolve().parents[1] / "data" / "k8s-json"


def _edges(store: GraphStore, cluster: str) -> set[tuple[str, str, str, str]]:
    rows = store.run(
        "MATCH (a:Resource {cluster: $c})-[r]->(b) RETURN type(r) AS t, a.name AS a, b.kind AS bk, b.name AS b",
        {"c": cluster},
    )
    return {(r["t"], r["a"], r["bk"], r["b"]) for r in rows}


def test_sonobuoy_pods_and_nodes_exact_graph(store: GraphStore) -> None:
    loader = TopologyLoader(store, "kind", defer_relationships=True)
    for name in ("podlist.sonobuoy-kind-3node.kube-system.json", "nodelist.sonobuoy-kind-3node.json"):
        loader.apply(read_file(DATA / name).objects)
    loader.finish()
    assert dict(loader.counts) == {"Pod": 14, "Node": 3}
    cp, w1, w2 = "kind-control-plane", "kind-worker", "kind-worker2"
    static = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]
    expected = {("OWNED_BY", f"{s}-{cp}", "Node", cp) for s in static}  # static pods: owner is the Node
    expected |= {("RUNS_ON", f"{s}-{cp}", "Node", cp) for s in static}
    expected |= {
        ("RUNS_ON", "coredns-74ff55c5b-cpfqs", "Node", cp),
        ("RUNS_ON", "coredns-74ff55c5b-vk77h", "Node", cp),
        ("RUNS_ON", "kindnet-hknk7", "Node", w2),
        ("RUNS_ON", "kindnet-qhzxn", "Node", cp),
        ("RUNS_ON", "kindnet-x9fsq", "Node", w1),
        ("RUNS_ON", "kube-proxy-8jj5r", "Node", w2),
        ("RUNS_ON", "kube-proxy-g79v6", "Node", w1),
        ("RUNS_ON", "kube-proxy-lrtdp", "Node", cp),
    }
    # ReplicaSets, DaemonSets, ConfigMaps, Secrets and the Namespace are not in these files: no edge to them.
    assert _edges(store, "kind") == expected
    pending = store.run("MATCH (p:Pod {cluster: 'kind'}) WHERE p.node_name IS NULL RETURN p.name AS n ORDER BY n")
    assert [r["n"] for r in pending] == ["coredns-74ff55c5b-ppjrs", "coredns-74ff55c5b-s89p7"]


def test_nri_endpoints_select_pods_exactly(store: GraphStore) -> None:
    loader = TopologyLoader(store, "mk", defer_relationships=True)
    folder = DATA / "nri-kubernetes-1_35"
    for name in ("endpoints.json", "services.json", "pods.json", "namespaces.json", "nodes.json"):
        loader.apply(read_file(folder / name).objects)
    loader.finish()
    rows = store.run(
        "MATCH (s:Service {cluster: 'mk'})-[r:SELECTS]->(p:Pod) "
        "RETURN s.name AS s, p.name AS p, r.ready AS ready, r.via AS via"
    )
    assert {(r["s"], r["p"], r["ready"], r["via"]) for r in rows} == {
        ("e2e-hpa", "e2e-hpa-6cd8d99884-tggnr", True, "endpoints"),
        ("e2e-kube-state-metrics", "e2e-kube-state-metrics-75b885dc9-97mtr", True, "endpoints"),
        ("e2e-statefulset", "e2e-statefulset-0", True, "endpoints"),
        ("e2e-statefulset", "e2e-statefulset-1", True, "endpoints"),
        ("kube-dns", "coredns-7d764666f9-qdcxt", True, "endpoints"),
        ("metrics-server", "metrics-server-9d74bb658-c6nnt", True, "endpoints"),
    }
    ns = store.run("MATCH (p:Pod {cluster: 'mk'})-[:IN_NAMESPACE]->(n:Namespace) RETURN count(p) AS c")
    assert ns[0]["c"] == 25
    failed = store.run("MATCH (p:Pod {name: 'e2e-failjob-28dqq'}) RETURN p.last_exit_codes AS c, p.phase AS ph")
    assert failed == [{"c": [42], "ph": "Failed"}]


def _pod(name: str, uid: str, ip: str, start: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "shop", "uid": uid, "resourceVersion": "1", "labels": {"app": "api"}},
        "spec": {"nodeName": "n1", "containers": [{"name": "api", "image": "app:v1"}]},
        "status": {"podIP": ip, "startTime": start, "phase": "Running"},
        **extra,
    }


def test_pod_by_ip_at_time_with_reuse_and_service_by_cluster_ip(store: GraphStore) -> None:
    loader = TopologyLoader(store, "prod")
    old = _pod("api-old", "u-old", "10.0.0.7", "2026-01-01T00:00:00Z")
    loader.apply([old])
    loader.delete(old, at_ms=1_767_225_600_000 + 60_000)  # deleted at 00:01
    loader.apply([_pod("api-new", "u-new", "10.0.0.7", "2026-01-01T00:02:00Z")])
    svc = {
        "kind": "Service",
        "metadata": {"name": "api", "namespace": "shop", "uid": "s1"},
        "spec": {"clusterIP": "10.96.0.10", "selector": {"app": "api"}},
    }
    loader.apply([svc])
    t0 = 1_767_225_600_000

    def who(ts: int) -> list[str]:
        return [r["name"] for r in store.query("pod_by_ip_at", {"cluster": "prod", "ip": "10.0.0.7", "ts": ts})]

    assert who(t0 + 30_000) == ["api-old"]
    assert who(t0 + 90_000) == []  # between the two pods
    assert who(t0 + 180_000) == ["api-new"]
    assert who(t0 - 1) == []
    found = store.query("service_by_cluster_ip", {"cluster": "prod", "ip": "10.96.0.10"})
    assert [r["key"] for r in found] == ["prod/Service/shop/api"]
    loader.finish()  # no endpoints: the selector links the live pod only
    rows = store.run("MATCH (:Service {uid: 's1'})-[r:SELECTS]->(p) RETURN p.name AS p, r.via AS via")
    assert rows == [{"p": "api-new", "via": "selector"}]


def test_changes_returned_and_deletion_events(store: GraphStore) -> None:
    loader = TopologyLoader(store, "prod")
    dep = {
        "kind": "Deployment",
        "metadata": {"name": "api", "namespace": "shop", "uid": "d1", "resourceVersion": "1"},
        "spec": {
            "template": {
                "metadata": {"labels": {"app": "api"}},
                "spec": {
                    "containers": [{"name": "api", "image": "app:v1.4.2"}],
                    "volumes": [{"name": "c", "configMap": {"name": "old-cfg"}}],
                },
            }
        },
    }
    cms = [
        {"kind": "ConfigMap", "metadata": {"name": n, "namespace": "shop", "uid": n}} for n in ("old-cfg", "new-cfg")
    ]
    loader.apply([*cms, dep])
    assert loader.apply([dep]) == []
    dep2 = json.loads(json.dumps(dep))
    dep2["metadata"]["resourceVersion"] = "2"
    dep2["spec"]["template"]["spec"]["containers"][0]["image"] = "app:v1.5.0"
    dep2["spec"]["template"]["spec"]["volumes"][0]["configMap"]["name"] = "new-cfg"
    (ev,) = loader.apply([dep2], observed_at_ms=7)
    assert ev.id == "d1@2" and ev.detail["image"]["after"] == "app:v1.5.0"
    uses = store.run("MATCH (:Deployment {uid: 'd1'})-[:USES]->(c) RETURN c.name AS n")
    assert uses == [{"n": "new-cfg"}]  # the template's references are rewritten
    pod = _pod("api-1", "p1", "10.0.0.9", "2026-01-01T00:00:00Z")
    loader.apply([pod])
    (gone,) = loader.delete(pod, at_ms=99)
    assert gone.reason == "PodDeleted"
    assert store.run("MATCH (p:Pod {uid: 'p1'}) RETURN p.deleted_at AS d") == [{"d": 99}]
    assert loader.mark_missing("ConfigMap", {"new-cfg"}, at_ms=100) == 1
    assert store.run("MATCH (c:ConfigMap {uid: 'old-cfg'}) RETURN c.deleted_at AS d") == [{"d": 100}]


def test_a_status_fact_is_recorded_once_across_a_restart(store: GraphStore) -> None:
    loader = TopologyLoader(store, "prod")
    pod = _pod("api-1", "p1", "10.0.0.9", "2026-01-01T00:00:00Z")
    loader.apply([pod])
    killed = json.loads(json.dumps(pod))
    killed["metadata"]["resourceVersion"] = "2"
    killed["status"]["containerStatuses"] = [
        {
            "name": "api",
            "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137, "finishedAt": "2026-01-01T00:03:00Z"}},
        }
    ]
    (ev,) = loader.apply([killed])
    assert ev.id == "p1@2"  # the version that showed the kill (DESIGN §4)
    EventWriter(store, "prod").write([ev])
    killed["metadata"]["resourceVersion"] = "3"
    assert TopologyLoader(store, "prod").apply([killed]) == []  # a restart's relist: the kill is known
    other = TopologyLoader(store, "other")  # another cluster has no such event
    assert [e.id for e in other.apply([killed])] == ["p1@OOMKilled:api:1767225780000"]
    looping = json.loads(json.dumps(killed))
    looping["metadata"]["resourceVersion"] = "4"
    looping["status"]["containerStatuses"][0]["state"] = {"waiting": {"reason": "CrashLoopBackOff"}}
    assert [e.reason for e in loader.apply([looping], observed_at_ms=9)] == ["CrashLoopBackOff"]
    assert TopologyLoader(store, "prod").apply([looping], observed_at_ms=10) == []  # a restart: no news


def test_endpoint_update_replaces_its_selects(store: GraphStore) -> None:
    loader = TopologyLoader(store, "prod")
    pods = [_pod(f"api-{i}", f"p{i}", f"10.0.0.{i}", "2026-01-01T00:00:00Z") for i in (1, 2)]
    svc = {"kind": "Service", "metadata": {"name": "api", "namespace": "shop", "uid": "s1"}, "spec": {}}

    def slice_(rv: str, *uids: str) -> dict[str, Any]:
        return {
            "kind": "EndpointSlice",
            "apiVersion": "discovery.k8s.io/v1",
            "metadata": {
                "name": "api-x",
                "namespace": "shop",
                "uid": "es1",
                "resourceVersion": rv,
                "labels": {"kubernetes.io/service-name": "api"},
            },
            "endpoints": [
                {
                    "addresses": ["10.0.0.1"],
                    "conditions": {"ready": u != "p2"},
                    "targetRef": {"kind": "Pod", "name": "x", "uid": u},
                }
                for u in uids
            ],
        }

    loader.apply([*pods, svc, slice_("1", "p1", "p2")])
    rows = store.run("MATCH (:Service {uid: 's1'})-[r:SELECTS]->(p) RETURN p.uid AS p, r.ready AS ready")
    assert sorted((r["p"], r["ready"]) for r in rows) == [("p1", True), ("p2", False)]
    loader.apply([slice_("2", "p2")])
    rows = store.run("MATCH (:Service {uid: 's1'})-[r:SELECTS]->(p) RETURN p.uid AS p")
    assert rows == [{"p": "p2"}]


SECRET_VALUES = ("s3cr3t-Pa55w0rd", "plain-string-data-value", "tls-key-material-xyz", "line1-secret")


def test_bulk_writes_a_relationship_once_both_ends_are_written(store: GraphStore) -> None:
    loader = TopologyLoader(store, "prod", defer_relationships=True)

    def runs_on() -> list[str]:
        rows = store.run("MATCH (p:Pod)-[:RUNS_ON]->(:Node) RETURN p.name AS p ORDER BY p")
        return [r["p"] for r in rows]

    loader.apply([_pod("early", "u1", "10.0.0.1", "2026-01-01T00:00:00Z")])
    loader.apply([{"kind": "Node", "metadata": {"name": "n1", "uid": "n-u1"}}])
    assert runs_on() == []  # the node came after the pod: the edge waits for finish()
    loader.apply([_pod("late", "u2", "10.0.0.2", "2026-01-01T00:00:00Z")])
    assert runs_on() == ["late"]  # both ends were there: written at once
    loader.finish()
    assert runs_on() == ["early", "late"]


def test_live_update_links_a_pod_to_an_owner_that_arrives_after_it(store: GraphStore) -> None:
    loader = TopologyLoader(store, "prod")
    pod = _pod("api-1-x", "p-u", "10.0.0.9", "2026-01-01T00:00:00Z")
    pod["metadata"]["ownerReferences"] = [{"kind": "ReplicaSet", "name": "api-1", "uid": "rs-u", "controller": True}]
    loader.apply([pod])
    owned = "MATCH (:Pod {uid: 'p-u'})-[:OWNED_BY]->(o) RETURN o.name AS o"
    assert store.run(owned) == []
    loader.apply([{"kind": "ReplicaSet", "metadata": {"name": "api-1", "namespace": "prod", "uid": "rs-u"}}])
    assert store.run(owned) == [{"o": "api-1"}]
    loader.apply([{"kind": "Node", "metadata": {"name": "n1", "uid": "n-u1"}}])
    assert store.run("MATCH (:Pod {uid: 'p-u'})-[:RUNS_ON]->(n) RETURN n.name AS n") == [{"n": "n1"}]


def test_one_edge_per_reference_target_with_the_last_via(store: GraphStore) -> None:
    pod = _pod("api", "u1", "10.0.0.1", "2026-01-01T00:00:00Z")
    pod["spec"]["volumes"] = [{"name": "cfg", "configMap": {"name": "cfg"}}]
    pod["spec"]["containers"][0]["envFrom"] = [{"configMapRef": {"name": "cfg"}}]
    cm = {"kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "shop", "uid": "cm1"}}
    for defer in (True, False):
        store.clear()
        loader = TopologyLoader(store, "prod", defer_relationships=defer)
        loader.apply([cm, pod])
        loader.finish()
        rows = store.run("MATCH (:Pod)-[r:USES]->(c:ConfigMap) RETURN c.name AS c, r.via AS via")
        assert rows == [{"c": "cfg", "via": "envFrom"}]


def _secrets() -> list[dict[str, Any]]:
    b64 = [base64.b64encode(v.encode()).decode() for v in SECRET_VALUES]
    applied = {"apiVersion": "v1", "kind": "Secret", "data": {"password": b64[0]}}
    return [
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "Opaque",
            "metadata": {
                "name": "db",
                "namespace": "shop",
                "uid": "sec1",
                "resourceVersion": "1",
                "labels": {"app": "db"},
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": json.dumps(applied)},
            },
            "data": {"password": b64[0], "tls.key": b64[2]},
            "stringData": {"user": SECRET_VALUES[1]},
        },
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "multi", "namespace": "shop"},
            "stringData": {"conf": f"{SECRET_VALUES[3]}\nline2"},
        },
    ]


def assert_no_secret_value(store: GraphStore) -> None:
    """Dump every property of every node and relationship and look for each value, plain and base64."""
    dump = json.dumps(store.run("MATCH (n) RETURN properties(n) AS p"), default=str)
    dump += json.dumps(store.run("MATCH ()-[r]->() RETURN properties(r) AS p"), default=str)
    assert "password" in dump  # the key names are kept
    for value in SECRET_VALUES:
        for form in (value, base64.b64encode(value.encode()).decode()):
            assert form not in dump, "a Secret value reached the graph"


def test_no_secret_value_reaches_the_graph_through_the_loader(store: GraphStore) -> None:
    loader = TopologyLoader(store, "prod")
    secrets = _secrets()
    events = loader.apply(secrets)
    changed = json.loads(json.dumps(secrets[0]))
    changed["metadata"]["resourceVersion"] = "2"
    changed["data"]["password"] = base64.b64encode(b"line1-secret").decode()
    events += loader.apply([changed])
    assert [e.reason for e in events] == ["SecretChanged"]
    assert not any(v in repr(events) for v in SECRET_VALUES)
    assert_no_secret_value(store)


def test_events_about_a_pod_not_listed_yet_are_about_it_once_it_is_written(store: GraphStore) -> None:
    """A collector's event may come before the watch shows its pod: stored unresolved, it is ABOUT the pod (with
    the pod's uid, key and node) once the pod is written; a pod created after the event under the same name is
    another pod and takes nothing."""
    from ingest.normalize import parse_unified
    from tests import scenario_events as sc

    loader = TopologyLoader(store, sc.CLUSTER)
    loader.apply(sc.topology_objects(), sc.T0 - 3_600_000)
    loader.finish()
    ctx = {"kind": "Pod", "name": "late-1", "namespace": sc.NS}
    early = parse_unified(sc.unified("early", sc.T0, severity="warning", message="OOM", k8s_context=ctx))
    before = parse_unified(sc.unified("before", sc.T0, k8s_context={**ctx, "name": "new-1"}))
    out = EventWriter(store, sc.CLUSTER).write([early, before])
    assert [s.resolved_by for s in out] == ["", ""]
    loader.apply(
        [
            sc.pod("late-1", "uid-late-1", "10.0.0.91", {"app": "late"}, start_ms=sc.T0 - 60_000),
            sc.pod("new-1", "uid-new-1", "10.0.0.92", {"app": "new"}, start_ms=sc.T0 + 60_000),
        ]
    )
    rows = store.run(
        "MATCH (e:Event) OPTIONAL MATCH (e)-[:ABOUT]->(r) "
        "RETURN e.id AS id, r.uid AS about, e.resource_uid AS uid, e.resource_key AS key, "
        "e.node_name AS node, e.awaiting_key AS awaiting"
    )
    got = {r["id"]: r for r in rows}
    assert got["early"]["about"] == got["early"]["uid"] == "uid-late-1"
    assert got["early"]["key"] == f"{sc.CLUSTER}/Pod/{sc.NS}/late-1" and got["early"]["node"] == "node-1"
    assert got["early"]["awaiting"] is None
    assert got["before"]["about"] is None and got["before"]["awaiting"] == f"{sc.CLUSTER}/Pod/{sc.NS}/new-1"
    assert loader.linked["link_awaiting_events"] == 1
