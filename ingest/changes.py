"""Change detection: which watched changes are events (DESIGN §4), as a pure diff of two fragments.

``fragment(obj, cluster)`` keeps only what a diff needs (template images, env, resources; ConfigMap data hashes
per key; Secret data *keyed* hashes per key; node conditions; a pod's OOM kills, the failures its containers wait
for and why it was put out); ``diff(old, new)`` turns two fragments (``old`` None on first sight) into
``NormalEvent`` objects: changes (``source_kind=CHANGE``; an OOM kill and a node condition are read as causes too)
and the kubelet's symptoms read from a pod's status (``K8S_EVENT``, as its Events would say them).

Ids: ``<uid>@<resourceVersion>`` for every change (DESIGN §4): a template, ConfigMap, Secret change, a pod deletion,
and the status fact a version first showed; when one version shows several, each is ``<uid>@<rv>/<fact>``. On
first sight no version is known to have brought a status fact (a relist shows a kill from long ago), so it is
named by the fact itself: ``<uid>@OOMKilled:<container>:<finishedAt ms>``, ``<uid>@<Condition>=<status>:<since
ms>``; the loader drops one the graph already has. On first sight only these status facts are events (a node
NotReady or under pressure, an OOM kill); a spec has nothing to compare with, and a pod crash-looping or evicted
since long ago is no news.

Secret values: a Secret fragment holds an HMAC of each value under a key made at random for this process, so
the hash can tell that a value changed but cannot be tested against guesses, and it never leaves the process.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ingest.reasons import table
from ingest.topology.cluster import node_conditions
from ingest.topology.common import Obj, as_list, as_map, epoch_ms, meta, owner_key, uid_of
from ingest.topology.podspec import container_limit_memory
from ingest.topology.workloads import container_failures, container_terminations, put_out
from model.event import Category, NormalEvent, SourceKind
from model.resource import ResourceRef, resource_key

Fragment = dict[str, Any]

TEMPLATE_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "CronJob"})
DIFFED_KINDS = TEMPLATE_KINDS | {"ConfigMap", "Secret", "Node", "Pod"}
DATA_FIELDS = ("data", "binaryData", "stringData")
_PROCESS_KEY = secrets.token_bytes(32)
_SECRET_LIKE = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY", "CREDENTIAL", "AUTH", "PRIVATE")
# Node condition -> (event reason when it turns bad, reason when it recovers); bad = this status.
NODE_CONDITION_EVENTS: dict[str, tuple[str, str, str]] = {
    "Ready": ("False", "NodeNotReady", "NodeReady"),
    "MemoryPressure": ("True", "NodeMemoryPressure", "NodeNoMemoryPressure"),
    "DiskPressure": ("True", "NodeDiskPressure", "NodeNoDiskPressure"),
    "PIDPressure": ("True", "NodePIDPressure", "NodeNoPIDPressure"),
    "NetworkUnavailable": ("True", "NodeNetworkUnavailable", "NodeNetworkAvailable"),
}


def _digest(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _secret_digest(value: Any) -> str:
    return hmac.new(_PROCESS_KEY, str(value).encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:16]


def _template_spec(obj: Obj) -> Mapping[str, Any]:
    spec = as_map(obj.get("spec"))
    if obj.get("kind") == "CronJob":
        spec = as_map(as_map(spec.get("jobTemplate")).get("spec"))
    return as_map(as_map(spec.get("template")).get("spec"))


def _env_entry(e: Mapping[str, Any]) -> str:
    """A literal value as itself; a reference as what it points at (never the referenced value)."""
    if "value" in e:
        return str(e.get("value"))
    ref = as_map(e.get("valueFrom"))
    for kind in ("secretKeyRef", "configMapKeyRef"):
        if ref.get(kind):
            return f"<{kind} {as_map(ref[kind]).get('name')}/{as_map(ref[kind]).get('key')}>"
    return f"<{','.join(sorted(ref))}>"


def fragment(obj: Obj, cluster: str, observed_at_ms: int | None = None) -> Fragment | None:
    """What a later diff needs of ``obj``; None for kinds whose changes are not events."""
    kind = str(obj.get("kind", ""))
    if kind not in DIFFED_KINDS:
        return None
    m = meta(obj)
    owner_kind, owner_name = owner_key(obj, cluster)
    key = resource_key(cluster, kind, str(m.get("namespace") or ""), str(m.get("name") or ""))
    frag: Fragment = {
        "kind": kind,
        "uid": uid_of(obj, cluster, key),
        "rv": str(m.get("resourceVersion") or ""),
        "cluster": cluster,
        "namespace": str(m.get("namespace") or ""),
        "name": str(m.get("name") or ""),
        "ts": observed_at_ms or _updated_at(obj) or 0,
        "owner": [owner_kind, owner_name],
    }
    if kind in TEMPLATE_KINDS:
        frag["containers"] = {
            str(c.get("name")): {
                "image": str(c.get("image", "")),
                "env": {str(as_map(e).get("name")): _env_entry(as_map(e)) for e in as_list(c.get("env"))},
                "resources": json.dumps(c.get("resources") or {}, sort_keys=True),
            }
            for c in (as_map(c) for c in as_list(_template_spec(obj).get("containers")))
        }
    if kind == "Secret":
        frag["shown"] = any(f in obj for f in DATA_FIELDS)
    if kind == "ConfigMap":
        frag["data"] = {f"{f}/{k}": _digest(v) for f in ("data", "binaryData") for k, v in as_map(obj.get(f)).items()}
    elif kind == "Secret":
        frag["data"] = {str(k): _secret_digest(v) for k, v in as_map(obj.get("data")).items()}
        frag["data"].update({str(k): _secret_digest(v) for k, v in as_map(obj.get("stringData")).items()})
    elif kind == "Node":
        times = {
            str(c.get("type")): epoch_ms(c.get("lastTransitionTime"))
            for c in (as_map(c) for c in as_list(as_map(obj.get("status")).get("conditions")))
        }
        frag["conditions"] = {t: [s, times.get(t) or frag["ts"]] for t, s in node_conditions(obj).items()}
    elif kind == "Pod":
        limits = {str(as_map(c).get("name")): container_limit_memory(as_map(c)) for c in _containers(obj)}
        frag["node_name"] = str(as_map(obj.get("spec")).get("nodeName") or "")
        frag["ooms"] = [
            [name, code, finished or frag["ts"], limits.get(name)]
            for name, reason, code, finished in container_terminations(obj)
            if reason == "OOMKilled"
        ]
        frag["waiting"] = container_failures(obj)
        frag["ended"] = put_out(obj)
    return frag


def _containers(obj: Obj) -> list[Any]:
    return as_list(as_map(obj.get("spec")).get("containers"))


def _updated_at(obj: Obj) -> int | None:
    """The last managedFields time (when the object was last written), else its creation."""
    times = [epoch_ms(as_map(f).get("time")) for f in as_list(meta(obj).get("managedFields"))]
    known = [t for t in times if t is not None]
    return max(known) if known else epoch_ms(meta(obj).get("creationTimestamp"))


def _event(frag: Fragment, eid: str, reason: str, category: Category, **kw: Any) -> NormalEvent:
    owner_kind, owner_name = frag.get("owner") or ["", ""]
    kw.setdefault("ts", frag["ts"])
    kw.setdefault("type", "Normal")
    kw.setdefault("severity", "info")
    kw.setdefault("source_kind", SourceKind.CHANGE)
    return NormalEvent(
        id=eid,
        reason=reason,
        category=category,
        source="causegraph-watch",
        resource=ResourceRef(frag["cluster"], frag["kind"], frag["namespace"], frag["name"], frag["uid"]),
        node_name=str(frag.get("node_name") or (frag["name"] if frag["kind"] == "Node" else "")),
        workload_kind=owner_kind,
        workload_name=owner_name,
        **kw,
    )


def _what(frag: Fragment) -> str:
    ns = f"{frag['namespace']}/" if frag["namespace"] else ""
    return f"{frag['kind'].lower()}/{ns}{frag['name']}"


def diff(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[NormalEvent]:
    """The change events between two fragments of one object (``old`` None on first sight)."""
    frag = dict(new)
    kind = frag["kind"]
    if kind == "Node":
        return _versioned(old, frag, _node_events(old, frag))
    if kind == "Pod":
        return _versioned(old, frag, _oom_events(old, frag) + _pod_failures(old, frag))
    if old is None or (old.get("rv") == frag["rv"] and frag["rv"]):
        return []
    base = f"{frag['uid']}@{frag['rv']}"
    if kind in TEMPLATE_KINDS:
        return _template_events(old, frag, base)
    changed = sorted(
        k for k in set(old.get("data", {})) | set(frag["data"]) if old.get("data", {}).get(k) != frag["data"].get(k)
    )
    if not changed and withheld(old, frag):
        msg = f"{_what(frag)} changed (its data is not shown to causegraph)"
        return [
            _event(frag, base, "SecretChanged", Category.CONFIG, message=msg, detail={"keys": [], "data_shown": False})
        ]
    if not changed:
        return []
    if kind == "ConfigMap":
        keys = sorted({k.split("/", 1)[1] for k in changed})
        msg = f"{_what(frag)} changed keys: {', '.join(keys)}"
        return [_event(frag, base, "ConfigMapChanged", Category.CONFIG, message=msg, detail={"keys": keys})]
    # A Secret: that it changed and which keys, never what.
    msg = f"{_what(frag)} changed ({len(changed)} key(s))"
    return [_event(frag, base, "SecretChanged", Category.CONFIG, message=msg, detail={"keys": changed})]


def withheld(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Neither version of a Secret showed its data: a metadata-only watch or recorder (the least a Secret may be read
    with), where a new resourceVersion is all a change shows. Not a ConfigMap: one with no data says nothing (the API
    leaves an empty ``data`` out), and leader-election locks rewrite theirs every few seconds. Both versions must be
    known and differ; a fragment kept before ``shown`` was recorded counts as shown."""
    return (
        new.get("kind") == "Secret"
        and bool(old.get("rv"))
        and bool(new.get("rv"))
        and old.get("rv") != new.get("rv")
        and not old.get("shown", True)
        and not new.get("shown", True)
    )


def _template_events(old: Mapping[str, Any], frag: Fragment, base: str) -> list[NormalEvent]:
    before, after = old.get("containers", {}), frag["containers"]
    changes: list[dict[str, Any]] = []
    for name in sorted(set(before) | set(after)):
        b, a = before.get(name), after.get(name)
        if b == a:
            continue
        if b is None or a is None:
            changes.append({"container": name, "added" if b is None else "removed": True})
            continue
        change: dict[str, Any] = {"container": name}
        if b["image"] != a["image"]:
            change["image"] = {"before": b["image"], "after": a["image"]}
        if b["resources"] != a["resources"]:
            change["resources"] = {"before": b["resources"], "after": a["resources"]}
        env_changes = {}
        for var in sorted(set(b["env"]) | set(a["env"])):
            if b["env"].get(var) != a["env"].get(var):
                hidden = any(s in var.upper() for s in _SECRET_LIKE)
                env_changes[var] = "changed" if hidden else {"before": b["env"].get(var), "after": a["env"].get(var)}
        if env_changes:
            change["env"] = env_changes
        changes.append(change)
    if not changes:
        return []
    only_images = all(set(c) <= {"container", "image"} and "image" in c for c in changes)
    first = changes[0]
    detail: dict[str, Any] = {**first, "changes": changes}
    if "image" in first:
        image = first["image"]
        msg = f"{_what(frag)} container {first['container']} image {image['before']} -> {image['after']}"
    else:
        msg = f"{_what(frag)} pod template changed: " + ", ".join(
            f"{c['container']} ({', '.join(k for k in c if k != 'container')})" for c in changes
        )
    reason = "ImageChanged" if only_images else "TemplateChanged"
    return [_event(frag, base, reason, Category.ROLLOUT, message=msg, detail=detail)]


def _node_events(old: Mapping[str, Any] | None, frag: Fragment) -> list[NormalEvent]:
    events: list[NormalEvent] = []
    before = (old or {}).get("conditions", {})
    for ctype, (bad, bad_reason, good_reason) in NODE_CONDITION_EVENTS.items():
        now = frag["conditions"].get(ctype)
        if now is None:
            continue
        status, since = now
        was = before.get(ctype, [None])[0]
        if status == was:
            continue
        is_bad = status == bad or (ctype == "Ready" and status == "Unknown")
        if old is None and not is_bad:
            continue  # first sight of a healthy condition is not a change
        if was is None and old is not None and not is_bad:
            continue
        reason = bad_reason if is_bad else good_reason
        msg = f"node {frag['name']} {ctype} is now {status}" + (f" (was {was})" if was else "")
        events.append(
            _event(
                frag,
                _fact_id(old, frag, f"{ctype}={status}:{since}"),
                reason,
                Category.NODE,
                ts=since,
                type="Warning" if is_bad else "Normal",
                severity=("high" if ctype in ("Ready", "NetworkUnavailable") else "warning") if is_bad else "info",
                message=msg,
                detail={"condition": ctype, "before": was, "after": status},
            )
        )
    return events


def _oom_events(old: Mapping[str, Any] | None, frag: Fragment) -> list[NormalEvent]:
    seen = {(o[0], o[2]) for o in (old or {}).get("ooms", [])}
    events: list[NormalEvent] = []
    for container, code, finished, limit in frag["ooms"]:
        if (container, finished) in seen:
            continue
        msg = f"container {container} of {_what(frag)} was OOMKilled (exit code {code})"
        events.append(
            _event(
                frag,
                _fact_id(old, frag, f"OOMKilled:{container}:{finished}"),
                "OOMKilled",
                Category.RESOURCE_EXHAUSTION,
                ts=finished,
                type="Warning",
                severity="high",
                message=msg,
                detail={"container": container, "exit_code": code, "limits_memory": limit},
            )
        )
    return events


def _pod_failures(old: Mapping[str, Any] | None, frag: Fragment) -> list[NormalEvent]:
    """A container that began to wait for a failure (``WAITING_FAILURES``): a new reason, not one it was already
    waiting for; the pod put out (``POD_FAILURES``: evicted, preempted). Never on first sight: a list shows a pod
    crash-looping or evicted since long ago, and at every restart of a watch. Read from status, but the kubelet's
    Event of the same words (a BackOff, a Failed pull, Evicted) in all else: a symptom, where an OOM kill or a node
    condition is a cause."""
    if old is None:
        return []
    before = (old or {}).get("waiting", {})
    events: list[NormalEvent] = []
    failures = sorted(frag.get("waiting", {}).items())
    if frag.get("ended") and (old or {}).get("ended", [])[:1] != frag["ended"][:1]:
        failures.append(("", frag["ended"]))  # the whole pod: evicted, preempted, lost with its node
    for container, (reason, message) in failures:
        if container and before.get(container, [""])[0] == reason:
            continue
        found = table().classify(reason, message, "Warning")
        events.append(
            _event(
                frag,
                _fact_id(old, frag, f"{reason}:{container}:{frag['ts']}"),
                reason,
                found.category,
                type="Warning",
                severity=found.severity,
                message=(f"container {container} of {_what(frag)} is waiting: " if container else f"{_what(frag)}: ")
                + reason
                + (f" ({message})" if message else ""),
                detail={"container": container} if container else {},
                source_kind=SourceKind.K8S_EVENT,  # the kubelet's word, as its Event says it: a symptom, not a change
            )
        )
    return events


def _fact_id(old: Mapping[str, Any] | None, frag: Fragment, fact: str) -> str:
    """A status fact's event id: ``<uid>@<rv>/<fact>`` of the version that first showed it (``_versioned`` makes
    it ``<uid>@<rv>`` when it is the version's only one), else (first sight, no version) ``<uid>@<fact>``."""
    if old is None or not frag["rv"]:
        return f"{frag['uid']}@{fact}"
    return f"{frag['uid']}@{frag['rv']}/{fact}"


def _versioned(old: Mapping[str, Any] | None, frag: Fragment, events: list[NormalEvent]) -> list[NormalEvent]:
    """The one status fact a version brought is named by the version alone (DESIGN §4); several keep their
    ``/<fact>``, so that no two facts share an id whichever versions an observer saw."""
    if old is None or not frag["rv"] or len(events) != 1:
        return events
    return [replace(events[0], id=f"{frag['uid']}@{frag['rv']}")]


def deleted(frag: Mapping[str, Any], at_ms: int) -> list[NormalEvent]:
    """The event for an object's deletion: ``PodDeleted`` for pods; other kinds yield none."""
    if frag["kind"] != "Pod":
        return []
    f = dict(frag)
    msg = f"{_what(f)} deleted" + (f" from node {f['node_name']}" if f.get("node_name") else "")
    return [_event(f, f"{f['uid']}@{f['rv']}", "PodDeleted", Category.LIFECYCLE, ts=at_ms, message=msg)]
