"""The correlator behind the real ingest pipeline: one JSON line per published version, deterministic."""

from __future__ import annotations

import io
import json
from typing import Any

from correlate.replayrun import ReplayCorrelator
from correlate.settings import CorrelateSettings
from graph import GraphStore, open_store
from ingest.eventwriter import EventWriter
from ingest.pipeline import Pipeline
from model.result import CorrelationResult
from tests import topo_builder as tb


def unified(
    eid: str, at: str, name: str, etype: str, severity: str, reason: str, trace: str = "", message: str = ""
) -> dict[str, Any]:
    return {
        "id": eid,
        "timestamp": f"2026-05-01T10:00:{at}Z",
        "type": etype,
        "severity": severity,
        "message": message or reason,
        "kubernetes": {"reason": reason},
        "trace_context": {"trace_id": trace} if trace else {},
        "k8s_context": {
            "kind": "Pod",
            "name": name,
            "namespace": tb.NS,
            "uid": tb.uid("Pod", name),
            "cluster_name": tb.CLUSTER,
        },
    }


ITEMS = [
    unified("oom", "00", "mysql-0", "memory", "critical", "oom_kill"),
    unified("api-timeout", "05", "api-1", "network", "error", "timeout", "tr", "dial tcp mysql:3306: i/o timeout"),
    unified("web-503", "07", "frontend-1", "network", "error", "http_503", "tr", "GET http://api/items: 503"),
]


def replay(store: GraphStore) -> list[str]:
    tb.build(store)
    out = io.StringIO()
    corr = ReplayCorrelator(store, CorrelateSettings(), tb.CLUSTER, out)
    pipeline = Pipeline(store, None, EventWriter(store, tb.CLUSTER), on_stored=corr.on_stored)
    for item in ITEMS:  # one at a time, as a stream would deliver them
        pipeline.ingest([item])
    corr.finish()  # the newest events, held back within the disorder bound
    assert corr.lines == len(out.getvalue().splitlines())
    return out.getvalue().splitlines()


def test_lines_are_published_versions(store: GraphStore) -> None:
    lines = replay(store)
    docs = [CorrelationResult.from_json(line) for line in lines]
    assert docs and [d.version for d in docs] == list(range(1, len(docs) + 1))
    last = docs[-1]
    assert last.root_cause.event_id == "oom" and last.related_events == ["oom", "api-timeout", "web-503"]
    assert json.loads(lines[-1])["schema"] == "causegraph.correlation/v1"


def test_deterministic(falkor_url: str) -> None:
    runs = []
    for n in range(2):
        s = open_store(falkor_url, graph_name=f"replay_det_{n}")
        try:
            s.clear()
            s.apply_schema()
            runs.append(replay(s))
        finally:
            s.clear()
            s.close()
    assert runs[0] == runs[1]
