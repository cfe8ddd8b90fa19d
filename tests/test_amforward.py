"""api.amforward against a real Alertmanager: an active correlation shows up as one alert with its labels, is kept
alive by re-posting, ends when it resolves; while Alertmanager is down the posts fail, are counted and retried."""

from __future__ import annotations

import asyncio
from pathlib import Path

from api.amforward import AlertmanagerForwarder
from api.metrics import Metrics
from causegraph.natsserver import free_port
from causegraph.settings import AlertmanagerSettings
from model.result import CorrelationResult
from tests import apidata
from tests.alertmanagerproc import Alertmanager, wait_for

CONFIG = {"route": {"receiver": "none"}, "receivers": [{"name": "none"}]}


def result(state: str = "active", **over: object) -> CorrelationResult:
    last = {"last_seen": "2026-05-01T10:00:40Z"} if state == "resolved" else {}
    return CorrelationResult.model_validate(apidata.document("corr-1", 0, state=state, **(last | over)))


async def _run_until(forwarder: AlertmanagerForwarder, check: object, timeout_s: float = 20.0) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(forwarder.run(stop))
    try:
        await asyncio.to_thread(wait_for, check, timeout_s)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


async def test_active_incident_is_an_alert_until_it_resolves(tmp_path: Path) -> None:
    with Alertmanager(tmp_path / "am", CONFIG) as am:
        metrics = Metrics()
        forwarder = AlertmanagerForwarder(AlertmanagerSettings(url=am.url, resend_s=0.5), "http://cg:8080", metrics)
        forwarder.offer([result(state="building", id="corr-0"), result()])
        await _run_until(forwarder, lambda: am.alerts(alertname="CausegraphIncident"))
        [alert] = am.alerts(alertname="CausegraphIncident")
        labels = alert["labels"]
        assert labels["correlation"] == "corr-1" and labels["pattern"] == "cascading_failure"
        assert labels["severity"] == "critical" and labels["root_kind"] == "Pod" and labels["namespace"] == "shop"
        assert alert["annotations"]["causegraph_url"] == "http://cg:8080/#correlation=corr-1"
        assert alert["status"]["state"] == "active"
        first_end = alert["endsAt"]
        await _run_until(forwarder, lambda: am.alerts(alertname="CausegraphIncident")[0]["endsAt"] > first_end)
        forwarder.offer([result(state="resolved")])
        await _run_until(forwarder, lambda: not am.alerts(alertname="CausegraphIncident"))
        assert forwarder.pending() == []  # the resolved one was sent once and forgotten
        assert forwarder.failed == 0 and forwarder.posted >= 3
        assert 'causegraph_alertmanager_posts_total{outcome="ok"}' in metrics.render().decode()


async def test_posts_fail_while_alertmanager_is_down_and_go_through_once_it_is_up(tmp_path: Path) -> None:
    port = free_port()
    metrics = Metrics()
    settings = AlertmanagerSettings(url=f"http://127.0.0.1:{port}", resend_s=30, backoff_max_s=0.5, timeout_s=1)
    forwarder = AlertmanagerForwarder(settings, "http://cg", metrics)
    forwarder.offer([result()])
    stop = asyncio.Event()
    task = asyncio.create_task(forwarder.run(stop))
    await asyncio.to_thread(wait_for, lambda: forwarder.failed >= 2, 20)
    assert 'causegraph_alertmanager_posts_total{outcome="failed"}' in metrics.render().decode()
    with Alertmanager(tmp_path / "am", CONFIG, port=port) as am:
        await asyncio.to_thread(wait_for, lambda: am.alerts(alertname="CausegraphIncident"), 20)
        stop.set()
        await asyncio.wait_for(task, 15)
    assert forwarder.posted >= 1
