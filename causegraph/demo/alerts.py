"""One recorded incident also as the kube-prometheus alerts it would fire, in Alertmanager's webhook payload (v4),
for the demo to post through ``POST /api/v1/alerts/alertmanager``. Pure: the pods are resolved by the caller.

The labels are those kube-state-metrics puts on the kubernetes-mixin alerts when it is scraped through its Service
(``job``/``service``/``instance`` name the exporter, ``namespace``/``pod``/``container`` or ``deployment`` the
subject). The rules' ``for: 15m`` is compressed to seconds, as the demo compresses the whole incident.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ingest.normalize import parse_time
from model.times import iso_ms

INCIDENT = "catalog-crash"  # the incident of causegraph.demo.incidents these alerts belong to
KSM = {"job": "kube-state-metrics", "service": "kube-state-metrics", "instance": "10.0.0.9:8080", "endpoint": "http"}


@dataclass(frozen=True)
class AlertStep:
    at_s: float
    workload: str  # the pod's workload (``pod:<workload>`` of the incident's steps)
    alertname: str
    subject: str  # "pod" or "deployment": which labels name it
    summary: str


STEPS: tuple[AlertStep, ...] = (
    AlertStep(3, "productcatalogservice", "KubePodCrashLooping", "pod", "Pod is crash looping."),
    AlertStep(
        9,
        "productcatalogservice",
        "KubeDeploymentReplicasMismatch",
        "deployment",
        "Deployment has not matched the expected number of replicas.",
    ),
)


def payload(pods: dict[str, dict[str, Any]], start_ms: int, run: str) -> dict[str, Any]:
    """The webhook body; ``pods`` maps each step's workload to its pod (``name``, ``namespace``); ``run`` makes the
    fingerprints unique per demo run."""
    alerts = []
    for i, step in enumerate(STEPS):
        pod = pods[step.workload]
        labels = {"alertname": step.alertname, "namespace": pod["namespace"], "severity": "warning", **KSM}
        if step.subject == "pod":
            labels |= {"pod": pod["name"], "container": "server"}
        else:
            labels["deployment"] = step.workload
        alerts.append(
            {
                "status": "firing",
                "labels": labels,
                "annotations": {"summary": step.summary},
                "startsAt": iso_ms(start_ms + int(step.at_s * 1000)),
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus-k8s-0:9090/graph",
                "fingerprint": f"demo{run}{i:04d}",
            }
        )
    return {
        "version": "4",
        "receiver": "causegraph",
        "status": "firing",
        "groupKey": '{}:{alertname=~".*"}',
        "truncatedAlerts": 0,
        "alerts": alerts,
    }


def event_ids(body: dict[str, Any]) -> set[str]:
    """The ids the alerts of ``body`` are stored under (``ingest.alerts``: fingerprint and start)."""
    return {f"alert:{a['fingerprint']}@{parse_time(a['startsAt'], 'startsAt')}" for a in body["alerts"]}
