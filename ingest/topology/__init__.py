"""Pure transforms from Kubernetes objects to graph rows, one function per kind (no I/O).

``transform(obj, cluster)`` returns node rows per label (for ``merge_nodes``) and relationship rows per type
(for ``merge_rels``); ``ingest.loader`` writes them. Edges from ownerReferences and targetRefs name their end
by uid; edges from names (RUNS_ON, USES, CLAIMS, BOUND_TO, ROUTES_TO, SCALES, IN_NAMESPACE, CALLS) by ``key``.
Selector matching (Service -> Pod without endpoints, PDB -> Pod, env CALLS) needs the whole graph and is done
by Cypher in ``cypher/`` after a load.
"""

from __future__ import annotations

from collections.abc import Callable

from ingest.topology import cluster as _c
from ingest.topology import network as _n
from ingest.topology import workloads as _w
from ingest.topology.common import Obj, Row, Transformed, TransformError, where
from model.kinds import BY_KIND

Transform = Callable[[Obj, str], Transformed]

TRANSFORMS: dict[str, Transform] = {
    "Namespace": _c.namespace,
    "Node": _c.node,
    "PersistentVolume": _c.persistentvolume,
    "PersistentVolumeClaim": _c.persistentvolumeclaim,
    "ConfigMap": _c.configmap,
    "Secret": _c.secret,
    "HorizontalPodAutoscaler": _c.hpa,
    "PodDisruptionBudget": _c.pdb,
    "Pod": _w.pod,
    "ReplicaSet": _w.replicaset,
    "Deployment": _w.deployment,
    "StatefulSet": _w.statefulset,
    "DaemonSet": _w.daemonset,
    "Job": _w.job,
    "CronJob": _w.cronjob,
    "Service": _n.service,
    "Endpoints": _n.endpoints,
    "EndpointSlice": _n.endpointslice,
    "Ingress": _n.ingress,
}
assert set(TRANSFORMS) == set(BY_KIND), "every kind in model.kinds has a transform"


def supported(obj: Obj) -> bool:
    """Whether ``obj`` is of a kind the graph keeps."""
    return obj.get("kind") in TRANSFORMS


def transform(obj: Obj, cluster: str) -> Transformed:
    """The rows of one object; TransformError (naming the object, never a value) when it cannot be read."""
    fn = TRANSFORMS.get(str(obj.get("kind")))
    if fn is None:
        raise TransformError(f"unsupported kind {obj.get('kind')!r}")
    try:
        return fn(obj, cluster)
    except TransformError as exc:
        raise TransformError(f"{where(obj)}: {exc}") from None
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        # The exception text may quote a value; only its type is reported.
        raise TransformError(f"{where(obj)}: malformed object ({type(exc).__name__})") from None


__all__ = ["TRANSFORMS", "Row", "TransformError", "Transformed", "supported", "transform"]
