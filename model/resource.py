"""Resource identity: one key rule for every layer, and the one list of workload kinds.

The graph finds a resource by ``key`` = ``cluster/Kind/namespace/name`` (DESIGN §3). Ingest writes that key,
the engine and the API look it up, so all of them build it here: a kind the kinds table (``model.kinds``) says is
cluster-scoped has an empty namespace whatever the caller passed (a Node Event's ``default``, a URL's ``_``), and
``_`` or ``-`` (never valid Kubernetes namespaces) name no namespace, for URL paths that need a segment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from model.kinds import TOPOLOGY_KINDS

CLUSTER_SCOPED: frozenset[str] = frozenset(k.kind for k in TOPOLOGY_KINDS if not k.namespaced)
# The controllers that own pods, at any level of the owner chain.
WORKLOAD_KINDS: frozenset[str] = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"})
_NO_NAMESPACE = frozenset({"", "_", "-"})


def key_namespace(kind: str, namespace: str) -> str:
    """The namespace as the key has it: empty for cluster-scoped kinds and for ``_``/``-``."""
    return "" if kind in CLUSTER_SCOPED or namespace in _NO_NAMESPACE else namespace


def resource_key(cluster: str, kind: str, namespace: str, name: str) -> str:
    """``cluster/Kind/namespace/name``, the namespace as ``key_namespace`` gives it."""
    return f"{cluster}/{kind}/{key_namespace(kind, namespace)}/{name}"


@dataclass(frozen=True)
class ResourceRef:
    """What an event is about, as far as its source says."""

    cluster: str = ""
    kind: str = ""
    namespace: str = ""
    name: str = ""
    uid: str = ""

    def key(self, default_cluster: str = "") -> str:
        """The graph key (``default_cluster`` when the source named none); '' without a kind and a name."""
        if not (self.kind and self.name):
            return ""
        return resource_key(self.cluster or default_cluster, self.kind, self.namespace, self.name)


# The alphabet Kubernetes' rand.SafeEncodeString uses for pod-template-hash and name suffixes (no vowels, no 0/1/3).
SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
# A Deployment's pods are named ``<deployment>-<pod-template-hash>-<suffix>``, both generated parts in that
# alphabet: the owner of a pod the graph does not know yet (a rollout's new pod, its events ahead of the watch) is
# read from its name.
_DEPLOYMENT_POD = re.compile(
    rf"^(?P<owner>[a-z0-9]([-a-z0-9]*[a-z0-9])?)-[{SAFE_ALPHABET}]{{6,10}}-[{SAFE_ALPHABET}]{{5}}$"
)


def deployment_of_pod(name: str) -> str:
    """The Deployment a pod's name says owns it ('' when the name is not a Deployment pod's)."""
    found = _DEPLOYMENT_POD.match(name)
    return found.group("owner") if found else ""
