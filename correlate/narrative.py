"""What a person reads: the ``summary`` in an SRE's words and a ``remediation`` naming the thing and the action.

Pure text from the members, the root and a few facts the engine gathered (limits, rollout history, changed keys,
recurrence). Never a Secret value: only names and keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from correlate import model as m
from correlate.patterns import pods_of, services_of, workloads_of
from model.times import iso_ms
from model.vocab import Pattern


@dataclass(frozen=True)
class Revision:
    """One revision of a workload (a ReplicaSet of a Deployment)."""

    revision: str
    images: tuple[str, ...] = ()


@dataclass(frozen=True)
class Facts:
    """What the engine knows beyond the members."""

    rollback_to: Revision | None = None
    current: Revision | None = None
    workload_pods: int = 0  # pods the root's workload has
    failing_pods: int = 0
    period_seconds: int = 0
    occurrences: int = 0
    since_image: str = ""
    node_services: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)


def subject(x: m.Member) -> str:
    """The short name of what an event is about: its workload's name, else its resource's name."""
    return x.ctx.workload_name or x.ctx.name or x.id


def what(x: m.Member) -> str:
    """The failure in a few words ("memory exhaustion", "crash loop")."""
    r = x.reason.lower()
    if "oom" in r or "memory" in r:
        return "memory exhaustion"
    if x.category == "resource_exhaustion":
        return "resource exhaustion"
    if "backoff" in r and x.category == "crash":
        return "crash loop"
    if x.source_kind == "change":
        return "change"
    return {
        "crash": "crash",
        "probe": "failing health checks",
        "node": "node failure",
        "network": "network errors",
        "image": "image pull failure",
        "storage": "storage failure",
        "config": "configuration change",
        "rollout": "rollout",
        "scheduling": "scheduling failure",
        "application_error": "application errors",
    }.get(x.category, x.reason or "failure")


def period_text(seconds: int) -> str:
    """``~6h``, ``~45m``, ``~2d``."""
    if seconds >= 86_400 and seconds % 86_400 < 3_600 * 3:
        return f"~{round(seconds / 86_400)}d"
    if seconds >= 3_600:
        return f"~{round(seconds / 3_600)}h"
    return f"~{max(1, round(seconds / 60))}m"


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ``11th``, ``22nd``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def memory(value: object) -> str:
    """A memory quantity as people write it: ``268435456`` -> ``256Mi``; text (``512Mi``) stays as it is."""
    if isinstance(value, str):
        if not value.strip().isdigit():
            return value.strip()
        value = int(value)
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        return ""
    for unit, size in (("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if value >= size and value % size == 0:
            return f"{int(value) // size}{unit}"
        if value >= size * 10:
            return f"{value / size:.1f}{unit}"
    return str(int(value))


def _list(names: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _short_reason(x: m.Member) -> str:
    return "OOM" if "oom" in x.reason.lower() else x.reason


def _workload_ref(x: m.Member) -> str:
    if x.ctx.workload_name:
        return f"{x.ctx.workload_kind.lower()}/{x.ctx.workload_name}"
    return f"{x.ctx.kind.lower()}/{x.ctx.name}" if x.ctx.name else x.id


def summary(pattern: str, root: m.Member, members: Sequence[m.Member], facts: Facts) -> str:
    """One sentence an SRE would write in the incident channel."""
    services = services_of(members)
    others = [s for s in services if s not in root.ctx.services and s != root.ctx.name]
    if pattern == Pattern.RECURRING_FAILURE:
        since = f" since image {facts.since_image}" if facts.since_image else ""
        nth = f", {ordinal(facts.occurrences)} time" if facts.occurrences else ""
        return f"{_short_reason(root)} every {period_text(facts.period_seconds)} on {_workload_ref(root)}{since}{nth}"
    if pattern == Pattern.SINGLE_EVENT:
        text = root.message.strip().splitlines()[0][:160] if root.message.strip() else ""
        return f"{root.reason} on {root.ctx.kind.lower() or 'resource'}/{root.ctx.name or root.id}" + (
            f": {text}" if text else ""
        )
    if pattern == Pattern.NODE_FAILURE:
        affected = list(facts.node_services) or services
        head = f"Node {root.ctx.name or root.ctx.node} failure ({root.reason})"
        if affected:
            return f"{head} will impact: {_list(affected)}"
        return f"{head} affecting {len(pods_of(members))} pods"
    if pattern == Pattern.WORKLOAD_FAILURE and root.ctx.workload_name:
        total = facts.workload_pods or root.ctx.workload_replicas
        failing = facts.failing_pods or len(pods_of(members))
        if failing == 1 and root.ctx.kind == "Pod":  # one pod's own trouble: no workload-wide failure to speak of
            of = f", 1 of its {total} pods" if total > 1 else ""
            return f"Pod {root.ctx.name} of {_workload_ref(root)} failing ({root.reason}{of})"
        # pods replaced since they failed are no longer counted in the workload: never "2 of 1 pods"
        of = f"{failing} of {total} pods" if total and total >= failing else _plural(failing, "pod")
        return f"{root.ctx.workload_kind} '{root.ctx.workload_name}' experiencing widespread failures: {of}"
    if pattern == Pattern.DEPLOYMENT_ISSUE:
        rev = f" (revision {facts.current.revision})" if facts.current and facts.current.revision else ""
        symptoms = sorted({x.reason for x in members if x.id != root.id})
        return f"Rollout of {_workload_ref(root)}{rev} followed by {_list(symptoms, 3) or 'failures'} on " + _plural(
            max(1, len(pods_of(members))), "pod"
        )
    if pattern == Pattern.CONFIG_CHANGE:
        keys = changed_keys(root)
        which = f" (keys: {_list(keys, 4)})" if keys else ""
        where = _list(others or workloads_of(members), 4) or "its users"
        return f"{root.ctx.kind} '{root.ctx.name}' changed{which}, then failures in {where}"
    if pattern == Pattern.NETWORK_PARTITION:
        return f"Network errors between {_list(services, 4) or 'services'}: {_plural(len(members), 'event')}"
    n = len(services) if services else len(workloads_of(members))
    noun = "services" if services else "workloads"
    return f"Root cause: {subject(root)} {what(root)} affecting {n} {noun if n != 1 else noun[:-1]}"


def changed_keys(x: m.Member) -> list[str]:
    """The keys a ConfigMap/Secret change touched, from the change's detail (names only, never values)."""
    d = x.detail
    for key in ("changed_keys", "keys_changed", "keys"):
        v = d.get(key)
        if isinstance(v, list):
            return sorted(str(k) for k in v)
    before, after = d.get("before"), d.get("after")
    if isinstance(before, dict) and isinstance(after, dict):
        b, a = before.get("data_keys") or before, after.get("data_keys") or after
        if isinstance(b, list) and isinstance(a, list):
            return sorted(set(a) ^ set(b))
    return []


def remediation(pattern: str, root: m.Member, members: Sequence[m.Member], facts: Facts) -> str:
    """The action, naming the thing: the limit and its value, the revision and image, the keys, the node."""
    ref = _workload_ref(root)
    ns = root.ctx.workload_namespace or root.ctx.namespace
    r = root.reason.lower()
    if "oom" in r or "memory" in r or (root.category == "resource_exhaustion" and root.ctx.kind == "Pod"):
        current = memory(root.detail.get("limits_memory") or root.ctx.limits_memory or "")
        limit = f" ({current})" if current else ""
        kills = sum(max(1, x.count) for x in members if x.reason == root.reason and x.ctx.workload == root.ctx.workload)
        span = max(x.seen_until for x in members) - root.ts
        times = f"; it was OOM-killed {kills} times in {_duration(span)}" if kills > 1 else ""
        if pattern == Pattern.RECURRING_FAILURE:
            since = f", or roll back to the image before {facts.since_image}" if facts.since_image else ""
            return f"Increase the memory limit of {ref}{limit} or find the leak{since}; {facts.occurrences} OOMs so far"
        return f"Increase the memory limit of {ref}{limit} or find the leak{times}"
    if pattern == Pattern.NODE_FAILURE or root.ctx.kind == "Node":
        node = root.ctx.name or root.ctx.node
        return (
            f"Cordon node {node} (kubectl cordon {node}) and drain it (kubectl drain {node} --ignore-daemonsets "
            "--delete-emptydir-data) so its pods reschedule; then check the kubelet and the node's conditions"
        )
    if pattern == Pattern.DEPLOYMENT_ISSUE:
        if facts.rollback_to:
            image = f" (image {', '.join(facts.rollback_to.images)})" if facts.rollback_to.images else ""
            return (
                f"Roll back {ref} to revision {facts.rollback_to.revision}{image}: kubectl rollout undo {ref} "
                f"-n {ns} --to-revision={facts.rollback_to.revision}"
            )
        return f"Roll back {ref} to its previous revision: kubectl rollout undo {ref} -n {ns}"
    if pattern == Pattern.CONFIG_CHANGE:
        keys = changed_keys(root)
        which = f" keys {', '.join(keys)}" if keys else ""
        kind = root.ctx.kind.lower() or "configmap"
        return (
            f"Review the change to {kind}/{root.ctx.name} (changed{which or ' data'}) and revert it, "
            f"then restart its users: {_list(workloads_of(members), 4) or 'the pods that mount it'}"
        )
    if pattern == Pattern.NETWORK_PARTITION:
        return f"Check connectivity and NetworkPolicies between {_list(services_of(members), 4) or 'the services'}"
    if root.category == "image":
        return f"Fix the image reference or registry credentials of {ref}"
    if root.category == "probe":
        return f"Check the readiness/liveness probes and the health endpoint of {ref}"
    if root.category == "storage":
        return f"Check the volume claims and the storage backend of {ref}"
    if root.category == "scheduling":
        return f"Free capacity or relax the scheduling constraints of {ref}"
    return f"Inspect the logs of {ref} (kubectl logs -n {ns} {ref} --previous) around {iso_ms(root.ts)}"


def _duration(ms: int) -> str:
    s = ms // 1000
    if s < 120:
        return f"{max(1, s)}s"
    if s < 7200:
        return f"{round(s / 60)}m"
    return f"{round(s / 3600)}h"


def describe(x: m.Member) -> str:
    """A short line for the root cause: ``mysql-0 OOMKilled at 10:00:00``."""
    return f"{x.ctx.name or x.id} {x.reason} at {iso_ms(x.ts)[11:19]}"
