"""A correlation result as one alert for Alertmanager's ``POST /api/v2/alerts`` (pure: no I/O, the clock passed in).

labels       alertname="CausegraphIncident", correlation (its id: one alert per incident), pattern, severity,
             cluster, namespace, root_kind, root_name, and the kube-prometheus label of the root's kind
             (pod, deployment, node, ...) so that an inhibit rule can match the member alerts it explains
annotations  summary, remediation, description (the root cause), causegraph_url (the web view on this incident)
startsAt     the correlation's first_seen
endsAt       active: ``now`` + ``ttl_ms`` (the sender posts it again before that; if causegraph stops, Alertmanager
             ends it by itself); resolved: its last_seen, which ends it in Alertmanager
generatorURL the web view link as well (Alertmanager's UI shows it as the alert's source)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ingest.alerts import INCIDENT_ALERTNAME, LABEL_KINDS
from ingest.normalize import parse_time
from model.result import CorrelationResult
from model.times import iso_ms

ALERTNAME = INCIDENT_ALERTNAME
_LABEL_OF_KIND = {kind: label for label, kind in LABEL_KINDS}


def incident_link(web_url: str, correlation_id: str) -> str:
    """The web view, opened on this correlation."""
    return f"{web_url.rstrip('/')}/#correlation={quote(correlation_id, safe='')}"


def to_alert(result: CorrelationResult, *, web_url: str, now_ms: int, ttl_ms: int) -> dict[str, Any]:
    """One postable alert (Alertmanager API v2 ``postableAlert``) for one published correlation version."""
    root = result.root_cause.resource
    labels = {
        "alertname": ALERTNAME,
        "correlation": result.id,
        "pattern": result.type,
        "severity": result.severity,
        "cluster": root.cluster,
        "namespace": root.namespace,
        "root_kind": root.kind,
        "root_name": root.name,
    }
    if (label := _LABEL_OF_KIND.get(root.kind)) and root.name:
        labels[label] = root.name
    link = incident_link(web_url, result.id)
    annotations = {
        "summary": result.summary,
        "remediation": result.remediation,
        "description": result.root_cause.description,
        "causegraph_url": link,
    }
    starts = parse_time(result.first_seen, "first_seen")
    resolved = result.state == "resolved"
    ends = max(parse_time(result.last_seen, "last_seen"), starts) if resolved else now_ms + ttl_ms
    return {
        "labels": {k: v for k, v in labels.items() if v},
        "annotations": {k: v for k, v in annotations.items() if v},
        "startsAt": iso_ms(starts),
        "endsAt": iso_ms(ends),
        "generatorURL": link,
    }
