"""What a pod spec (of a Pod or of a workload's template) says: containers, resources, references, services named.

Only names are read from references: a ``secretKeyRef`` gives the Secret's name, never a value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from graph.schema import Rel
from ingest.topology.common import Row, Transformed, as_list, as_map, cpu_millis, memory_bytes
from model.resource import resource_key

# Environment variable names whose bare value (no port, no scheme) is read as a service name.
_ADDRESS_NAME = re.compile(r"(ADDR|HOST|URL|URI|ENDPOINT|SERVICE|SERVER|UPSTREAM|BACKEND)", re.IGNORECASE)
_DNS = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_VAR = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")
_NOT_SERVICES = frozenset({"localhost", "true", "false", "none", "null"})


def containers(spec: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [c for c in as_list(spec.get("containers")) if isinstance(c, Mapping)]


def all_containers(spec: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    inits = [c for c in as_list(spec.get("initContainers")) if isinstance(c, Mapping)]
    return inits + containers(spec)


def spec_props(spec: Mapping[str, Any]) -> Row:
    """Container names and images (parallel lists) and resources summed over the (non-init) containers.

    Memory is in bytes, CPU in millicores; a sum counts only the containers that set the value, and is absent
    when none does.
    """
    cs = containers(spec)
    row: Row = {
        "containers": [str(c.get("name", "")) for c in cs],
        "images": [str(c.get("image", "")) for c in cs],
    }
    for field, section, parse in (
        ("limits_memory", "limits", memory_bytes),
        ("limits_cpu", "limits", cpu_millis),
        ("requests_memory", "requests", memory_bytes),
        ("requests_cpu", "requests", cpu_millis),
    ):
        values = [parse(as_map(as_map(c.get("resources")).get(section)).get(field.split("_")[1])) for c in cs]
        present = [v for v in values if v is not None]
        if present:
            row[field] = sum(present)
    return row


def container_limit_memory(container: Mapping[str, Any]) -> int | None:
    return memory_bytes(as_map(as_map(container.get("resources")).get("limits")).get("memory"))


def link_refs(out: Transformed, uid: str, spec: Mapping[str, Any], cluster: str, ns: str) -> None:
    """``USES`` (ConfigMaps, Secrets: volumes, projected volumes, env valueFrom, envFrom) and ``CLAIMS`` (PVCs)."""
    seen: set[tuple[str, str, str]] = set()
    for kind, name, via in _config_refs(spec):
        if (kind, name, via) not in seen:
            seen.add((kind, name, via))
            out.rel(Rel.USES, uid, resource_key(cluster, kind, ns, name), via=via)
    claims = {
        str(as_map(v.get("persistentVolumeClaim")).get("claimName"))
        for v in as_list(spec.get("volumes"))
        if isinstance(v, Mapping) and as_map(v.get("persistentVolumeClaim")).get("claimName")
    }
    for claim in sorted(claims):
        out.rel(Rel.CLAIMS, uid, resource_key(cluster, "PersistentVolumeClaim", ns, claim))


def _config_refs(spec: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    for v in as_list(spec.get("volumes")):
        if not isinstance(v, Mapping):
            continue
        if as_map(v.get("configMap")).get("name"):
            yield "ConfigMap", str(v["configMap"]["name"]), "volume"
        if as_map(v.get("secret")).get("secretName"):
            yield "Secret", str(v["secret"]["secretName"]), "volume"
        for src in as_list(as_map(v.get("projected")).get("sources")):
            if as_map(as_map(src).get("configMap")).get("name"):
                yield "ConfigMap", str(src["configMap"]["name"]), "projected"
            if as_map(as_map(src).get("secret")).get("name"):
                yield "Secret", str(src["secret"]["name"]), "projected"
    for c in all_containers(spec):
        for e in as_list(c.get("env")):
            value_from = as_map(as_map(e).get("valueFrom"))
            if as_map(value_from.get("configMapKeyRef")).get("name"):
                yield "ConfigMap", str(value_from["configMapKeyRef"]["name"]), "env"
            if as_map(value_from.get("secretKeyRef")).get("name"):
                yield "Secret", str(value_from["secretKeyRef"]["name"]), "env"
        for ef in as_list(c.get("envFrom")):
            if as_map(as_map(ef).get("configMapRef")).get("name"):
                yield "ConfigMap", str(ef["configMapRef"]["name"]), "envFrom"
            if as_map(as_map(ef).get("secretRef")).get("name"):
                yield "Secret", str(ef["secretRef"]["name"]), "envFrom"


def env_service_keys(spec: Mapping[str, Any], cluster: str, ns: str) -> list[str]:
    """Keys of the Services that literal env values name: ``name``, ``name.ns``, ``name.ns.svc[.cluster.local]``,
    ``host:port``, ``scheme://host:port/path``; ``$(VAR)`` is expanded from earlier variables of the container.

    Only literal ``value`` fields are read (never ``valueFrom``). Whether a Service of that key exists is decided
    when linking, in the graph.
    """
    keys: set[str] = set()
    for c in all_containers(spec):
        env: dict[str, str] = {}
        for e in as_list(c.get("env")):
            if not isinstance(e, Mapping) or not isinstance(e.get("value"), str) or not e.get("name"):
                continue
            name = str(e["name"])
            value = _expand(e["value"], env)
            env[name] = value
            for host_ns, host in _hosts(value, bare=bool(_ADDRESS_NAME.search(name))):
                keys.add(resource_key(cluster, "Service", host_ns or ns, host))
    return sorted(keys)


def _expand(value: str, env: Mapping[str, str]) -> str:
    """Kubernetes ``$(VAR)`` expansion from the variables defined before (unknown ones stay as written)."""
    return _VAR.sub(lambda m: env.get(m.group(1), m.group(0)), value)


def _hosts(value: str, *, bare: bool) -> Iterator[tuple[str, str]]:
    """``(namespace or '', service name)`` for each token of ``value`` that names a host."""
    for token in re.split(r"[\s,;]+", value.strip()):
        if not token:
            continue
        explicit = False
        if "://" in token:
            token = token.split("://", 1)[1]
            explicit = True
        token = token.split("/", 1)[0].rsplit("@", 1)[-1]
        host, sep, port = token.partition(":")
        if sep and port.isdigit():
            explicit = True
        if not (explicit or bare):
            continue
        host = host.lower()
        if not host or host in _NOT_SERVICES or not _DNS.match(host) or host.replace(".", "").isdigit():
            continue
        parts = host.split(".")
        if len(parts) == 1:
            yield "", parts[0]
        elif len(parts) == 2 or parts[2] == "svc":
            yield parts[1], parts[0]
