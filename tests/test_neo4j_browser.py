"""Neo4j Browser, served by the local Neo4j, in a real headless chromium: connect with the credentials that
scripts/neo4j-local.sh printed, run the ``cypher`` of a correlation the engine published, and check that the graph
shows the correlation, its root cause, its members and the resources it impacts. The screenshot is kept in
test-artifacts/neo4j-browser.png."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from correlate.replayrun import ReplayCorrelator
from correlate.settings import CorrelateSettings
from ingest.eventwriter import EventWriter
from ingest.pipeline import Pipeline
from tests import topo_builder as tb
from tests.cdp import Browser, chromium_path
from tests.conftest import Neo4jTarget

pytestmark = pytest.mark.neo4j
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def _event(
    eid: str, second: str, name: str, etype: str, severity: str, reason: str, message: str = ""
) -> dict[str, Any]:
    return {
        "id": eid,
        "timestamp": f"2026-05-01T10:00:{second}Z",
        "type": etype,
        "severity": severity,
        "message": message or reason,
        "kubernetes": {"reason": reason},
        "k8s_context": {"kind": "Pod", "name": name, "namespace": tb.NS, "uid": tb.uid("Pod", name)},
    }


EVENTS = [
    _event("oom", "00", "mysql-0", "memory", "critical", "oom_kill"),
    _event("api-timeout", "05", "api-1", "network", "error", "timeout", "dial tcp mysql:3306: i/o timeout"),
    _event("web-503", "07", "frontend-1", "network", "error", "http_503", "GET http://api/items: 503"),
]


@pytest.fixture
def published(neo4j_schema: Neo4jTarget) -> Iterator[dict[str, Any]]:
    """The last version of the correlation the engine publishes for a small cascade, stored in the session's Neo4j."""
    store = neo4j_schema.open()
    store.clear()
    try:
        tb.build(store)
        out = io.StringIO()
        correlator = ReplayCorrelator(store, CorrelateSettings(), tb.CLUSTER, out)
        pipeline = Pipeline(store, None, EventWriter(store, tb.CLUSTER), on_stored=correlator.on_stored)
        for item in EVENTS:
            pipeline.ingest([item])
        correlator.finish()  # the newest events, held back within the disorder bound
        doc: dict[str, Any] = json.loads(out.getvalue().splitlines()[-1])
        (row,) = store.run("MATCH (:Correlation {id: $id})-[:IMPACTS]->(r) RETURN count(r) AS n", {"id": doc["id"]})
        doc["_impacted"] = row["n"]
        yield doc
    finally:
        store.clear()
        store.close()


@pytest.fixture
def browser() -> Iterator[Browser]:
    binary = chromium_path()
    if binary is None:
        pytest.fail("chromium is not installed: run scripts/ensure-chromium.sh (apt-get install -y chromium)")
    b = Browser(binary)
    yield b
    b.close()


def _overview(browser: Browser, kind: str, name: str) -> str:
    selector = f"[data-testid=property-details-overview-{kind}-{name}]"
    text: str = browser.wait_for(f"document.querySelector('{selector}')?.textContent")
    return text


def test_neo4j_browser_shows_a_published_correlation(
    neo4j_schema: Neo4jTarget, published: dict[str, Any], browser: Browser
) -> None:
    if neo4j_schema.home is None:
        pytest.skip("Neo4j Browser is checked on the local server (scripts/neo4j-local.sh), not on an external one")
    members = published["related_events"]
    assert published["root_cause"]["event_id"] == "oom" and len(members) == 3
    browser_url = (neo4j_schema.home / "browser_url").read_text().strip()
    dbms = neo4j_schema.url.replace("bolt://", f"bolt://{neo4j_schema.user}@")
    browser.navigate(f"{browser_url}?dbms={dbms}&preselectAuthMethod=NATIVE")
    browser.wait_for("!!document.querySelector('input[data-testid=password]')", timeout_s=60)
    browser.type_into("input[data-testid=password]", neo4j_schema.password)
    browser.evaluate("[...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Connect').click()")
    browser.wait_for("document.body.textContent.includes('You are connected as user')", timeout_s=30)

    browser.type_into("[data-testid=activeEditor] textarea", published["cypher"])
    browser.evaluate("document.querySelector('[data-testid=editor-Run]').click(); true")
    browser.wait_for("document.querySelectorAll('svg g.node').length > 0", timeout_s=30)

    assert _overview(browser, "node-label", "Correlation") == "Correlation (1)"
    assert _overview(browser, "node-label", "Event") == f"Event ({len(members)})"
    assert _overview(browser, "relationship-type", "ROOT_CAUSE") == "ROOT_CAUSE (1)"
    assert _overview(browser, "relationship-type", "INCLUDES") == f"INCLUDES ({len(members)})"
    assert published["_impacted"] > 0
    assert _overview(browser, "relationship-type", "IMPACTS") == f"IMPACTS ({published['_impacted']})"
    nodes = browser.evaluate("document.querySelectorAll('svg g.node').length")
    assert nodes == 1 + len(members) + published["_impacted"]
    # For the screenshot: the result frame full screen, the graph zoomed to fit once the layout has settled.
    browser.evaluate("document.querySelector('button[title=Fullscreen]').click(); true")
    time.sleep(2)
    browser.evaluate("document.querySelector('button[aria-label=zoom-to-fit]').click(); true")
    time.sleep(1)
    shot = browser.screenshot(ARTIFACTS / "neo4j-browser.png")
    assert shot.stat().st_size > 10_000
