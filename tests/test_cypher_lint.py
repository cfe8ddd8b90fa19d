"""Every catalogue file passes Neo4j's own Cypher 5 front end; the lint really fails on a broken query."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = ROOT / "tools" / "cypher-lint" / "lint.mjs"


def _lint(*files: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    assert node, "node is required for the Cypher lint (Node.js 20+)"
    assert (LINT.parent / "node_modules").exists(), "run `make test` (npm ci in tools/cypher-lint) first"
    return subprocess.run([node, str(LINT), *map(str, files)], capture_output=True, text=True, timeout=600)


def test_catalogue_passes_neo4j_lint() -> None:
    files = sorted((ROOT / "cypher").glob("*.cypher"))
    assert files
    result = _lint(*files)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("MATCH (n:Pod) RETURN m", "Variable `m` not defined"),
        ("MATCH (n) RETURN size((n)-->())", "pattern expression"),
        ("MATCH (n) RETURN nosuchfunction(n)", "nosuchfunction"),
        ("MATCH (n) WHERE exists(n.uid) RETURN n", "exists"),
    ],
)
def test_lint_fails_on_a_broken_query(tmp_path: Path, query: str, message: str) -> None:
    bad = tmp_path / "bad.cypher"
    bad.write_text(query + "\n")
    result = _lint(bad)
    assert result.returncode == 1
    assert message in result.stdout
    assert f"{bad}:1:" in result.stdout
