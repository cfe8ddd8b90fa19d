"""``causegraph demo`` end to end (real embedded FalkorDB, bundled nats-server, the engine, the publisher):
``--once`` tells both recorded incidents; the served demo answers on the web view and stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from causegraph import neo4jlocal
from causegraph.demo.story import tell
from model.result import CorrelationResult
from tests.conftest import Neo4jTarget

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "causegraph"]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAUSEGRAPH_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def test_demo_once_tells_each_incident(tmp_path: Path) -> None:
    proc = subprocess.run(
        [*CLI, "demo", "--once", "--wait", "40", "--dir", str(tmp_path)],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = proc.stdout
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "online-boutique materialised" in out
    _assert_both_stories(out)
    assert "stopped cleanly" in out and "Traceback" not in proc.stderr


def _assert_both_stories(out: str) -> None:
    assert re.search(r"root cause\s+OOMKilled on Pod default/redis-cart-", out), out
    # a crash loop of every pod of a workload (here its one replica) is the workload's failure
    assert re.search(r"root cause\s+BackOff on Deployment default/productcatalogservice ", out), out
    assert out.count("remediation") == 2 and "chain" in out and "impact" in out
    # the crash loop was also posted as kube-prometheus alerts: they joined its Kubernetes and collector events
    assert "posted 2 kube-prometheus alerts of one incident to POST /api/v1/alerts/alertmanager" in out, out
    catalog = out[out.index("root cause   BackOff on Deployment default/productcatalogservice") :]
    assert re.search(r"events\s+\d+ \(2 Prometheus alerts\)", catalog.split("\n\n")[0]), out


@pytest.mark.neo4j
def test_demo_once_on_the_local_neo4j_prints_the_browser_and_leaves_a_running_server_up(
    neo4j_server: Neo4jTarget,
) -> None:
    if neo4j_server.home is None:
        pytest.skip("needs the session's Neo4j from scripts/neo4j-local.sh")
    work = neo4j_server.home.parent  # the demo's Neo4j is <dir>/neo4j: the session's server, already running
    proc = subprocess.run(
        [*CLI, "demo", "--once", "--wait", "60", "--dir", str(work), "--graph", "neo4j-local"],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=240,
    )
    out = proc.stdout
    assert proc.returncode == 0, proc.stdout + proc.stderr
    browser = f"Neo4j Browser: http://127.0.0.1:{(neo4j_server.home / 'http_port').read_text().strip()}/browser/"
    assert f"{browser} (connect to {neo4j_server.url} as neo4j / {neo4j_server.password})" in out
    _assert_both_stories(out)
    assert "stopped cleanly" in out and "Traceback" not in proc.stderr
    assert neo4jlocal.running(neo4j_server.home)


def test_demo_serves_the_web_view_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [*CLI, "demo", "--port", "0", "--wait", "1", "--dir", str(tmp_path)],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = ""
        deadline = time.monotonic() + 60
        lines = []
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if line.startswith("web view: "):
                url = line.split()[2].split("#")[0]
            if line.startswith("serving; Ctrl-C"):
                break
        assert url, "".join(lines)
        with urllib.request.urlopen(url + "healthz", timeout=5) as resp:
            assert resp.status == 200
        with urllib.request.urlopen(url, timeout=5) as resp:
            assert b"causegraph" in resp.read()
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "stopped cleanly" in rest and "Traceback" not in err


def test_story_lines() -> None:
    result = CorrelationResult.model_validate(
        {
            "id": "corr-1",
            "version": 2,
            "type": "cascading_failure",
            "state": "active",
            "severity": "critical",
            "confidence": 0.9,
            "summary": "Root cause: redis-cart memory exhaustion affecting 3 services",
            "root_cause": {
                "event_id": "e1",
                "reason": "OOMKilled",
                "at": "2026-05-01T10:00:00Z",
                "resource": {"kind": "Pod", "namespace": "shop", "name": "redis-0"},
            },
            "related_events": ["e1", "e2"],
            "chain": [{"event_id": "e1", "resource": {"name": "redis-0"}, "link": "root"}],
            "impact": {"services": ["redis", "cart"], "pods": 2},
            "remediation": "Raise the memory limit",
            "first_seen": "2026-05-01T10:00:00Z",
            "last_seen": "2026-05-01T10:00:20Z",
            "cypher": "MATCH (c) RETURN c",
        }
    )
    text = tell(result)
    assert text.splitlines()[1].split() == ["root", "cause", "OOMKilled", "on", "Pod", "shop/redis-0", "at", "10:00:00"]
    assert "chain        redis-0 (root)" in text
    assert "impact       services redis, cart; 2 pods" in text
    assert "remediation  Raise the memory limit" in text
    assert "\033[" not in text and "\033[" in tell(result, color=True)
    assert text.splitlines()[-1].split()[:2] == ["events", "2"]
    with_alerts = tell(result.model_copy(update={"related_events": ["e1", "alert:fp@1", "alert:fq@2"]}))
    assert "events       3 (2 Prometheus alerts) · id corr-1 v2" in with_alerts
