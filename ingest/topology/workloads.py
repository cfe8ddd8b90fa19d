"""Pods and the controllers that make them: ReplicaSet, Deployment, StatefulSet, DaemonSet, Job, CronJob."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph.schema import Label, Rel
from ingest.topology.common import (
    Obj,
    Row,
    Transformed,
    as_list,
    as_map,
    base_row,
    epoch_ms,
    link_scope,
    meta,
    owner_key,
)
from ingest.topology.podspec import env_service_keys, link_refs, spec_props
from model.resource import resource_key

REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
NO_EXIT_CODE = -1  # in ``last_exit_codes`` for a container that has not terminated (lists hold no nulls)


# A container waiting for one of these is failing (the kubelet's own words, as its Events give them).
WAITING_FAILURES = frozenset(
    {
        "CrashLoopBackOff",
        "ImagePullBackOff",
        "ErrImagePull",
        "InvalidImageName",
        "CreateContainerConfigError",
        "CreateContainerError",
        "RunContainerError",
    }
)
# A pod whose status gives one of these reasons was put out by its node or the scheduler (``kubectl get pods`` shows
# it as the pod's status).
POD_FAILURES = frozenset(
    {
        "Evicted",
        "Preempting",
        "Preempted",
        "OutOfmemory",
        "OutOfcpu",
        "UnexpectedAdmissionError",
        "NodeLost",
        "NodeShutdown",
        "Terminated",
    }
)


def container_terminations(obj: Obj) -> list[tuple[str, str, int, int | None]]:
    """``(container, reason, exit_code, finished_at_ms)`` per spec container, from its state (if terminated now)
    or its lastState; ``("name", "", -1, None)`` when it has not terminated."""
    statuses = {
        str(s.get("name")): s
        for s in as_list(as_map(obj.get("status")).get("containerStatuses"))
        if isinstance(s, Mapping)
    }
    out: list[tuple[str, str, int, int | None]] = []
    for c in as_list(as_map(obj.get("spec")).get("containers")):
        name = str(as_map(c).get("name", ""))
        st = as_map(statuses.get(name))
        term = as_map(as_map(st.get("state")).get("terminated")) or as_map(
            as_map(st.get("lastState")).get("terminated")
        )
        if term:
            code = term.get("exitCode")
            out.append(
                (
                    name,
                    str(term.get("reason") or ""),
                    int(code) if isinstance(code, int) else NO_EXIT_CODE,
                    epoch_ms(term.get("finishedAt")),
                )
            )
        else:
            out.append((name, "", NO_EXIT_CODE, None))
    return out


def pod(obj: Obj, cluster: str) -> Transformed:
    out = Transformed()
    row = base_row(obj, cluster, "Pod")
    spec = as_map(obj.get("spec"))
    status = as_map(obj.get("status"))
    row.update(spec_props(spec))
    statuses = [s for s in as_list(status.get("containerStatuses")) if isinstance(s, Mapping)]
    conditions = {
        str(c.get("type")): c.get("status") for c in as_list(status.get("conditions")) if isinstance(c, Mapping)
    }
    terms = container_terminations(obj)
    owner_kind, owner_name = owner_key(obj, cluster)
    row.update(
        {
            "phase": status.get("phase"),
            "ready": conditions.get("Ready") == "True" if conditions else None,
            "ip": status.get("podIP") or None,
            "ip_since": epoch_ms(status.get("startTime")) or row.get("created_at"),
            "node_name": spec.get("nodeName") or None,
            "node_ip": status.get("hostIP") or None,
            "restarts": sum(int(s.get("restartCount") or 0) for s in statuses),
            "last_termination_reasons": [t[1] for t in terms],
            "last_exit_codes": [t[2] for t in terms],
            "owner_kind": owner_kind,
            "owner_name": owner_name,
            "host_network": bool(spec.get("hostNetwork")),
            "template_labels": row["labels"],
            # A controller's pods name the services its template names (linked from the controller).
            "env_service_keys": [] if owner_kind else env_service_keys(spec, cluster, row["namespace"]),
        }
    )
    if row["ip"] is None:
        row.pop("ip_since")
    out.node(Label.POD, _drop_none(row))
    link_scope(out, row, obj, cluster)
    if row["node_name"]:
        out.rel(Rel.RUNS_ON, row["uid"], resource_key(cluster, "Node", "", row["node_name"]))
    link_refs(out, row["uid"], spec, cluster, row["namespace"])
    return out


def _template(out: Transformed, row: Row, template: Mapping[str, Any], cluster: str) -> None:
    """Template properties and references of a workload: its pods would use the same."""
    spec = as_map(template.get("spec"))
    row.update(spec_props(spec))
    row["template_labels"] = sorted(
        f"{k}={v}" for k, v in as_map(as_map(template.get("metadata")).get("labels")).items()
    )
    row["env_service_keys"] = env_service_keys(spec, cluster, row["namespace"])
    link_refs(out, row["uid"], spec, cluster, row["namespace"])


def _workload(obj: Obj, cluster: str, kind: str, label: Label, props: Row, template: Mapping[str, Any]) -> Transformed:
    out = Transformed()
    row = base_row(obj, cluster, kind)
    _template(out, row, template, cluster)
    row.update(props)
    out.node(label, _drop_none(row))
    link_scope(out, row, obj, cluster)
    return out


def _replicas(obj: Obj) -> Row:
    spec, status = as_map(obj.get("spec")), obj.get("status")
    row: Row = {"replicas": int(spec.get("replicas", 1) or 0)}
    if isinstance(status, Mapping):
        row["ready_replicas"] = int(status.get("readyReplicas") or 0)
    return row


def _revision(obj: Obj) -> str | None:
    value = as_map(meta(obj).get("annotations")).get(REVISION_ANNOTATION)
    return str(value) if value is not None else None


def replicaset(obj: Obj, cluster: str) -> Transformed:
    props = {**_replicas(obj), "revision": _revision(obj)}
    tmpl = as_map(as_map(obj.get("spec")).get("template"))
    return _workload(obj, cluster, "ReplicaSet", Label.REPLICASET, props, tmpl)


def deployment(obj: Obj, cluster: str) -> Transformed:
    props = {**_replicas(obj), "revision": _revision(obj)}
    tmpl = as_map(as_map(obj.get("spec")).get("template"))
    return _workload(obj, cluster, "Deployment", Label.DEPLOYMENT, props, tmpl)


def statefulset(obj: Obj, cluster: str) -> Transformed:
    status = as_map(obj.get("status"))
    props = {**_replicas(obj), "revision": status.get("updateRevision") or status.get("currentRevision")}
    tmpl = as_map(as_map(obj.get("spec")).get("template"))
    return _workload(obj, cluster, "StatefulSet", Label.STATEFULSET, props, tmpl)


def daemonset(obj: Obj, cluster: str) -> Transformed:
    status = obj.get("status")
    props: Row = {}
    if isinstance(status, Mapping):
        props = {
            "replicas": int(status.get("desiredNumberScheduled") or 0),
            "ready_replicas": int(status.get("numberReady") or 0),
        }
    tmpl = as_map(as_map(obj.get("spec")).get("template"))
    return _workload(obj, cluster, "DaemonSet", Label.DAEMONSET, props, tmpl)


def job(obj: Obj, cluster: str) -> Transformed:
    status = as_map(obj.get("status"))
    props = {k: int(status.get(k) or 0) for k in ("succeeded", "failed", "active")} if status else {}
    tmpl = as_map(as_map(obj.get("spec")).get("template"))
    return _workload(obj, cluster, "Job", Label.JOB, props, tmpl)


def cronjob(obj: Obj, cluster: str) -> Transformed:
    spec = as_map(obj.get("spec"))
    props = {"schedule": spec.get("schedule"), "suspend": bool(spec.get("suspend", False))}
    tmpl = as_map(as_map(as_map(spec.get("jobTemplate")).get("spec")).get("template"))
    return _workload(obj, cluster, "CronJob", Label.CRONJOB, props, tmpl)


def _drop_none(row: Row) -> Row:
    return {k: v for k, v in row.items() if v is not None}


def container_failures(obj: Obj) -> dict[str, list[str]]:
    """``{container: [reason, message]}`` of the containers waiting for a reason that is a failure (crash-looping,
    the image not pulled, the config it needs missing)."""
    out: dict[str, list[str]] = {}
    for st in as_list(as_map(obj.get("status")).get("containerStatuses")):
        waiting = as_map(as_map(as_map(st).get("state")).get("waiting"))
        reason = str(waiting.get("reason") or "")
        if reason in WAITING_FAILURES:
            out[str(as_map(st).get("name") or "")] = [reason, str(waiting.get("message") or "")[:500]]
    return out


def put_out(obj: Obj) -> list[str]:
    """``[reason, message]`` of a pod its node or the scheduler put out (``POD_FAILURES``), else ``[]``."""
    status = as_map(obj.get("status"))
    said = str(status.get("reason") or "")
    return [said, str(status.get("message") or "")[:500]] if said in POD_FAILURES else []
