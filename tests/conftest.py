"""The test bed: real servers on free ports, each test isolated (its own graph, its own stream store).

- ``store``: the graph store, once on each engine: ``store[falkordb]`` and ``store[neo4j]``. A test (or a fixture it
  uses) that asks for ``store`` runs on both, unless it is marked ``falkordb_only`` or also asks for ``falkor_url``.
- ``falkor_url``: one embedded FalkorDB for the whole run; ``store[falkordb]`` gives each test its own graph name.
- ``neo4j_server``: one Neo4j for the whole run; ``store[neo4j]`` clears its graph before each test. It is the server
  at ``CAUSEGRAPH_TEST_NEO4J_URI`` when that is set, else a local Neo4j 5 Community started by
  ``scripts/neo4j-local.sh`` (Java and Maven), else testcontainers ``neo4j:5`` where a Docker engine answers. With
  ``CI=true`` a Neo4j that cannot start fails the tests with the reason; elsewhere, without Java, the Neo4j half is
  left out with one line at the end of the run.
- ``nats_server``: a nats-server with JetStream on a temporary store, per test (stop/start it to test outages).
- ``nats_cluster``: three clustered nats-servers with JetStream on loopback, per test, ready for 3-replica streams.
- ``fake_kube``: the list/watch-faithful fake Kubernetes API server (tests/fakekube.py).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from causegraph import neo4jlocal
from causegraph.natsserver import NatsCluster, NatsServer
from causegraph.settings import load_settings
from graph import GraphStore, open_store
from graph.bolt import Neo4jStore
from graph.falkor import FalkorStore
from tests.fakekube import FakeKube
from tests.natscluster import wait_jetstream

# The public sample data (see data/SOURCES.md), kept in the repository so that a clean clone has it.
SHARED_DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="session")
def falkor_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = str(tmp_path_factory.mktemp("falkor") / "graph.rdb")
    keeper = open_store(url, graph_name="keeper")  # starts the server and owns it
    yield url
    keeper.close()


ENGINES = ("falkordb", "neo4j")
NEO4J_LEFT_OUT = pytest.StashKey[str]()


@dataclass(frozen=True)
class Neo4jTarget:
    """Where the session's Neo4j answers."""

    url: str
    user: str
    password: str
    home: Path | None = None  # the local server's folder (None for a server this session did not start)

    def open(self) -> GraphStore:
        return open_store(self.url, user=self.user, password=self.password)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that uses ``store`` once per engine."""
    if "store" not in metafunc.fixturenames:
        return
    falkor_only = "falkor_url" in metafunc.fixturenames or metafunc.definition.get_closest_marker("falkordb_only")
    metafunc.parametrize("engine", ENGINES[:1] if falkor_only else ENGINES)


def _needs_neo4j(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    return item.get_closest_marker("neo4j") is not None or (
        callspec is not None and callspec.params.get("engine") == "neo4j"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Outside CI, on a machine without Java (nor a Neo4j to point at, nor Docker), leave the Neo4j half out and say
    so in one line at the end, instead of a skip per test."""
    if os.environ.get("CI", "").lower() == "true" or load_settings().test_neo4j_uri or shutil.which("java"):
        return
    if not any(_needs_neo4j(item) for item in items) or _docker_answers():
        return
    dropped = [item for item in items if _needs_neo4j(item)]
    items[:] = [item for item in items if not _needs_neo4j(item)]
    config.hook.pytest_deselected(items=dropped)
    config.stash[NEO4J_LEFT_OUT] = (
        f"Neo4j engine: {len(dropped)} tests not run: Java is not installed "
        "(scripts/neo4j-local.sh needs Java 17+ and Maven; or set CAUSEGRAPH_TEST_NEO4J_URI)"
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if NEO4J_LEFT_OUT in config.stash:
        terminalreporter.write_line(config.stash[NEO4J_LEFT_OUT], yellow=True)


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:
        return False
    return True


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jTarget]:
    settings = load_settings()
    if settings.test_neo4j_uri:
        yield Neo4jTarget(settings.test_neo4j_uri, settings.graph.user, settings.graph.password.get_secret_value())
        return
    try:
        server = neo4jlocal.start(tmp_path_factory.mktemp("session") / "neo4j")
    except neo4jlocal.Neo4jUnavailable as exc:
        if _docker_answers():
            yield from _neo4j_container()
            return
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and Neo4j cannot start: {exc}", pytrace=False)
        pytest.skip(f"Neo4j engine skipped: {exc}")
    except neo4jlocal.Neo4jLocalError as exc:
        pytest.fail(f"the local Neo4j did not start: {exc}", pytrace=False)
    try:
        yield Neo4jTarget(server.url, server.user, server.password, server.home)
    finally:
        server.stop()


def _neo4j_container() -> Iterator[Neo4jTarget]:
    from testcontainers.neo4j import Neo4jContainer

    with Neo4jContainer("neo4j:5") as container:
        yield Neo4jTarget(container.get_connection_url(), "neo4j", container.password)


@pytest.fixture(scope="session")
def neo4j_schema(neo4j_server: Neo4jTarget) -> Neo4jTarget:
    """The session's Neo4j with the schema applied once (index creation is the slow part of a fresh graph)."""
    s = neo4j_server.open()
    try:
        s.clear()
        s.apply_schema()
    finally:
        s.close()
    return neo4j_server


@pytest.fixture
def store(engine: str, request: pytest.FixtureRequest) -> Iterator[GraphStore]:
    if engine == "neo4j":
        target: Neo4jTarget = request.getfixturevalue("neo4j_schema")
        s = target.open()
        assert isinstance(s, Neo4jStore)
        s.clear()
    else:
        falkor_url: str = request.getfixturevalue("falkor_url")
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


@pytest.fixture
def nats_cluster(tmp_path: Path) -> Iterator[NatsCluster]:
    cluster = NatsCluster(tmp_path / "nats-cluster").start()
    try:
        wait_jetstream(cluster)
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return SHARED_DATA


@pytest.fixture
def fake_kube() -> Iterator[FakeKube]:
    with FakeKube() as kube:
        yield kube
