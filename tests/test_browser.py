"""The web view in a real headless chromium (Debian's, installed by scripts/ensure-chromium.sh), against the app
served by uvicorn on the real embedded graph; a screenshot is kept in test-artifacts/web-view.png."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from api.app import create_app
from causegraph.natsserver import free_port
from graph import GraphStore
from graph.querybuilder import merge_nodes
from graph.schema import Label
from tests import apidata
from tests.cdp import Browser, chromium_path

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture
def browser() -> Iterator[Browser]:
    binary = chromium_path()
    if binary is None:
        pytest.fail("chromium is not installed: run scripts/ensure-chromium.sh (apt-get install -y chromium)")
    b = Browser(binary)
    yield b
    b.close()


@pytest.fixture
def served(store: GraphStore) -> Iterator[tuple[str, str]]:
    toks = apidata.tokens()
    apidata.load_incident(store)
    # The incident happened "recently" so the page's default 30-day list shows it.
    now = int(time.time() * 1000)
    store.run("MATCH (c:Correlation {id: 'corr-1'}) SET c.first_seen = $f, c.last_seen = $l", {"f": now - 1, "l": now})
    app = create_app(store, apidata.settings_with(toks["hashes"]))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{server.config.port}", toks["read"]
    server.should_exit = True
    thread.join(timeout=10)


def test_web_view_shows_the_incident_and_the_blast_radius(browser: Browser, served: tuple[str, str]) -> None:
    url, token = served
    browser.navigate(f"{url}/#token={token}")
    browser.wait_for("document.querySelectorAll('#correlations li').length === 1")
    assert "redis-cart memory exhaustion" in browser.evaluate("document.querySelector('#correlations li').textContent")
    # Timeline: three events on a time axis, the root cause marked, the chain drawn.
    browser.wait_for("document.querySelectorAll('#timeline circle.event').length === 3")
    assert browser.evaluate("document.querySelector('#timeline circle.root').dataset.event") == "ev-oom"
    assert browser.evaluate("document.querySelectorAll('#timeline path.chain').length") == 2
    # Graph: the resources involved, the root's pod marked.
    browser.wait_for("document.querySelectorAll('#graph g.node').length >= 5")
    root_nodes = browser.evaluate("[...document.querySelectorAll('#graph g.node.root')].map(g => g.dataset.id)")
    assert root_nodes == ["uid-pod-redis-cart-7d9f-abcde"]
    # The token was taken from the URL and the fragment removed.
    assert browser.evaluate("location.hash") == ""
    # Blast radius form: pick the node, see what goes down.
    browser.wait_for("document.querySelectorAll('#blast-names option').length >= 1")
    browser.evaluate(
        "document.getElementById('blast-kind').value = 'Node';"
        "document.getElementById('blast-name').value = 'node-1';"
        "document.getElementById('blast-form').requestSubmit(); true"
    )
    browser.wait_for("document.querySelectorAll('#blast-result .col, #blast-result .error').length > 0")
    text = browser.evaluate("document.getElementById('blast-result').textContent")
    assert "redis-cart-7d9f-abcde" in text, text
    shot = browser.screenshot(ARTIFACTS / "web-view.png")
    assert shot.stat().st_size > 10_000


def test_the_alertmanager_link_opens_its_incident(browser: Browser, served: tuple[str, str], store: GraphStore) -> None:
    """``#correlation=<id>`` (the link in each CausegraphIncident alert) selects that incident, not the newest."""
    url, token = served
    older = int(time.time() * 1000) - 60_000
    row = apidata.correlation_row("corr-0", older, summary="the older incident")
    store.write(merge_nodes(Label.CORRELATION), [row])
    browser.navigate(f"{url}/#token={token}&correlation=corr-0")
    browser.wait_for("document.querySelectorAll('#correlations li').length === 2")
    browser.wait_for("document.querySelector('#correlations li.selected') !== null")
    assert browser.evaluate("document.querySelector('#correlations li.selected').dataset.id") == "corr-0"
    assert browser.evaluate("document.querySelector('#correlations li').dataset.id") == "corr-1"  # newest first
