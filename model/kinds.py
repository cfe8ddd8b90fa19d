"""The Kubernetes kinds causegraph reads, and where the API serves them.

Used by the watcher (what to list and watch), the file importer (which kinds to accept), resource identity
(``model.resource``: which kinds are cluster-scoped) and the RBAC in ``deploy/`` (get, list, watch on exactly
these and on events).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ApiKind:
    """One listable kind."""

    kind: str
    group: str  # "" for the core group
    version: str
    plural: str
    namespaced: bool

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_path(self) -> str:
        """Cluster-wide list/watch path."""
        prefix = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        return f"{prefix}/{self.plural}"


TOPOLOGY_KINDS: tuple[ApiKind, ...] = (
    ApiKind("Namespace", "", "v1", "namespaces", False),
    ApiKind("Node", "", "v1", "nodes", False),
    ApiKind("Pod", "", "v1", "pods", True),
    ApiKind("Service", "", "v1", "services", True),
    ApiKind("Endpoints", "", "v1", "endpoints", True),
    ApiKind("ConfigMap", "", "v1", "configmaps", True),
    ApiKind("Secret", "", "v1", "secrets", True),
    ApiKind("PersistentVolumeClaim", "", "v1", "persistentvolumeclaims", True),
    ApiKind("PersistentVolume", "", "v1", "persistentvolumes", False),
    ApiKind("ReplicaSet", "apps", "v1", "replicasets", True),
    ApiKind("Deployment", "apps", "v1", "deployments", True),
    ApiKind("StatefulSet", "apps", "v1", "statefulsets", True),
    ApiKind("DaemonSet", "apps", "v1", "daemonsets", True),
    ApiKind("Job", "batch", "v1", "jobs", True),
    ApiKind("CronJob", "batch", "v1", "cronjobs", True),
    ApiKind("EndpointSlice", "discovery.k8s.io", "v1", "endpointslices", True),
    ApiKind("Ingress", "networking.k8s.io", "v1", "ingresses", True),
    ApiKind("HorizontalPodAutoscaler", "autoscaling", "v2", "horizontalpodautoscalers", True),
    ApiKind("PodDisruptionBudget", "policy", "v1", "poddisruptionbudgets", True),
)

EVENT_KINDS: tuple[ApiKind, ...] = (
    ApiKind("Event", "", "v1", "events", True),
    ApiKind("Event", "events.k8s.io", "v1", "events", True),
)

BY_KIND: dict[str, ApiKind] = {k.kind: k for k in TOPOLOGY_KINDS}
