"""Pieces every per-kind transform shares: identity (uid, key), metadata, times, quantities, the output rows.

A transform is pure: a Kubernetes object (a plain mapping, as the API or ``kubectl -o json|yaml`` gives it) in,
``Transformed`` rows out. Annotations, ``managedFields`` and every ``data``/``stringData`` value are never read
into a row: ``kubectl.kubernetes.io/last-applied-configuration`` alone would carry a Secret's values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graph.schema import Label, Rel
from model.resource import resource_key
from model.times import TimeError, parse_rfc3339

Obj = Mapping[str, Any]
Row = dict[str, Any]


class TransformError(ValueError):
    """An object that cannot be turned into rows; the message names the object and the field, never a value."""


@dataclass
class Transformed:
    """The rows of one or more objects: nodes per label (``merge_nodes``), relationships per type (``merge_rels``).

    ``endpoint_selects`` are SELECTS rows whose Service end is known by key only (Endpoints, EndpointSlices):
    ``{service_key, pod_uid | pod_key, ready, origin}``; ``selects_origins`` (``{service_key, origin}``) name the
    Endpoints/EndpointSlice objects whose earlier SELECTS these rows replace.
    """

    nodes: dict[Label, list[Row]] = field(default_factory=dict)
    rels: dict[Rel, list[Row]] = field(default_factory=dict)
    endpoint_selects: list[Row] = field(default_factory=list)
    selects_origins: list[Row] = field(default_factory=list)

    def node(self, label: Label, row: Row) -> None:
        self.nodes.setdefault(label, []).append(row)

    def rel(self, rel: Rel, src: str, dst: str, **props: Any) -> None:
        self.rels.setdefault(rel, []).append({"from": src, "to": dst, **props})

    def extend(self, other: Transformed) -> None:
        for label, rows in other.nodes.items():
            self.nodes.setdefault(label, []).extend(rows)
        for rel, rrows in other.rels.items():
            self.rels.setdefault(rel, []).extend(rrows)
        self.endpoint_selects.extend(other.endpoint_selects)
        self.selects_origins.extend(other.selects_origins)

    def count(self) -> int:
        return sum(len(r) for r in self.nodes.values()) + sum(len(r) for r in self.rels.values())


def meta(obj: Obj) -> Mapping[str, Any]:
    m = obj.get("metadata")
    return m if isinstance(m, Mapping) else {}


def where(obj: Obj) -> str:
    """``Kind ns/name`` for messages (names are not secret; values are never quoted)."""
    m = meta(obj)
    ns = m.get("namespace") or ""
    return f"{obj.get('kind', '?')} {ns + '/' if ns else ''}{m.get('name', '?')}"


def uid_of(obj: Obj, cluster: str, key: str) -> str:
    """The object's uid; a manifest without one (no status, never applied) gets ``synthetic:<key>``."""
    uid = meta(obj).get("uid")
    return str(uid) if uid else f"synthetic:{key}"


def ref_uid(cluster: str, kind: str, namespace: str, name: str, uid: Any) -> str:
    """The uid a reference (ownerReference, targetRef) points at, synthetic when it carries none."""
    return str(uid) if uid else f"synthetic:{resource_key(cluster, kind, namespace, name)}"


def kv_list(labels: Any) -> list[str]:
    """Kubernetes labels or a selector's ``matchLabels`` as a sorted ``k=v`` list (maps are not properties)."""
    if not isinstance(labels, Mapping):
        return []
    return sorted(f"{k}={'' if v is None else v}" for k, v in labels.items())


def epoch_ms(value: Any) -> int | None:
    """RFC3339 (``model.times``) to epoch ms; None when absent or malformed (an object is not refused for it)."""
    if not value or not isinstance(value, str):
        return None
    return _epoch_ms(value)


@lru_cache(maxsize=65_536)
def _epoch_ms(value: str) -> int | None:
    # Objects created together share timestamps (a rollout's pods, a list's conditions): parse each text once.
    try:
        return parse_rfc3339(value, "time")
    except TimeError:
        return None


_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1.0, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18}


def quantity(value: Any) -> float | None:
    """A Kubernetes quantity (``512Mi``, ``250m``, ``1.5``, ``1e3``) as a number; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        return None
    return _quantity(value)


@lru_cache(maxsize=4096)
def _quantity(value: str) -> float | None:
    # A cluster's pods repeat a few limits and requests (``512Mi``, ``100m``): parse each text once.
    text = value.strip()
    if not text:
        return None
    for suffix, mult in _BINARY.items():
        if text.endswith(suffix):
            return _num(text[: -len(suffix)], mult)
    if text[-1] in _DECIMAL and not text[-1].isdigit() and text[-1] not in "eE":
        return _num(text[:-1], _DECIMAL[text[-1]])
    return _num(text, 1.0)


def _num(text: str, mult: float) -> float | None:
    try:
        return float(text) * mult
    except ValueError:
        return None


def memory_bytes(value: Any) -> int | None:
    q = quantity(value)
    return None if q is None else int(q)


def cpu_millis(value: Any) -> int | None:
    q = quantity(value)
    return None if q is None else round(q * 1000)


def base_row(obj: Obj, cluster: str, kind: str) -> Row:
    """The properties every resource node has (RESOURCE_PROPS), from ``metadata``."""
    m = meta(obj)
    name = m.get("name")
    if not name or not isinstance(name, str):
        raise TransformError(f"{kind} without metadata.name")
    ns = str(m.get("namespace") or "")
    key = resource_key(cluster, kind, ns, name)
    row: Row = {
        "uid": uid_of(obj, cluster, key),
        "key": key,
        "cluster": cluster,
        "kind": kind,
        "namespace": ns,
        "name": name,
        "labels": kv_list(m.get("labels")),
    }
    created = epoch_ms(m.get("creationTimestamp"))
    if created is not None:
        row["created_at"] = created
    if m.get("resourceVersion"):
        row["resource_version"] = str(m["resourceVersion"])
    deleted = epoch_ms(m.get("deletionTimestamp"))
    if deleted is not None:
        row["deleted_at"] = deleted
    return row


def link_scope(out: Transformed, row: Row, obj: Obj, cluster: str) -> None:
    """``IN_NAMESPACE`` for namespaced objects and ``OWNED_BY`` for the controller ownerReference (by uid)."""
    if row["namespace"]:
        out.rel(Rel.IN_NAMESPACE, row["uid"], resource_key(cluster, "Namespace", "", row["namespace"]))
    owner = controller_ref(obj)
    if owner is not None:
        kind, name = str(owner.get("kind", "")), str(owner.get("name", ""))
        out.rel(Rel.OWNED_BY, row["uid"], ref_uid(cluster, kind, row["namespace"], name, owner.get("uid")))


def controller_ref(obj: Obj) -> Mapping[str, Any] | None:
    """The ownerReference with ``controller: true``, else the first one; None without any."""
    refs = meta(obj).get("ownerReferences")
    if not isinstance(refs, Sequence) or isinstance(refs, str):
        return None
    valid = [r for r in refs if isinstance(r, Mapping) and r.get("kind") and r.get("name")]
    if not valid:
        return None
    return next((r for r in valid if r.get("controller")), valid[0])


def owner_key(obj: Obj, cluster: str) -> tuple[str, str]:
    """``(owner_kind, owner_name)`` of the controller reference, ``("", "")`` without one."""
    ref = controller_ref(obj)
    return ("", "") if ref is None else (str(ref.get("kind")), str(ref.get("name")))


def stable_hash(parts: Sequence[str]) -> str:
    """A short sha256 over strings; for ConfigMap data (never for Secrets: see ``ingest.changes``)."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()[:16]


def as_list(value: Any) -> list[Any]:
    return value if type(value) is list else list(value) if isinstance(value, tuple) else []


def as_map(value: Any) -> Mapping[str, Any]:
    # Parsed JSON/YAML gives plain dicts: test for them first, the ABC check is ten times slower.
    return value if type(value) is dict or isinstance(value, Mapping) else {}
