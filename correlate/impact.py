"""Blast radius: what losing a node, or any resource, takes down or degrades."""

from __future__ import annotations

from typing import Any

from graph import GraphStore


def blast_radius_node(store: GraphStore, cluster: str, name: str) -> dict[str, Any]:
    """The blast radius of losing node ``name``: ``{target, pods, workloads, services, pdb_violations, summary}``."""
    raise NotImplementedError


def blast_radius_resource(store: GraphStore, cluster: str, kind: str, namespace: str, name: str) -> dict[str, Any]:
    """The blast radius of losing any resource (Deployment, ConfigMap, Secret, PVC, Service, Pod, Node...)."""
    raise NotImplementedError
