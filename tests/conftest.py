"""The test bed: real servers on free ports, each test isolated (its own graph, its own stream store).

- ``falkor_url``: one embedded FalkorDB for the whole run; ``store`` gives each test its own graph name.
- ``nats_server``: a nats-server with JetStream on a temporary store, per test (stop/start it to test outages).
- ``fake_kube``: the list/watch-faithful fake Kubernetes API server (tests/fakekube.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from causegraph.natsserver import NatsServer
from graph import GraphStore, open_store
from graph.falkor import FalkorStore
from tests.fakekube import FakeKube

# The public sample data (see data/SOURCES.md), kept in the repository so that a clean clone has it.
SHARED_DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="session")
def falkor_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = str(tmp_path_factory.mktemp("falkor") / "graph.rdb")
    keeper = open_store(url, graph_name="keeper")  # starts the server and owns it
    yield url
    keeper.close()


@pytest.fixture
def store(falkor_url: str) -> Iterator[GraphStore]:
    s = open_store(falkor_url, graph_name=f"t_{uuid.uuid4().hex[:12]}")
    assert isinstance(s, FalkorStore)
    s.apply_schema()
    yield s
    s.clear()
    s.close()


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path / "jetstream").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return SHARED_DATA


@pytest.fixture
def fake_kube() -> Iterator[FakeKube]:
    with FakeKube() as kube:
        yield kube
