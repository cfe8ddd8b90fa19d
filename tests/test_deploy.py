"""deploy/: the RBAC grants get, list, watch and nothing else, on exactly the kinds causegraph reads."""

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
