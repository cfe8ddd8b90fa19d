"""Recorded incidents on the Online Boutique, as the collectors would publish them (UnifiedEvent JSON on
``traces.{traceID}.{source}``). Pods are named by workload (``pod:redis-cart``) and resolved against the
materialised cluster when played; times are offsets in seconds from the start of the incident."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Step:
    at_s: float
    target: str  # "pod:<workload>" or "node:<workload>" (the node that workload's first pod runs on)
    source: str
    severity: str
    message: str
    kubernetes: dict[str, Any] = field(default_factory=dict)
    network: dict[str, Any] = field(default_factory=dict)
    application: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Incident:
    key: str
    title: str
    trace_id: str
    steps: tuple[Step, ...]


def _k8s(reason: str, message: str, kind: str = "Pod") -> dict[str, Any]:
    return {"reason": reason, "event_type": "Warning", "object_kind": kind, "message": message}


INCIDENTS: tuple[Incident, ...] = (
    Incident(
        "redis-oom",
        "redis-cart runs out of memory; the cart, checkout and frontend fail after it",
        "trace-redis-oom-1",
        (
            Step(
                0,
                "pod:redis-cart",
                "ebpf",
                "critical",
                "redis-server OOM-killed (limit 256Mi)",
                kubernetes=_k8s("OOMKilled", "Container redis was OOMKilled"),
            ),
            Step(
                6,
                "pod:cartservice",
                "otel",
                "error",
                "cartservice: connection refused redis-cart:6379",
                application={
                    "level": "error",
                    "error_type": "RedisConnectionException",
                    "message": "connection refused redis-cart:6379",
                },
            ),
            Step(
                12,
                "pod:checkoutservice",
                "otel",
                "error",
                "checkout: GetCart failed: Unavailable",
                application={"level": "error", "error_type": "Unavailable", "message": "GetCart failed"},
            ),
            Step(
                18,
                "pod:frontend",
                "ebpf",
                "error",
                "frontend answers 503 on /cart",
                network={
                    "protocol": "http",
                    "status_code": 503,
                    "method": "GET",
                    "path": "/cart",
                    "direction": "inbound",
                },
            ),
        ),
    ),
    Incident(
        "catalog-crash",
        "productcatalogservice crash-loops after a bad release; recommendations and the frontend degrade",
        "trace-catalog-crash-1",
        (
            *(  # the kubelet tells the back-off again on each restart: a loop, not one restart
                Step(
                    at,
                    "pod:productcatalogservice",
                    "kubernetes",
                    "error",
                    "Back-off restarting failed container",
                    kubernetes=_k8s("BackOff", "Back-off restarting failed container server"),
                )
                for at in (0, 10, 20)
            ),
            Step(
                7,
                "pod:recommendationservice",
                "otel",
                "error",
                "ListProducts failed: connection reset",
                application={"level": "error", "error_type": "Unavailable", "message": "ListProducts failed"},
            ),
            Step(
                14,
                "pod:frontend",
                "ebpf",
                "error",
                "frontend answers 500 on /product",
                network={
                    "protocol": "http",
                    "status_code": 500,
                    "method": "GET",
                    "path": "/product/OLJCESPC7Z",
                    "direction": "inbound",
                },
            ),
        ),
    ),
)
