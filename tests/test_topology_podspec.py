"""References and services named in a pod spec."""

from __future__ import annotations

from graph.schema import Rel
from ingest.topology.common import Transformed
from ingest.topology.podspec import env_service_keys, link_refs


def _spec(*env: dict[str, object]) -> dict[str, object]:
    return {"containers": [{"name": "c", "env": list(env)}]}


def test_env_forms_name_services() -> None:
    spec = _spec(
        {"name": "A_ADDR", "value": "cart:7070"},
        {"name": "B", "value": "http://pay.billing:8080/v1"},
        {"name": "C_HOST", "value": "users.auth.svc.cluster.local"},
        {"name": "D_URL", "value": "grpc://user@ledger.fin.svc:443"},
        {"name": "E_HOST", "value": "search"},
        {"name": "COLLECTOR", "value": "otel"},
        {"name": "F_URL", "value": "http://$(COLLECTOR):4318"},
    )
    assert env_service_keys(spec, "p", "shop") == [
        "p/Service/auth/users",
        "p/Service/billing/pay",
        "p/Service/fin/ledger",
        "p/Service/shop/cart",
        "p/Service/shop/otel",
        "p/Service/shop/search",
    ]


def test_env_values_that_are_not_services() -> None:
    spec = _spec(
        {"name": "MODE", "value": "frontend"},  # a bare word under a name that is not an address
        {"name": "BIND_ADDR", "value": "0.0.0.0:8080"},
        {"name": "LOCAL_URL", "value": "http://localhost:3000"},
        {"name": "VERSION", "value": "2.1.3"},
        {"name": "OPTS", "value": "-Xmx128m -Dx=y"},
        {"name": "PASS", "valueFrom": {"secretKeyRef": {"name": "db", "key": "host"}}},
    )
    assert env_service_keys(spec, "p", "shop") == []


def test_refs_from_volumes_projected_env_and_envfrom() -> None:
    spec = {
        "volumes": [
            {"name": "a", "configMap": {"name": "cm-vol"}},
            {"name": "b", "secret": {"secretName": "s-vol"}},
            {
                "name": "c",
                "projected": {"sources": [{"configMap": {"name": "cm-proj"}}, {"secret": {"name": "s-proj"}}]},
            },
        ],
        "initContainers": [{"name": "i", "envFrom": [{"configMapRef": {"name": "cm-from"}}]}],
        "containers": [
            {
                "name": "c",
                "env": [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "s-env", "key": "k"}}}],
                "envFrom": [{"secretRef": {"name": "s-from"}}],
            }
        ],
    }
    out = Transformed()
    link_refs(out, "u", spec, "p", "ns")
    assert sorted((r["to"], r["via"]) for r in out.rels[Rel.USES]) == [
        ("p/ConfigMap/ns/cm-from", "envFrom"),
        ("p/ConfigMap/ns/cm-proj", "projected"),
        ("p/ConfigMap/ns/cm-vol", "volume"),
        ("p/Secret/ns/s-env", "env"),
        ("p/Secret/ns/s-from", "envFrom"),
        ("p/Secret/ns/s-proj", "projected"),
        ("p/Secret/ns/s-vol", "volume"),
    ]
