"""scripts/neo4j-local.sh through causegraph.neo4jlocal: the printed line, an idempotent start, stop and status."""

from __future__ import annotations

import subprocess

import pytest

from causegraph import neo4jlocal
from tests.conftest import Neo4jTarget


def test_parse_line() -> None:
    assert neo4jlocal.parse_line("bolt://127.0.0.1:7687 neo4j s3cret\n") == ("bolt://127.0.0.1:7687", "neo4j", "s3cret")
    with pytest.raises(neo4jlocal.Neo4jLocalError, match="unexpected last line"):
        neo4jlocal.parse_line("Started.")


def test_usage_is_exit_code_2() -> None:
    proc = subprocess.run(["bash", str(neo4jlocal.SCRIPT)], capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "usage" in proc.stderr


@pytest.mark.neo4j
def test_a_second_start_prints_the_same_line(neo4j_server: Neo4jTarget) -> None:
    if neo4j_server.home is None:
        pytest.skip("the session's Neo4j was not started by scripts/neo4j-local.sh")
    again = neo4jlocal.start(neo4j_server.home, timeout_s=60)
    assert (again.url, again.user, again.password) == (neo4j_server.url, "neo4j", neo4j_server.password)
    assert again.url.startswith("bolt://127.0.0.1:")
    assert len(again.password) >= 16
    assert again.browser_url.startswith("http://127.0.0.1:")
    status = subprocess.run(
        ["bash", str(neo4jlocal.SCRIPT), "status", str(neo4j_server.home)], capture_output=True, text=True, check=True
    )
    assert status.stdout.strip() == f"{again.url} neo4j {again.password}"


def test_stop_on_a_folder_without_a_server_is_a_no_op(tmp_path: object) -> None:
    proc = subprocess.run(
        ["bash", str(neo4jlocal.SCRIPT), "stop", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0
    status = subprocess.run(
        ["bash", str(neo4jlocal.SCRIPT), "status", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert status.returncode == 1
