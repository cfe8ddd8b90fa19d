"""deploy/: the RBAC grants get, list, watch and nothing else, on exactly the kinds causegraph reads; the scale-out
workers share Neo4j and a NATS cluster, in the manifests and in compose's cluster profile."""

from __future__ import annotations

from pathlib import Path

import yaml

from model.kinds import EVENT_KINDS, TOPOLOGY_KINDS

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def _docs(name: str) -> list[dict]:  # type: ignore[type-arg]
    return [d for d in yaml.safe_load_all((DEPLOY / name).read_text()) if d]


def test_cluster_role_is_read_only_on_exactly_the_kinds() -> None:
    (role,) = [d for d in _docs("rbac.yaml") if d["kind"] == "ClusterRole"]
    granted: set[tuple[str, str]] = set()
    for rule in role["rules"]:
        assert sorted(rule["verbs"]) == ["get", "list", "watch"]
        assert "resourceNames" not in rule and "nonResourceURLs" not in rule
        granted |= {(g, r) for g in rule["apiGroups"] for r in rule["resources"]}
    assert granted == {(k.group, k.plural) for k in (*TOPOLOGY_KINDS, *EVENT_KINDS)}


def test_binding_and_deployment_use_the_service_account() -> None:
    rbac = {d["kind"]: d for d in _docs("rbac.yaml")}
    sa = rbac["ServiceAccount"]["metadata"]
    subject = rbac["ClusterRoleBinding"]["subjects"][0]
    assert (subject["name"], subject["namespace"]) == (sa["name"], sa["namespace"])
    assert rbac["ClusterRoleBinding"]["roleRef"]["name"] == rbac["ClusterRole"]["metadata"]["name"]
    (dep,) = [d for d in _docs("deployment.yaml") if d["kind"] == "Deployment"]
    pod = dep["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == sa["name"] and pod["containers"][0]["args"] == ["serve"]


def test_the_scale_out_workers_share_neo4j_and_a_nats_cluster_and_never_an_embedded_file() -> None:
    docs = {d["kind"]: d for d in _docs("scale-out.yaml")}
    dep = docs["Deployment"]
    assert dep["spec"]["replicas"] >= 2
    pod = dep["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["CAUSEGRAPH_GRAPH__URL"].startswith("bolt://")  # one graph for every replica: never a file
    assert len(env["CAUSEGRAPH_NATS__URL"].split(",")) == 3 and env["CAUSEGRAPH_NATS__REPLICAS"] == "3"
    assert not any(m["mountPath"] == "/var/lib/causegraph" for m in container["volumeMounts"])
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    rbac = {d["kind"]: d for d in _docs("rbac.yaml")}
    assert pod["serviceAccountName"] == rbac["ServiceAccount"]["metadata"]["name"]
    assert docs["PodDisruptionBudget"]["spec"]["selector"] == dep["spec"]["selector"]
    assert docs["Service"]["spec"]["selector"] == dep["spec"]["selector"]["matchLabels"]


def test_compose_has_a_3_node_nats_cluster_profile_for_two_workers() -> None:
    services = yaml.safe_load((DEPLOY.parent / "compose.yaml").read_text())["services"]
    nodes = {n: s for n, s in services.items() if n.startswith("nats-")}
    assert sorted(nodes) == ["nats-1", "nats-2", "nats-3"] and all(s["profiles"] == ["cluster"] for s in nodes.values())
    for name, s in nodes.items():
        routes = s["command"][s["command"].index("--routes") + 1].split(",")
        assert sorted(routes) == sorted(f"nats://{n}:6222" for n in nodes if n != name)
    workers = [s for n, s in services.items() if n.startswith("worker-")]
    assert len(workers) == 2
    for w in workers:
        env = w["environment"]
        assert env["CAUSEGRAPH_NATS_URL"] == ",".join(f"nats://{n}:4222" for n in sorted(nodes))
        assert env["CAUSEGRAPH_NATS__REPLICAS"] == "3" and env["CAUSEGRAPH_GRAPH_URL"].startswith("bolt://")
    assert len({w["environment"]["CAUSEGRAPH_SERVE__WORKER_ID"] for w in workers}) == 2
    assert "profiles" not in services["causegraph"]  # `docker compose up` alone stays the one-process setup
